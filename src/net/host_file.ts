// `--host FILE.json`: a HostSpec read with a size bound and a typed error.
import { readFileSync, statSync } from 'node:fs';
import { HostError, type HostSpec } from './host.js';

/** host files are small descriptions; anything bigger is a mistake */
export const MAX_HOST_FILE = 1 << 20;

export function readHostFile(path: string): HostSpec {
  const st = statSync(path);
  if (!st.isFile()) throw new HostError('not a regular file');
  if (st.size > MAX_HOST_FILE) throw new HostError(`larger than ${MAX_HOST_FILE} bytes`);
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new HostError(`bad JSON: ${(e as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new HostError('expected a JSON object');
  return spec as HostSpec;
}

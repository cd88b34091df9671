// Locates ../shared/conformance/tests (the bpf_conformance suite) from the repo.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// dist/test/isa -> repo root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONFORMANCE_DIR = process.env['TSBPF_CONFORMANCE_DIR'] ?? join(ROOT, '..', 'shared', 'conformance', 'tests');

/** The .data file names, or undefined when the suite is not present. */
export function conformanceFiles(): string[] | undefined {
  if (!existsSync(CONFORMANCE_DIR)) return undefined;
  return readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.data')).sort();
}

export function readConformance(name: string): string {
  return readFileSync(join(CONFORMANCE_DIR, name), 'utf8');
}

// Packing the package as `npm pack` does and unpacking it where a consumer
// would have it (PROJECT/node_modules/tsbpf), for the consumer tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** `npm pack` into `dir`; returns the tarball's path. */
export function pack(dir: string): string {
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack wrote no tarball');
  return join(dir, tgz);
}

/** Unpacks the tarball into `project/node_modules/tsbpf`. */
export function installInto(tgz: string, project: string): void {
  const mod = join(project, 'node_modules', 'tsbpf');
  mkdirSync(mod, { recursive: true });
  execFileSync('tar', ['xzf', tgz, '-C', mod, '--strip-components=1']);
}

// Running bin/tsbpf and (where the live kernel is usable) bpftool, for the
// `tsbpf prog` / `tsbpf map` tests.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelAvailable, repoRoot } from '../kernel/kernel.js';

const BIN = join(repoRoot, 'bin', 'tsbpf');

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `bin/tsbpf ARGS...` from the repository root. */
export function tsbpf(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch directory, removed at exit. */
export const scratch: string = mkdtempSync(join(tmpdir(), 'tsbpf-cli-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

export function scratchFile(name: string, bytes: Uint8Array): string {
  const p = join(scratch, name);
  writeFileSync(p, bytes);
  return p;
}

/** Why the live-kernel comparisons cannot run here (undefined when they can). */
export function bpftoolSkip(): string | undefined {
  const k = kernelAvailable();
  if (!k.ok) return `live kernel not available: ${k.why ?? '?'}`;
  const v = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return 'bpftool not found';
  return undefined;
}

export function bpftool(...args: string[]): Ran {
  const r = spawnSync('bpftool', args, { encoding: 'utf8', cwd: repoRoot, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `bpftool prog loadall OBJ PIN pinmaps PIN/maps`, then `fn(PIN)`; the pins are
 * removed afterwards (which unloads everything).
 */
export function withKernelObject<T>(obj: string, fn: (pin: string) => T): T {
  const pin = `/sys/fs/bpf/tsbpf-cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const r = bpftool('prog', 'loadall', obj, pin, 'pinmaps', `${pin}/maps`);
    if (r.status !== 0) throw new Error(`bpftool prog loadall ${obj} failed: ${r.stderr}`);
    return fn(pin);
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
}

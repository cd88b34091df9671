// The live kernel's verdict on raw bytecode (no maps), through kload.c:
// built once per process with gcc + libbpf, only when root + bpf() work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, type Insn } from '../../../src/isa/insn.js';
import { kernelAvailable, repoRoot } from '../../kernel/kernel.js';

export interface KernelVerdict {
  /** 0: accepted; else the positive errno of BPF_PROG_LOAD */
  errno: number;
  log: string;
  /** wall time of the load, ms (kload process included) */
  ms: number;
}

let kload: string | null | undefined;
let why = '';

/** Why the kernel cannot be asked ('' when it can). */
export function kloadUnavailable(): string {
  kloadPath();
  return kload ? '' : why;
}

function kloadPath(): string | null {
  if (kload !== undefined) return kload;
  kload = null;
  const avail = kernelAvailable();
  if (!avail.ok) { why = avail.why ?? 'no live kernel'; return null; }
  const out = join(mkdtempSync(join(tmpdir(), 'tsbpf-kload-')), 'kload');
  const src = join(repoRoot, 'test', 'verifier', 'fuzz', 'kload.c');
  const r = spawnSync('gcc', ['-O1', '-o', out, src, '-lbpf'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync(out)) kload = out;
  else why = `kload cannot be built (${r.error?.message ?? r.stderr.trim()})`;
  return kload;
}

/** BPF_PROG_LOAD of `insns` as `progType` (GPL); undefined when the kernel cannot be asked. */
export function kernelVerdict(insns: readonly Insn[], progType: number, logLevel = 1): KernelVerdict | undefined {
  const bin = kloadPath();
  if (!bin) return undefined;
  const t = performance.now();
  const r = spawnSync(bin, [String(progType), Buffer.from(encode(insns)).toString('hex'), String(logLevel)], {
    encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000,
  });
  const ms = performance.now() - t;
  const [first, ...rest] = (r.stdout ?? '').split('\n');
  if (!first) return undefined;
  return { errno: first === 'ok' ? 0 : Number(first.split(' ')[1]), log: rest.join('\n'), ms };
}

// Both engines and the kernel in one run, on the shared benchmark objects
// (../shared/bench): nop, alu, memory, hashmap_update, hashmap_lookup_inc,
// timers_lookup/set_callback/arm_cancel/rearm, as BPF_PROG_TEST_RUN with a
// calibrated repeat (ns per run, median of reps), interleaved round by round
// with the shared kernel runner (`runner run OBJ PROG`, when it is built, we
// are root and bpf() works; otherwise the kernel column says why it is
// missing). Then the JIT's compile time per 1,000 instructions over the
// verifier corpus.
//
//   node dist/bench/jit.js [--reps 5] [--ms 150] [--rounds 2] [--runner PATH] [--only alu,memory]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Runtime, type BpfObject } from '../src/index.js';
import { ENGINE_KINDS, type EngineKind } from '../src/jit/index.js';
import { compileProgram } from '../src/jit/compile.js';
import { decodeProgram } from '../src/vm/decode.js';
import { validateProgram } from '../src/isa/validate.js';
import { loadRecords } from '../test/verifier/corpus.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
const BENCH_DIR = process.env['TSBPF_BENCH_DIR'] ?? join(ROOT, '..', 'shared', 'bench');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const out = (s: string): void => void process.stdout.write(s + '\n');
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Case { name: string; obj: string; prog: string; pkt: number; setup?: string; check?: (o: BpfObject) => string | undefined }
const CASES: Case[] = [
  { name: 'nop', obj: 'nop.bpf.o', prog: 'nop', pkt: 64 },
  { name: 'alu', obj: 'alu.bpf.o', prog: 'alu', pkt: 64 },
  { name: 'memory', obj: 'memory.bpf.o', prog: 'memory', pkt: 1500 },
  { name: 'hashmap_update', obj: 'hashmap.bpf.o', prog: 'hashmap_update', pkt: 64 },
  { name: 'hashmap_lookup_inc', obj: 'hashmap.bpf.o', prog: 'hashmap_lookup_inc', pkt: 64 },
  { name: 'timers_lookup', obj: 'timers_arm.bpf.o', prog: 'timers_lookup', pkt: 64, setup: 'timers_setup' },
  { name: 'timers_set_callback', obj: 'timers_arm.bpf.o', prog: 'timers_set_callback', pkt: 64, setup: 'timers_setup' },
  { name: 'timers_arm_cancel', obj: 'timers_arm.bpf.o', prog: 'timers_arm_cancel', pkt: 64, setup: 'timers_setup' },
  { name: 'timers_rearm', obj: 'timers_arm.bpf.o', prog: 'timers_rearm', pkt: 64, setup: 'timers_setup' },
];

function packet(n: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 131 + 7) & 0xff; // fill_packet in bodies.h
  return p;
}

/** median ns per run of `repeat`-batched test runs, calibrated to ~repMs per rep */
function measureRuns(run: (repeat: number) => void, reps: number, repMs: number): number {
  run(100); // warm-up (and TurboFan)
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    run(n);
    const dt = performance.now() - t0;
    if (dt > repMs / 4) { n = Math.max(1, Math.round((n * repMs) / dt)); break; }
    n *= 2;
  }
  const all: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    run(n);
    all.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(all);
}

async function tsbpf(c: Case, engine: EngineKind, reps: number, repMs: number): Promise<number> {
  const rt = new Runtime({ engine });
  rt.unref();
  const obj = await rt.loadObject(join(BENCH_DIR, c.obj));
  try {
    const data = packet(c.pkt);
    if (c.setup) obj.program(c.setup).run({ data });
    const p = obj.program(c.prog);
    const ns = measureRuns((n) => void p.run({ data, repeat: n }), reps, repMs);
    const g = obj.globals().map((x) => x.name);
    if (g.includes('errors') && Number(obj.global('errors') as number | bigint) !== 0) throw new Error(`${c.name} on ${engine}: errors=${String(obj.global('errors'))}`);
    return ns;
  } finally {
    obj.close();
  }
}

/** the kernel's ns per run from the shared runner, or why there is none */
function kernel(runner: string | undefined, c: Case, reps: number): number | string {
  if (runner === undefined) return 'no runner';
  const args = ['run', join(BENCH_DIR, c.obj), c.prog, '-n', String(reps), '-p', String(c.pkt)];
  if (c.setup) args.push('-S', c.setup);
  try {
    const text = execFileSync(runner, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /^RESULT \S+ (\d+)/m.exec(text);
    return m ? Number(m[1]) : 'no RESULT line';
  } catch (e) {
    return `runner failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

function findRunner(): string | undefined {
  const p = arg('--runner', join(BENCH_DIR, 'runner'));
  if (!existsSync(p)) return undefined;
  if (process.getuid?.() !== 0) return undefined;
  return p;
}

/**
 * Compile time of the JIT over the verifier corpus: the fixed cost of a
 * module (median over small programs) and the cost per 1,000 instructions
 * (programs of 500+ instructions, where the fixed cost is small).
 */
function compileTime(): string {
  const rows: { ms: number; insns: number; bytes: number }[] = [];
  for (const r of loadRecords()) {
    const prog = r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm }));
    try { validateProgram(prog); } catch { continue; }
    const d = decodeProgram(prog);
    const t0 = performance.now();
    const c = compileProgram(d);
    rows.push({ ms: performance.now() - t0, insns: prog.length, bytes: c.size });
  }
  const small = rows.filter((x) => x.insns < 50).map((x) => x.ms);
  const big = rows.filter((x) => x.insns >= 500);
  const bigMs = big.reduce((a, x) => a + x.ms, 0), bigInsns = big.reduce((a, x) => a + x.insns, 0);
  const insns = rows.reduce((a, x) => a + x.insns, 0), bytes = rows.reduce((a, x) => a + x.bytes, 0);
  return `${rows.length} corpus programs (${insns} insns, ${(bytes / insns).toFixed(1)} wasm bytes per insn): ` +
    `${median(small).toFixed(2)} ms per module under 50 insns (median of ${small.length}); ` +
    `${(bigMs / (bigInsns / 1000)).toFixed(1)} ms per 1,000 insns over the ${big.length} programs of 500+ insns (${bigInsns} insns); ` +
    'encode + synchronous WebAssembly.Module';
}

async function main(): Promise<number> {
  if (!existsSync(BENCH_DIR)) {
    process.stderr.write(`bench: ${BENCH_DIR} not found (set TSBPF_BENCH_DIR)\n`);
    return 2;
  }
  const reps = Number(arg('--reps', '5'));
  const repMs = Number(arg('--ms', '150'));
  const rounds = Number(arg('--rounds', '2'));
  const only = arg('--only', '');
  const cases = only ? CASES.filter((c) => only.split(',').includes(c.name)) : CASES;
  const runner = findRunner();
  out(`date ${new Date().toISOString()}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  out(`kernel: ${runner ?? 'skipped (build ../shared/bench/runner with make, run as root; or --runner PATH)'}`);
  out(`${reps} reps of ~${repMs} ms, median per round; ${rounds} rounds, kernel and both engines interleaved per benchmark; cells: median of the rounds [min..max]`);
  const res = new Map<string, { kernel: number[]; interp: number[]; jit: number[]; kerr?: string }>();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const e = res.get(c.name) ?? { kernel: [], interp: [], jit: [] };
      res.set(c.name, e);
      const k = kernel(runner, c, reps);
      if (typeof k === 'number') e.kernel.push(k); else e.kerr = k;
      for (const engine of ENGINE_KINDS) e[engine].push(await tsbpf(c, engine, reps, repMs));
    }
  }
  const cell = (xs: number[]): string => xs.length === 0 ? '-' : `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}]`;
  out('');
  out('| benchmark | kernel (ns/run) | interp (ns/run) | jit (ns/run) | jit / kernel | interp / jit |');
  out('| --- | --- | --- | --- | --- | --- |');
  for (const c of cases) {
    const e = res.get(c.name)!;
    const k = e.kernel.length > 0 ? median(e.kernel) : undefined;
    const j = median(e.jit);
    out(`| ${c.name} | ${k === undefined ? e.kerr ?? '-' : cell(e.kernel)} | ${cell(e.interp)} | ${cell(e.jit)} | ${k === undefined ? '-' : `x${(j / k).toFixed(1)}`} | x${(median(e.interp) / j).toFixed(1)} |`);
    out(`RESULT ${c.name}.kernel ${k ?? 'NaN'} ${c.name}.interp ${median(e.interp).toFixed(0)} ${c.name}.jit ${j.toFixed(0)}`);
  }
  out('');
  out(`compile: ${compileTime()}`);
  out(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  return 0;
}

process.exitCode = await main();

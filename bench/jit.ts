// Both engines and the kernel in one run, on the shared benchmark objects
// (../shared/bench): nop, alu, memory, hashmap_update, hashmap_lookup_inc,
// timers_lookup/set_callback/arm_cancel/rearm, and this repo's bench/maps.bpf.o
// (hash_delete_insert, lru_lookup_inc, lru_update, percpu_lookup_inc), as BPF_PROG_TEST_RUN with a
// calibrated repeat (ns per run, median of reps), interleaved round by round
// with the shared kernel runner (`runner run OBJ PROG`, when it is built, we
// are root and bpf() works; otherwise the kernel column says why it is
// missing). Then the JIT's compile time per 1,000 instructions over the
// verifier corpus.
//
//   node dist/bench/jit.js [--reps 5] [--ms 150] [--rounds 2] [--runner PATH] [--only alu,memory] [--checked]
// (--checked: also the JIT with every load/store checked, the verifier's directAccess withheld: an A/B)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Runtime, type BpfObject } from '../src/index.js';
import { ENGINE_KINDS, type EngineKind } from '../src/jit/index.js';
import { compileProgram } from '../src/jit/compile.js';
import { JitError } from '../src/jit/index.js';
import { decodeProgram } from '../src/vm/decode.js';
import { validateProgram } from '../src/isa/validate.js';
import { loadRecords } from '../test/verifier/corpus.js';
import { measureRuns, median } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
const BENCH_DIR = process.env['TSBPF_BENCH_DIR'] ?? join(ROOT, '..', 'shared', 'bench');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const out = (s: string): void => void process.stdout.write(s + '\n');

/** `local`: the object is this repo's bench/ (maps.bpf.c: map paths the shared bench has no object for) */
interface Case { name: string; obj: string; prog: string; pkt: number; setup?: string; local?: boolean; check?: (o: BpfObject) => string | undefined }
const LOCAL_DIR = join(ROOT, 'bench');
const objPath = (c: Case): string => join(c.local ? LOCAL_DIR : BENCH_DIR, c.obj);
const CASES: Case[] = [
  { name: 'nop', obj: 'nop.bpf.o', prog: 'nop', pkt: 64 },
  { name: 'alu', obj: 'alu.bpf.o', prog: 'alu', pkt: 64 },
  { name: 'memory', obj: 'memory.bpf.o', prog: 'memory', pkt: 1500 },
  { name: 'hashmap_update', obj: 'hashmap.bpf.o', prog: 'hashmap_update', pkt: 64 },
  { name: 'hashmap_lookup_inc', obj: 'hashmap.bpf.o', prog: 'hashmap_lookup_inc', pkt: 64 },
  { name: 'hash_delete_insert', obj: 'maps.bpf.o', prog: 'hash_delete_insert', pkt: 64, local: true },
  { name: 'lru_lookup_inc', obj: 'maps.bpf.o', prog: 'lru_lookup_inc', pkt: 64, local: true },
  { name: 'lru_update', obj: 'maps.bpf.o', prog: 'lru_update', pkt: 64, local: true },
  { name: 'percpu_lookup_inc', obj: 'maps.bpf.o', prog: 'percpu_lookup_inc', pkt: 64, local: true },
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

/**
 * `checked`: the JIT without the verifier's directAccess (every load and store
 * checked against the arena's blocks, as before issue 13.3's memory work), for
 * an A/B in one process (--checked)
 */
async function tsbpf(c: Case, engine: EngineKind, reps: number, repMs: number, checked = false): Promise<number> {
  // an idle host calibrates past the default repeat limit (1 M): allow what the bench asks
  const rt = new Runtime({ engine, maxRepeat: 1 << 30 });
  if (checked) {
    type CreateProg = (name: unknown, type: unknown, insns: unknown, maps: unknown, info?: { directAccess?: Uint8Array }) => unknown;
    const internal = rt as unknown as { createProg: CreateProg };
    const createProg = internal.createProg.bind(rt);
    internal.createProg = (name, type, insns, maps, info = {}) => {
      const { directAccess: _, ...rest } = info;
      return createProg(name, type, insns, maps, rest);
    };
  }
  rt.unref();
  const obj = await rt.loadObject(objPath(c));
  try {
    const data = packet(c.pkt);
    if (c.setup) obj.program(c.setup).run({ data });
    const p = obj.program(c.prog);
    const ns = measureRuns((n) => void p.run({ data, repeat: n }), reps, repMs).median;
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
  const args = ['run', objPath(c), c.prog, '-n', String(reps), '-p', String(c.pkt)];
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
  let refused = 0;
  for (const r of loadRecords()) {
    const prog = r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm }));
    try { validateProgram(prog); } catch { continue; }
    const d = decodeProgram(prog);
    const t0 = performance.now();
    let c: ReturnType<typeof compileProgram>;
    try {
      c = compileProgram(d);
    } catch (e) {
      if (e instanceof JitError) { refused++; continue; } // refused at load (none since may_goto), counted below
      throw e;
    }
    rows.push({ ms: performance.now() - t0, insns: prog.length, bytes: c.size });
  }
  const small = rows.filter((x) => x.insns < 50).map((x) => x.ms);
  const big = rows.filter((x) => x.insns >= 500);
  const bigMs = big.reduce((a, x) => a + x.ms, 0), bigInsns = big.reduce((a, x) => a + x.insns, 0);
  const insns = rows.reduce((a, x) => a + x.insns, 0), bytes = rows.reduce((a, x) => a + x.bytes, 0);
  return `${rows.length} corpus programs (${refused} refused by the JIT; ${insns} insns, ${(bytes / insns).toFixed(1)} wasm bytes per insn): ` +
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
  const checked = process.argv.includes('--checked');
  const res = new Map<string, { kernel: number[]; interp: number[]; jit: number[]; checked: number[]; kerr?: string }>();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const e = res.get(c.name) ?? { kernel: [], interp: [], jit: [], checked: [] };
      res.set(c.name, e);
      const k = kernel(runner, c, reps);
      if (typeof k === 'number') e.kernel.push(k); else e.kerr = k;
      for (const engine of ENGINE_KINDS) e[engine].push(await tsbpf(c, engine, reps, repMs));
      if (checked) e.checked.push(await tsbpf(c, 'jit', reps, repMs, true));
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
    if (checked) out(`A/B ${c.name}: jit ${cell(e.jit)} vs jit with every access checked ${cell(e.checked)} (x${(median(e.checked) / j).toFixed(2)})`);
  }
  out('');
  out(`compile: ${compileTime()}`);
  out(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  return 0;
}

process.exitCode = await main();

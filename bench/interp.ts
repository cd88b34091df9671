// The interpreter on the shared alu/memory benchmarks (../shared/bench):
// raw uBPF bytecode, r1 = packet, r2 = its length, r0 = checksum. Same scheme
// as the shared runner: calibrate so one rep takes ~200 ms, 7 reps, median.
//
//   node dist/bench/interp.js [--engine all|interp|jit|bigint] [--reps N] [--ms N]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from '../src/isa/insn.js';
import { Arena } from '../src/memory/arena.js';
import { Interpreter } from '../src/vm/interpreter.js';
import { BigintEngine } from './bigint-engine.js';
import { JitEngine } from '../src/jit/engine.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
const BENCH_DIR = process.env['TSBPF_BENCH_DIR'] ?? join(ROOT, '..', 'shared', 'bench');

interface Bench { name: string; file: string; bytes: number; checksum: bigint; kernelNs: number; ubpfNs: number }
const BENCHES: Bench[] = [
  { name: 'alu', file: 'alu.ubpf.bin', bytes: 64, checksum: 0xe2938207b26670a5n, kernelNs: 3525, ubpfNs: 83187 },
  { name: 'memory', file: 'memory.ubpf.bin', bytes: 1500, checksum: 0xf7d44729c4e4fc5en, kernelNs: 228, ubpfNs: 18546 },
];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

/** median ns per call of fn over `reps` reps of ~repMs each; fn's result is checked every call */
function measure(fn: () => bigint, want: bigint, reps: number, repMs: number): { median: number; all: number[] } {
  const check = (): void => {
    const got = fn();
    if (got !== want) throw new Error(`checksum 0x${got.toString(16)} != 0x${want.toString(16)}`);
  };
  // warm up (lets TurboFan optimize) and calibrate
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) check();
    const dt = performance.now() - t0;
    if (dt > repMs / 4) { n = Math.max(1, Math.round((n * repMs) / dt)); break; }
    n *= 2;
  }
  const all: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) check();
    all.push(Number(process.hrtime.bigint() - t0) / n);
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, all };
}

function main(): number {
  if (!existsSync(BENCH_DIR)) {
    process.stderr.write(`bench: ${BENCH_DIR} not found (set TSBPF_BENCH_DIR)\n`);
    return 2;
  }
  const engine = arg('--engine', 'all');
  const reps = Number(arg('--reps', '7'));
  const repMs = Number(arg('--ms', '200'));
  process.stdout.write(`node ${process.version}, ${reps} reps of ~${repMs} ms, median\n`);
  for (const b of BENCHES) {
    const insns = decode(readFileSync(join(BENCH_DIR, b.file)));
    const arena = new Arena();
    const pkt = arena.alloc(b.bytes);
    for (let i = 0; i < b.bytes; i++) arena.u8[pkt + i] = (i * 131 + 7) & 0xff; // fill_packet in bodies.h
    const args = [BigInt(pkt), BigInt(b.bytes)];
    const vm = new Interpreter(insns, { arena, helper: () => undefined });
    vm.run(0, args);
    const perRun = vm.insnCount;
    const engines: [string, () => bigint][] = [];
    if (engine === 'all' || engine === 'interp') engines.push(['interp (int32 pairs)', () => vm.run(0, args)]);
    if (engine === 'all' || engine === 'jit') {
      // natural loops as wasm loops (the default), and plain block dispatch (every back edge through br_table)
      const jit = new JitEngine(insns, { arena, helper: () => undefined });
      engines.push(['jit (wasm loops)', () => jit.run(0, args)]);
      const disp = new JitEngine(insns, { arena, helper: () => undefined }, { loops: false });
      engines.push(['jit-dispatch (br_table)', () => disp.run(0, args)]);
    }
    if (engine === 'all' || engine === 'bigint') {
      const big = new BigintEngine(insns, arena);
      engines.push(['bigint registers', () => big.run(args[0]!, args[1]!)]);
    }
    for (const [label, fn] of engines) {
      const { median, all } = measure(fn, b.checksum, reps, repMs);
      const mips = (perRun / median) * 1e3;
      process.stdout.write(
        `${b.name.padEnd(7)} ${label.padEnd(24)} ${median.toFixed(0).padStart(8)} ns/run  ${perRun} insns/run  `
        + `${mips.toFixed(1)} M insn/s  x${(median / b.kernelNs).toFixed(1)} kernel  x${(median / b.ubpfNs).toFixed(2)} uBPF-interp  `
        + `checksum ok  [${Math.min(...all).toFixed(0)}..${Math.max(...all).toFixed(0)}]\n`,
      );
      process.stdout.write(`RESULT ${b.name}.${label.split(' ')[0]}_ns ${median.toFixed(0)}\n`);
    }
  }
  return 0;
}

process.exitCode = main();

// A/B of two tsbpf builds in one process (cells: median of the rounds' medians
// [min..max], and the best single rep of all rounds): this build and another one's
// dist/src/index.js (e.g. main before a change, built in a scratch copy),
// on the shared benchmark objects as BPF_PROG_TEST_RUN with a calibrated
// repeat, the two builds alternating (order swapped every round), so both
// see the same machine load. Under load the absolute figures are upper
// bounds; the ratio of the two columns is what this measures.
//
//   node dist/bench/ab.js --old /tmp/old/dist/src/index.js [--engine jit] [--only nop,memory] [--rounds 5] [--reps 5] [--ms 150]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as current from '../src/index.js';
import { measureRuns, median } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
const BENCH_DIR = process.env['TSBPF_BENCH_DIR'] ?? join(ROOT, '..', 'shared', 'bench');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const out = (s: string): void => void process.stdout.write(s + '\n');

const CASES: Record<string, { obj: string; pkt: number }> = {
  nop: { obj: 'nop.bpf.o', pkt: 64 },
  alu: { obj: 'alu.bpf.o', pkt: 64 },
  memory: { obj: 'memory.bpf.o', pkt: 1500 },
  hashmap_lookup_inc: { obj: 'hashmap.bpf.o', pkt: 64 },
};

type Api = typeof current;

/**
 * the median and the best rep of wall time, and the least CPU time per run of
 * a rep (process.cpuUsage: a loaded host's scheduling does not count there)
 */
async function measure(api: Api, name: string, engine: string, reps: number, repMs: number): Promise<{ median: number; best: number; cpu: number }> {
  const c = CASES[name]!;
  const rt = new api.Runtime({ engine: engine as 'jit' | 'interp', maxRepeat: 1 << 30 });
  rt.unref();
  const obj = await rt.loadObject(join(BENCH_DIR, c.obj));
  try {
    const data = new Uint8Array(c.pkt);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff; // fill_packet in bodies.h
    const p = obj.program(name);
    let cpu = Infinity;
    const m = measureRuns((n) => {
      const c0 = process.cpuUsage();
      p.run({ data, repeat: n });
      const c = process.cpuUsage(c0);
      if (n > 100) cpu = Math.min(cpu, ((c.user + c.system) * 1000) / n);
    }, reps, repMs);
    return { median: m.median, best: Math.min(...m.all), cpu };
  } finally {
    obj.close();
  }
}

async function main(): Promise<number> {
  const oldPath = arg('--old', '');
  if (!oldPath || !existsSync(oldPath)) {
    process.stderr.write('usage: node dist/bench/ab.js --old OTHER/dist/src/index.js [--engine jit] [--only nop,memory] [--rounds 5]\n');
    return 2;
  }
  const old = (await import(pathToFileURL(resolve(oldPath)).href)) as Api;
  const engine = arg('--engine', 'jit');
  const rounds = Number(arg('--rounds', '5'));
  const reps = Number(arg('--reps', '5'));
  const repMs = Number(arg('--ms', '150'));
  const names = arg('--only', 'nop,memory').split(',');
  for (const n of names) if (!CASES[n]) throw new Error(`unknown benchmark '${n}' (${Object.keys(CASES).join(', ')})`);
  out(`date ${new Date().toISOString()}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  out(`A/B on engine ${engine}: old = ${oldPath}, new = this build; ${rounds} rounds alternating, ${reps} reps of ~${repMs} ms each`);
  const res = new Map<string, { old: number[]; new: number[]; oldBest: number; newBest: number; oldCpu: number; newCpu: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const e = res.get(n) ?? { old: [], new: [], oldBest: Infinity, newBest: Infinity, oldCpu: Infinity, newCpu: Infinity };
      res.set(n, e);
      const order: ['old' | 'new', Api][] = r % 2 === 0 ? [['old', old], ['new', current]] : [['new', current], ['old', old]];
      for (const [k, api] of order) {
        const m = await measure(api, n, engine, reps, repMs);
        e[k].push(m.median);
        if (k === 'old') { e.oldBest = Math.min(e.oldBest, m.best); e.oldCpu = Math.min(e.oldCpu, m.cpu); } else { e.newBest = Math.min(e.newBest, m.best); e.newCpu = Math.min(e.newCpu, m.cpu); }
      }
    }
  }
  const cell = (xs: number[]): string => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}]`;
  out('');
  out(`| benchmark (${engine}) | old (ns/run) | new (ns/run) | old / new | best rep old | best rep new | old / new (best) | CPU old | CPU new | old / new (CPU) |`);
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of names) {
    const e = res.get(n)!;
    out(`| ${n} | ${cell(e.old)} | ${cell(e.new)} | x${(median(e.old) / median(e.new)).toFixed(2)} | ${e.oldBest.toFixed(0)} | ${e.newBest.toFixed(0)} | x${(e.oldBest / e.newBest).toFixed(2)} | ${e.oldCpu.toFixed(0)} | ${e.newCpu.toFixed(0)} | x${(e.oldCpu / e.newCpu).toFixed(2)} |`);
  }
  out(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  return 0;
}

process.exitCode = await main();

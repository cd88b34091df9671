// Leak check (issue #4): a million bpf_timer init/start/cancel/delete/close
// cycles must leave rt.stats() at zero and memory flat.
//
//   node --expose-gc dist/bench/leak.js [--cycles 1000000] [--reload 10000] [--real 20000] [--sample-every N]
//
// Each cycle runs bench/leak.bpf.o's `cycle` once (update an element of a
// hash map, bpf_timer_init, set_callback, start, and by the cycle's kind:
// cancel, delete from the program, leave it armed, let the callback delete
// its own element or re-arm once), then maybe deletes or overwrites the
// element from user space. Every 16 cycles the virtual clock advances 1 us
// (firing what is due); every --reload cycles the object is closed with
// timers still armed and loaded again. At each checkpoint (10k, 100k, 500k,
// 1M; always right after a close) rt.stats() must be all zero and the arena
// empty; process heapUsed/RSS are sampled after a full GC. A last phase runs
// --real cycles on the real clock and closes with armed timers.
//
// Exits 1 on a leak: non-zero stats, arena bytes not back to the baseline,
// heapUsed growing more than --heap-bound bytes (default 2 MiB) between the
// 100k checkpoint (or the first one) and the last one, or callback errors.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Runtime, type BpfObject, type RuntimeStats } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
export const LEAK_OBJ = join(ROOT, 'bench', 'leak.bpf.o');

export interface LeakSample {
  cycle: number;
  stats: RuntimeStats;
  heapUsed: number;
  rss: number;
}

export interface LeakReport {
  cycles: number;
  samples: LeakSample[];
  /** final stats after the runtime's last object was closed */
  final: RuntimeStats;
  fired: number;
  cancelled: number;
  userDeletes: number;
  userUpdates: number;
  reloads: number;
  asyncErrors: number;
  traceLines: number;
  seconds: number;
}

export interface LeakOptions {
  cycles: number;
  /** close (with armed timers) and reload the object every this many cycles */
  reload: number;
  /** cycle counts (multiples of reload) at which to check and sample */
  checkpoints?: number[];
  clock?: 'virtual' | 'real';
  /** run a full GC before sampling (needs --expose-gc) */
  gc?: () => void;
  onSample?: (s: LeakSample) => void;
}

const OP_CANCEL = 1;
const OP_PROG_DELETE = 2;
const OP_CB_DELETE = 4;
const OP_CB_REARM = 8;

const zeroStats = (s: RuntimeStats): boolean =>
  s.maps === 0 && s.programs === 0 && s.timers === 0 && s.armedTimers === 0 && s.timerProgRefs === 0 && s.arenaBytes === 0 && s.arenaBlocks === 0;

export async function runLeak(o: LeakOptions): Promise<LeakReport> {
  const clock = o.clock ?? 'virtual';
  const rt = new Runtime({ clock });
  rt.unref();
  const base = rt.stats();
  if (!zeroStats(base)) throw new Error(`fresh runtime is not empty: ${JSON.stringify(base)}`);
  const checkpoints = new Set(o.checkpoints ?? []);
  const pkt = new Uint8Array(64);
  const dv = new DataView(pkt.buffer);
  const userKey = new Uint8Array(4);
  const userVal = new Uint8Array(32);
  const rep: LeakReport = {
    cycles: 0, samples: [], final: base, fired: 0, cancelled: 0,
    userDeletes: 0, userUpdates: 0, reloads: 0, asyncErrors: 0, traceLines: 0, seconds: 0,
  };
  const t0 = performance.now();
  let obj: BpfObject | undefined;
  const close = (): void => {
    if (!obj) return;
    rep.fired += Number(obj.global('fired'));
    rep.cancelled += Number(obj.global('cancelled'));
    const errs = Number(obj.global('errors'));
    if (errs) throw new Error(`cycle program counted ${errs} helper errors (last ${String(obj.global('last_err'))})`);
    obj.close(); // timers still armed: the map's release cancels and frees them
    obj = undefined;
  };
  const sample = (cycle: number): void => {
    o.gc?.();
    const m = process.memoryUsage();
    const s: LeakSample = { cycle, stats: rt.stats(), heapUsed: m.heapUsed, rss: m.rss };
    rep.samples.push(s);
    o.onSample?.(s);
  };
  for (let i = 0; i < o.cycles; i++) {
    if (!obj) {
      obj = await rt.loadObject(LEAK_OBJ);
      rep.reloads++;
    }
    const prog = obj.program('cycle');
    const key = (i * 7919) % 700;
    const kind = i & 7;
    let op = 0;
    let delay = 1000n;
    switch (kind) {
      case 0: op = OP_CANCEL; break; // + user delete below
      case 1: op = OP_CANCEL | OP_PROG_DELETE; break;
      case 2: op = 0; break; // left armed: fires on a later advance
      case 3: op = OP_PROG_DELETE; break; // deleted while armed
      case 4: op = OP_CB_DELETE; delay = 500n; break;
      case 5: op = OP_CB_REARM; delay = 300n; break;
      case 6: op = 0; delay = 3_600_000_000_000n; break; // far: replaced later or freed by close
      case 7: op = 0; break; // + user update of the element (its armed timer is freed)
    }
    dv.setUint32(0, key, true);
    dv.setUint32(4, op, true);
    dv.setBigUint64(8, delay, true);
    const r = prog.run({ data: pkt });
    if (r.retval !== 2) throw new Error(`cycle ${i}: retval ${r.retval}`);
    if (kind === 0 || kind === 7) {
      new DataView(userKey.buffer).setUint32(0, key, true);
      const m = obj.map('lmap');
      if (kind === 0) {
        m.delete(userKey);
        rep.userDeletes++;
      } else {
        m.update(userKey, userVal);
        rep.userUpdates++;
      }
    }
    if ((i & 15) === 15 && clock === 'virtual') rt.virtualClock.advance(1000n);
    if ((i + 1) % o.reload === 0) {
      close();
      if (checkpoints.has(i + 1)) sample(i + 1);
      if (clock === 'real') await new Promise((res) => setImmediate(res)); // let the event loop fire
    } else if (clock === 'real' && (i & 255) === 255) {
      await new Promise((res) => setImmediate(res));
    }
  }
  close();
  rep.cycles = o.cycles;
  rep.final = rt.stats();
  rep.asyncErrors = rt.asyncErrors.length;
  rep.traceLines = rt.traceLog.length;
  rep.seconds = (performance.now() - t0) / 1000;
  return rep;
}

/** Problems found in a report (empty: no leak). heapBound: allowed heapUsed growth from the reference sample to the last. */
export function leakProblems(rep: LeakReport, heapBound: number): string[] {
  const out: string[] = [];
  if (!zeroStats(rep.final)) out.push(`final stats not zero: ${JSON.stringify(rep.final)}`);
  for (const s of rep.samples) if (!zeroStats(s.stats)) out.push(`cycle ${s.cycle}: stats not zero: ${JSON.stringify(s.stats)}`);
  if (rep.asyncErrors) out.push(`${rep.asyncErrors} timer callback errors`);
  if (rep.samples.length >= 2) {
    const ref = rep.samples.find((s) => s.cycle >= 100_000) ?? rep.samples[0]!;
    const last = rep.samples[rep.samples.length - 1]!;
    if (last !== ref && last.heapUsed - ref.heapUsed > heapBound) {
      out.push(`heapUsed grew ${last.heapUsed - ref.heapUsed} bytes from cycle ${ref.cycle} to ${last.cycle} (bound ${heapBound})`);
    }
  }
  return out;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const MiB = (x: number): string => (x / 1048576).toFixed(2);

async function main(): Promise<number> {
  const gcFn = (globalThis as { gc?: () => void }).gc;
  if (!gcFn) process.stderr.write('leak: run with node --expose-gc for meaningful heap figures\n');
  const cycles = Number(arg('--cycles', '1000000'));
  const reload = Number(arg('--reload', '10000'));
  const real = Number(arg('--real', '20000'));
  const heapBound = Number(arg('--heap-bound', String(2 * 1048576)));
  const every = Number(arg('--sample-every', '0'));
  const checkpoints = [10_000, 100_000, 500_000, 1_000_000].filter((c) => c <= cycles && c % reload === 0);
  if (every > 0) for (let c = every; c <= cycles; c += every) if (c % reload === 0 && !checkpoints.includes(c)) checkpoints.push(c);
  checkpoints.sort((a, b) => a - b);
  if (!checkpoints.includes(cycles) && cycles % reload === 0) checkpoints.push(cycles);
  process.stdout.write(`leak: ${cycles} cycles on the virtual clock, reload every ${reload}, node ${process.version}\n`);
  process.stdout.write('| cycle | maps | programs | timers | armed | prog refs | arena bytes | arena blocks | heapUsed MiB | RSS MiB |\n');
  process.stdout.write('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n');
  const rep = await runLeak({
    cycles, reload, checkpoints, ...(gcFn ? { gc: gcFn } : {}),
    onSample: (s) => process.stdout.write(
      `| ${s.cycle} | ${s.stats.maps} | ${s.stats.programs} | ${s.stats.timers} | ${s.stats.armedTimers} | ${s.stats.timerProgRefs} | ${s.stats.arenaBytes} | ${s.stats.arenaBlocks} | ${MiB(s.heapUsed)} | ${MiB(s.rss)} |\n`),
  });
  process.stdout.write(
    `virtual: ${rep.cycles} cycles in ${rep.seconds.toFixed(1)} s (${((rep.seconds / rep.cycles) * 1e6).toFixed(1)} us/cycle), `
    + `${rep.reloads} loads, ${rep.fired} callbacks, ${rep.cancelled} cancels of an armed timer, `
    + `${rep.userDeletes} user deletes, ${rep.userUpdates} user updates; final ${JSON.stringify(rep.final)}\n`,
  );
  const problems = leakProblems(rep, heapBound);
  if (real > 0) {
    const rr = await runLeak({ cycles: real, reload: Math.min(reload, real), clock: 'real', ...(gcFn ? { gc: gcFn } : {}) });
    // armed timers of the last object were freed by close(); wait a moment for stray wake-ups
    await new Promise((res) => setTimeout(res, 20));
    process.stdout.write(
      `real: ${rr.cycles} cycles in ${rr.seconds.toFixed(1)} s, ${rr.reloads} loads, ${rr.fired} callbacks; final ${JSON.stringify(rr.final)}\n`,
    );
    for (const p of leakProblems(rr, heapBound)) problems.push(`real clock: ${p}`);
  }
  if (problems.length) {
    for (const p of problems) process.stdout.write(`LEAK: ${p}\n`);
    return 1;
  }
  process.stdout.write(`no leak: stats zero after every teardown, arena back to 0 bytes, heapUsed growth within ${MiB(heapBound)} MiB\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}

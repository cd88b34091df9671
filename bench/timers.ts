// The timer benchmarks of ../shared/bench (timers_arm.bpf.o, timers_fire.bpf.o)
// on the tsbpf runtime, beside the kernel's figures from ../shared/bench/README.md
// for orientation only: those were taken on another machine, so no ratio is
// printed (bench/jit.ts runs the kernel in the same run and gives ratios).
//
//   node dist/bench/timers.js [--reps 7] [--ms 200] [--only arm,fire,lat] [--lat-runs 5]
//
// - timers-arm: timers_setup once, then ns per run of timers_lookup,
//   timers_set_callback, timers_arm_cancel, timers_rearm (BPF_PROG_TEST_RUN
//   with repeat = n, calibrated so one rep takes ~--ms; --reps reps; median),
//   on the virtual and on the real clock; `result`/`errors` checked as the
//   shared runner does.
// - timers-fire (virtual clock): 1/64 self-re-arming timers, delay 0/1000 ns;
//   callbacks per second of wall time while the clock is driven as fast as
//   possible (0.2 s warm-up, then 1 s).
// - timers-fire (real clock): same four configurations, 0.2 s warm-up + 1 s.
// - lateness (real clock): one timer re-armed with 1 ms / 100 us; 200 samples
//   of the program's own lat[] (bpf_ktime_get_ns() - expected expiry).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, type BpfObject } from '../src/index.js';
import { measureRuns, median } from './measure.js';
import { resolveEngine } from '../src/jit/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/bench -> repo
const BENCH_DIR = process.env['TSBPF_BENCH_DIR'] ?? join(ROOT, '..', 'shared', 'bench');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const out = (s: string): void => void process.stdout.write(s + '\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }).replace(/,/g, ' ');

// ---- kernel figures (../shared/bench/README.md, "Measured numbers") ----
const KERNEL_ARM: Record<string, number> = {
  nop: 34, timers_lookup: 5112, timers_set_callback: 11265, timers_arm_cancel: 59657, timers_rearm: 41767,
};
const KERNEL_FIRE: Record<string, number> = { '1/0': 44_615, '1/1000': 46_284, '64/0': 1_134_732, '64/1000': 1_240_022 };
const KERNEL_LAT: Record<string, { median: number; p99: number }> = {
  '1000000': { median: 32.0, p99: 73 }, '100000': { median: 20.2, p99: 59 },
};

// ---- globals: written through the global-data map (read-modify-write of its single value) ----
function setGlobal(obj: BpfObject, name: string, v: bigint | number): void {
  const g = obj.globals().find((x) => x.name === name);
  if (!g) throw new Error(`no global ${name}`);
  const h = obj.map(g.section);
  const cur = h.lookup(0);
  if (!cur) throw new Error(`${g.section}: no value`);
  const dv = new DataView(cur.buffer, cur.byteOffset, cur.byteLength);
  const big = BigInt.asUintN(g.size * 8, BigInt(v));
  if (g.size === 8) dv.setBigUint64(g.offset, big, true);
  else if (g.size === 4) dv.setUint32(g.offset, Number(big), true);
  else throw new Error(`global ${name}: size ${g.size}`);
  h.update(0, cur);
}

const num = (obj: BpfObject, name: string): number => Number(obj.global(name) as number | bigint);
const sumFires = (obj: BpfObject): number => (obj.global('fires') as bigint[]).reduce((a, b) => a + Number(b), 0);

// ---- timers-arm ----

interface ArmRow { prog: string; clock: string; median: number; min: number; max: number }

async function benchArm(clock: 'virtual' | 'real', reps: number, repMs: number): Promise<ArmRow[]> {
  const rt = new Runtime({ clock });
  rt.unref();
  const rows: ArmRow[] = [];
  const pkt = new Uint8Array(64);
  for (let i = 0; i < 64; i++) pkt[i] = (i * 131 + 7) & 0xff;
  // nop: the per-run overhead of our test-run loop
  const nopObj = await rt.loadObject(join(BENCH_DIR, 'nop.bpf.o'));
  {
    const p = nopObj.program(nopObj.programNames()[0]!);
    const m = measureRuns((n) => void p.run({ data: pkt, repeat: n }), reps, repMs);
    rows.push({ prog: 'nop', clock, median: m.median, min: Math.min(...m.all), max: Math.max(...m.all) });
  }
  nopObj.close();
  const obj = await rt.loadObject(join(BENCH_DIR, 'timers_arm.bpf.o'));
  obj.program('timers_setup').run({ data: pkt });
  if (num(obj, 'errors') !== 0) throw new Error(`timers_setup: errors=${num(obj, 'errors')}`);
  if (rt.stats().timers !== 128) throw new Error(`timers_setup: ${rt.stats().timers} timers live, want 128`);
  for (const name of ['timers_lookup', 'timers_set_callback', 'timers_arm_cancel', 'timers_rearm']) {
    const p = obj.program(name);
    const m = measureRuns((n) => void p.run({ data: pkt, repeat: n }), reps, repMs);
    const errors = num(obj, 'errors');
    if (errors !== 0) throw new Error(`${name}: errors=${errors}`);
    if (name === 'timers_arm_cancel' && num(obj, 'result') !== 128) throw new Error(`${name}: result=${num(obj, 'result')}, want 128`);
    if (name === 'timers_rearm' && rt.stats().armedTimers !== 128) throw new Error(`${name}: ${rt.stats().armedTimers} armed, want 128`);
    rows.push({ prog: name, clock, median: m.median, min: Math.min(...m.all), max: Math.max(...m.all) });
  }
  obj.close(); // frees the map and with it the 128 timers timers_rearm left armed
  const s = rt.stats();
  if (s.maps || s.programs || s.timers) throw new Error(`teardown left ${JSON.stringify(s)}`);
  return rows;
}

function reportArm(rows: ArmRow[]): void {
  out('\n## timers-arm: ns per run (128 elements per run)\n');
  out('| program | virtual clock | real clock | kernel JIT (README, another machine) |');
  out('| --- | --- | --- | --- |');
  const get = (p: string, c: string): ArmRow | undefined => rows.find((r) => r.prog === p && r.clock === c);
  const cell = (r: ArmRow | undefined): string => (r ? `${fmt(r.median)} [${fmt(r.min)}..${fmt(r.max)}]` : '-');
  for (const p of Object.keys(KERNEL_ARM)) {
    const v = get(p, 'virtual');
    const r = get(p, 'real');
    const k = KERNEL_ARM[p]!;
    out(`| ${p} | ${cell(v)} | ${cell(r)} | ${fmt(k)} |`);
    for (const x of [v, r]) if (x) out(`RESULT arm.${x.clock}.${p}_ns ${x.median.toFixed(0)}`);
  }
  out('\nDerived per-operation costs (ns, per element: differences / 128; of the medians, and of the fastest reps, which a loaded machine disturbs least):\n');
  out('| operation | virtual (median) | real (median) | virtual (min) | real (min) | kernel (README, another machine) |');
  out('| --- | --- | --- | --- | --- | --- |');
  const ops: [string, (m: (p: string) => number) => number][] = [
    ['hash lookup (timers_lookup / 128)', (m) => m('timers_lookup') / 128],
    ['bpf_timer_set_callback (set_callback - lookup)', (m) => (m('timers_set_callback') - m('timers_lookup')) / 128],
    ['set_callback + start + cancel (arm_cancel - lookup)', (m) => (m('timers_arm_cancel') - m('timers_lookup')) / 128],
    ['start + cancel (arm_cancel - set_callback)', (m) => (m('timers_arm_cancel') - m('timers_set_callback')) / 128],
    ['set_callback + start on an armed timer (rearm - lookup)', (m) => (m('timers_rearm') - m('timers_lookup')) / 128],
    ['start on an armed timer (rearm - set_callback)', (m) => (m('timers_rearm') - m('timers_set_callback')) / 128],
  ];
  for (const [label, f] of ops) {
    const k = f((p) => KERNEL_ARM[p]!);
    const vals = ['virtual', 'real'].map((c) => (get('timers_lookup', c) ? f((p) => get(p, c)!.median) : NaN));
    const mins = ['virtual', 'real'].map((c) => (get('timers_lookup', c) ? f((p) => get(p, c)!.min) : NaN));
    out(`| ${label} | ${fmt(vals[0]!)} | ${fmt(vals[1]!)} | ${fmt(mins[0]!)} | ${fmt(mins[1]!)} | ${fmt(k)} |`);
  }
}

// ---- timers-fire ----

interface FireRow { clock: string; nr: number; delay: number; perSec: number; cpuNsPerCb: number; fired: number }

const FIRE_CONFIGS: [number, number][] = [[1, 0], [1, 1000], [64, 0], [64, 1000]];

async function loadFire(rt: Runtime, nr: number, delay: number, mode = 0, durationNs = 10n ** 18n): Promise<BpfObject> {
  const obj = await rt.loadObject(join(BENCH_DIR, 'timers_fire.bpf.o'));
  setGlobal(obj, 'cfg_nr', nr);
  setGlobal(obj, 'cfg_delay_ns', delay);
  setGlobal(obj, 'cfg_mode', mode);
  setGlobal(obj, 'cfg_duration_ns', durationNs);
  const r = obj.program('fire_arm').run({ data: new Uint8Array(64) });
  if (r.retval !== 2 /* XDP_PASS */ || num(obj, 'arm_err') !== 0) throw new Error(`fire_arm: retval ${r.retval}, arm_err ${num(obj, 'arm_err')}`);
  return obj;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** virtual clock: drive as fast as possible; counts callbacks from the clock's return values */
async function fireVirtual(nr: number, delay: number, seconds: number): Promise<FireRow> {
  const rt = new Runtime({ clock: 'virtual' });
  const clock = rt.virtualClock;
  const obj = await loadFire(rt, nr, delay);
  // delay 0: time never moves, next() fires the timers due now that were armed
  // before the call (nr callbacks); delay 1 us: advance 100 us per call
  const step = delay === 0 ? (): number => clock.next() : (): number => clock.advance(100_000n);
  const runFor = (ms: number): { n: number; dt: number; cpu: number } => {
    let n = 0;
    const c0 = cpuNs();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 16; i++) n += step();
      t = performance.now();
    }
    return { n, dt: t - t0, cpu: cpuNs() - c0 };
  };
  runFor(200);
  const f0 = sumFires(obj);
  const m = runFor(seconds * 1000);
  const f1 = sumFires(obj);
  if (f1 - f0 !== m.n) throw new Error(`virtual fire ${nr}/${delay}: fires[] grew by ${f1 - f0}, clock reported ${m.n}`);
  if (num(obj, 'rearm_err') !== 0) throw new Error(`rearm_err=${num(obj, 'rearm_err')}`);
  setGlobal(obj, 'stop', 1);
  clock.runUntilIdle(); // each timer fires once more and does not re-arm
  const s = rt.stats();
  if (s.armedTimers !== 0) throw new Error(`after stop: ${s.armedTimers} armed`);
  obj.close();
  if (rt.asyncErrors.length) throw new Error(`callback errors: ${String(rt.asyncErrors[0]!.error)}`);
  return { clock: 'virtual', nr, delay, perSec: (m.n / m.dt) * 1000, cpuNsPerCb: m.cpu / m.n, fired: m.n };
}

/** real clock: the event loop fires; we sleep 0.2 s then count over `seconds` */
async function fireReal(nr: number, delay: number, seconds: number): Promise<FireRow> {
  const rt = new Runtime({ clock: 'real' });
  const obj = await loadFire(rt, nr, delay);
  await sleep(200);
  const f0 = sumFires(obj);
  const c0 = cpuNs();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const f1 = sumFires(obj);
  const dt = performance.now() - t0;
  const cpu = cpuNs() - c0;
  setGlobal(obj, 'stop', 1);
  for (let i = 0; i < 100 && rt.stats().armedTimers > 0; i++) await sleep(5);
  const armed = rt.stats().armedTimers;
  if (num(obj, 'rearm_err') !== 0) throw new Error(`rearm_err=${num(obj, 'rearm_err')}`);
  obj.close();
  rt.unref();
  if (armed) throw new Error(`after stop: ${armed} still armed`);
  if (rt.asyncErrors.length) throw new Error(`callback errors: ${String(rt.asyncErrors[0]!.error)}`);
  const n = f1 - f0;
  return { clock: 'real', nr, delay, perSec: (n / dt) * 1000, cpuNsPerCb: cpu / n, fired: n };
}

function reportFire(rows: FireRow[]): void {
  out('\n## timers-fire: callbacks per second of wall time (1 s after 0.2 s warm-up)\n');
  out('| timers | delay | virtual clock cb/s | CPU ns/cb | real clock cb/s | CPU ns/cb | kernel cb/s (README, another machine) |');
  out('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [nr, delay] of FIRE_CONFIGS) {
    const v = rows.find((r) => r.clock === 'virtual' && r.nr === nr && r.delay === delay);
    const r = rows.find((x) => x.clock === 'real' && x.nr === nr && x.delay === delay);
    const k = KERNEL_FIRE[`${nr}/${delay}`]!;
    out(`| ${nr} | ${delay === 0 ? '0' : '1 us'} | ${v ? fmt(v.perSec) : '-'} | ${v ? fmt(v.cpuNsPerCb) : '-'} | ${r ? fmt(r.perSec) : '-'} | ${r ? fmt(r.cpuNsPerCb) : '-'} | ${fmt(k)} |`);
    for (const x of [v, r]) if (x) out(`RESULT fire.${x.clock}.${nr}x${delay}_per_s ${x.perSec.toFixed(0)}`);
  }
}

// ---- lateness ----

interface LatRow { delay: number; min: number; median: number; p90: number; p99: number; max: number }

async function lateness(delay: number, samples: number): Promise<LatRow> {
  const rt = new Runtime({ clock: 'real' });
  const obj = await rt.loadObject(join(BENCH_DIR, 'timers_fire.bpf.o'));
  setGlobal(obj, 'cfg_nr', 1);
  setGlobal(obj, 'cfg_delay_ns', delay);
  setGlobal(obj, 'cfg_mode', 1);
  setGlobal(obj, 'cfg_max_lat', samples);
  const r = obj.program('fire_arm').run({ data: new Uint8Array(64) });
  if (r.retval !== 2) throw new Error(`fire_arm: retval ${r.retval}`);
  const deadline = performance.now() + 10_000 + (samples * delay) / 1e6 * 4;
  while (num(obj, 'nlat') < samples && performance.now() < deadline) await sleep(Math.max(1, (delay / 1e6) * 20));
  const nlat = num(obj, 'nlat');
  const lat = (obj.global('lat') as bigint[]).slice(0, Math.min(nlat, samples)).map((x) => Number(x) / 1000);
  setGlobal(obj, 'stop', 1);
  obj.close();
  rt.unref();
  if (lat.length < samples) throw new Error(`lateness ${delay}: only ${lat.length} samples`);
  const s = [...lat].sort((a, b) => a - b);
  return { delay, min: s[0]!, median: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1]! };
}

function reportLat(all: LatRow[][]): void {
  out('\n## lateness on the real clock (µs; callback bpf_ktime_get_ns() - expected expiry, 200 samples per run)\n');
  out('| delay | runs | min | median | p90 | p99 | max | kernel median (README) | kernel p99 (README) |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const runs of all) {
    const d = runs[0]!.delay;
    const k = KERNEL_LAT[String(d)]!;
    const med = (f: (r: LatRow) => number): number => median(runs.map(f));
    const rng = (f: (r: LatRow) => number): string =>
      runs.length > 1 ? ` [${Math.min(...runs.map(f)).toFixed(1)}..${Math.max(...runs.map(f)).toFixed(1)}]` : '';
    out(`| ${d >= 1e6 ? d / 1e6 + ' ms' : d / 1e3 + ' us'} | ${runs.length} | ${med((r) => r.min).toFixed(1)} | ${med((r) => r.median).toFixed(1)}${rng((r) => r.median)} | ${med((r) => r.p90).toFixed(1)} | ${med((r) => r.p99).toFixed(1)}${rng((r) => r.p99)} | ${med((r) => r.max).toFixed(1)}${rng((r) => r.max)} | ${k.median} | ${k.p99} |`);
    out(`RESULT lat.${d}.median_us ${med((r) => r.median).toFixed(1)}`);
    out(`RESULT lat.${d}.p99_us ${med((r) => r.p99).toFixed(1)}`);
  }
}

async function main(): Promise<number> {
  if (!existsSync(BENCH_DIR)) {
    process.stderr.write(`bench: ${BENCH_DIR} not found (set TSBPF_BENCH_DIR)\n`);
    return 2;
  }
  const reps = Number(arg('--reps', '7'));
  const repMs = Number(arg('--ms', '200'));
  const only = new Set(arg('--only', 'arm,fire,lat').split(','));
  const latRuns = Number(arg('--lat-runs', '5'));
  const seconds = Number(arg('--seconds', '1'));
  out(`node ${process.version}, ${reps} reps of ~${repMs} ms, median; engine: ${resolveEngine(undefined)} (TSBPF_ENGINE)`);
  if (only.has('arm')) {
    const rows = [...(await benchArm('virtual', reps, repMs)), ...(await benchArm('real', reps, repMs))];
    reportArm(rows);
  }
  if (only.has('fire')) {
    const rows: FireRow[] = [];
    for (const [nr, delay] of FIRE_CONFIGS) rows.push(await fireVirtual(nr, delay, seconds));
    for (const [nr, delay] of FIRE_CONFIGS) rows.push(await fireReal(nr, delay, seconds));
    reportFire(rows);
  }
  if (only.has('lat')) {
    const all: LatRow[][] = [];
    for (const d of [1_000_000, 100_000]) {
      const runs: LatRow[] = [];
      for (let i = 0; i < latRuns; i++) runs.push(await lateness(d, 200));
      all.push(runs);
    }
    reportLat(all);
  }
  return 0;
}

process.exitCode = await main().catch((e: unknown) => {
  process.stderr.write(`timers: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});

// The timer fire path, interpreter against JIT. The interpreter always takes
// the plain JS path (BpfTimerTable + VirtualClock + Runtime.fireTimer); the
// JIT may take a fast one (the timer queue and bpf_timer_start in wasm,
// callbacks from a wasm loop, JS state set up only when a callback calls into
// JS) wherever nothing observes the difference. So the interpreter is the
// oracle: a seeded generator makes a few hundred random scenarios over
// timer_lane_diff.bpf.o (see its header) and runs each step on both engines,
// comparing after EVERY step everything user space can see: all maps (per-CPU
// ones too), rt.liveTimers(), the three clocks, clock.stats(), pending and
// nextExpiry, rt.stats(), the async errors, the step's result (callbacks run,
// the run's r0 and instruction count) or its thrown error, and the timer
// trace while one is subscribed (subscribing switches a fast path off,
// unsubscribing on again, mid-scenario).
//
// A failure prints the seed, the scenario number and the steps up to the
// difference: TSBPF_LANE_SEED=S TSBPF_LANE_ONLY=N reruns just that scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime, TimerLimitError, VmError, type TimerEvent } from '../../src/index.js';
import type { EngineKind } from '../../src/jit/index.js';

const OBJ = fileURLToPath(new URL('../../../test/jit/timer_lane_diff.bpf.o', import.meta.url));

// ---- the object's interface (timer_lane_diff.bpf.c) ----
const MAPS = ['arr', 'hmap', 'hnp'] as const;
const OP = { INIT: 0, SETCB: 1, START: 2, CANCEL: 3, MODE: 4, DELETE: 5, UPDATE: 6, ARM: 7, NOP: 8 } as const;
const M = {
  REARM: 1 << 0, REARM_ABS: 1 << 1, REARM_PIN: 1 << 2, OTHER: 1 << 3, OTHER_H: 1 << 4, CPU: 1 << 5, UPD_H: 1 << 6,
  CANCEL_SELF: 1 << 7, CANCEL_OTH: 1 << 8, SWAP_CB: 1 << 9, PCPU: 1 << 10, DEL_H: 1 << 11, LOOP: 1 << 12, TIME: 1 << 13,
} as const;
const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7;
const F_ABS = 1, F_PIN = 2;
const VALUE_SIZE = 56; // struct elem

interface Cmd { op: number; map: number; key: number; arg: number; n1: bigint; n2: bigint; a2: number; a3: number }

function cmdBytes(c: Cmd): Uint8Array {
  const b = new Uint8Array(40);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, c.op, true);
  dv.setUint32(4, c.map, true);
  dv.setUint32(8, c.key, true);
  dv.setUint32(12, c.arg, true);
  dv.setBigUint64(16, BigInt.asUintN(64, c.n1), true);
  dv.setBigUint64(24, BigInt.asUintN(64, c.n2), true);
  dv.setUint32(32, c.a2, true);
  dv.setUint32(36, c.a3, true);
  return b;
}

// ---- steps ----
type Step =
  | { k: 'run'; prog: 'ctl_sys' | 'ctl_xdp'; cpu: number; cmd: Cmd }
  | { k: 'advance'; ns: bigint; limit?: number }
  | { k: 'next' }
  | { k: 'idle'; maxEvents: number }
  | { k: 'due'; limit?: number }
  | { k: 'uupdate'; map: string; key: number }
  | { k: 'udelete'; map: string; key: number }
  | { k: 'close'; map: string }
  | { k: 'pin'; map: string }
  | { k: 'unpin'; map: string }
  | { k: 'pclose'; prog: 'ctl_sys' | 'ctl_xdp' }
  | { k: 'sub' }
  | { k: 'unsub' }
  | { k: 'suspend'; ns: bigint }
  | { k: 'realtime'; delta: bigint };

/** start: CLOCK_MONOTONIC at the start (undefined: the runtime's default) */
interface Scenario { cpus: number; maxInsns: number | undefined; start?: bigint; steps: Step[] }

/** mulberry32: small, seeded, the same on every platform */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number, nSteps: number): Scenario {
  const r = prng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const cpus = 1 + int(3);
  const maxInsns = chance(0.35) ? pick([2_000, 5_000, 20_000]) : undefined;
  // few elements, so that ops meet armed timers; 6 and 7 are outside the array (and past max_entries)
  const keyOf = (): number => (chance(0.9) ? int(4) : 4 + int(4));
  const mapOf = (): number => pick([0, 0, 0, 0, 1, 1, 2]);
  // times cross 2^53 ns in some scenarios (numbers stop being exact there: src/timers keeps bigints beside them)
  const start = chance(0.2) ? (1n << 53n) - pick([1n, 3000n, 20_000n]) : undefined;
  // delays past 2^53 and saturating ones (u64 max is -1 as an s64: ktime_add_safe's KTIME_MAX) now and then
  const delay = (): bigint => chance(0.04) ? pick([1n << 53n, (1n << 63n) - 1n, (1n << 64n) - 1n]) :
    pick([0n, 1n, 999n, 1000n, 1000n, 1500n, 2000n, 5000n, 20_000n, 1_000_000n]);
  const steps: Step[] = [];
  const cmd = (): Cmd => {
    const op = pick([OP.ARM, OP.ARM, OP.ARM, OP.MODE, OP.MODE, OP.MODE, OP.START, OP.START, OP.INIT, OP.SETCB, OP.CANCEL, OP.DELETE, OP.UPDATE, OP.NOP]);
    const c: Cmd = { op, map: mapOf(), key: keyOf(), arg: 0, n1: 0n, n2: 0n, a2: 0, a3: 0 };
    const clock = (): number => pick([CLOCK_MONOTONIC, CLOCK_MONOTONIC, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME, 2]);
    const cb = (): number => int(2) << 8; // cb_a or cb_b
    switch (op) {
      case OP.INIT: c.arg = clock(); break;
      case OP.SETCB: c.arg = cb(); break;
      case OP.ARM: c.arg = clock() | cb(); c.n1 = delay(); break;
      case OP.START: {
        const flags = pick([0, 0, 0, F_ABS, F_ABS, F_PIN, F_ABS | F_PIN, 4]);
        // with ABS: a raw (past) time, now + n1 on CLOCK_MONOTONIC, or on CLOCK_BOOTTIME
        const base = flags & F_ABS ? pick([0, 1, 1, 2]) : 0;
        c.arg = flags | (base << 8);
        c.n1 = flags & F_ABS && base === 0 ? pick([0n, 5n, 1_000_000_000_000n]) : delay();
        break;
      }
      case OP.MODE: {
        let mode = 0;
        if (chance(0.7)) mode |= pick([M.REARM, M.REARM, M.REARM, M.REARM_ABS, M.REARM_PIN]);
        for (const bit of [M.OTHER, M.OTHER_H, M.CPU, M.UPD_H, M.CANCEL_SELF, M.CANCEL_OTH, M.SWAP_CB, M.PCPU, M.DEL_H, M.LOOP, M.TIME]) {
          if (chance(bit === M.UPD_H || bit === M.DEL_H ? 0.06 : bit === M.LOOP && maxInsns !== undefined ? 0.3 : 0.15)) mode |= bit;
        }
        const period = pick([0n, 1000n, 1000n, 1500n, 3000n, 10_000n]);
        const p2 = pick([0n, 1000n, 2000n, 7000n]);
        // a callback arming anything at 0 ns stops after maxfire fires (else a step would run a million callbacks);
        // so does an ABS re-arm at ktime + period: on a BOOTTIME timer after a suspend that is in the past
        const bounded = period === 0n || (mode & M.REARM_ABS) !== 0 || ((mode & (M.OTHER | M.OTHER_H)) !== 0 && p2 === 0n);
        const maxfire = bounded || chance(0.4) ? 1 + int(12) : 0;
        c.arg = mode;
        c.n1 = period;
        c.n2 = p2;
        c.a2 = int(4);
        c.a3 = (maxfire << 16) | pick([1, 10, 100, 1000]);
        break;
      }
      default: break;
    }
    return c;
  };
  for (let i = 0; i < nSteps; i++) {
    const w = r();
    let s: Step;
    if (w < 0.45) {
      const c = cmd();
      // ctl_xdp has no INIT, SETCB or ARM (see timer_lane_diff.bpf.c): mostly ctl_sys for those
      const sys = c.op === OP.INIT || c.op === OP.SETCB || c.op === OP.ARM ? chance(0.95) : chance(0.5);
      s = { k: 'run', prog: sys ? 'ctl_sys' : 'ctl_xdp', cpu: int(cpus), cmd: c };
      if (c.op === OP.MODE && chance(0.6)) {
        // a mode and then the timer armed with it
        steps.push(s);
        const arm: Cmd = { op: OP.ARM, map: c.map, key: c.key, arg: CLOCK_MONOTONIC | (chance(0.8) ? 0 : 1 << 8), n1: pick([0n, 1000n, 2000n]), n2: 0n, a2: 0, a3: 0 };
        s = { k: 'run', prog: 'ctl_sys', cpu: int(cpus), cmd: arm };
      }
    }
    else if (w < 0.62) s = chance(0.15) ? { k: 'advance', ns: pick([1000n, 5000n, 1_000_000n]), limit: 1 + int(4) } : { k: 'advance', ns: pick([0n, 1n, 500n, 1000n, 1500n, 3000n, 10_000n, 50_000n]) };
    else if (w < 0.68) s = { k: 'next' };
    else if (w < 0.72) s = { k: 'idle', maxEvents: pick([1, 5, 50, 200]) };
    else if (w < 0.76) s = chance(0.5) ? { k: 'due' } : { k: 'due', limit: 1 + int(3) };
    else if (w < 0.80) s = { k: 'uupdate', map: pick(MAPS), key: int(4) };
    else if (w < 0.84) s = { k: 'udelete', map: pick(MAPS), key: int(4) };
    else if (w < 0.855) s = { k: 'close', map: pick(MAPS) };
    else if (w < 0.87) s = { k: 'pin', map: pick(MAPS) };
    else if (w < 0.885) s = { k: 'unpin', map: pick(MAPS) };
    else if (w < 0.895) s = { k: 'pclose', prog: chance(0.5) ? 'ctl_sys' : 'ctl_xdp' };
    else if (w < 0.91) s = { k: 'sub' };
    else if (w < 0.935) s = { k: 'unsub' };
    else if (w < 0.965) s = { k: 'suspend', ns: pick([1n, 1000n, 5000n, 1_000_000n]) };
    else s = { k: 'realtime', delta: pick([-1_000_000n, 1000n, 5000n, 3_600_000_000_000n]) };
    steps.push(s);
  }
  return start === undefined ? { cpus, maxInsns, steps } : { cpus, maxInsns, start, steps };
}

// ---- one engine's side of a scenario ----
interface Side {
  rt: Runtime;
  o: Awaited<ReturnType<Runtime['loadObject']>>;
  pinned: Set<string>;
  events: TimerEvent[];
  off: (() => void) | undefined;
  /** the arena in use before the load */
  arena0: number;
}

async function side(engine: EngineKind, sc: Scenario): Promise<Side> {
  const rt = new Runtime({
    engine, cpus: sc.cpus,
    ...(sc.maxInsns === undefined ? {} : { maxInsns: sc.maxInsns }),
    ...(sc.start === undefined ? {} : { clock: { start: sc.start } }),
  });
  const arena0 = rt.stats().arenaBytes;
  const o = await rt.loadObject(OBJ);
  return { rt, o, pinned: new Set(), events: [], off: undefined, arena0 };
}

/** an error as data: its class, message and own fields (kind, pc, errno, fired, pending, ...) */
function errData(e: unknown): unknown {
  if (!(e instanceof Error)) return { thrown: String(e) };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (k !== 'cause') fields[k] = v;
  return { class: e.constructor.name, name: e.name, message: e.message, fields };
}

function apply(s: Side, st: Step): unknown {
  const clock = s.rt.virtualClock;
  const firedBefore = clock.stats().fired;
  let result: unknown;
  try {
    switch (st.k) {
      case 'run': {
        const p = s.o.program(st.prog);
        const r = st.prog === 'ctl_sys' ? p.run({ ctx: cmdBytes(st.cmd), cpu: st.cpu }) : p.run({ data: cmdBytes(st.cmd), cpu: st.cpu });
        result = { retval: r.retval, r0: r.r0, insns: r.insns };
        break;
      }
      case 'advance': result = st.limit === undefined ? clock.advance(st.ns) : clock.advance(st.ns, st.limit); break;
      case 'next': result = clock.next(); break;
      case 'idle': result = clock.runUntilIdle({ maxEvents: st.maxEvents, maxTime: '10ms' }); break;
      case 'due': result = st.limit === undefined ? clock.runDue() : clock.runDue(st.limit); break;
      case 'uupdate': s.o.map(st.map).update(st.key, new Uint8Array(VALUE_SIZE)); break;
      case 'udelete': s.o.map(st.map).delete(st.key); break;
      case 'close': s.o.map(st.map).close(); break;
      case 'pin': s.rt.pin(s.o.map(st.map), `/lane/${st.map}`); s.pinned.add(st.map); break;
      case 'unpin': s.rt.unpin(`/lane/${st.map}`); s.pinned.delete(st.map); break;
      case 'pclose': s.o.program(st.prog).close(); break;
      case 'sub': if (s.off === undefined) s.off = s.rt.on('timer', (e) => s.events.push(e)); break;
      case 'unsub': s.off?.(); s.off = undefined; break;
      case 'suspend': result = clock.suspend(st.ns); break;
      case 'realtime': result = clock.setRealtime(clock.now(CLOCK_REALTIME) + st.delta); break;
    }
  } catch (e) {
    return { threw: errData(e), callbacks: clock.stats().fired - firedBefore };
  }
  return { result, callbacks: clock.stats().fired - firedBefore };
}

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

/** everything user space can see of a runtime, as data */
function snapshot(s: Side): unknown {
  const { rt, o } = s;
  const clock = rt.virtualClock;
  const maps: Record<string, unknown> = {};
  for (const name of o.mapNames()) {
    const h = o.map(name);
    if (h.isClosed) { maps[name] = 'closed'; continue; }
    maps[name] = h.keys().map((k) => [hex(k), hex(h.lookup(k))]);
  }
  return {
    maps,
    // `value` is the element's arena address: where a NO_PREALLOC element lands depends on what else the
    // engine allocated; the map, key and timer id say which element it is
    timers: rt.liveTimers().map((t) => ({ ...t, key: hex(t.key), value: undefined })),
    now: [clock.now(CLOCK_MONOTONIC), clock.now(CLOCK_BOOTTIME), clock.now(CLOCK_REALTIME)],
    stats: clock.stats(),
    pending: clock.pending,
    nextExpiry: clock.nextExpiry(),
    // the arena's byte and block counts are the engine's own business (the JIT's code keeps blocks of its
    // own, a timer lane its heap); what the maps and timers hold of it shows in the fields compared here,
    // and each engine's arena is checked to come back to its start at the end (runScenario)
    rtStats: (({ arenaBytes: _b, arenaBlocks: _k, ...rest }) => rest)(rt.stats()),
    asyncErrors: rt.asyncErrors.map((a) => ({ prog: a.prog, error: errData(a.error) })),
    trace: [...rt.traceLog],
    events: s.events.map((e) => ({ ...e, key: hex(e.key), value: undefined })),
  };
}

const fmt = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Runs a scenario on both engines, comparing after every step; returns what it saw, for the coverage check. */
async function runScenario(seed: number, n: number, sc: Scenario): Promise<{ callbacks: number; errors: number; throws: Set<string>; events: number }> {
  const interp = await side('interp', sc);
  const jit = await side('jit', sc);
  const where = (i: number): string =>
    `seed ${seed} scenario ${n} (cpus ${sc.cpus}, maxInsns ${sc.maxInsns}, start ${sc.start ?? 'default'}) step ${i}; steps so far:\n` +
    sc.steps.slice(0, i + 1).map((st, j) => `  ${j}: ${fmt(st)}`).join('\n');
  assert.deepStrictEqual(snapshot(jit), snapshot(interp), where(-1));
  const throws = new Set<string>();
  for (let i = 0; i < sc.steps.length; i++) {
    const st = sc.steps[i]!;
    const a = apply(interp, st);
    const b = apply(jit, st);
    assert.deepStrictEqual(b, a, `step result differs: ${where(i)}`);
    assert.deepStrictEqual(snapshot(jit), snapshot(interp), `state differs: ${where(i)}`);
    const t = (a as { threw?: { class: string } }).threw;
    if (t !== undefined) throws.add(t.class);
  }
  const r = {
    callbacks: interp.rt.virtualClock.stats().fired,
    errors: interp.rt.asyncErrors.length,
    throws,
    events: interp.events.length,
  };
  // the last user reference gone (handles closed, pins removed): every timer freed, the arena back to its start
  for (const s of [interp, jit]) {
    s.off?.();
    for (const m of s.pinned) s.rt.unpin(`/lane/${m}`);
    s.o.close();
    assert.deepStrictEqual([s.rt.stats().timers, s.rt.virtualClock.pending, s.rt.stats().arenaBytes], [0, 0, s.arena0], `${s.rt.engine} leaks: ${where(sc.steps.length - 1)}`);
  }
  return r;
}

const SEED = Number(process.env['TSBPF_LANE_SEED'] ?? 20261203);
const ONLY = process.env['TSBPF_LANE_ONLY'] === undefined ? undefined : Number(process.env['TSBPF_LANE_ONLY']);
const SCENARIOS = Number(process.env['TSBPF_LANE_N'] ?? 200);
const STEPS = 40;

test(`${SCENARIOS} random timer scenarios: the JIT does exactly what the interpreter does after every step (seed ${SEED})`, async () => {
  let callbacks = 0, errors = 0, events = 0, limits = 0;
  const throws = new Set<string>();
  for (let n = 0; n < SCENARIOS; n++) {
    if (ONLY !== undefined && n !== ONLY) continue;
    const r = await runScenario(SEED, n, generate(SEED * 1000 + n, STEPS));
    callbacks += r.callbacks;
    errors += r.errors;
    events += r.events;
    for (const t of r.throws) throws.add(t);
    if (r.throws.has(TimerLimitError.name)) limits++;
  }
  console.log(`${SCENARIOS} scenarios: ${callbacks} callbacks, ${errors} async errors, ${events} trace events, thrown: ${[...throws].join(', ')}, scenarios with a TimerLimitError: ${limits}`);
  if (ONLY !== undefined) return;
  // the generator reaches what it is meant to: without these the comparison proves little
  assert.ok(callbacks > 20 * SCENARIOS, `only ${callbacks} callbacks`);
  assert.ok(errors > 0, 'no callback faulted (maxInsns + M_LOOP)');
  assert.ok(events > 10 * SCENARIOS, `only ${events} trace events`);
  assert.ok(limits > SCENARIOS / 20, `only ${limits} scenarios hit a callback limit`);
  for (const c of ['TimerLimitError', 'MapError', 'RefError']) assert.ok(throws.has(c), `no step threw ${c}: ${[...throws].join(', ')}`);
});

// ---- focused scenarios: a script run on both engines, compared, and checked against what it must do ----

interface Log { what: number; who: number; v: bigint }

/** tlog as entries, oldest first (the ring holds the last 64) */
function tlog(o: Side['o']): Log[] {
  const b = o.globalBytes('tlog')!;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = Number(o.global('tn'));
  const out: Log[] = [];
  for (let i = Math.max(0, n - 64); i < n; i++) {
    const x = dv.getBigUint64((i & 63) * 8, true);
    out.push({ what: Number(x >> 56n), who: Number((x >> 48n) & 0xffn), v: BigInt.asIntN(48, x & 0xffff_ffff_ffffn) });
  }
  return out;
}

const cmd = (op: number, map: number, key: number, over: Partial<Cmd> = {}): Cmd => ({ op, map, key, arg: 0, n1: 0n, n2: 0n, a2: 0, a3: 0, ...over });
const modeCmd = (map: number, key: number, mode: number, period: bigint, o: { p2?: bigint; other?: number; loops?: number; maxfire?: number } = {}): Cmd =>
  cmd(OP.MODE, map, key, { arg: mode, n1: period, n2: o.p2 ?? 0n, a2: o.other ?? 0, a3: ((o.maxfire ?? 0) << 16) | (o.loops ?? 0) });
const arm = (map: number, key: number, ns: bigint, cb = 0): Cmd => cmd(OP.ARM, map, key, { arg: CLOCK_MONOTONIC | (cb << 8), n1: ns });

/**
 * Runs `script` on a fresh runtime per engine and asserts the sides agree. Without `trace` nothing observes
 * the timers (a subscribed trace switches the JIT's fast paths off: the script would test the JS path only).
 */
async function onBoth(opts: { cpus?: number; maxInsns?: number; trace?: boolean }, script: (s: Side, run: (prog: 'ctl_sys' | 'ctl_xdp', c: Cmd, cpu?: number) => number) => unknown): Promise<{ s: Side; out: unknown }> {
  const res: { s: Side; out: unknown; snap: unknown }[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const s = await side(engine, { cpus: opts.cpus ?? 1, maxInsns: opts.maxInsns, steps: [] });
    if (opts.trace === true) s.off = s.rt.on('timer', (e) => s.events.push(e));
    const run = (prog: 'ctl_sys' | 'ctl_xdp', c: Cmd, cpu = 0): number =>
      Number(prog === 'ctl_sys' ? BigInt.asIntN(64, s.o.program(prog).run({ ctx: cmdBytes(c), cpu }).r0) : (s.o.program(prog).run({ data: cmdBytes(c), cpu }), s.o.global('last_ret')));
    const out = script(s, run);
    res.push({ s, out, snap: snapshot(s) });
  }
  assert.deepStrictEqual(res[1]!.out, res[0]!.out, 'the script saw different things');
  assert.deepStrictEqual(res[1]!.snap, res[0]!.snap, 'different end states');
  return res[0]!;
}

test('the timer trace of a scenario is identical on both engines, and the scenario does the same untraced: self re-arming (0 ns and 1 us), re-arming others, helpers from callbacks, callback swaps, per-CPU counts', async () => {
  const script = (s: Side, run: (prog: 'ctl_sys' | 'ctl_xdp', c: Cmd, cpu?: number) => number): unknown => {
    const clock = s.rt.virtualClock;
    run('ctl_sys', modeCmd(0, 0, M.REARM | M.CPU | M.PCPU | M.TIME, 1000n, { maxfire: 0 }));
    run('ctl_sys', modeCmd(0, 1, M.REARM | M.OTHER | M.OTHER_H, 0n, { p2: 1500n, other: 2, maxfire: 3 }));
    run('ctl_sys', modeCmd(0, 2, M.REARM_PIN | M.SWAP_CB | M.CANCEL_SELF, 2000n, { maxfire: 4 }));
    run('ctl_sys', modeCmd(1, 2, M.REARM_ABS | M.CANCEL_OTH, 2500n, { other: 3, maxfire: 2 }));
    run('ctl_sys', arm(0, 3, 100_000n));
    run('ctl_sys', arm(0, 2, 5000n), 1);
    run('ctl_sys', arm(1, 2, 5000n), 1);
    run('ctl_sys', arm(0, 0, 1000n), 0);
    run('ctl_xdp', arm(0, 1, 0n), 1); // ARM is not in ctl_xdp: 2000
    run('ctl_sys', arm(0, 1, 0n), 1);
    return [clock.advance('20us'), clock.next(), clock.advance('3us'), tlog(s.o)];
  };
  const { s, out } = await onBoth({ cpus: 2, trace: true }, script);
  assert.deepStrictEqual((out as unknown[]).slice(0, 3), [24, 1, 3]);
  assert.equal(s.events.length, 82);
  // subscribing changes nothing else: the same scenario untraced (the JIT's fast paths on) ends the same
  const plain = await onBoth({ cpus: 2 }, script);
  assert.deepStrictEqual(plain.out, out);
  assert.deepStrictEqual({ ...(snapshot(plain.s) as object), events: [] }, { ...(snapshot(s) as object), events: [] });
  const types = new Set(s.events.map((e) => e.type));
  for (const t of ['init', 'set_callback', 'start', 'cancel', 'fire']) assert.ok(types.has(t as TimerEvent['type']), `no ${t} event`);
  assert.ok(s.events.filter((e) => e.type === 'fire').length > 20);
  // the pinned re-arm ran on the arming CPU (1), the others on 0 and 1 as armed
  assert.ok(s.events.some((e) => e.type === 'fire' && e.cpu === 1));
});

test('a SEC("syscall") program\'s 0 ns timer fires inside bpf_timer_start, an XDP program\'s when the run ends (both engines)', async () => {
  const { out } = await onBoth({}, (s, run) => {
    run('ctl_sys', modeCmd(0, 0, 0, 0n));
    run('ctl_sys', cmd(OP.INIT, 0, 0, { arg: CLOCK_MONOTONIC }));
    run('ctl_sys', cmd(OP.SETCB, 0, 0));
    run('ctl_sys', cmd(OP.START, 0, 0, { n1: 0n })); // count read right after the start: 1
    run('ctl_sys', cmd(OP.SETCB, 0, 0));
    run('ctl_xdp', cmd(OP.START, 0, 0, { n1: 0n })); // 1 still: fires after the run
    const after = tlog(s.o).filter((l) => l.what === 20).map((l) => l.v);
    return { after, fires: s.o.global('fires'), pending: s.rt.virtualClock.pending };
  });
  assert.deepStrictEqual(out, { after: [1n, 1n], fires: 2n, pending: 0 });
});

test('timers with equal deadlines fire in arm order; ABS, CPU_PIN, BOOTTIME and REALTIME timers beside monotonic ones (both engines)', async () => {
  const { out } = await onBoth({ cpus: 3 }, (s, run) => {
    const order: number[] = [];
    // keys 3, 1, 2, 0 armed in that order for the same instant: they fire in that order
    for (const k of [3, 1, 2, 0]) run('ctl_sys', arm(0, k, 4000n), k % 3);
    s.rt.virtualClock.advance('4us');
    for (const l of tlog(s.o)) if (l.what === 1) order.push(l.who & 0xf);
    // boottime, realtime and monotonic timers; ABS starts; a suspend makes the boottime one due, not the others
    run('ctl_sys', cmd(OP.INIT, 1, 0, { arg: CLOCK_BOOTTIME }));
    run('ctl_sys', cmd(OP.INIT, 1, 1, { arg: CLOCK_REALTIME }));
    run('ctl_sys', cmd(OP.INIT, 1, 2, { arg: CLOCK_MONOTONIC }));
    const r = [0, 1, 2].map((k) => run('ctl_sys', cmd(OP.SETCB, 1, k)));
    r.push(run('ctl_sys', cmd(OP.START, 1, 0, { arg: F_ABS | (2 << 8), n1: 50_000n }), 2));
    r.push(run('ctl_sys', cmd(OP.START, 1, 1, { arg: F_PIN, n1: 50_000n }), 1));
    r.push(run('ctl_sys', cmd(OP.START, 1, 2, { arg: F_ABS | F_PIN | (1 << 8), n1: 50_000n }), 2));
    r.push(run('ctl_sys', cmd(OP.START, 1, 2, { arg: 4, n1: 1n })));
    const before = s.rt.liveTimers().filter((t) => t.map === 'hmap').map((t) => [t.clock, t.state, t.cpu, t.pinned]);
    const suspended = s.rt.virtualClock.suspend('1ms');
    const fired = tlog(s.o).filter((l) => l.what === 1 && l.who < 0x10).length;
    return { order, r, before, suspended, fired, rest: s.rt.virtualClock.advance('1ms') };
  });
  assert.deepStrictEqual(out, {
    order: [3, 1, 2, 0],
    r: [0, 0, 0, 0, 0, 0, -22],
    before: [['boottime', 'armed', 2, false], ['realtime', 'armed', 1, true], ['monotonic', 'armed', 2, true]],
    suspended: 1,
    fired: 5,
    rest: 2,
  });
});

test('a callback that faults (the runtime\'s maxInsns in a bpf_loop) is an async error alike on both engines; later callbacks still run', async () => {
  const { s, out } = await onBoth({ maxInsns: 3000 }, (s, run) => {
    run('ctl_sys', modeCmd(0, 0, M.LOOP | M.REARM, 1000n, { loops: 1000 }));
    run('ctl_sys', modeCmd(0, 1, M.REARM, 1000n, { maxfire: 3 }));
    run('ctl_sys', arm(0, 0, 1000n));
    run('ctl_sys', arm(0, 1, 1000n));
    return [s.rt.virtualClock.advance('5us'), s.o.global('fires'), s.rt.liveTimers().map((t) => t.state)];
  });
  // key 0 faulted in its bpf_loop (before re-arming): fired once; key 1 fired 3 times
  assert.deepStrictEqual(out, [4, 4n, ['idle', 'idle']]);
  assert.equal(s.rt.asyncErrors.length, 1);
  const e = s.rt.asyncErrors[0]!;
  assert.equal(e.prog, 'ctl_sys');
  assert.ok(e.error instanceof VmError && e.error.kind === 'budget', String(e.error));
});

test('deleting and replacing elements with armed timers from another timer\'s callback and from user space, closing and unpinning maps (both engines)', async () => {
  const { out } = await onBoth({}, (s, run) => {
    const clock = s.rt.virtualClock;
    // hmap key 1 and 2 armed at 10 us; arr key 0 deletes hmap[1] at 2 us and replaces hmap[2] at 4 us
    run('ctl_sys', arm(1, 1, 10_000n));
    run('ctl_sys', arm(1, 2, 10_000n));
    run('ctl_sys', modeCmd(0, 0, M.DEL_H, 0n, { other: 1 }));
    run('ctl_sys', arm(0, 0, 2000n));
    const a = [clock.advance('2us'), s.rt.liveTimers().map((t) => `${t.map}[${t.key[0]}]:${t.state}`)];
    run('ctl_sys', modeCmd(0, 0, M.UPD_H, 0n, { other: 2 }));
    run('ctl_sys', arm(0, 0, 2000n));
    const b = [clock.advance('2us'), s.rt.liveTimers().map((t) => `${t.map}[${t.key[0]}]:${t.state}`)];
    // user space: deleting an armed hash element and updating an armed array element free their timers
    run('ctl_sys', arm(1, 3, 1000n));
    run('ctl_sys', arm(0, 3, 1000n));
    s.o.map('hmap').delete(3);
    s.o.map('arr').update(3, new Uint8Array(VALUE_SIZE));
    const c = [clock.advance('20us'), s.rt.liveTimers().map((t) => `${t.map}[${t.key[0]}]:${t.state}`)];
    // a pinned map keeps its timers after its handle closes; unpinning drops the last uref
    run('ctl_sys', arm(2, 0, 1000n));
    s.rt.pin(s.o.map('hnp'), '/lane/hnp');
    s.o.map('hnp').close();
    const d = [clock.advance('1us'), run('ctl_sys', arm(2, 0, 1000n))];
    s.rt.unpin('/lane/hnp');
    const e = [clock.advance('1us'), run('ctl_sys', arm(2, 1, 1000n)), s.rt.liveTimers().length];
    const log = tlog(s.o).filter((l) => l.what === 11 || l.what === 10).map((l) => [l.what, l.v]);
    return { a, b, c, d, e, log, fires: s.o.global('fires') };
  });
  assert.deepStrictEqual(out, {
    a: [1, ['hmap[2]:armed', 'arr[0]:idle']],
    b: [1, ['arr[0]:idle']],
    c: [0, ['arr[0]:idle']],
    // re-arming the fired hnp[0] timer needs no init: 0xf0 = -16 (EBUSY) from init, set_callback and start 0
    d: [1, 0xf0],
    // after the uref drop: init -1 (EPERM), set_callback and start -22
    e: [0, 0xeaeaff, 1],
    log: [[11, 0n], [10, 0n]],
    fires: 3n,
  });
});

test('a re-start carries nothing of the previous start over: CPU_PIN, ABS, the CPU and the expiry, from programs and from callbacks (both engines)', async () => {
  const { out } = await onBoth({ cpus: 3 }, (s, run) => {
    const seen: unknown[] = [];
    const look = (): void => { seen.push(s.rt.liveTimers().map((t) => [t.map, t.key[0], t.state, t.cpu, t.pinned, t.expires])); };
    const t0 = s.rt.virtualClock.now(CLOCK_MONOTONIC);
    run('ctl_sys', arm(0, 0, 50_000n), 2);
    run('ctl_sys', cmd(OP.START, 0, 0, { arg: F_PIN, n1: 40_000n }), 1); look();
    run('ctl_sys', cmd(OP.START, 0, 0, { n1: 30_000n }), 0); look(); // flags 0 after CPU_PIN: not pinned
    run('ctl_sys', cmd(OP.START, 0, 0, { arg: F_ABS | F_PIN | (1 << 8), n1: 20_000n }), 2); look();
    run('ctl_xdp', cmd(OP.START, 0, 0, { n1: 10_000n }), 1); look();
    // a callback re-arming with flags 0 after its timer was started pinned from CPU 2
    run('ctl_sys', modeCmd(0, 0, M.REARM, 1000n, { maxfire: 2 }));
    run('ctl_sys', cmd(OP.START, 0, 0, { arg: F_PIN, n1: 1000n }), 2); look();
    s.rt.virtualClock.advance('1us'); look();
    // ... and with CPU_PIN after a flags-0 start
    run('ctl_sys', modeCmd(0, 1, M.REARM_PIN, 1000n, { maxfire: 2 }));
    run('ctl_sys', arm(0, 1, 1000n), 1);
    s.rt.virtualClock.advance('1us'); look();
    s.rt.virtualClock.advance('1us'); look();
    return { seen, t0 };
  });
  const t0 = (out as { t0: bigint }).t0;
  assert.deepStrictEqual((out as { seen: unknown }).seen, [
    [['arr', 0, 'armed', 1, true, t0 + 40_000n]],
    [['arr', 0, 'armed', 0, false, t0 + 30_000n]],
    [['arr', 0, 'armed', 2, true, t0 + 20_000n]],
    [['arr', 0, 'armed', 1, false, t0 + 10_000n]],
    [['arr', 0, 'armed', 2, true, t0 + 1000n]],
    [['arr', 0, 'armed', 2, false, t0 + 2000n]],
    [['arr', 0, 'idle', 2, false, undefined], ['arr', 1, 'armed', 1, true, t0 + 3000n]],
    [['arr', 0, 'idle', 2, false, undefined], ['arr', 1, 'idle', 1, true, undefined]],
  ]);
});

test('a syscall program\'s 0 ns timer firing inside its bpf_timer_start, after other callbacks ran and user space read the timers, leaves the program\'s own registers and stack alone (both engines)', async () => {
  // found by the random scenarios on the first timer lane build (29 of 200 scenarios, all at such a start)
  const { out } = await onBoth({}, (s, run) => {
    run('ctl_sys', arm(2, 2, 1500n));
    s.rt.virtualClock.advance('1500ns');
    run('ctl_sys', arm(0, 0, 1n, 1));
    s.rt.liveTimers();
    const r = s.o.program('ctl_sys').run({ ctx: cmdBytes(arm(0, 3, 0n)) });
    return { r0: r.r0, insns: r.insns, log: tlog(s.o).slice(-3) };
  });
  const o = out as { r0: bigint; log: Log[] };
  // ARM's packed result: init 0, set_callback 0, start 0; the callback of key 3 ran, then ctl_sys logged key 3 again
  assert.equal(o.r0, 0n);
  assert.deepStrictEqual(o.log, [{ what: 1, who: 3, v: 1n }, { what: 20, who: 3, v: 1n }, { what: 37, who: 3, v: 0n }]);
});

// Found with TSBPF_LANE_SEED=7, scenario 118, and 8, 120 and 149: a callback whose bpf_loop runs out of an
// explicit maxInsns left one iteration less behind on the JIT. Both engines failed with the same error at the
// same pc, but the interpreter had run the faulting block's instructions up to the exhausted one (loop_step's
// `loop_sum += i` store included) while the JIT checked the budget where the block starts and faulted before
// any of them. Not timer-specific: any budget fault in the middle of a block that stores. Fixed: under an
// explicit cap the JIT runs such a block counted, one instruction at a time, up to the interpreter's fault
// (src/jit/compile.ts `counted`).
test('under maxInsns, a callback faulting inside bpf_loop leaves the same memory behind on both engines', async () => {
  const { out } = await onBoth({ maxInsns: 2000, cpus: 3 }, (s, run) => {
    run('ctl_sys', modeCmd(0, 0, M.LOOP | M.TIME | M.CPU, 1000n, { loops: 1000 }));
    run('ctl_sys', arm(0, 0, 2000n));
    return [s.rt.virtualClock.advance('10us'), s.o.global('loop_sum'), s.rt.asyncErrors.length];
  });
  assert.equal((out as unknown[])[2], 1);
});

// The timer lane (src/jit/lane.ts) fires a JIT runtime's monotonic timers in
// WebAssembly; the interpreter never uses it and is the oracle. One scenario,
// step by step on both engines, compared exactly after every step: the maps,
// the callbacks' log of (key, map, time), the live timers, the clock's time,
// stats and pending count, the async errors and each step's result or error.
// It covers callbacks that stay in WebAssembly, call a helper in JS, bump a
// per-CPU array, arm another timer at 0 ns, free a timer from a callback,
// fail at the instruction cap, cancel themselves (-EDEADLK) and start with a
// flag; equal deadlines; a syscall program's 0 ns start; the trace switched
// on and off mid-way; next(), runDue-style runs, limits, and the maps closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../src/index.js';
import { TimerLane } from '../../src/jit/lane.js';

const OBJ = fileURLToPath(new URL('../../../test/jit/lane.bpf.o', import.meta.url));
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '-' : Buffer.from(b).toString('hex'));

// how many callbacks the lane itself ran (its JS entry, counted around the real one)
let laneFired = 0;
const fire = TimerLane.prototype.fire;
TimerLane.prototype.fire = function (this: TimerLane, ...a: Parameters<TimerLane['fire']>): number {
  const k = fire.apply(this, a);
  laneFired += k;
  return k;
};

type Obj = Awaited<ReturnType<Runtime['loadObject']>>;

function setBss(o: Obj, name: string, bytes: Uint8Array, index = 0): void {
  const g = o.globals().find((x) => x.name === name)!;
  const h = o.map(g.section);
  const cur = h.lookup(u32(0))!;
  cur.set(bytes, g.offset + index * bytes.length);
  h.update(u32(0), cur);
}

const u64b = (n: bigint): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };

/** everything observable, as plain data (addresses of map values left out: the engines' arenas differ) */
function snapshot(rt: Runtime, o: Obj | undefined): unknown {
  const clock = rt.virtualClock;
  const st = clock.stats();
  const s: Record<string, unknown> = {
    now: clock.now(1).toString(),
    pending: clock.pending,
    fired: st.fired,
    lateness: [st.latenessLastNs, st.latenessMaxNs, st.latenessTotalNs].join(','),
    next: clock.nextExpiry()?.toString(),
    live: rt.liveTimers().map((t) => [t.timer, t.map, hex(t.key), t.state, t.expires?.toString(), t.cpu, t.pinned, t.prog, t.callbackPc].join(' ')),
    errors: rt.asyncErrors.map((e) => `${e.prog}: ${e.error instanceof Error ? `${e.error.name} ${e.error.message}` : String(e.error)}`),
    stats: (({ timers, armedTimers, timerProgRefs, maps, programs }) => ({ timers, armedTimers, timerProgRefs, maps, programs }))(rt.stats()),
  };
  if (o !== undefined && !o.map('timers').isClosed) {
    for (const m of ['timers', 'htimers', 'pc', '.bss']) {
      const h = o.map(m);
      s[m] = h.keys().map((k) => `${hex(k)}=${hex(h.lookup(k))}`);
    }
  }
  return s;
}

interface Run { steps: unknown[]; events: string[]; laneFired: number[] }

async function scenario(engine: 'interp' | 'jit'): Promise<Run> {
  const rt = new Runtime({ engine, cpus: 2, maxInsns: 12_000 });
  const o = await rt.loadObject(OBJ);
  const clock = rt.virtualClock;
  const steps: unknown[] = [];
  const events: string[] = [];
  const lanes: number[] = [];
  const step = (name: string, fn: () => unknown): void => {
    laneFired = 0;
    let r: unknown;
    try {
      r = fn();
      r = typeof r === 'bigint' ? r.toString() : r;
    } catch (e) {
      r = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    lanes.push(laneFired);
    steps.push({ name, r, s: snapshot(rt, o) });
  };
  o.map('htimers').update(u32(1), new Uint8Array(56));
  o.map('htimers').update(u32(2), new Uint8Array(56));
  setBss(o, 'cfg_nr', u32(8));
  setBss(o, 'cfg_max', u64b(40n));
  // kinds of timers 0..7; equal delays (FIFO by arm order) for 0, 2 and 4
  [0, 1, 2, 3, 4, 6, 5, 7].forEach((k, i) => setBss(o, 'kinds', u32(k), i));
  [1000n, 1500n, 1000n, 2500n, 1000n, 3000n, 800n, 1200n].forEach((d, i) => setBss(o, 'delays', u64b(d), i));
  step('arm on CPU 1', () => o.program('arm').run({ data: new Uint8Array(64), cpu: 1 }).retval);
  step('advance 10us', () => clock.advance('10us'));
  step('next', () => clock.next());
  step('next', () => clock.next());
  step('advance 1ns', () => clock.advance(1n));
  const off = rt.on('timer', (e) => events.push(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? hex(v) : v))));
  step('advance 4us traced', () => clock.advance('4us'));
  off();
  step('poke (syscall: 0 ns fires inside bpf_timer_start)', () => o.program('poke').run({}).retval);
  step('advance 3us', () => clock.advance('3us'));
  // twice: the first run's callback compiles its entry, the second's could be called by the lane
  step('self_poke (its own callback fires inside its run)', () => o.program('self_poke').run({}).retval);
  step('self_poke again', () => o.program('self_poke').run({}).retval);
  step('advance 2us', () => clock.advance('2us'));
  // an array update frees the element's armed timer (array_map_update_elem: bpf_obj_free_fields)
  step('user updates array element 2 (armed)', () => o.map('timers').update(u32(2), o.map('timers').lookup(u32(2))!));
  step('advance 5us', () => clock.advance('5us'));
  step('user deletes htimers key 2 (armed)', () => o.map('htimers').delete(u32(2)));
  step('advance with a limit of 3', () => clock.advance('50us', 3));
  step('runUntilIdle (a few events)', () => clock.runUntilIdle({ maxEvents: 7 }));
  step('runUntilIdle', () => clock.runUntilIdle());
  step('re-arm on CPU 0', () => o.program('arm').run({ data: new Uint8Array(64), cpu: 0 }).retval);
  step('advance 2us', () => clock.advance('2us'));
  step('close the object (maps lose their last user)', () => o.close());
  step('advance 10us', () => clock.advance('10us'));
  return { steps, events, laneFired: lanes };
}

test('the timer lane: a scenario of every callback kind gives exactly the interpreter\'s maps, log, timers, clock, errors and trace', async () => {
  const a = await scenario('interp');
  const b = await scenario('jit');
  assert.equal(a.steps.length, b.steps.length);
  for (let i = 0; i < a.steps.length; i++) assert.deepEqual(b.steps[i], a.steps[i], `step ${i}`);
  assert.deepEqual(b.events, a.events);
  assert.ok(a.events.length > 20, `the trace saw ${a.events.length} events`);
  // the interpreter never uses the lane; the JIT's lane ran callbacks itself, but none while traced
  assert.equal(a.laneFired.reduce((x, y) => x + y, 0), 0);
  const traced = (b.steps as { name: string }[]).findIndex((s) => s.name === 'advance 4us traced');
  assert.equal(b.laneFired[traced], 0);
  assert.ok(b.laneFired[1]! > 20, `lane fired ${b.laneFired[1]} of the first advance's callbacks`);
  // the failing callback's error names the instruction cap
  const last = a.steps.at(-1) as { s: { errors: string[] } };
  assert.ok(last.s.errors.some((e) => /12000|instructions|budget/i.test(e)), last.s.errors.join('\n'));
});

test('the timer lane: 64 self-re-arming timers on the JIT run in WebAssembly, in the interpreter\'s order', async () => {
  const logs: string[] = [];
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine });
    const o = await rt.loadObject(OBJ);
    setBss(o, 'cfg_nr', u32(8));
    setBss(o, 'cfg_max', u64b(1_000_000n));
    for (let i = 0; i < 8; i++) setBss(o, 'delays', u64b(BigInt(1000 + (i % 3) * 250)), i);
    o.program('arm').run({ data: new Uint8Array(64) });
    laneFired = 0;
    const n = rt.virtualClock.advance('1ms');
    assert.ok(n > 5000, `${n} callbacks`);
    // every one, the first expiries included: the callback's entry is compiled with the program and its key word made at set_callback
    if (engine === 'jit') assert.equal(laneFired, n);
    else assert.equal(laneFired, 0);
    logs.push(hex(o.map('.bss').lookup(u32(0))), String(n), rt.liveTimers().map((t) => `${t.timer} ${t.expires}`).join());
  }
  assert.deepEqual(logs.slice(3), logs.slice(0, 3));
});

test('the timer lane\'s heap: random arms, re-arms and removes keep (expiry, arm order) order, positions and sizes (a reference beside it)', async () => {
  const { Arena } = await import('../../src/memory/arena.js');
  const { TimerEntry } = await import('../../src/timers/queue.js');
  const arena = new Arena();
  const host = {
    cells: () => ({ now: arena.alloc(8), cpu: arena.alloc(8) }),
    materialize: () => { throw new Error('no callbacks here'); },
    settle: () => undefined,
    beforeRun: () => true,
    failed: () => undefined,
  };
  const lane = new TimerLane(arena, host);
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const N = 600;
  const entries: InstanceType<typeof TimerEntry>[] = [];
  for (let id = 1; id <= N; id++) {
    const e = new TimerEntry(1, () => undefined);
    assert.ok(lane.init(e, id, 0, 0));
    entries.push(e);
  }
  // the reference: id -> [exp, seq] while queued
  const ref = new Map<number, [bigint, number]>();
  let seq = 0;
  for (let op = 0; op < 20_000; op++) {
    const id = 1 + rnd(N);
    const r = rnd(10);
    if (r < 6) {
      // few distinct expiries: many ties, ordered by arm sequence; some past 2^53 and negative
      const exp = r === 5 ? (1n << 60n) + BigInt(rnd(3)) : BigInt(rnd(50)) - 5n;
      lane.place(id, exp);
      ref.set(id, [exp, ++seq]);
    } else if (r < 9) {
      assert.equal(lane.remove(id), ref.delete(id), `remove ${id}`);
    } else {
      // pop the head as the expiry loop does
      const h = lane.head();
      const want = [...ref].sort((x, y) => (x[1][0] < y[1][0] ? -1 : x[1][0] > y[1][0] ? 1 : x[1][1] - y[1][1]))[0];
      assert.equal(h, want?.[0] ?? 0, `head at op ${op}`);
      if (h !== 0) { assert.ok(lane.remove(h)); ref.delete(h); }
    }
    assert.equal(lane.size, ref.size);
    if (op % 997 === 0) {
      for (let i = 1; i <= N; i++) assert.equal(lane.queued(i), ref.has(i), `queued ${i}`);
      assert.deepEqual(new Set(lane.ids()), new Set(ref.keys()));
      for (const [i, [exp]] of ref) {
        const e = entries[i - 1]!;
        assert.equal(e.expires, exp, `expiry of ${i}`);
      }
    }
  }
  // drain in order
  const order = [...ref].sort((x, y) => (x[1][0] < y[1][0] ? -1 : x[1][0] > y[1][0] ? 1 : x[1][1] - y[1][1])).map((x) => x[0]);
  const got: number[] = [];
  for (let h = lane.head(); h !== 0; h = lane.head()) { got.push(h); lane.remove(h); }
  assert.deepEqual(got, order);
});

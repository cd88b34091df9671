import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/timers/virtual.js';
import { TimerLimitError } from '../../src/timers/clock.js';
import { TimerEntry } from '../../src/timers/queue.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_TAI, ClockError } from '../../src/timers/ktime.js';

/** an entry that logs (name, monotonic time) when it fires */
function logger(clk: VirtualClock, log: [string, bigint][], clockid = CLOCK_MONOTONIC) {
  return (name: string, then?: (e: TimerEntry) => void): TimerEntry =>
    new TimerEntry(clockid, (e) => {
      log.push([name, clk.ktime_get_ns()]);
      then?.(e);
    });
}

test('advance fires due timers in (expiry, arm order) with time standing at each expiry', () => {
  const clk = new VirtualClock();
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const a = mk('a'), b = mk('b'), c = mk('c'), d = mk('d');
  clk.schedule(a, 30n, false);
  clk.schedule(b, 10n, false);
  clk.schedule(c, 10n, false);
  clk.schedule(d, 1000n, false);
  assert.equal(clk.pending, 4);
  assert.equal(clk.advance('100ns'), 3);
  assert.deepEqual(log, [['b', 10n], ['c', 10n], ['a', 30n]]);
  assert.equal(clk.ktime_get_ns(), 100n, 'time ends at now + d');
  assert.equal(clk.pending, 1);
  assert.equal(clk.advance(899n), 0, 'd is due at 1000, not 999');
  assert.equal(clk.advance(1), 1);
  assert.deepEqual(log.at(-1), ['d', 1000n]);
});

test('time does not move without advance; schedule never fires synchronously', () => {
  const clk = new VirtualClock({ monotonic: 5000n });
  let fired = 0;
  const e = new TimerEntry(CLOCK_MONOTONIC, () => fired++);
  clk.schedule(e, 0n, false);
  assert.equal(fired, 0);
  assert.equal(clk.ktime_get_ns(), 5000n);
  assert.equal(clk.advance(0n), 1, 'a 0 ns timer fires on the next advance, even advance(0)');
  assert.equal(clk.ktime_get_ns(), 5000n);
});

test('timers armed by callbacks during advance fire if due within it', () => {
  const clk = new VirtualClock();
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const late = mk('late');
  const inner = mk('inner');
  const outer = mk('outer', () => {
    clk.schedule(inner, 20n, false); // due at 30, within the advance
    clk.schedule(late, 1000n, false); // due at 1010, beyond it
  });
  clk.schedule(outer, 10n, false);
  assert.equal(clk.advance('50ns'), 2);
  assert.deepEqual(log, [['outer', 10n], ['inner', 30n]]);
  assert.equal(late.queued, true);
});

test('absolute vs relative expiry; re-arming moves the timer', () => {
  const clk = new VirtualClock({ monotonic: 1000n });
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const abs = mk('abs'), rel = mk('rel'), past = mk('past');
  clk.schedule(abs, 1500n, true);
  clk.schedule(rel, 1500n, false); // 2500
  clk.schedule(past, 10n, true); // already due
  clk.schedule(abs, 3000n, true); // moved later
  assert.equal(clk.runUntilIdle(), 3);
  assert.deepEqual(log, [['past', 1000n], ['rel', 2500n], ['abs', 3000n]]);
  assert.equal(clk.ktime_get_ns(), 3000n, 'runUntilIdle stops at the last expiry');
  assert.equal(clk.stats().latenessMaxNs, 990n, 'the overdue absolute timer was 990 ns late');
});

test('a relative timeout >= 2^63 ns never fires', () => {
  const clk = new VirtualClock();
  let fired = 0;
  const e = new TimerEntry(CLOCK_MONOTONIC, () => fired++);
  clk.schedule(e, (1n << 64n) - 1n, false);
  clk.advance('1h');
  assert.equal(fired, 0);
  assert.equal(e.queued, true);
});

test('cancel dequeues; cancelling twice returns false', () => {
  const clk = new VirtualClock();
  let fired = 0;
  const e = new TimerEntry(CLOCK_MONOTONIC, () => fired++);
  clk.schedule(e, 10n, false);
  assert.equal(clk.cancel(e), true);
  assert.equal(clk.cancel(e), false);
  assert.equal(clk.advance('1ms'), 0);
  assert.equal(fired, 0);
});

test('runUntilIdle follows chains and stops a self re-arming storm at its limit', () => {
  const clk = new VirtualClock();
  let n = 0;
  const chain = new TimerEntry(CLOCK_MONOTONIC, (e) => {
    if (++n < 5) clk.schedule(e, 1_000_000n, false);
  });
  clk.schedule(chain, 1_000_000n, false);
  assert.equal(clk.runUntilIdle(), 5);
  assert.equal(clk.ktime_get_ns(), 5_000_000n);

  const storm = new TimerEntry(CLOCK_MONOTONIC, (e) => clk.schedule(e, 0n, false));
  clk.schedule(storm, 0n, false);
  assert.throws(() => clk.runUntilIdle(1000), (err: unknown) =>
    err instanceof TimerLimitError && err.fired === 1000 && err.pending === 1);
  assert.throws(() => clk.advance('1s', 500), TimerLimitError, 'advance has the same guard');
  assert.equal(clk.ktime_get_ns(), 5_000_000n, 'a 0 ns storm does not move time');
  clk.cancel(storm);
  assert.equal(clk.runUntilIdle(), 0);
});

test('next() jumps to the next expiry and fires only what was due then', () => {
  const clk = new VirtualClock();
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const a = mk('a'), b = mk('b'), c = mk('c');
  const self = mk('self', (e) => clk.schedule(e, 0n, false));
  clk.schedule(a, 100n, false);
  clk.schedule(b, 100n, false);
  clk.schedule(c, 200n, false);
  assert.equal(clk.next(), 2);
  assert.equal(clk.ktime_get_ns(), 100n);
  clk.schedule(self, 0n, false);
  assert.equal(clk.next(), 1, 'a 0 ns re-arm waits for the next call');
  assert.equal(clk.next(), 1);
  assert.equal(clk.ktime_get_ns(), 100n);
  clk.cancel(self);
  assert.equal(clk.next(), 1);
  assert.equal(clk.ktime_get_ns(), 200n);
  assert.equal(clk.next(), 0, 'idle');
  assert.equal(clk.ktime_get_ns(), 200n);
  assert.deepEqual(log.map((l) => l[0]), ['a', 'b', 'self', 'self', 'c']);
});

test('suspend: boottime and realtime move, monotonic does not; boottime timers fall due', () => {
  const clk = new VirtualClock({ monotonic: 1000n, realtime: 10_000_000n });
  const log: [string, bigint][] = [];
  const boot = logger(clk, log, CLOCK_BOOTTIME)('boot');
  const mono = logger(clk, log, CLOCK_MONOTONIC)('mono');
  clk.schedule(boot, 5000n, false); // boottime 6000
  clk.schedule(mono, 5000n, false); // monotonic 6000
  assert.equal(clk.suspend('10us'), 1, 'the boottime timer fires on resume');
  assert.deepEqual(log, [['boot', 1000n]]);
  assert.equal(clk.ktime_get_ns(), 1000n);
  assert.equal(clk.ktime_get_boot_ns(), 11_000n);
  assert.equal(clk.now(CLOCK_REALTIME), 10_010_000n);
  assert.equal(mono.queued, true);
  assert.equal(clk.advance(4999n), 0);
  assert.equal(clk.advance(1n), 1);
  assert.deepEqual(log[1], ['mono', 6000n]);
});

test('boottime timers due after a suspend fire at their boottime expiry', () => {
  const clk = new VirtualClock();
  let seen = -1n;
  const e = new TimerEntry(CLOCK_BOOTTIME, () => { seen = clk.ktime_get_boot_ns(); });
  clk.schedule(e, 1_000_000n, false); // boottime 1ms
  clk.suspend('300us');
  assert.equal(clk.advance('699us'), 0);
  assert.equal(clk.advance('1us'), 1);
  assert.equal(seen, 1_000_000n, 'boottime reads the expiry inside the callback');
  assert.equal(clk.ktime_get_ns(), 700_000n);
});

test('setRealtime: realtime timers are due by realtime, others do not notice', () => {
  const R = 1_000_000_000n;
  const clk = new VirtualClock({ realtime: R });
  const log: [string, bigint][] = [];
  const mkR = (name: string) => new TimerEntry(CLOCK_REALTIME, () => log.push([name, clk.now(CLOCK_REALTIME)]));
  const r1 = mkR('r1'), r2 = mkR('r2');
  const m = new TimerEntry(CLOCK_MONOTONIC, () => log.push(['m', clk.now(CLOCK_REALTIME)]));
  clk.schedule(r1, R + 500n, true);
  clk.schedule(r2, 2n * R, true);
  clk.schedule(m, 500n, false);
  assert.equal(clk.setRealtime(R - 1000n), 0, 'jumping back fires nothing');
  assert.equal(clk.now(CLOCK_REALTIME), R - 1000n);
  assert.equal(clk.ktime_get_ns(), 0n);
  assert.equal(clk.advance(500n), 1, 'm at monotonic 500 is unaffected');
  assert.equal(clk.advance(999n), 0, 'r1 was delayed by the jump back');
  assert.equal(clk.advance(1n), 1);
  assert.equal(clk.setRealtime(new Date(2_000)), 1, 'a jump forward fires r2 at once');
  assert.deepEqual(log, [['m', R - 500n], ['r1', R + 500n], ['r2', 2n * R]]);
  assert.equal(clk.now(CLOCK_TAI) - clk.now(CLOCK_REALTIME), 37_000_000_000n);
});

test('ktime_get_coarse_ns is monotonic time as of the last tick', () => {
  const clk = new VirtualClock({ hz: 250 });
  clk.advance('9ms');
  assert.equal(clk.ktime_get_ns(), 9_000_000n);
  assert.equal(clk.ktime_get_coarse_ns(), 8_000_000n);
  clk.advance('1ms');
  assert.equal(clk.ktime_get_coarse_ns(), 8_000_000n);
  clk.advance('2ms');
  assert.equal(clk.ktime_get_coarse_ns(), 12_000_000n);
});

test('moving time from inside a callback is an error; state stays consistent', () => {
  const clk = new VirtualClock();
  const e = new TimerEntry(CLOCK_MONOTONIC, () => clk.advance(1n));
  clk.schedule(e, 10n, false);
  assert.throws(() => clk.advance(100n), ClockError);
  assert.equal(clk.ktime_get_ns(), 10n, 'stopped at the failing callback');
  assert.equal(clk.pending, 0);
  assert.equal(clk.advance(1n), 0, 'usable again');
});

test('bad durations and clocks are ClockErrors', () => {
  const clk = new VirtualClock();
  assert.throws(() => clk.advance('-1ms'), ClockError);
  assert.throws(() => clk.now(5), ClockError);
  assert.throws(() => clk.advanceTo(-1n), ClockError);
});

test('past 2^53 ns expiries and time stay exact: ties of the rounded numbers are ordered by the exact values, then arm order', () => {
  const B = 1n << 60n; // Number(B + 1n) === Number(B): the queue must not rely on the rounded key
  const clk = new VirtualClock({ monotonic: B - 5n });
  const mirror = { dv: new DataView(new ArrayBuffer(16)) };
  assert.equal(clk.mirrorMonotonic(mirror, 8), true);
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const es = { p1: mk('p1'), p0: mk('p0'), m1: mk('m1'), p1b: mk('p1b'), n: mk('n') };
  clk.schedule(es.p1, B + 1n, true);
  clk.schedule(es.p0, B, true);
  clk.schedule(es.m1, B - 1n, true);
  clk.schedule(es.p1b, B + 1n, true);
  // the number path refuses what it cannot do exactly: time is past 2^53 here
  assert.equal(clk.scheduleRelN(es.n, 3), false);
  clk.schedule(es.n, 3n, false); // B - 2
  assert.equal(es.p1.expires, B + 1n);
  assert.equal(clk.advance(7n), 5);
  assert.deepEqual(log, [['n', B - 2n], ['m1', B - 1n], ['p0', B], ['p1', B + 1n], ['p1b', B + 1n]]);
  assert.equal(clk.ktime_get_ns(), B + 2n);
  assert.equal(mirror.dv.getBigUint64(8, true), B + 2n, 'the mirror word is exact too');
});

test('the number path of arming (scheduleRelN) is exact up to 2^53 and hands over to bigints there', () => {
  const S = BigInt(Number.MAX_SAFE_INTEGER); // 2^53 - 1
  const clk = new VirtualClock({ monotonic: S - 10n });
  const mirror = { dv: new DataView(new ArrayBuffer(8)) };
  clk.mirrorMonotonic(mirror, 0);
  const log: [string, bigint][] = [];
  const mk = logger(clk, log);
  const a = mk('a'), b = mk('b'), c = mk('c');
  assert.equal(clk.scheduleRelN(a, 10), true); // exactly 2^53 - 1
  assert.equal(clk.scheduleRelN(b, 11), false, '2^53 is past the safe range');
  clk.schedule(b, 11n, false);
  assert.equal(clk.scheduleRelN(c, 9), true);
  assert.equal(clk.advance(20n), 3);
  assert.deepEqual(log, [['c', S - 1n], ['a', S], ['b', S + 1n]]);
  assert.equal(mirror.dv.getBigUint64(0, true), S + 10n);
});

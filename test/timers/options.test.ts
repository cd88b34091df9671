// Clock options: where virtual time starts, and runUntilIdle's bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime, TimerLimitError } from '../../src/index.js';
import { VirtualClock } from '../../src/timers/virtual.js';
import { TimerEntry } from '../../src/timers/queue.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../src/timers/ktime.js';

const RATELIMIT = fileURLToPath(new URL('../../../examples/ratelimit/ratelimit.bpf.o', import.meta.url));

test('Runtime({ clock: { start, realtime } }) starts virtual time where asked', async () => {
  const rt = new Runtime({ clock: { start: '100s', realtime: new Date('2026-12-03T00:00:00Z') } });
  assert.equal(rt.clock.now(CLOCK_MONOTONIC), 100_000_000_000n);
  assert.equal(rt.clock.now(CLOCK_BOOTTIME), 100_000_000_000n);
  assert.equal(rt.clock.now(CLOCK_REALTIME), BigInt(Date.parse('2026-12-03T00:00:00Z')) * 1_000_000n);
  // timers are armed relative to it
  const events: bigint[] = [];
  rt.on('timer', (e) => { if (e.type === 'fire') events.push(e.time); });
  const o = await rt.loadObject(RATELIMIT);
  o.program('setup').run({});
  rt.virtualClock.advance('60ms');
  assert.deepEqual(events, [100_050_000_000n]);
  o.close();
});

test('runUntilIdle stops a periodic timer cleanly: time stands at the last callback', async () => {
  const rt = new Runtime();
  const o = await rt.loadObject(RATELIMIT);
  o.program('setup').run({});
  // the 50 ms refill timer re-arms itself forever: stopped by maxTime (default 1 h)
  assert.throws(() => rt.virtualClock.runUntilIdle(), (e: unknown) =>
    e instanceof TimerLimitError && /no idle within 3600s of virtual time/.test(e.message) && e.fired === 72_000);
  assert.equal(rt.virtualClock.ktime_get_ns(), 1_000_000_000_000n + 3_600_000_000_000n);
  assert.equal(o.global('refills'), 72_000n, 'every callback that ran completed');
  // by count
  assert.throws(() => rt.virtualClock.runUntilIdle({ maxEvents: 10 }), (e: unknown) => e instanceof TimerLimitError && e.fired === 10);
  assert.equal(rt.virtualClock.ktime_get_ns(), 1_000_000_000_000n + 3_600_500_000_000n);
  assert.equal(o.global('refills'), 72_010n);
  o.close();
  assert.equal(rt.virtualClock.runUntilIdle(), 0, 'idle once the map (and its timer) is gone');
});

test('a runtime\'s virtual clock starts at a kernel-like 1000 s, not 0', () => {
  const rt = new Runtime();
  assert.equal(rt.clock.now(CLOCK_MONOTONIC), 1_000_000_000_000n);
  assert.equal(rt.clock.now(CLOCK_BOOTTIME), 1_000_000_000_000n);
  assert.equal(new Runtime({ clock: { start: 0 } }).clock.now(CLOCK_MONOTONIC), 0n);
});

test('VirtualClock({ monotonic }) takes a duration', () => {
  const c = new VirtualClock({ monotonic: '1.5s' });
  assert.equal(c.ktime_get_ns(), 1_500_000_000n);
  let fired = 0;
  const e = new TimerEntry(CLOCK_MONOTONIC, () => { fired++; });
  c.schedule(e, 10n, false);
  c.runUntilIdle();
  assert.equal(fired, 1);
  assert.equal(c.ktime_get_ns(), 1_500_000_010n);
});

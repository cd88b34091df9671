import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerEntry, TimerQueue } from '../../src/timers/queue.js';
import { BASE_BOOTTIME, BASE_REALTIME, CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_TAI, ClockError } from '../../src/timers/ktime.js';

const noop = (): void => {};

function drain(q: TimerQueue): TimerEntry[] {
  const out: TimerEntry[] = [];
  for (let e = q.peek(); e !== undefined; e = q.peek()) {
    q.remove(e);
    out.push(e);
  }
  return out;
}

test('queue orders by expiry, FIFO on ties', () => {
  const q = new TimerQueue();
  const es = Array.from({ length: 6 }, () => new TimerEntry(CLOCK_MONOTONIC, noop));
  const at = [30n, 10n, 20n, 10n, 30n, 10n];
  es.forEach((e, i) => q.enqueue(e, at[i]!));
  assert.equal(q.size, 6);
  assert.deepEqual(drain(q).map((e) => es.indexOf(e)), [1, 3, 5, 2, 0, 4]);
  assert.equal(q.size, 0);
});

test('re-arming moves an entry and puts it behind same-expiry entries', () => {
  const q = new TimerQueue();
  const a = new TimerEntry(CLOCK_MONOTONIC, noop);
  const b = new TimerEntry(CLOCK_MONOTONIC, noop);
  const c = new TimerEntry(CLOCK_MONOTONIC, noop);
  q.enqueue(a, 10n);
  q.enqueue(b, 10n);
  q.enqueue(c, 50n);
  q.enqueue(a, 10n); // re-arm for the same instant: now after b
  assert.equal(q.size, 3);
  q.enqueue(c, 5n); // moved earlier
  assert.deepEqual(drain(q), [c, b, a]);
});

test('remove reports whether the entry was queued and keeps the heap valid', () => {
  const q = new TimerQueue();
  const es = Array.from({ length: 200 }, () => new TimerEntry(CLOCK_MONOTONIC, noop));
  // pseudo-random expiries, deterministic
  let x = 12345;
  const exp = new Map<TimerEntry, bigint>();
  for (const e of es) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    exp.set(e, BigInt(x % 1000));
    q.enqueue(e, exp.get(e)!);
  }
  for (let i = 0; i < es.length; i += 3) assert.equal(q.remove(es[i]!), true);
  assert.equal(q.remove(es[0]!), false, 'already removed');
  const left = drain(q);
  assert.equal(left.length, es.length - Math.ceil(es.length / 3));
  for (let i = 1; i < left.length; i++) {
    const p = left[i - 1]!;
    const c = left[i]!;
    assert.ok(p.expires < c.expires || (p.expires === c.expires && p.seq < c.seq));
  }
  assert.ok(left.every((e) => !e.queued));
});

test('entries on different bases merge by monotonic-projected expiry; offsets move them', () => {
  const q = new TimerQueue();
  q.offset[BASE_BOOTTIME] = 1000n; // boottime = monotonic + 1000
  q.offset[BASE_REALTIME] = 1_000_000n;
  const mono = new TimerEntry(CLOCK_MONOTONIC, noop);
  const boot = new TimerEntry(CLOCK_BOOTTIME, noop);
  const real = new TimerEntry(CLOCK_REALTIME, noop);
  q.enqueue(mono, 500n); // mono 500
  q.enqueue(boot, 1600n); // mono 600
  q.enqueue(real, 1_000_550n); // mono 550
  assert.equal(q.peek(), mono);
  assert.equal(q.monoExpiry(real), 550n);
  // a suspend of 200ns: boottime/realtime entries come due 200ns earlier
  q.offset[BASE_BOOTTIME] = 1200n;
  q.offset[BASE_REALTIME] = 1_000_200n;
  assert.equal(q.popDue(400n), real, 'realtime entry now at mono 350');
  assert.equal(q.popDue(400n), boot, 'boottime entry now at mono 400');
  assert.equal(q.popDue(400n), undefined, 'monotonic entry not due before 500');
  assert.equal(q.popDue(500n), mono);
});

test('equal projected expiry across bases is FIFO by arm order', () => {
  const q = new TimerQueue();
  q.offset[BASE_BOOTTIME] = 7n;
  const b = new TimerEntry(CLOCK_BOOTTIME, noop);
  const m = new TimerEntry(CLOCK_MONOTONIC, noop);
  q.enqueue(b, 107n);
  q.enqueue(m, 100n);
  assert.equal(q.peek(), b);
});

test('entries reject clocks a timer cannot use', () => {
  assert.throws(() => new TimerEntry(CLOCK_TAI, noop), ClockError);
  assert.throws(() => new TimerEntry(3, noop), ClockError);
});

// Real-clock expiry as the kernel's hrtimer softirq (issue 12.2): one pass
// takes "now" once and fires each expired timer at most once; what a callback
// re-arms waits for the next pass, which runs from the event loop. Arming N
// timers from test runs therefore costs O(N) callbacks, never O(N^2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../src/timers/real.js';
import { TimerEntry } from '../../src/timers/queue.js';
import { CLOCK_MONOTONIC } from '../../src/timers/ktime.js';
import { Runtime } from '../../src/index.js';

const OBJ = fileURLToPath(new URL('../../../bench/realclock.bpf.o', import.meta.url));

test('runDue: each timer armed already expired fires once per pass; a 0 ns re-arm waits for the next pass', () => {
  const clk = new RealClock();
  try {
    const fired: string[] = [];
    const a = new TimerEntry(CLOCK_MONOTONIC, (e) => { fired.push('a'); clk.schedule(e, 0n, false); });
    const b = new TimerEntry(CLOCK_MONOTONIC, () => fired.push('b'));
    const later = new TimerEntry(CLOCK_MONOTONIC, () => fired.push('later'));
    clk.schedule(a, 0n, false);
    clk.schedule(b, 0n, false);
    clk.schedule(later, 10_000_000_000n, false);
    assert.equal(clk.runDue(), 2);
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(clk.runDue(), 1, 'the re-armed timer: next pass, once');
    assert.deepEqual(fired, ['a', 'b', 'a']);
    clk.cancel(a);
    assert.equal(clk.runDue(), 0, 'a cancelled timer does not fire');
    assert.equal(clk.pending, 1);
  } finally {
    clk.close();
  }
});

test('runDue leaves timers that expired while synchronous code ran to the event loop', async () => {
  const clk = new RealClock();
  try {
    let n = 0;
    clk.schedule(new TimerEntry(CLOCK_MONOTONIC, () => n++), 1_000_000n, false);
    const until = performance.now() + 3;
    while (performance.now() < until) { /* busy: the "interrupt" cannot come */ }
    assert.equal(clk.runDue(), 0);
    assert.equal(n, 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(n, 1, 'the event loop fired it');
  } finally {
    clk.close();
  }
});

test('an event-loop pass fires each expired periodic timer at most once', async () => {
  const clk = new RealClock({ batch: 100_000, sliceNs: 10_000_000_000n });
  try {
    const counts = new Array<number>(200).fill(0);
    const entries = counts.map((_, i) => new TimerEntry(CLOCK_MONOTONIC, (e) => {
      counts[i]!++;
      clk.schedule(e, 0n, false); // re-armed for "now": expired at once, but next pass
    }));
    for (const e of entries) clk.schedule(e, 0n, false);
    // one setImmediate turn = one pass
    await new Promise((r) => setImmediate(r));
    assert.ok(counts.every((c) => c <= 1), `fired more than once in one pass: ${Math.max(...counts)}`);
    await new Promise((r) => setTimeout(r, 30));
    const max = Math.max(...counts);
    assert.ok(Math.min(...counts) >= 2 && max >= 2, 'later passes fire them again');
    for (const e of entries) clk.cancel(e);
  } finally {
    clk.close();
  }
});

test('arming 3 000 periodic 1 ms timers from test runs costs O(N) callbacks on the real clock', async () => {
  const rt = new Runtime({ clock: 'real' });
  const obj = await rt.loadObject(OBJ);
  try {
    const arm = obj.program('arm');
    const args = new Uint8Array(16);
    const dv = new DataView(args.buffer);
    dv.setBigUint64(8, 1_000_000n, true);
    const n = 3000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      dv.setUint32(0, i, true);
      assert.equal(arm.run({ ctx: args }).retval, 0);
    }
    const ms = performance.now() - t0;
    const during = Number(obj.global('fired_total'));
    // periodic timers that expire while the arming loop runs wait for the event loop
    assert.ok(during <= n, `${during} callbacks while arming ${n} timers in ${ms.toFixed(0)} ms`);
    assert.equal(rt.stats().armedTimers, n);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(Number(obj.global('fired_total')) > during, 'the event loop runs them');
  } finally {
    obj.close();
    rt.unref();
  }
  assert.equal(rt.stats().armedTimers, 0);
});

// Timers already due at the current time (0 ns, or an absolute expiry that
// has passed): Clock.runDue fires them without moving time, and the runtime
// calls it where the kernel's hrtimer softirq would run — inside a
// SEC("syscall") program right after bpf_timer_start (softirqs enabled), and
// for every other program type when the test run returns (local_bh_enable).
// The kernel's answer: test/timers-diff/zero_delay.basic.kernel.out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VirtualClock } from '../../src/timers/virtual.js';
import { RealClock } from '../../src/timers/real.js';
import { TimerEntry } from '../../src/timers/queue.js';
import { CLOCK_MONOTONIC } from '../../src/timers/ktime.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { readGolden, repoRoot } from '../kernel/kernel.js';

test('runDue fires what is due now, in order, without moving time; not what is due later', () => {
  const clk = new VirtualClock({ monotonic: 1000n });
  const log: [string, bigint][] = [];
  const mk = (n: string): TimerEntry => new TimerEntry(CLOCK_MONOTONIC, () => log.push([n, clk.ktime_get_ns()]));
  const a = mk('a'), b = mk('b'), later = mk('later'), past = mk('past');
  clk.schedule(a, 0n, false);
  clk.schedule(later, 1n, false);
  clk.schedule(past, 500n, true); // absolute, already passed
  clk.schedule(b, 0n, false);
  assert.equal(clk.runDue(), 3);
  assert.deepEqual(log, [['past', 1000n], ['a', 1000n], ['b', 1000n]], 'expiry order, FIFO on ties, at now');
  assert.equal(clk.ktime_get_ns(), 1000n);
  assert.equal(clk.pending, 1);
  assert.equal(clk.runDue(), 0);
});

test('runDue: a chain of 0 ns timers runs to its end; a 0 ns timer re-arming itself stops at the limit, still armed', () => {
  const clk = new VirtualClock();
  let n = 0;
  const second = new TimerEntry(CLOCK_MONOTONIC, () => n++);
  const first = new TimerEntry(CLOCK_MONOTONIC, () => {
    n++;
    clk.schedule(second, 0n, false);
    assert.equal(clk.runDue(), 0, 'from a callback: nothing (the running loop picks it up)');
  });
  clk.schedule(first, 0n, false);
  assert.equal(clk.runDue(), 2);
  assert.equal(n, 2);

  const self: TimerEntry = new TimerEntry(CLOCK_MONOTONIC, () => clk.schedule(self, 0n, false));
  clk.schedule(self, 0n, false);
  assert.equal(clk.runDue(50), 50, 'no TimerLimitError: it stops');
  assert.equal(clk.pending, 1);
  assert.equal(clk.ktime_get_ns(), 0n);
  clk.queue.remove(self);
});

test('runDue on the real clock fires due timers synchronously', () => {
  const clk = new RealClock();
  try {
    let n = 0;
    clk.schedule(new TimerEntry(CLOCK_MONOTONIC, () => n++), 0n, false);
    clk.schedule(new TimerEntry(CLOCK_MONOTONIC, () => n++), 10_000_000_000n, false);
    assert.equal(clk.runDue(), 1);
    assert.equal(n, 1);
    assert.equal(clk.pending, 1);
  } finally {
    clk.close();
  }
});

for (const clock of ['virtual', 'real'] as const) {
  test(`zero_delay on the ${clock} clock: syscall fires inside the run, XDP/tc when the run returns (as the kernel)`, async () => {
    const g = readGolden(join(repoRoot, 'test/timers-diff/zero_delay.basic.kernel.out'));
    const kernel = new Map(g.stdout.trimEnd().split('\n').filter((l) => l.includes('=') && !l.includes(':')).map((l) => l.split('=') as [string, string]));
    const rt = new Runtime({ clock });
    const obj = await rt.loadObject(join(repoRoot, 'test/timers-diff/zero_delay.bpf.o'));
    try {
      const t0 = rt.clock.ktime_get_ns();
      const fired = (): (number | bigint)[] => obj.global('fired') as (number | bigint)[];
      obj.program('arm_sys').run();
      assert.deepEqual(fired(), [1, 0, 0], 'fired inside arm_sys');
      obj.program('arm_xdp').run({ data: new Uint8Array(64) });
      assert.deepEqual(fired(), [1, 1, 0], 'fired when the XDP run returned');
      obj.program('arm_tc').run({ data: new Uint8Array(64) });
      assert.deepEqual(fired(), [1, 1, 1]);
      const during = obj.global('fired_during_run') as number[];
      assert.deepEqual(during.map(String), [0, 1, 2].map((i) => kernel.get(`fired_during_run[${i}]`)));
      if (clock === 'virtual') assert.equal(rt.clock.ktime_get_ns(), t0, 'virtual time did not move');
      assert.equal(rt.stats().armedTimers, 0);
    } finally {
      obj.close();
      rt.unref();
    }
  });
}

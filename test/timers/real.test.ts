import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../src/timers/real.js';
import { TimerEntry } from '../../src/timers/queue.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../src/timers/ktime.js';

const realJs = fileURLToPath(new URL('../../src/timers/real.js', import.meta.url));
const queueJs = fileURLToPath(new URL('../../src/timers/queue.js', import.meta.url));

test('real clock: a timer never fires before its expiry, and fires in order', { timeout: 10_000 }, async () => {
  const clk = new RealClock();
  const delays = [0n, 50_000n, 300_000n, 1_000_000n, 1_500_000n, 3_000_000n, 10_000_000n, 2_000_000n];
  const out: { i: number; expires: bigint; firedAt: bigint }[] = [];
  await new Promise<void>((resolve) => {
    delays.forEach((d, i) => {
      const e = new TimerEntry(CLOCK_MONOTONIC, (entry) => {
        out.push({ i, expires: entry.expires, firedAt: process.hrtime.bigint() });
        if (out.length === delays.length) resolve();
      });
      clk.schedule(e, d, false);
    });
  });
  for (const o of out) assert.ok(o.firedAt >= o.expires, `timer ${o.i} fired ${o.expires - o.firedAt} ns early`);
  const order = out.map((o) => o.i);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 7, 5, 6]);
  const s = clk.stats();
  assert.equal(s.fired, delays.length);
  assert.ok(s.latenessMaxNs >= 0n && s.latenessLastNs >= 0n);
  assert.equal(clk.pending, 0);
});

test('real clock: a 0 ns self re-arming timer does not starve timers, immediates or I/O', { timeout: 20_000 }, async () => {
  const clk = new RealClock({ batch: 64 });
  let storm = 0;
  let started!: () => void;
  const running = new Promise<void>((r) => { started = r; });
  const e = new TimerEntry(CLOCK_MONOTONIC, (entry) => {
    if (++storm === 1000) started();
    clk.schedule(entry, 0n, false);
  });
  clk.schedule(e, 0n, false);
  assert.equal(storm, 0, 'arming never fires synchronously');
  await running;
  // each records (storm count, storm still armed) when it gets to run
  const seen = (): [number, number] => [storm, clk.pending];
  const viaTimeout = new Promise<[number, number]>((r) => setTimeout(() => r(seen()), 5));
  const viaImmediate = new Promise<[number, number]>((r) => setImmediate(() => r(seen())));
  const viaIo = readFile(realJs).then(() => seen());
  const results = await Promise.all([viaTimeout, viaImmediate, viaIo]);
  const atEnd = storm;
  clk.cancel(e);
  for (const [count, pending] of results) {
    assert.ok(count >= 1000);
    assert.equal(pending, 1, 'the storm was still armed when the other callback ran');
  }
  assert.ok(atEnd > 1000, 'the storm kept running while the others waited');
  const stopped = storm;
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(storm, stopped, 'cancel stopped the storm');
  assert.equal(clk.pending, 0);
});

test('real clock: clocks relate as the kernel\'s do', () => {
  const clk = new RealClock({ bootOffset: 5_000n });
  // boottime - monotonic, bracketed by two monotonic reads
  const bootOffset = (): [bigint, bigint] => {
    const m1 = clk.now(CLOCK_MONOTONIC);
    const b = clk.now(CLOCK_BOOTTIME);
    const m2 = clk.now(CLOCK_MONOTONIC);
    return [b - m2, b - m1];
  };
  let [lo, hi] = bootOffset();
  assert.ok(lo <= 5_000n && 5_000n <= hi, `${lo} <= 5000 <= ${hi}`);
  const wall = BigInt(Date.now()) * 1_000_000n;
  const r = clk.now(CLOCK_REALTIME);
  assert.ok(r - wall < 1_000_000_000n && wall - r < 1_000_000_000n, 'realtime starts at the wall clock');
  clk.suspend('1s');
  [lo, hi] = bootOffset();
  assert.ok(lo <= 1_000_005_000n && 1_000_005_000n <= hi, 'suspend moved boottime only');
  assert.ok(clk.ktime_get_coarse_ns() <= clk.ktime_get_ns());
});

function runChild(body: string): string {
  const src = `import { RealClock } from ${JSON.stringify(realJs)};
import { TimerEntry } from ${JSON.stringify(queueJs)};
const clk = new RealClock();
${body}`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', timeout: 15_000 });
}

test('real clock: armed timers keep the process alive; unref() lets it exit; cancel releases it', { timeout: 40_000 }, () => {
  const fire = `const e = new TimerEntry(1, () => console.log('fired'));`;
  assert.equal(runChild(`${fire} clk.schedule(e, 30_000_000n, false);`), 'fired\n');
  assert.equal(runChild(`${fire} clk.unref(); clk.schedule(e, 5_000_000_000n, false); console.log('end');`), 'end\n');
  // a cancelled 1 h timer must not hold the process (the child would be killed after 15 s)
  assert.equal(runChild(`${fire} clk.schedule(e, 3_600_000_000_000n, false); clk.cancel(e); console.log('end');`), 'end\n');
});

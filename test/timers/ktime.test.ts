import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClockError, KTIME_SAFE_MAX, formatDuration, ktimeAddSafe, parseDuration, toKtime,
} from '../../src/timers/ktime.js';

test('parseDuration: bigint, number and unit strings', () => {
  assert.equal(parseDuration(7n), 7n);
  assert.equal(parseDuration(42), 42n);
  assert.equal(parseDuration('10ns'), 10n);
  assert.equal(parseDuration('50us'), 50_000n);
  assert.equal(parseDuration('50µs'), 50_000n);
  assert.equal(parseDuration('1ms'), 1_000_000n);
  assert.equal(parseDuration('35s'), 35_000_000_000n);
  assert.equal(parseDuration('1.5ms'), 1_500_000n);
  assert.equal(parseDuration('2m'), 120_000_000_000n);
  assert.equal(parseDuration('123'), 123n);
  assert.equal(parseDuration(' 3 s '), 3_000_000_000n);
});

test('parseDuration rejects negative, fractional ns and junk with ClockError', () => {
  for (const bad of [-1n, -1, 1.5, Number.NaN, '1.5ns', '-3ms', 'ten ms', '5 parsecs', '', '1e3ns']) {
    assert.throws(() => parseDuration(bad as never), ClockError, String(bad));
  }
});

test('formatDuration', () => {
  assert.equal(formatDuration(10n), '10ns');
  assert.equal(formatDuration(1_500_000n), '1.5ms');
  assert.equal(formatDuration(35_000_000_000n), '35s');
  assert.equal(formatDuration(50_000n), '50us');
});

test('ktime arithmetic saturates like ktime_add_safe', () => {
  assert.equal(toKtime((1n << 64n) - 1n), -1n);
  assert.equal(ktimeAddSafe(100n, 5n), 105n);
  // a u64 relative timeout >= 2^63 is negative as ktime_t: "never", not "now"
  assert.equal(ktimeAddSafe(100n, -1n), KTIME_SAFE_MAX);
  assert.equal(ktimeAddSafe((1n << 63n) - 10n, 100n), KTIME_SAFE_MAX);
});

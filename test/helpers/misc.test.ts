import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELPER_PROTOS } from '../../src/helpers/protos.js';
import { createHelpers } from '../../src/helpers/index.js';
import { call, fixture } from './fixture.js';

test('every implemented helper has a prototype in the 6.18 table', () => {
  const f = fixture();
  for (const id of f.helpers.keys()) if (id < 1000) assert.ok(HELPER_PROTOS.has(id), `helper ${id} has no prototype`);
  assert.equal(createHelpers(f.env).size, f.helpers.size);
});

test('ktime_get_ns / boot_ns / coarse_ns read the virtual clock', () => {
  const f = fixture();
  const vm = f.load('call 5\nmov %r6, %r0\ncall 125\nsub %r0, %r6\nexit');
  f.clock.advance(1_234_567n);
  assert.equal(call(f, 5, []), 1_234_567n);
  assert.equal(vm.run(0), 0n); // boottime = monotonic until a suspend
  f.clock.suspend(5_000n);
  assert.equal(vm.run(0), 5_000n);
  assert.equal(call(f, 125, []), 1_239_567n);
  // CONFIG_HZ=250: 4 ms ticks
  f.clock.advance(4_000_000n);
  assert.equal(call(f, 160, []), 4_000_000n);
  assert.equal(call(f, 5, []), 5_234_567n);
});

test('get_prandom_u32 returns the runtime generator, as a u32', () => {
  const f = fixture();
  const a = call(f, 7, []);
  const b = call(f, 7, []);
  assert.notEqual(a, b);
  assert.ok(a <= 0xffffffffn && b <= 0xffffffffn);
  const seen: number[] = [];
  const env = { ...f.env, prandomU32: () => { seen.push(1); return -1; } };
  const h = createHelpers(env).get(7)!;
  assert.equal(h(f.load('exit'), 0n, 0n, 0n, 0n, 0n), 0xffffffffn);
  assert.equal(seen.length, 1);
});

test('get_smp_processor_id is the running CPU', () => {
  const f = fixture(4);
  const vm = f.load('call 8\nexit', 3);
  assert.equal(vm.run(0), 3n);
  vm.cpu = 1;
  assert.equal(vm.run(0), 1n);
});

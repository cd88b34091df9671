// The runtime's object model: urefs, pins, timers owned by maps, programs kept
// alive by armed timers, and nothing leaking after teardown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';

const TIMER_OBJ = join(repoRoot, 'test/kernel/scenarios/timer.bpf.o');
const COUNTER_OBJ = join(repoRoot, 'test/kernel/scenarios/counter.bpf.o');

test('a timer fires on the virtual clock at its expiry, not before', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(TIMER_OBJ);
  assert.equal(obj.program('arm').run().retval, 2); // XDP_PASS
  assert.equal(obj.global('init_err'), 0n);
  assert.equal(obj.global('start_err'), 0n);
  rt.virtualClock.advance('999us');
  assert.equal(obj.global('fired'), 0);
  rt.virtualClock.advance('1us');
  assert.equal(obj.global('fired'), 1);
  assert.equal(obj.global('fired_key'), 0);
  obj.close();
  assert.deepEqual({ ...rt.stats(), arenaBytes: 0, arenaBlocks: 0 }, { maps: 0, programs: 0, timers: 0, armedTimers: 0, timerProgRefs: 0, arenaBytes: 0, arenaBlocks: 0 });
});

test('closing the last user reference of the map cancels its timers', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(TIMER_OBJ);
  obj.program('arm').run();
  assert.equal(rt.stats().armedTimers, 1);
  obj.map('timers').close();
  assert.equal(rt.stats().armedTimers, 0);
  rt.virtualClock.advance('10ms');
  assert.equal(obj.global('fired'), 0);
  obj.close();
});

test('a pinned map keeps its timer, and the timer keeps the program alive, after close()', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(TIMER_OBJ);
  rt.pin(obj.map('timers'), '/sys/fs/bpf/timers');
  obj.program('arm').run();
  obj.close();
  assert.equal(rt.stats().programs, 1, 'the armed timer holds the program');
  assert.equal(rt.stats().armedTimers, 1);
  rt.virtualClock.advance('2ms');
  assert.equal(rt.stats().armedTimers, 0);
  rt.unpin('/sys/fs/bpf/timers');
  const s = rt.stats();
  assert.equal(s.maps, 0);
  assert.equal(s.programs, 0);
  assert.equal(s.timers, 0);
  assert.equal(s.arenaBlocks, 0, 'every arena block returned');
});

test('with no user reference bpf_timer_init fails with -EPERM', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(TIMER_OBJ);
  for (const n of obj.mapNames()) obj.map(n).close();
  obj.program('arm').run();
  assert.equal(obj.global('init_err'), -1n);
  obj.close();
});

test('map handles follow the syscall: lookup of a missing key is undefined, bad sizes throw', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(COUNTER_OBJ);
  for (const n of obj.mapNames()) {
    const m = obj.map(n);
    assert.throws(() => m.lookup(new Uint8Array(m.keySize + 1)), /bytes/);
  }
  obj.close();
  assert.equal(rt.stats().maps, 0);
});

// Timer callbacks on the JIT enter without bigints and keep the engine's block
// caches across entries while the arena's blocks are unchanged: a program whose
// callbacks use memory user space frees and replaces between fires gives the
// same figures on both engines. (The cache invalidation itself, a freed or
// reallocated block faulting at the next entry, is test/jit/jit.test.ts's
// 'block cache across entries'; the kernel's behaviour for the map operations
// is test/timers-diff: prealloc, hash_update, delete_cancels, close_maps.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../src/index.js';
import { ENGINE_KINDS } from '../../src/jit/index.js';

const OBJ = fileURLToPath(new URL('../../../test/jit/timer_cache.bpf.o', import.meta.url));
const u64 = (n: bigint): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

test('timer callbacks see hash elements user space deletes and replaces between fires; deleting an armed element and freeing the maps stop their timers (both engines)', async () => {
  for (const engine of ENGINE_KINDS) {
    const rt = new Runtime({ engine });
    const o = await rt.loadObject(OBJ);
    const data = o.map('data'), htimers = o.map('htimers');
    const g = (name: string): bigint => o.global(name) as bigint;
    data.update(u32(0), u64(10n));
    htimers.update(u32(7), new Uint8Array(24));
    assert.equal(o.program('arm').run({}).retval, 0, engine);
    const clock = rt.virtualClock;
    assert.equal(clock.advance('1us'), 2, engine);
    assert.equal(clock.advance('1us'), 2, engine);
    assert.deepEqual([g('sum'), g('misses'), g('ticks'), g('hticks')], [21n, 0n, 2n, 2n], engine);
    // the element's block is freed: the next callback's lookup misses
    data.delete(u32(0));
    clock.advance('1us');
    assert.deepEqual([g('sum'), g('misses')], [21n, 1n], engine);
    // a new element (a new block, possibly at the old address), then a replacing update (another block)
    data.update(u32(0), u64(100n));
    clock.advance('1us');
    assert.deepEqual([g('sum'), g('misses')], [121n, 1n], engine);
    data.update(u32(0), u64(200n));
    clock.advance('1us');
    assert.deepEqual([g('sum'), g('misses')], [321n, 1n], engine);
    assert.deepEqual(data.lookup(u32(0)), u64(201n), engine);
    // deleting the hash element frees its armed timer: only the array's timer goes on
    htimers.delete(u32(7));
    assert.equal(clock.advance('2us'), 2, engine);
    assert.deepEqual([g('ticks'), g('hticks')], [7n, 5n], engine);
    // a hash element re-created at the freed element's place starts with a fresh, uninitialized timer
    htimers.update(u32(7), new Uint8Array(24));
    assert.equal(clock.advance('1us'), 1, engine);
    assert.equal(rt.stats().armedTimers, 1, engine);
    // the maps lose their last user while the array's timer is armed: cancelled and freed, nothing fires
    o.close();
    assert.equal(rt.stats().armedTimers, 0, engine);
    assert.equal(clock.advance('10us'), 0, engine);
    assert.equal(rt.stats().arenaBytes, 0, engine);
    assert.deepEqual(rt.asyncErrors, [], engine);
  }
});

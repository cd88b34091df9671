// Capacity (issue 12.6): the arena can grow to a wasm32 memory's 4 GiB and
// pages are committed only as they are touched; an LRU hash makes its
// elements when it first hands them out, so creation does not depend on
// max_entries (figures: bench/RESULTS.md section 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, ARENA_MAX_BYTES } from '../../src/memory/arena.js';
import { MapEnv, createMap } from '../../src/maps/map.js';
import '../../src/maps/index.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU } from '../../src/uapi/bpf.js';

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

test('the arena holds an array of 2 048 x 1 MiB values (the kernel creates it; 1 GiB arenas said ENOMEM)', () => {
  const env = new MapEnv({ arena: new Arena() });
  assert.equal(env.arena.maxBytes, ARENA_MAX_BYTES);
  const m = createMap(env, { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 1 << 20, maxEntries: 2048, flags: 0, name: 'big' });
  const v = new Uint8Array(1 << 20);
  v[0] = 7; v[(1 << 20) - 1] = 9;
  m.update(u32(2047), v);
  const got = m.lookup(u32(2047));
  assert.equal(got[0], 7);
  assert.equal(got[(1 << 20) - 1], 9);
  assert.equal(m.lookup(u32(1000))[5], 0, 'untouched values read as zeros');
  m.free();
});

test('allocation sizes past 2 GiB use plain arithmetic (no 32-bit wrap)', () => {
  const a = new Arena();
  const p = a.alloc(2 ** 31 + 8);
  assert.ok(p > 0);
  assert.equal(a.sizeOf(p), 2 ** 31 + 8);
  a.u8[p + 2 ** 31] = 1;
  a.free(p);
  const q = a.alloc(16);
  assert.equal(a.u8[q], 0);
  assert.throws(() => a.alloc(2 ** 32), /exceeds the arena limit/);
});

test('a 10 M-entry LRU hash is created without making its elements; eviction still follows the kernel', () => {
  const env = new MapEnv({ arena: new Arena(), nCpus: 2 });
  const t0 = performance.now();
  const m = createMap(env, { type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 10_000_000, flags: 0, name: 'lru' });
  const ms = performance.now() - t0;
  assert.ok(ms < 15_000, `creation took ${ms} ms`);
  for (let i = 0; i < 1000; i++) m.update(u32(i), new Uint8Array(8));
  assert.equal(m.elemCount, 1000);
  m.free();
  // small maps: every node is made on demand and eviction keeps working (common and per-CPU lists)
  for (const flags of [0, BPF_F_NO_COMMON_LRU]) {
    const s = createMap(env, { type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags, name: 's' });
    for (let i = 0; i < 100; i++) s.update(u32(i), new Uint8Array(8));
    assert.ok(s.elemCount <= 8 && s.elemCount > 0);
    assert.ok(s.lookup(u32(99)), 'the newest key is present');
    s.free();
  }
});

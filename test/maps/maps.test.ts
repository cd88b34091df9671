import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, ARENA_ACCESS_READ, ARENA_ACCESS_WRITE } from '../../src/memory/arena.js';
import { BpfMap, MapEnv, MapError, MapSpec, createMap, checkMapSpec, ArrayMap, HashMap, FdArrayMap } from '../../src/maps/index.js';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_RINGBUF, BPF_F_NO_PREALLOC, BPF_F_RDONLY, BPF_F_WRONLY,
  BPF_F_RDONLY_PROG, BPF_F_INNER_MAP, BPF_F_NO_COMMON_LRU, BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK,
} from '../../src/uapi/bpf.js';
import { EINVAL, ENOENT, EEXIST, E2BIG, EPERM, EOPNOTSUPP, ENOTSUPP, ENOMEM, EBADF } from '../../src/uapi/errno.js';

function u32(n: number, size = 4): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
const rd = (b: Uint8Array, off = 0): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

function setup(nCpus = 2) {
  const arena = new Arena();
  const freed: [BpfMap, number][] = [];
  const env = new MapEnv({ arena, nCpus, onFreeSpecial: (m, p) => freed.push([m, p]) });
  const scratch = arena.alloc(256);
  /** copies bytes into program-visible scratch memory, returning the pointer */
  const put = (b: Uint8Array, off = 0): number => {
    arena.u8.set(b, scratch + off);
    return scratch + off;
  };
  return { arena, env, freed, put, scratch };
}

function spec(type: number, keySize: number, valueSize: number, maxEntries: number, flags = 0, extra: Partial<MapSpec> = {}): MapSpec {
  return { type, keySize, valueSize, maxEntries, flags, name: 'm', ...extra };
}

function errno(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  return 0;
}

// a value with a timer at 8..24 and data around it
const TIMER_SPEC = { specialFields: { timers: [8] } };

test('create-time checks return kernel errno', () => {
  const { env } = setup();
  const c = (s: MapSpec) => checkMapSpec(env, s);
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 8, 4, 1)), -EINVAL, 'array key_size must be 4');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 4, 4, 0)), -EINVAL, 'zero max_entries');
  assert.equal(c(spec(BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY)), -EINVAL);
  assert.equal(c(spec(BPF_MAP_TYPE_LRU_HASH, 4, 4, 4, BPF_F_NO_PREALLOC)), -ENOTSUPP);
  assert.equal(c(spec(BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_NO_COMMON_LRU)), -EINVAL);
  assert.equal(c(spec(26, 4, 4, 4)), -EINVAL, 'struct_ops: a 6.18 type tsbpf does not implement (find_and_alloc_map: no ops)');
  assert.equal(c(spec(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)), 0);
  assert.equal(c(spec(99, 4, 4, 4)), -EINVAL, 'unknown type');
  assert.equal(c({ ...spec(BPF_MAP_TYPE_HASH, 4, 4, 4), name: 'bad-name' }), -EINVAL);
  assert.equal(c({ ...spec(BPF_MAP_TYPE_HASH, 4, 4, 4), name: 'a'.repeat(16) }), -EINVAL);
  // special fields: timers only in hash, lru_hash, array; spin locks in hash and array
  assert.equal(c(spec(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 24, 1, 0, TIMER_SPEC)), -EOPNOTSUPP);
  assert.equal(c(spec(BPF_MAP_TYPE_PERCPU_HASH, 4, 24, 1, 0, TIMER_SPEC)), -EOPNOTSUPP);
  assert.equal(c(spec(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 24, 1, 0, TIMER_SPEC)), -EOPNOTSUPP);
  assert.equal(c(spec(BPF_MAP_TYPE_LRU_HASH, 4, 24, 1, 0, { specialFields: { timers: [], spinLock: 0 } })), -EOPNOTSUPP);
  assert.equal(c(spec(BPF_MAP_TYPE_LRU_HASH, 4, 24, 1, 0, TIMER_SPEC)), 0);
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 4, 20, 1, 0, TIMER_SPEC)), -EINVAL, 'timer past the value end');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 4, 32, 1, 0, { specialFields: { timers: [4] } })), -EINVAL, 'misaligned timer');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, { specialFields: { timers: [0, 16] } })), -E2BIG, 'two timers');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY, 4, 32, 1, 0, { specialFields: { timers: [8], spinLock: 12 } })), -EINVAL, 'overlap');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1)), -EINVAL, 'map-in-map needs an inner template');
  assert.equal(c(spec(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, { inner: spec(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1) })), -ENOTSUPP);
  assert.equal(errno(() => createMap(env, spec(BPF_MAP_TYPE_QUEUE, 4, 4, 1))), -EINVAL, 'createMap throws the errno');
});

test('array: program and user side, special fields kept on update and hidden from lookup', () => {
  const { env, arena, freed, put } = setup();
  const m = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 32, 4, 0, TIMER_SPEC)) as ArrayMap;
  const keyPtr = put(u32(2));
  const v = m.lookupElem(keyPtr);
  assert.ok(v > 0 && arena.canAccess(v, 32, ARENA_ACCESS_READ | ARENA_ACCESS_WRITE));
  assert.equal(m.lookupElem(put(u32(4))), 0, 'out of range index: NULL');
  // a "timer id" written by bpf_timer_init, and data around it
  arena.dv.setUint32(v + 8, 0xdead, true);
  arena.dv.setUint32(v, 7, true);
  const got = m.lookup(u32(2));
  assert.equal(rd(got), 7);
  assert.equal(rd(got, 8), 0, 'special field reads as zero from user space');
  // user update writes around the timer, and frees it (array_map_update_elem -> bpf_obj_free_fields)
  const val = new Uint8Array(32).fill(0xff);
  m.update(u32(2), val);
  assert.deepEqual(freed.map(([, p]) => p), [v], 'timer handed to the runtime on update');
  assert.equal(arena.dv.getUint32(v, true), 0xffffffff);
  assert.equal(arena.dv.getUint32(v + 8, true), 0, 'timer field is not overwritten by the copy (freed -> zero)');
  assert.equal(arena.dv.getUint32(v + 24, true), 0xffffffff);
  // program-side update behaves the same
  freed.length = 0;
  arena.dv.setUint32(v + 8, 0xbeef, true);
  put(u32(2));
  assert.equal(m.updateElem(keyPtr, put(new Uint8Array(32).fill(1), 64), BPF_ANY), 0);
  assert.equal(arena.u8[v + 8], 0);
  assert.equal(freed.length, 1);
  assert.equal(m.updateElem(keyPtr, put(new Uint8Array(32), 64), BPF_NOEXIST), -EEXIST);
  assert.equal(m.updateElem(put(u32(9)), put(new Uint8Array(32), 64), BPF_ANY), -E2BIG);
  assert.equal(m.deleteElem(keyPtr), -EINVAL);
  assert.equal(errno(() => m.update(u32(0), new Uint8Array(32), BPF_F_LOCK)), -EINVAL, 'BPF_F_LOCK without a spin lock');
  assert.equal(errno(() => m.update(u32(0), new Uint8Array(8))), -EINVAL, 'wrong value size');
  assert.equal(errno(() => m.lookup(new Uint8Array(8))), -EINVAL, 'wrong key size');
  // release_uref cancels every element's timer; free does too
  freed.length = 0;
  m.releaseUref();
  assert.equal(freed.length, 4);
  freed.length = 0;
  m.free();
  assert.equal(freed.length, 4);
});

test('array: read-only/write-only flags', () => {
  const { env, arena, put } = setup();
  const ro = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY));
  assert.equal(errno(() => ro.update(u32(0), new Uint8Array(8))), -EPERM);
  assert.equal(errno(() => ro.delete(u32(0))), -EPERM);
  assert.equal(ro.lookup(u32(0)).length, 8);
  const wo = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_WRONLY));
  assert.equal(errno(() => wo.lookup(u32(0))), -EPERM);
  const rop = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG));
  const v = rop.lookupElem(put(u32(0)));
  assert.equal(arena.canAccess(v, 8, ARENA_ACCESS_READ), true);
  assert.equal(arena.canAccess(v, 8, ARENA_ACCESS_WRITE), false, 'programs cannot write a BPF_F_RDONLY_PROG value');
  rop.update(u32(0), u32(5, 8));
  assert.equal(arena.dv.getUint32(v, true), 5, 'user space still can');
});

test('percpu array: a value per CPU, current CPU for programs, lookupPercpuElem', () => {
  const { env, arena, put } = setup(3);
  const m = createMap(env, spec(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2));
  assert.equal(m.userValueSize, 24, 'user space sees 3 CPUs x round_up(4, 8)');
  const key = put(u32(1));
  env.currentCpu = 2;
  const p = m.lookupElem(key);
  assert.equal(m.updateElem(key, put(u32(42), 16), BPF_ANY), 0);
  assert.equal(arena.dv.getUint32(p, true), 42);
  const all = m.lookup(u32(1));
  assert.deepEqual([rd(all, 0), rd(all, 8), rd(all, 16)], [0, 0, 42]);
  assert.equal(m.lookupPercpuElem(key, 2), p);
  assert.notEqual(m.lookupPercpuElem(key, 0), p);
  assert.equal(m.lookupPercpuElem(key, 3), 0, 'cpu >= nr_cpu_ids: NULL');
  const v = new Uint8Array(24);
  v.set(u32(1), 0); v.set(u32(2), 8); v.set(u32(3), 16);
  m.update(u32(0), v);
  env.currentCpu = 1;
  assert.equal(arena.dv.getUint32(m.lookupElem(put(u32(0))), true), 2);
});

for (const flags of [0, BPF_F_NO_PREALLOC]) {
  const kind = flags ? 'no-prealloc' : 'prealloc';
  test(`hash (${kind}): flags, errno, full map, update frees the old element's timer`, () => {
    const { env, arena, freed, put } = setup();
    const before = arena.bytesInUse;
    const m = createMap(env, spec(BPF_MAP_TYPE_HASH, 8, 32, 2, flags, TIMER_SPEC)) as HashMap;
    const k1 = put(u32(1, 8), 0), k2 = put(u32(2, 8), 8), k3 = put(u32(3, 8), 16);
    const val = put(new Uint8Array(32).fill(3), 32);
    assert.equal(m.lookupElem(k1), 0);
    assert.equal(m.updateElem(k1, val, BPF_EXIST), -ENOENT);
    assert.equal(m.updateElem(k1, val, BPF_NOEXIST), 0);
    assert.equal(m.updateElem(k1, val, BPF_NOEXIST), -EEXIST);
    assert.equal(m.updateElem(k1, val, 3), -EINVAL);
    assert.equal(m.updateElem(k2, val, BPF_ANY), 0);
    assert.equal(m.updateElem(k3, val, BPF_ANY), -E2BIG, 'full');
    assert.equal(m.elemCount, 2);
    const p1 = m.lookupElem(k1);
    arena.dv.setUint32(p1 + 8, 77, true); // an initialised timer
    freed.length = 0;
    assert.equal(m.updateElem(k1, put(new Uint8Array(32).fill(9), 64), BPF_EXIST), 0, 'replacing works when full');
    assert.deepEqual(freed.map(([, p]) => p), [p1], 'the old element\'s timer is freed');
    const p1b = m.lookupElem(k1);
    assert.notEqual(p1b, p1, 'the new value lives in a fresh element');
    assert.equal(arena.dv.getUint32(p1b + 8, true), 0, 'fresh element: timer field zero');
    assert.equal(arena.u8[p1b], 9);
    assert.equal(rd(m.lookup(u32(1, 8)), 8), 0);
    freed.length = 0;
    assert.equal(m.deleteElem(k2), 0);
    assert.equal(m.deleteElem(k2), -ENOENT);
    assert.equal(freed.length, 1, 'delete frees the timer');
    assert.equal(m.elemCount, 1);
    assert.equal(errno(() => m.delete(u32(2, 8))), -ENOENT);
    assert.equal(errno(() => m.lookup(u32(2, 8))), -ENOENT);
    freed.length = 0;
    m.releaseUref();
    assert.equal(freed.length, 1, 'release_uref frees timers of live elements');
    m.free();
    assert.equal(arena.bytesInUse, before, 'all arena memory returned');
    assert.equal(m.arenaBytes, 0);
  });
}

test('hash no-prealloc: one arena block per element, kept in the map\'s pool on delete, returned on free', () => {
  const { env, arena } = setup();
  const m = createMap(env, spec(BPF_MAP_TYPE_HASH, 4, 100, 1000, BPF_F_NO_PREALLOC));
  const empty = arena.liveBlocks;
  for (let i = 0; i < 10; i++) m.update(u32(i), new Uint8Array(100));
  assert.equal(arena.liveBlocks, empty + 10);
  for (let i = 0; i < 10; i++) m.delete(u32(i));
  assert.equal(arena.liveBlocks, empty + 10, 'freed elements stay this map\'s (per-map pool)');
  assert.equal(m.elemCount, 0);
  for (let i = 0; i < 10; i++) m.update(u32(i), new Uint8Array(100));
  assert.equal(arena.liveBlocks, empty + 10, 'the pool serves new elements');
  m.free();
  assert.equal(arena.liveBlocks, empty - 1, 'map free returns elements and header');
});

test('percpu hash: program update of a new key zeroes the other CPUs; existing keys update in place', () => {
  const { env, arena, put } = setup(2);
  const m = createMap(env, spec(BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 4));
  const v = new Uint8Array(16);
  v.set(u32(5), 0); v.set(u32(6), 8);
  m.update(u32(1), v);
  m.delete(u32(1));
  env.currentCpu = 1;
  assert.equal(m.updateElem(put(u32(1)), put(u32(9), 8), BPF_ANY), 0);
  const all = m.lookup(u32(1));
  assert.deepEqual([rd(all, 0), rd(all, 8)], [0, 9], 'recycled element: CPU 0 zeroed');
  const p = m.lookupElem(put(u32(1)));
  assert.equal(m.updateElem(put(u32(1)), put(u32(10), 8), BPF_EXIST), 0);
  assert.equal(m.lookupElem(put(u32(1))), p, 'in place');
  assert.equal(arena.dv.getUint32(p, true), 10);
  assert.equal(m.lookupPercpuElem(put(u32(1)), 0), p - 8);
});

test('lru hash: eviction frees the evicted element\'s timer; touched keys survive', () => {
  const { env, arena, freed, put } = setup(1);
  const m = createMap(env, spec(BPF_MAP_TYPE_LRU_HASH, 4, 32, 4, 0, TIMER_SPEC));
  const ptrs = new Map<number, number>();
  for (let k = 1; k <= 4; k++) {
    m.update(u32(k), new Uint8Array(32));
    const p = m.lookupElem(put(u32(k)));
    arena.dv.setUint32(p + 8, 100 + k, true);
    ptrs.set(k, p);
  }
  freed.length = 0;
  m.update(u32(5), new Uint8Array(32));
  assert.equal(rd(m.lookup(u32(5))), 0);
  // one CPU: target_free = 4/1/2 = 2, so a refill may evict two at once
  const gone = [1, 2, 3, 4].filter((k) => errno(() => m.lookup(u32(k))) === -ENOENT);
  assert.ok(gone.length >= 1);
  assert.equal(m.elemCount, 5 - gone.length);
  assert.deepEqual(freed.map(([, p]) => p).sort(), gone.map((k) => ptrs.get(k)!).sort(), 'evicted elements\' timers freed');
  m.free();
});

test('lru with BPF_F_NO_COMMON_LRU rounds max_entries to a multiple of the CPUs', () => {
  const { env } = setup(4);
  const m = createMap(env, spec(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 5, BPF_F_NO_COMMON_LRU));
  assert.equal(m.maxEntries, 8);
});

test('array of maps: inner map pointer for programs, ids for user space, template check', () => {
  const { env, put } = setup();
  const inner = spec(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
  const outer = createMap(env, spec(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, { inner })) as FdArrayMap;
  const a = createMap(env, inner);
  const wrongSize = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 8, 5));
  assert.equal(errno(() => outer.update(u32(0), u32(wrongSize.id))), -EINVAL, 'max_entries differ');
  assert.equal(errno(() => outer.update(u32(0), u32(999))), -EBADF, 'no such map');
  assert.equal(errno(() => outer.update(u32(0), u32(a.id), BPF_NOEXIST)), -EINVAL, 'only BPF_ANY');
  assert.equal(errno(() => outer.update(u32(2), u32(a.id))), -E2BIG);
  outer.update(u32(0), u32(a.id));
  assert.equal(rd(outer.lookup(u32(0))), a.id, 'user lookup gives the inner map id');
  const ptr = outer.lookupElem(put(u32(0)));
  assert.equal(ptr, a.ptr);
  assert.equal(env.mapAt(ptr), a, 'the pointer resolves to the inner map for helpers');
  assert.equal(outer.lookupElem(put(u32(1))), 0);
  outer.delete(u32(0));
  assert.equal(outer.lookupElem(put(u32(0))), 0);
  assert.equal(errno(() => outer.delete(u32(0))), -ENOENT);
  // BPF_F_INNER_MAP lets inner arrays differ in max_entries
  const flex = createMap(env, spec(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, { inner: spec(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_INNER_MAP) }));
  const big = createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 8, 100, BPF_F_INNER_MAP));
  flex.update(u32(0), u32(big.id));
  assert.equal(flex.lookupElem(put(u32(0))), big.ptr);
});

test('hash of maps: references are taken and dropped', () => {
  const { env, put } = setup();
  const held = new Map<BpfMap, number>();
  env.mapRefs = {
    get: (id) => {
      const m = env.byId.get(id);
      if (!m) return -EBADF;
      held.set(m, (held.get(m) ?? 0) + 1);
      return m;
    },
    put: (m) => held.set(m, held.get(m)! - 1),
    id: (m) => m.id,
  };
  const inner = spec(BPF_MAP_TYPE_HASH, 4, 4, 8);
  const outer = createMap(env, spec(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, { inner }));
  const a = createMap(env, inner), b = createMap(env, { ...inner, maxEntries: 100 });
  outer.update(u32(7), u32(a.id));
  assert.equal(held.get(a), 1);
  outer.update(u32(7), u32(b.id)); // hash inner maps may differ in max_entries
  assert.equal(held.get(a), 0, 'replaced inner map released');
  assert.equal(held.get(b), 1);
  assert.equal(errno(() => outer.update(u32(7), u32(a.id), BPF_NOEXIST)), -EEXIST);
  assert.equal(held.get(a), 0, 'failed update drops the reference it took');
  assert.equal(outer.lookupElem(put(u32(7))), b.ptr);
  assert.equal(rd(outer.lookup(u32(7))), b.id);
  outer.free();
  assert.equal(held.get(b), 0, 'freeing the outer map releases its inner maps');
});

test('prog array: opaque program references, cleared on release_uref', () => {
  const { env } = setup();
  const progs = [{ name: 'a' }, { name: 'b' }];
  const refs = new Map<object, number>();
  env.progs = {
    get: (fd) => {
      const p = progs[fd - 100];
      if (!p) return -EBADF;
      refs.set(p, (refs.get(p) ?? 0) + 1);
      return p;
    },
    put: (p) => refs.set(p, refs.get(p)! - 1),
    id: (p) => 100 + progs.indexOf(p as { name: string }),
  };
  const pa = createMap(env, spec(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4)) as FdArrayMap;
  pa.update(u32(1), u32(100));
  pa.update(u32(2), u32(101));
  assert.equal(errno(() => pa.update(u32(3), u32(5))), -EBADF);
  assert.equal(pa.at(1), progs[0]);
  assert.equal(pa.at(0), undefined);
  assert.equal(rd(pa.lookup(u32(2))), 101);
  assert.equal(errno(() => pa.lookup(u32(0))), -ENOENT);
  assert.equal(pa.elemCount, 2);
  pa.releaseUref();
  assert.equal(pa.elemCount, 0);
  assert.deepEqual([...refs.values()], [0, 0]);
});

test('queue and stack from programs: push/pop/peek through pointers', () => {
  const { env, arena, put } = setup();
  const q = createMap(env, spec(BPF_MAP_TYPE_QUEUE, 0, 4, 2));
  const s = createMap(env, spec(BPF_MAP_TYPE_STACK, 0, 4, 2));
  for (const m of [q, s]) {
    assert.equal(m.pushElem(put(u32(1)), BPF_ANY), 0);
    assert.equal(m.pushElem(put(u32(2)), BPF_ANY), 0);
    assert.equal(m.pushElem(put(u32(3)), BPF_ANY), -E2BIG);
    assert.equal(m.pushElem(put(u32(3)), BPF_EXIST), 0, 'overwrites the oldest');
    assert.equal(m.elemCount, 2);
  }
  const out = put(u32(0xffffffff), 16);
  assert.equal(q.popElem(out), 0);
  assert.equal(arena.dv.getUint32(out, true), 2);
  assert.equal(s.peekElem(out), 0);
  assert.equal(arena.dv.getUint32(out, true), 3);
  assert.equal(s.popElem(out), 0);
  assert.equal(s.popElem(out), 0);
  assert.equal(arena.dv.getUint32(out, true), 2);
  assert.equal(s.popElem(out), -ENOENT);
  assert.equal(arena.dv.getUint32(out, true), 0, 'zeroed on failure');
  assert.equal(rd(q.pop()), 3);
  assert.equal(errno(() => q.pop()), -ENOENT);
  assert.equal(q.lookupElem(put(u32(0))), 0);
});

test('every map returns all its arena memory when freed', () => {
  const { env, arena } = setup(2);
  const base = arena.bytesInUse;
  const baseBlocks = arena.liveBlocks;
  const inner = spec(BPF_MAP_TYPE_ARRAY, 4, 4, 1);
  const maps = [
    spec(BPF_MAP_TYPE_ARRAY, 4, 24, 16, 0, TIMER_SPEC),
    spec(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 16),
    spec(BPF_MAP_TYPE_HASH, 4, 24, 16, 0, TIMER_SPEC),
    spec(BPF_MAP_TYPE_HASH, 4, 24, 16, BPF_F_NO_PREALLOC, TIMER_SPEC),
    spec(BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 16),
    spec(BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 16, BPF_F_NO_PREALLOC),
    spec(BPF_MAP_TYPE_LRU_HASH, 4, 24, 16, 0, TIMER_SPEC),
    spec(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 12, 16, BPF_F_NO_COMMON_LRU),
    spec(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, { inner }),
    spec(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, { inner }),
    spec(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4),
    spec(BPF_MAP_TYPE_QUEUE, 0, 8, 4),
    spec(BPF_MAP_TYPE_STACK, 0, 8, 4),
  ].map((s) => createMap(env, s));
  const innerMap = createMap(env, inner);
  for (const m of maps) {
    assert.ok(m.arenaBytes > 0);
    if (m.keySize === 0) m.push(new Uint8Array(8));
    else if (m.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || m.type === BPF_MAP_TYPE_HASH_OF_MAPS) m.update(u32(1), u32(innerMap.id));
    else if (m.type !== BPF_MAP_TYPE_PROG_ARRAY) for (let k = 0; k < 20; k++) errno(() => m.update(u32(k), new Uint8Array(m.userValueSize)));
  }
  for (const m of maps) m.free();
  innerMap.free();
  assert.equal(arena.bytesInUse, base);
  assert.equal(arena.liveBlocks, baseBlocks);
  assert.equal(env.byId.size, 0);
});

test('arena exhaustion is -ENOMEM and loses nothing', () => {
  const arena = new Arena({ initialBytes: 65536, maxBytes: 65536 * 2 });
  const env = new MapEnv({ arena });
  assert.equal(errno(() => createMap(env, spec(BPF_MAP_TYPE_ARRAY, 4, 4096, 1000))), -ENOMEM);
  assert.equal(env.byId.size, 0, 'no half-made map left behind');
  const m = createMap(env, spec(BPF_MAP_TYPE_HASH, 4, 8192, 100, BPF_F_NO_PREALLOC));
  let k = 0;
  let err = 0;
  for (; k < 100 && !err; k++) err = errno(() => m.update(u32(k), new Uint8Array(8192)));
  assert.equal(err, -ENOMEM);
  const n = m.elemCount;
  assert.equal(n, k - 1, 'the failed insert did not count');
  assert.equal(rd(m.lookup(u32(0))), 0);
  // replacing needs a block too; when that fails the old value must survive
  const r = errno(() => m.update(u32(0), new Uint8Array(8192).fill(1), BPF_EXIST));
  assert.equal(r, -ENOMEM);
  assert.equal(rd(m.lookup(u32(0))), 0, 'old value intact');
  assert.equal(m.elemCount, n);
  m.delete(u32(1));
  m.update(u32(0), new Uint8Array(8192).fill(1), BPF_EXIST);
  assert.equal(m.lookup(u32(0))[100], 1);
  m.free();
  assert.equal(arena.liveBlocks, 0);
});

// Per-map element pools and deferred reuse (the kernel's per-map bpf_mem_alloc
// caches + RCU): element memory freed while a program may hold its pointer is
// reused only after the run (and the callbacks it triggered) returned, and only
// by the same map. The kernel's answer for the same program is
// test/isolation/stale_ptr.basic.kernel.out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Arena } from '../../src/memory/arena.js';
import { MapEnv, createMap } from '../../src/maps/map.js';
import '../../src/maps/index.js';
import { Runtime } from '../../src/index.js';
import { BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC } from '../../src/uapi/bpf.js';
import { repoRoot } from '../kernel/kernel.js';

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: number) => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
const spec = (name: string) => ({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: BPF_F_NO_PREALLOC, name });

test('no-prealloc hash: a block freed inside a read section is not reused until it ends, and never by another map', () => {
  const env = new MapEnv({ arena: new Arena() });
  const a = createMap(env, spec('a'));
  const b = createMap(env, spec('b'));
  a.update(u32(1), u64(0xaaaa));
  const keyPtr = env.arena.alloc(4);
  env.arena.u8.set(u32(1), keyPtr);
  env.rcuReadLock();
  const p = a.lookupElem(keyPtr);
  assert.equal(a.deleteElem(keyPtr), 0);
  b.update(u32(1), u64(0x1111));
  env.arena.u8.set(u32(1), keyPtr);
  const q = b.lookupElem(keyPtr);
  assert.notEqual(q, p, 'another map got the freed element');
  assert.equal(env.arena.dv.getBigUint64(p, true), 0xaaaan, 'the stale pointer reads the old value');
  a.update(u32(2), u64(0xbbbb)); // same map, still inside the section: a fresh block
  env.arena.u8.set(u32(2), keyPtr);
  assert.notEqual(a.lookupElem(keyPtr), p);
  assert.equal(env.rcuPending, 1);
  env.rcuReadUnlock();
  assert.equal(env.rcuPending, 0);
  a.update(u32(3), u64(0xcccc)); // after the grace period the map's own pool serves it
  env.arena.u8.set(u32(3), keyPtr);
  assert.equal(a.lookupElem(keyPtr), p);
  assert.equal(env.arena.dv.getBigUint64(p, true), 0xccccn);
  assert.equal(b.lookup(u32(1))[0], 0x11);
  const before = env.arena.liveBlocks;
  a.free();
  b.free();
  assert.ok(env.arena.liveBlocks < before);
});

test('a map freed during a run keeps its memory until the run returns', async () => {
  const rt = new Runtime();
  const base = rt.stats();
  const obj = await rt.loadObject(join(repoRoot, 'test/isolation/stale_ptr.bpf.o'));
  for (const name of ['del', 'upd', 'evict', 'inner', 'timer']) assert.equal(obj.program(name).run().retval, 0, name);
  const data = obj.map('.data');
  const v = data.lookup(0)!;
  const dv = new DataView(v.buffer, v.byteOffset);
  // s_delete b_delete s_update b_update lru_same b_lru lru_err s_inner b_inner s_timer b_timer cb_ran
  const got = Array.from({ length: v.length / 8 }, (_, i) => Number(dv.getBigInt64(i * 8, true)));
  assert.deepEqual(got, [0xaaaa, 0x1111, 0xaaaa, 0x1111, 1, 0x1111, 0, 0xaaaa, 0x1111, 0xaaaa, 0x1111, 1]);
  obj.close();
  const end = rt.stats();
  assert.equal(end.maps, base.maps);
  assert.equal(end.arenaBlocks, base.arenaBlocks);
  assert.equal(end.arenaBytes, base.arenaBytes);
});

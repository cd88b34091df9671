// BPF_MAP_TYPE_CGROUP_ARRAY (src/maps/cgroup_array.ts) and the two helpers
// that read it (src/helpers/skb_sock.ts). The kernel comparison is
// test/kernel/scenarios/cgarray.empty.kernel.out (user-side errnos, empty
// slots, out-of-range indexes); filled slots are tsbpf-only: the kernel
// runner cannot fill a cgroup array (no cgroup fd step), so these check the
// ancestry answers against the simulated host's cgroup tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { Host } from '../../src/net/host.js';
import { MapError } from '../../src/maps/map.js';
import { EBADF, EINVAL, E2BIG, ENOENT, EOPNOTSUPP } from '../../src/uapi/errno.js';
import { BPF_MAP_TYPE_CGROUP_ARRAY } from '../../src/uapi/bpf.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = join(repoRoot, 'test/kernel/scenarios/cgarray.bpf.o');
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const errno = (e: number) => (x: unknown) => x instanceof MapError && x.errno === -e;

test('cgroup array: slots filled with host cgroups answer by ancestry (task and test-run skb socket)', async () => {
  const host = new Host({ cgroups: [{ path: '/app', id: 100 }, { path: '/app/web', id: 101 }, { path: '/db', id: 200 }] });
  const rt = new Runtime({ host });
  rt.task.cgroupId = 101n;
  const obj = await rt.loadObject(OBJ);
  const cg = obj.map('cg');
  assert.equal(cg.type, BPF_MAP_TYPE_CGROUP_ARRAY);
  cg.setCgroup(0, host.cgroups.get('/app')!.id);
  cg.setCgroup(1, host.cgroups.get('/db')!.id);
  const run = () => {
    assert.equal(obj.program('under_tc').run({ data: new Uint8Array(64) }).retval, 0);
    return [obj.global('skb_under'), obj.global('task_under')];
  };
  // /app/web is under /app, not under /db; idx 2 and 0xffffffff are past max_entries
  assert.deepEqual(run(), [[1n, 0n, -7n, -7n], [1n, 0n, -7n, -7n]]);
  // the task's own cgroup and the root count as "under"
  cg.setCgroup(1, 101n);
  cg.setCgroup(0, 1n);
  assert.deepEqual(run(), [[1n, 1n, -7n, -7n], [1n, 1n, -7n, -7n]]);
  // an emptied slot is -EAGAIN again
  cg.delete(u32(1));
  assert.deepEqual(run()[1], [1n, -11n, -7n, -7n]);
});

test('cgroup array: user-side errnos as the kernel (no cgroup fds in tsbpf)', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const cg = obj.map('cg');
  assert.throws(() => cg.update(u32(0), u32(3)), errno(EBADF));
  assert.throws(() => cg.update(u32(2), u32(3)), errno(E2BIG));
  assert.throws(() => cg.update(u32(0), u32(3), 1), errno(EINVAL));
  assert.throws(() => cg.lookup(u32(0)), errno(EOPNOTSUPP));
  assert.throws(() => cg.delete(u32(0)), errno(ENOENT));
  assert.throws(() => cg.delete(u32(5)), errno(E2BIG));
  assert.throws(() => cg.setCgroup(2, 1n), errno(E2BIG));
  assert.throws(() => obj.map('.bss').setCgroup(0, 1n), errno(EINVAL));
});

// Program.run() test-run semantics through the TypeScript API (the kernel
// comparisons are the testrun.* goldens in test/kernel/scenarios).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime, TestRunError } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';
import { EINVAL, ENOSPC, EOPNOTSUPP } from '../../src/uapi/errno.js';

const OBJ = join(repoRoot, 'test/kernel/scenarios/testrun.bpf.o');
const iota = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

test('socket filter: len without L2, data_out with the Ethernet header zeroed', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const r = obj.program('sf_len').run({ data: iota(64) });
  assert.equal(r.retval, 50);
  assert.deepEqual([...r.data!.subarray(0, 14)], new Array(14).fill(0));
  assert.deepEqual([...r.data!.subarray(14)], [...iota(64).subarray(14)]);
  assert.equal(r.dataSizeOut, 64);
  obj.close();
});

test('ctx_in/ctx_out for __sk_buff; repeat on one skb; data_size_out -ENOSPC keeps the retval', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const ctx = new Uint8Array(192);
  new DataView(ctx.buffer).setUint32(8, 5, true); // mark
  const r = obj.program('tc_meta').run({ data: iota(64), ctx });
  assert.equal(r.retval, 6);
  assert.equal(new DataView(r.ctx!.buffer).getUint32(8, true), 6);
  assert.equal(r.effects?.skb?.mark, 6);
  assert.equal(r.effects?.skb?.tcIndex, 7);
  const bad = new Uint8Array(192);
  bad[0] = 1; // len
  assert.throws(() => obj.program('tc_meta').run({ data: iota(64), ctx: bad }), (e: unknown) => e instanceof TestRunError && e.errno === -EINVAL);
  assert.equal(obj.program('tc_bump').run({ data: iota(64), repeat: 3 }).retval, 17);
  assert.throws(() => obj.program('tc_bump').run({ data: iota(64), dataSizeOut: 10 }),
    (e: unknown) => e instanceof TestRunError && e.errno === -ENOSPC && (e as unknown as { retval: number }).retval === 15);
  assert.throws(() => obj.program('tc_bump').run({ repeat: -1 }), TestRunError);
  obj.close();
});

test('XDP: LIVE_FRAMES refused clearly, other flags -EINVAL; syscall ctx_size_in below max_ctx_offset -EINVAL', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  assert.throws(() => obj.program('xdp_info').run({ flags: 2 }), (e: unknown) => e instanceof TestRunError && e.errno === -EOPNOTSUPP && /LIVE_FRAMES/.test(e.message));
  assert.throws(() => obj.program('xdp_info').run({ flags: 1 }), (e: unknown) => e instanceof TestRunError && e.errno === -EINVAL);
  assert.throws(() => obj.program('sys_read').run(), (e: unknown) => e instanceof TestRunError && e.errno === -EINVAL && /max|reads/.test(e.message));
  const r = obj.program('sys_read').run({ ctx: Uint8Array.of(0, 0, 0, 0, 5, 0, 0, 0) });
  assert.equal(r.retval, 6);
  assert.deepEqual([...r.ctx!], [0x55, 0, 0, 0, 5, 0, 0, 0]);
  assert.equal(obj.program('xdp_len').run({ data: iota(5000) }).retval, (5000 << 16) | 3520);
  obj.close();
});

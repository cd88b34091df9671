import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EFAULT, EINVAL } from '../../src/uapi/errno.js';
import { SKB_SHARED_INFO_SIZE, XDP_FRAME_SIZE } from '../../src/helpers/xdp.js';
import { call, errno, faults, fixture, type Fixture } from './fixture.js';

const FRAME = 4096;
const HEADROOM = 256; // XDP_PACKET_HEADROOM, as BPF_PROG_TEST_RUN

function xdpRun(len = 64, metalen = 0): { f: Fixture; ctx: number; hard: number; md: () => [number, number, number] } {
  const f = fixture();
  const hard = f.arena.alloc(FRAME);
  const data = hard + HEADROOM;
  for (let i = 0; i < len; i++) f.arena.u8[data + i] = i;
  const ctx = f.arena.alloc(24);
  const dv = f.arena.dv;
  dv.setUint32(ctx, data, true);
  dv.setUint32(ctx + 4, data + len, true);
  dv.setUint32(ctx + 8, data - metalen, true);
  f.xdp = { ctx, hardStart: hard, frameEnd: hard + FRAME - SKB_SHARED_INFO_SIZE };
  const md = (): [number, number, number] =>
    [dv.getUint32(ctx, true) - hard, dv.getUint32(ctx + 4, true) - hard, dv.getUint32(ctx + 8, true) - hard];
  return { f, ctx, hard, md };
}

test('xdp_adjust_head moves data (and data_meta); keeps ETH_HLEN and room for the xdp_frame', () => {
  const { f, ctx, md } = xdpRun();
  assert.equal(call(f, 44, [ctx, -16]), 0n);
  assert.deepEqual(md(), [240, 320, 240]);
  assert.equal(call(f, 44, [ctx, 16 + 64 - 14]), 0n); // exactly ETH_HLEN left
  assert.deepEqual(md(), [306, 320, 306]);
  assert.equal(call(f, 44, [ctx, 1]), errno(EINVAL));
  assert.equal(call(f, 44, [ctx, -(306 - XDP_FRAME_SIZE)]), 0n); // down to hard_start + 40
  assert.deepEqual(md(), [40, 320, 40]);
  assert.equal(call(f, 44, [ctx, -1]), errno(EINVAL));
  // offset is an int: 2^32 - 1 is -1
  assert.equal(call(f, 44, [ctx, 0xffffffff]), errno(EINVAL));
  assert.equal(call(f, 44, [ctx, (1n << 32n) + 8n]), 0n);
  assert.deepEqual(md(), [48, 320, 48]);
});

test('xdp_adjust_head moves the metadata with data and counts it against the headroom', () => {
  const { f, ctx, hard, md } = xdpRun(64, 8);
  f.arena.u8.set([1, 2, 3, 4, 5, 6, 7, 8], hard + HEADROOM - 8);
  assert.equal(call(f, 44, [ctx, -100]), 0n);
  assert.deepEqual(md(), [156, 320, 148]);
  assert.deepEqual([...f.arena.u8.subarray(hard + 148, hard + 156)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(call(f, 44, [ctx, -(156 - XDP_FRAME_SIZE - 8) - 1]), errno(EINVAL));
  assert.equal(call(f, 44, [ctx, -(156 - XDP_FRAME_SIZE - 8)]), 0n);
  assert.deepEqual(md(), [48, 320, 40]);
});

test('xdp_adjust_tail shrinks to ETH_HLEN, grows to the tailroom limit and zeroes what it grows', () => {
  const { f, ctx, hard, md } = xdpRun();
  assert.equal(call(f, 65, [ctx, -50]), 0n);
  assert.deepEqual(md(), [256, 270, 256]);
  assert.equal(call(f, 65, [ctx, -1]), errno(EINVAL));
  assert.equal(call(f, 65, [ctx, 10]), 0n);
  assert.deepEqual([...f.arena.u8.subarray(hard + 270, hard + 280)], new Array(10).fill(0));
  const limit = FRAME - SKB_SHARED_INFO_SIZE - 280;
  assert.equal(call(f, 65, [ctx, limit + 1]), errno(EINVAL));
  assert.equal(call(f, 65, [ctx, limit]), 0n);
  assert.deepEqual(md(), [256, FRAME - SKB_SHARED_INFO_SIZE, 256]);
  assert.equal(call(f, 188, [ctx]), BigInt(FRAME - SKB_SHARED_INFO_SIZE - 256));
});

test('xdp_load_bytes / xdp_store_bytes: copies, -EINVAL past the end, -EFAULT past 0xffff', () => {
  const { f, ctx, hard } = xdpRun(64);
  assert.equal(call(f, 188, [ctx]), 64n);
  const buf = f.arena.alloc(16);
  assert.equal(call(f, 189, [ctx, 60, buf, 4]), 0n);
  assert.deepEqual([...f.arena.u8.subarray(buf, buf + 4)], [60, 61, 62, 63]);
  assert.equal(call(f, 189, [ctx, 61, buf, 4]), errno(EINVAL));
  assert.equal(call(f, 189, [ctx, 0x10000, buf, 4]), errno(EFAULT));
  assert.equal(call(f, 189, [ctx, (1n << 32n) + 2n, buf, 2]), 0n); // offset is a u32
  assert.deepEqual([...f.arena.u8.subarray(buf, buf + 2)], [2, 3]);
  f.arena.u8.set([0xaa, 0xbb], buf);
  assert.equal(call(f, 190, [ctx, 10, buf, 2]), 0n);
  assert.deepEqual([...f.arena.u8.subarray(hard + 266, hard + 268)], [0xaa, 0xbb]);
  assert.equal(call(f, 190, [ctx, 63, buf, 2]), errno(EINVAL));
  assert.equal(call(f, 190, [ctx, 0, f.arena.alloc(0x10000), 0x10000]), errno(EFAULT));
  faults(() => call(f, 190, [ctx, 0, buf, 17]), /buf/);
});

test('xdp helpers through the interpreter; outside an XDP run or with another ctx they fault', () => {
  const { f, ctx } = xdpRun(64);
  const vm = f.load(`
    mov %r6, %r1
    mov %r2, -20
    call 65
    mov %r1, %r6
    call 188
    exit`);
  assert.equal(vm.run(0, [BigInt(ctx)]), 44n);
  faults(() => call(f, 188, [ctx + 8]), /xdp_md/);
  f.xdp = undefined;
  faults(() => call(f, 44, [ctx, 0]), /not an XDP run/);
});

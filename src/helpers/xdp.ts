// The XDP helpers of net/core/filter.c on a linear buffer (no frags):
// bpf_xdp_adjust_head, bpf_xdp_adjust_tail, bpf_xdp_get_buff_len,
// bpf_xdp_load_bytes, bpf_xdp_store_bytes. The program's struct xdp_md
// (u32 data, data_end, data_meta at 0, 4, 8, holding arena addresses) is the
// xdp_buff here: the helpers read and move those fields in place.

import type { HelperFn } from '../vm/env.js';
import { EFAULT, EINVAL } from '../uapi/errno.js';
import type { HelperEnv, XdpBuff } from './env.js';
import { addrOf, checkMem, HelperFault, s32, u32, u64 } from './misc.js';

export const ETH_HLEN = 14;
/** sizeof(struct xdp_frame) on 64-bit Linux 6.18 (it sits at data_hard_start) */
export const XDP_FRAME_SIZE = 40;
/**
 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 6.18: the tailroom
 * xdp_data_hard_end() keeps. The runtime's XdpBuff.frameEnd is already
 * data_hard_start + frame_sz - this (the kernel's xdp_data_hard_end).
 */
export const SKB_SHARED_INFO_SIZE = 320;

const XDP_MD_DATA = 0;
const XDP_MD_DATA_END = 4;
const XDP_MD_DATA_META = 8;

interface Buf {
  xdp: XdpBuff;
  data: number;
  dataEnd: number;
  dataMeta: number;
}

/** The running XDP buffer, checked against the ctx the program passed. */
function xdpArg(env: HelperEnv, r1: bigint, what: string): Buf {
  const xdp = env.currentXdp();
  if (xdp === undefined) throw new HelperFault(`${what}: not an XDP run`);
  if (addrOf(r1) !== xdp.ctx) throw new HelperFault(`${what}: r1 is not the xdp_md context`);
  const dv = env.arena.dv;
  return {
    xdp,
    data: dv.getUint32(xdp.ctx + XDP_MD_DATA, true),
    dataEnd: dv.getUint32(xdp.ctx + XDP_MD_DATA_END, true),
    dataMeta: dv.getUint32(xdp.ctx + XDP_MD_DATA_META, true),
  };
}

/** xdp_get_metalen: data_meta > data means metadata is unsupported (0) */
const metalen = (b: Buf): number => (b.dataMeta > b.data ? 0 : b.data - b.dataMeta);

/** BPF_FUNC_xdp_adjust_head(xdp_md, int offset): 0 or -EINVAL */
export function bpf_xdp_adjust_head(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const b = xdpArg(env, r1, 'bpf_xdp_adjust_head');
    const offset = s32(r2);
    const meta = metalen(b);
    // the xdp_frame is written at data_hard_start on XDP_TX/REDIRECT, and the
    // metadata must still fit below data
    const dataStart = b.xdp.hardStart + XDP_FRAME_SIZE + meta;
    const data = b.data + offset;
    if (data < dataStart || data > b.dataEnd - ETH_HLEN) return u64(-EINVAL);
    const u8 = env.arena.u8;
    if (meta > 0) u8.copyWithin(b.dataMeta + offset, b.dataMeta, b.dataMeta + meta);
    const dv = env.arena.dv;
    dv.setUint32(b.xdp.ctx + XDP_MD_DATA_META, (b.dataMeta + offset) >>> 0, true);
    dv.setUint32(b.xdp.ctx + XDP_MD_DATA, data, true);
    return 0n;
  };
}

/** BPF_FUNC_xdp_adjust_tail(xdp_md, int offset): 0 or -EINVAL */
export function bpf_xdp_adjust_tail(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const b = xdpArg(env, r1, 'bpf_xdp_adjust_tail');
    const offset = s32(r2);
    const dataEnd = b.dataEnd + offset;
    if (dataEnd > b.xdp.frameEnd) return u64(-EINVAL);
    if (dataEnd < b.data + ETH_HLEN) return u64(-EINVAL);
    // grown bytes are zeroed: they could hold stale data
    if (offset > 0) env.arena.u8.fill(0, b.dataEnd, dataEnd);
    env.arena.dv.setUint32(b.xdp.ctx + XDP_MD_DATA_END, dataEnd, true);
    return 0n;
  };
}

/** BPF_FUNC_xdp_get_buff_len: data_end - data (a linear buffer has no frags) */
export function bpf_xdp_get_buff_len(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const b = xdpArg(env, r1, 'bpf_xdp_get_buff_len');
    return BigInt(b.dataEnd - b.data);
  };
}

/** bpf_xdp_pointer's checks: the packet address of [offset, offset+len), or -errno */
function packetRange(b: Buf, offset: number, len: number): number {
  if (offset > 0xffff || len > 0xffff) return -EFAULT;
  if (offset + len > b.dataEnd - b.data) return -EINVAL;
  return b.data + offset;
}

/** BPF_FUNC_xdp_load_bytes(xdp_md, u32 offset, buf, u32 len): 0 or -errno */
export function bpf_xdp_load_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const b = xdpArg(env, r1, 'bpf_xdp_load_bytes');
    const len = u32(r4);
    const buf = checkMem(env.arena, r3, len, true, 'bpf_xdp_load_bytes buf');
    const src = packetRange(b, u32(r2), len);
    if (src < 0) return u64(src);
    env.arena.u8.copyWithin(buf, src, src + len);
    return 0n;
  };
}

/** BPF_FUNC_xdp_store_bytes(xdp_md, u32 offset, buf, u32 len): 0 or -errno */
export function bpf_xdp_store_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const b = xdpArg(env, r1, 'bpf_xdp_store_bytes');
    const len = u32(r4);
    const buf = checkMem(env.arena, r3, len, false, 'bpf_xdp_store_bytes buf');
    const dst = packetRange(b, u32(r2), len);
    if (dst < 0) return u64(dst);
    env.arena.u8.copyWithin(dst, buf, buf + len);
    return 0n;
  };
}

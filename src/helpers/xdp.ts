// The XDP helpers of net/core/filter.c, on a linear buffer plus the
// fragments of a multi-buffer frame (a test run with more data than a page):
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

/** the test run's rxq->frag_size: a fragment page may grow to it */
const FRAG_SIZE = 4096;

const fragsLen = (b: Buf): number => (b.xdp.frags ?? []).reduce((n, f) => n + f.len, 0);

/** bpf_xdp_frags_increase_tail / bpf_xdp_frags_shrink_tail */
function adjustFragsTail(env: HelperEnv, b: Buf, offset: number): bigint {
  const frags = b.xdp.frags!;
  if (offset > 0) {
    const last = frags[frags.length - 1]!;
    if (offset > FRAG_SIZE - last.len) return u64(-EINVAL);
    env.arena.u8.fill(0, last.addr + last.len, last.addr + last.len + offset);
    last.len += offset;
    return 0n;
  }
  let shrink = -offset;
  if (shrink > b.dataEnd - b.data + fragsLen(b) - ETH_HLEN) return u64(-EINVAL);
  while (frags.length && shrink > 0) {
    const last = frags[frags.length - 1]!;
    const n = Math.min(shrink, last.len);
    last.len -= n;
    shrink -= n;
    if (last.len === 0) {
      env.arena.free(last.addr);
      frags.pop();
    }
  }
  // every fragment released: the rest comes off the linear part
  if (!frags.length) {
    delete b.xdp.frags;
    env.arena.dv.setUint32(b.xdp.ctx + XDP_MD_DATA_END, b.dataEnd - shrink, true);
  }
  return 0n;
}

/** BPF_FUNC_xdp_adjust_tail(xdp_md, int offset): 0 or -EINVAL */
export function bpf_xdp_adjust_tail(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const b = xdpArg(env, r1, 'bpf_xdp_adjust_tail');
    const offset = s32(r2);
    if (b.xdp.frags?.length) return adjustFragsTail(env, b, offset);
    const dataEnd = b.dataEnd + offset;
    if (dataEnd > b.xdp.frameEnd) return u64(-EINVAL);
    if (dataEnd < b.data + ETH_HLEN) return u64(-EINVAL);
    // grown bytes are zeroed: they could hold stale data
    if (offset > 0) env.arena.u8.fill(0, b.dataEnd, dataEnd);
    env.arena.dv.setUint32(b.xdp.ctx + XDP_MD_DATA_END, dataEnd, true);
    return 0n;
  };
}

/** BPF_FUNC_xdp_get_buff_len: data_end - data plus the fragments */
export function bpf_xdp_get_buff_len(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const b = xdpArg(env, r1, 'bpf_xdp_get_buff_len');
    return BigInt(b.dataEnd - b.data + fragsLen(b));
  };
}

/**
 * bpf_xdp_pointer/bpf_xdp_copy_buf: the arena ranges holding packet bytes
 * [offset, offset+len) across the linear part and the fragments, or -errno.
 */
function packetRanges(b: Buf, offset: number, len: number): { addr: number; len: number }[] | number {
  if (offset > 0xffff || len > 0xffff) return -EFAULT;
  if (offset + len > b.dataEnd - b.data + fragsLen(b)) return -EINVAL;
  const segs = [{ addr: b.data, len: b.dataEnd - b.data }, ...(b.xdp.frags ?? [])];
  const out: { addr: number; len: number }[] = [];
  let off = offset;
  let left = len;
  for (const s of segs) {
    if (left === 0) break;
    if (off >= s.len) {
      off -= s.len;
      continue;
    }
    const n = Math.min(left, s.len - off);
    out.push({ addr: s.addr + off, len: n });
    left -= n;
    off = 0;
  }
  return out;
}

/** BPF_FUNC_xdp_load_bytes(xdp_md, u32 offset, buf, u32 len): 0 or -errno */
export function bpf_xdp_load_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const b = xdpArg(env, r1, 'bpf_xdp_load_bytes');
    const len = u32(r4);
    const buf = checkMem(env.arena, r3, len, true, 'bpf_xdp_load_bytes buf');
    const src = packetRanges(b, u32(r2), len);
    if (typeof src === 'number') return u64(src);
    let at = buf;
    for (const r of src) {
      env.arena.u8.copyWithin(at, r.addr, r.addr + r.len);
      at += r.len;
    }
    return 0n;
  };
}

/** BPF_FUNC_xdp_store_bytes(xdp_md, u32 offset, buf, u32 len): 0 or -errno */
export function bpf_xdp_store_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const b = xdpArg(env, r1, 'bpf_xdp_store_bytes');
    const len = u32(r4);
    const buf = checkMem(env.arena, r3, len, false, 'bpf_xdp_store_bytes buf');
    const dst = packetRanges(b, u32(r2), len);
    if (typeof dst === 'number') return u64(dst);
    let at = buf;
    for (const r of dst) {
      env.arena.u8.copyWithin(r.addr, at, at + r.len);
      at += r.len;
    }
    return 0n;
  };
}

// The sk_buff helpers of net/core/filter.c for tc and socket-filter programs:
// loading and storing bytes, checksum fix-ups, growing/shrinking/reshaping
// the packet, VLAN tags, hash and checksum-level metadata. The program's
// struct __sk_buff (data, data_end, len at 76, 80, 0) is the truth for the
// packet bounds; SkbBuff (helpers/env.ts) holds the rest of the sk_buff.

import type { HelperFn } from '../vm/env.js';
import { ARENA_ACCESS_RW } from '../memory/arena.js';
import { EFAULT, EINVAL, ENOMEM, ENOTSUPP, EACCES, EALREADY } from '../uapi/errno.js';
import * as N from '../uapi/bpf_net.js';
import type { HelperEnv, SkbBuff } from './env.js';
import { addrOf, checkMem, HelperFault, s32, u32, u64 } from './misc.js';
import { csumFold, csumFrom32to16, csumPartial, csumReplace2, csumReplace4, csumReplaceByDiff, csumSub } from './csum.js';

const ETH_HLEN = 14;
const VLAN_HLEN = 4;
/** __sk_buff offsets */
const LEN = 0, PKT_TYPE = 4, PROTOCOL = 16, VLAN_PRESENT = 20, VLAN_TCI = 24, VLAN_PROTO = 28, HASH = 68, DATA = 76, DATA_END = 80, DATA_META = 140;
/** the headroom and tailroom a grown skb gets (NET_SKB_PAD, SKB_DATA_ALIGN(skb_shared_info)) */
const PAD = 64, TAIL = 320;
/** BPF_SKB_MAX_LEN (SKB_MAX_ALLOC on x86-64 with 4K pages) */
const BPF_SKB_MAX_LEN = 16064;

interface Pkt {
  skb: SkbBuff;
  data: number;
  end: number;
}

/** The running skb, checked against the ctx the program passed. */
export function skbArg(env: HelperEnv, r1: bigint, what: string): Pkt {
  const skb = env.currentPacket()?.skb;
  if (skb === undefined) throw new HelperFault(`${what}: not an skb run`);
  if (addrOf(r1) !== skb.ctx) throw new HelperFault(`${what}: r1 is not the __sk_buff context`);
  const dv = env.arena.dv;
  return { skb, data: dv.getUint32(skb.ctx + DATA, true), end: dv.getUint32(skb.ctx + DATA_END, true) };
}

const be16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);
/** skb->protocol in host order */
export function skbProto(env: HelperEnv, skb: SkbBuff): number {
  return be16(env.arena.dv.getUint32(skb.ctx + PROTOCOL, true) & 0xffff);
}
function setProto(env: HelperEnv, skb: SkbBuff, hostOrder: number): void {
  env.arena.dv.setUint32(skb.ctx + PROTOCOL, be16(hostOrder), true);
}

/** bpf_compute_data_pointers + skb->len after the data moved */
function setBounds(env: HelperEnv, skb: SkbBuff, data: number, end: number): void {
  const dv = env.arena.dv;
  dv.setUint32(skb.ctx + DATA, data, true);
  dv.setUint32(skb.ctx + DATA_END, end, true);
  dv.setUint32(skb.ctx + DATA_META, data, true);
  dv.setUint32(skb.ctx + LEN, end - data, true);
}

/**
 * pskb_expand_head: at least `head` bytes of headroom and `tail` of tailroom;
 * moves the data to a new arena block when the current one is too small.
 */
function ensureRoom(env: HelperEnv, p: Pkt, head: number, tail: number): Pkt {
  if (p.data - p.skb.head >= head && p.skb.end - p.end >= tail) return p;
  const len = p.end - p.data;
  const headroom = Math.max(PAD, head);
  const size = headroom + len + Math.max(TAIL, tail);
  const block = env.arena.alloc(size, ARENA_ACCESS_RW);
  const data = block + headroom;
  // keep whatever sits in the old headroom above the mac header (it is part of no packet, but skb_push exposes it)
  env.arena.u8.copyWithin(data, p.data, p.end);
  const delta = data - p.data;
  const skb = p.skb;
  skb.mac += delta;
  skb.net += delta;
  env.arena.free(skb.head);
  skb.head = block;
  skb.end = block + size;
  setBounds(env, skb, data, data + len);
  return { skb, data, end: data + len };
}

/** __skb_push/__skb_pull + skb_put/trim: the new bounds */
function resize(env: HelperEnv, p: Pkt, data: number, end: number): Pkt {
  setBounds(env, p.skb, data, end);
  return { skb: p.skb, data, end };
}

/** BPF_FUNC_skb_load_bytes(skb, u32 offset, to, u32 len): 0, or -EFAULT with `to` zeroed */
export function bpf_skb_load_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const p = skbArg(env, r1, 'bpf_skb_load_bytes');
    const len = u32(r4);
    const to = checkMem(env.arena, r3, len, true, 'bpf_skb_load_bytes to');
    const off = u32(r2);
    if (off > 0x7fffffff || off + len > p.end - p.data) {
      env.arena.u8.fill(0, to, to + len);
      return u64(-EFAULT);
    }
    env.arena.u8.copyWithin(to, p.data + off, p.data + off + len);
    return 0n;
  };
}

/** BPF_FUNC_skb_load_bytes_relative(skb, u32 offset, to, u32 len, u32 start_header) */
export function bpf_skb_load_bytes_relative(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const p = skbArg(env, r1, 'bpf_skb_load_bytes_relative');
    const len = u32(r4);
    const to = checkMem(env.arena, r3, len, true, 'bpf_skb_load_bytes_relative to');
    const off = u32(r2);
    const start = u32(r5);
    const base = start === N.BPF_HDR_START_MAC ? p.skb.mac : start === N.BPF_HDR_START_NET ? p.skb.net : -1;
    const from = base + off;
    // the bytes must lie between the mac header and the tail
    if (base < 0 || off > 0xffff || from < p.skb.mac || from + len > p.end) {
      env.arena.u8.fill(0, to, to + len);
      return u64(-EFAULT);
    }
    env.arena.u8.copyWithin(to, from, from + len);
    return 0n;
  };
}

/** BPF_FUNC_skb_store_bytes(skb, u32 offset, from, u32 len, u64 flags) */
export function bpf_skb_store_bytes(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const p = skbArg(env, r1, 'bpf_skb_store_bytes');
    const len = u32(r4);
    const from = checkMem(env.arena, r3, len, false, 'bpf_skb_store_bytes from');
    const off = u32(r2);
    if (r5 & ~BigInt(N.BPF_F_RECOMPUTE_CSUM | N.BPF_F_INVALIDATE_HASH)) return u64(-EINVAL);
    if (off > 0xffff) return u64(-EFAULT);
    // bpf_try_make_writable: the bytes must be in the (linear) packet
    if (off + len > p.end - p.data) return u64(-EFAULT);
    env.arena.u8.copyWithin(p.data + off, from, from + len);
    // BPF_F_RECOMPUTE_CSUM only touches skb->csum of a CHECKSUM_COMPLETE skb: none here
    if (r5 & BigInt(N.BPF_F_INVALIDATE_HASH)) clearHash(env, p.skb);
    return 0n;
  };
}

function clearHash(env: HelperEnv, skb: SkbBuff): void {
  env.arena.dv.setUint32(skb.ctx + HASH, 0, true);
  skb.hashValid = false;
}

/** BPF_FUNC_l3_csum_replace(skb, u32 offset, u64 from, u64 to, u64 flags) */
export function bpf_l3_csum_replace(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const p = skbArg(env, r1, 'bpf_l3_csum_replace');
    const off = u32(r2);
    if (r5 & ~BigInt(N.BPF_F_HDR_FIELD_MASK)) return u64(-EINVAL);
    if (off > 0xffff || off & 1) return u64(-EFAULT);
    if (off + 2 > p.end - p.data) return u64(-EFAULT);
    const at = p.data + off;
    const dv = env.arena.dv;
    const sum = dv.getUint16(at, true);
    const from = Number(r3 & 0xffffffffn) >>> 0;
    const to = Number(r4 & 0xffffffffn) >>> 0;
    switch (Number(r5 & BigInt(N.BPF_F_HDR_FIELD_MASK))) {
      case 0:
        if (r3 !== 0n) return u64(-EINVAL);
        dv.setUint16(at, csumReplaceByDiff(sum, to), true);
        break;
      case 2:
        dv.setUint16(at, csumReplace2(sum, from & 0xffff, to & 0xffff), true);
        break;
      case 4:
        dv.setUint16(at, csumReplace4(sum, from, to), true);
        break;
      default:
        return u64(-EINVAL);
    }
    return 0n;
  };
}

/** BPF_FUNC_l4_csum_replace(skb, u32 offset, u64 from, u64 to, u64 flags) */
export function bpf_l4_csum_replace(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const p = skbArg(env, r1, 'bpf_l4_csum_replace');
    const off = u32(r2);
    const flags = r5;
    const known = BigInt(N.BPF_F_MARK_MANGLED_0 | N.BPF_F_MARK_ENFORCE | N.BPF_F_PSEUDO_HDR | N.BPF_F_HDR_FIELD_MASK | N.BPF_F_IPV6);
    if (flags & ~known) return u64(-EINVAL);
    if (off > 0xffff || off & 1) return u64(-EFAULT);
    if (off + 2 > p.end - p.data) return u64(-EFAULT);
    const mmzero = (flags & BigInt(N.BPF_F_MARK_MANGLED_0)) !== 0n;
    const enforce = (flags & BigInt(N.BPF_F_MARK_ENFORCE)) !== 0n;
    const at = p.data + off;
    const dv = env.arena.dv;
    const sum = dv.getUint16(at, true);
    if (mmzero && !enforce && sum === 0) return 0n;
    const from = Number(r3 & 0xffffffffn) >>> 0;
    const to = Number(r4 & 0xffffffffn) >>> 0;
    let out: number;
    // inet_proto_csum_replace*: the skb is CHECKSUM_NONE, so only the field changes
    switch (Number(flags & BigInt(N.BPF_F_HDR_FIELD_MASK))) {
      case 0:
        if (r3 !== 0n) return u64(-EINVAL);
        out = csumReplaceByDiff(sum, to);
        break;
      case 2:
        out = csumReplace4(sum, from & 0xffff, to & 0xffff);
        break;
      case 4:
        out = csumReplace4(sum, from, to);
        break;
      default:
        return u64(-EINVAL);
    }
    // CSUM_MANGLED_0: a UDP checksum must not become 0
    if (mmzero && out === 0) out = 0xffff;
    dv.setUint16(at, out, true);
    return 0n;
  };
}

/**
 * BPF_FUNC_csum_diff(from, u32 from_size, to, u32 to_size, u32 seed): the
 * checksum difference folded to 16 bits (csum_from32to16), as 6.18 returns it;
 * the sizes are the verifier's business (no scratchpad limit any more).
 */
export function bpf_csum_diff(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const fromSize = u32(r2);
    const toSize = u32(r4);
    const seed = u32(r5);
    const a = env.arena;
    const from = fromSize ? a.u8.subarray(checkMem(a, r1, fromSize, false, 'bpf_csum_diff from'), addrOf(r1) + fromSize) : new Uint8Array(0);
    const to = toSize ? a.u8.subarray(checkMem(a, r3, toSize, false, 'bpf_csum_diff to'), addrOf(r3) + toSize) : new Uint8Array(0);
    let ret: number;
    if (fromSize && toSize) ret = csumSub(csumPartial(to, seed), csumPartial(from, 0));
    else if (toSize) ret = csumPartial(to, seed);
    else if (fromSize) ret = ~csumPartial(from, ~seed >>> 0) >>> 0;
    else ret = seed;
    return BigInt(csumFrom32to16(ret));
  };
}

/** BPF_FUNC_csum_update(skb, u32 csum): only a CHECKSUM_COMPLETE skb has a csum to update */
export function bpf_csum_update(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    skbArg(env, r1, 'bpf_csum_update');
    return u64(-ENOTSUPP);
  };
}

/** BPF_FUNC_csum_level(skb, u64 level) */
export function bpf_csum_level(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const { skb } = skbArg(env, r1, 'bpf_csum_level');
    switch (r2) {
      case BigInt(N.BPF_CSUM_LEVEL_INC):
        if (skb.csumUnnecessary) {
          if (skb.csumLevel < 3) skb.csumLevel++;
        } else {
          skb.csumUnnecessary = true;
          skb.csumLevel = 0;
        }
        return 0n;
      case BigInt(N.BPF_CSUM_LEVEL_DEC):
        if (skb.csumUnnecessary) {
          if (skb.csumLevel === 0) skb.csumUnnecessary = false;
          else skb.csumLevel--;
        }
        return 0n;
      case BigInt(N.BPF_CSUM_LEVEL_RESET):
        skb.csumUnnecessary = false;
        skb.csumLevel = 0;
        return 0n;
      case BigInt(N.BPF_CSUM_LEVEL_QUERY):
        return skb.csumUnnecessary ? BigInt(skb.csumLevel) : u64(-EACCES);
      default:
        return u64(-EINVAL);
    }
  };
}

/** BPF_FUNC_skb_pull_data(skb, u32 len): the first len bytes linear and writable (they all are) */
export function bpf_skb_pull_data(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const p = skbArg(env, r1, 'bpf_skb_pull_data');
    return u32(r2) > p.end - p.data ? u64(-ENOMEM) : 0n;
  };
}

/** __bpf_skb_max_len: the device MTU plus its hard header */
function maxLen(env: HelperEnv, skb: SkbBuff): number {
  const dev = env.host.dev(env.arena.dv.getUint32(skb.ctx + 40, true));
  return dev ? dev.mtu + ETH_HLEN : BPF_SKB_MAX_LEN;
}

/** BPF_FUNC_skb_change_tail(skb, u32 len, u64 flags) */
export function bpf_skb_change_tail(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    let p = skbArg(env, r1, 'bpf_skb_change_tail');
    const newLen = u32(r2);
    // __bpf_skb_min_len: the network offset (no transport header is set in a test run)
    const minLen = p.skb.net - p.data;
    if (r3 !== 0n || newLen > maxLen(env, p.skb) || newLen < minLen) return u64(-EINVAL);
    if (p.skb.encapsulation) return u64(-ENOTSUPP);
    const len = p.end - p.data;
    if (newLen > len) {
      p = ensureRoom(env, p, 0, newLen - len);
      env.arena.u8.fill(0, p.end, p.data + newLen);
    }
    resize(env, p, p.data, p.data + newLen);
    return 0n;
  };
}

/** BPF_FUNC_skb_change_head(skb, u32 head_room, u64 flags) */
export function bpf_skb_change_head(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    let p = skbArg(env, r1, 'bpf_skb_change_head');
    const room = u32(r2);
    const len = p.end - p.data;
    const newLen = len + room;
    if (r3 !== 0n || newLen > maxLen(env, p.skb) || newLen > 0xffffffff || newLen < len) return u64(-EINVAL);
    p = ensureRoom(env, p, room, 0);
    const data = p.data - room;
    env.arena.u8.fill(0, data, p.data);
    // skb_reset_mac_header: the new bytes start the frame
    p.skb.mac = data;
    resize(env, p, data, p.end);
    return 0n;
  };
}

/** BPF_FUNC_skb_change_type(skb, u32 type): PACKET_HOST .. PACKET_OTHERHOST */
export function bpf_skb_change_type(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const { skb } = skbArg(env, r1, 'bpf_skb_change_type');
    const cur = env.arena.dv.getUint32(skb.ctx + PKT_TYPE, true);
    const t = u32(r2);
    if (cur > 3 || t > 3) return u64(-EINVAL);
    env.arena.dv.setUint32(skb.ctx + PKT_TYPE, t, true);
    return 0n;
  };
}

/** bpf_skb_generic_push: `len` zero bytes at `off` from data; the headers before them move down */
function pushAt(env: HelperEnv, p: Pkt, off: number, len: number): Pkt {
  p = ensureRoom(env, p, len, 0);
  const data = p.data - len;
  env.arena.u8.copyWithin(data, p.data, p.data + off);
  env.arena.u8.fill(0, data + off, data + off + len);
  p.skb.mac -= len;
  p.skb.net -= len;
  return resize(env, p, data, p.end);
}

/** bpf_skb_generic_pop: remove `len` bytes at `off` from data; the headers before them move up */
function popAt(env: HelperEnv, p: Pkt, off: number, len: number): Pkt {
  env.arena.u8.copyWithin(p.data + len, p.data, p.data + off);
  p.skb.mac += len;
  p.skb.net += len;
  return resize(env, p, p.data + len, p.end);
}

/** BPF_FUNC_skb_change_proto(skb, __be16 proto, u64 flags): IPv4 <-> IPv6 header room */
export function bpf_skb_change_proto(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const p = skbArg(env, r1, 'bpf_skb_change_proto');
    if (r3 !== 0n) return u64(-EINVAL);
    const to = be16(u32(r2) & 0xffff);
    const from = skbProto(env, p.skb);
    const off = p.skb.net - p.skb.mac;
    const diff = 40 - 20;
    if (from === N.ETH_P_IP && to === N.ETH_P_IPV6) {
      pushAt(env, p, off, diff);
      setProto(env, p.skb, N.ETH_P_IPV6);
    } else if (from === N.ETH_P_IPV6 && to === N.ETH_P_IP) {
      if (off + diff > p.end - p.data) return u64(-ENOMEM);
      popAt(env, p, off, diff);
      setProto(env, p.skb, N.ETH_P_IP);
    } else {
      return u64(-ENOTSUPP);
    }
    clearHash(env, p.skb);
    return 0n;
  };
}

/** BPF_FUNC_skb_adjust_room(skb, s32 len_diff, u32 mode, u64 flags) */
export function bpf_skb_adjust_room(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    let p = skbArg(env, r1, 'bpf_skb_adjust_room');
    const diff = s32(r2);
    const mode = u32(r3);
    const flags = r4;
    const F = (b: number): bigint => BigInt(b);
    const encapL3 = F(N.BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | N.BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
    const decapL3 = F(N.BPF_F_ADJ_ROOM_DECAP_L3_IPV4 | N.BPF_F_ADJ_ROOM_DECAP_L3_IPV6);
    const mask = F(N.BPF_F_ADJ_ROOM_FIXED_GSO | N.BPF_F_ADJ_ROOM_ENCAP_L4_GRE | N.BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
      N.BPF_F_ADJ_ROOM_ENCAP_L2_ETH | N.BPF_F_ADJ_ROOM_NO_CSUM_RESET) | encapL3 | decapL3 | (0xffn << 56n);
    const abs = Math.abs(diff);
    if (flags & ~mask) return u64(-EINVAL);
    if (abs > 0xfff) return u64(-EFAULT);
    const proto = skbProto(env, p.skb);
    if (proto !== N.ETH_P_IP && proto !== N.ETH_P_IPV6) return u64(-ENOTSUPP);
    const base = proto === N.ETH_P_IP ? 20 : 40;
    let off = p.skb.net - p.skb.mac;
    if (mode === N.BPF_ADJ_ROOM_NET) off += base;
    else if (mode !== N.BPF_ADJ_ROOM_MAC) return u64(-ENOTSUPP);
    const shrink = diff < 0;
    let lenMin = base;
    if (flags & decapL3) {
      if (!shrink) return u64(-EINVAL);
      const d = flags & decapL3;
      if (d === F(N.BPF_F_ADJ_ROOM_DECAP_L3_IPV4)) lenMin = 20;
      else if (d === F(N.BPF_F_ADJ_ROOM_DECAP_L3_IPV6)) lenMin = 40;
      else return u64(-EINVAL);
    }
    const len = p.end - p.data;
    const lenCur = len - (p.skb.net - p.data);
    if ((shrink && (abs >= lenCur || lenCur - abs < lenMin)) || (!shrink && len + abs > BPF_SKB_MAX_LEN)) return u64(-ENOTSUPP);
    if (shrink) {
      // bpf_skb_net_shrink takes only FIXED_GSO, the decap flags and NO_CSUM_RESET
      if (flags & ~(F(N.BPF_F_ADJ_ROOM_FIXED_GSO | N.BPF_F_ADJ_ROOM_NO_CSUM_RESET) | decapL3)) return u64(-EINVAL);
      if (off + abs > len) return u64(-ENOMEM);
      p = popAt(env, p, off, abs);
      const d = flags & decapL3;
      if (d === F(N.BPF_F_ADJ_ROOM_DECAP_L3_IPV4)) setProto(env, p.skb, N.ETH_P_IP);
      if (d === F(N.BPF_F_ADJ_ROOM_DECAP_L3_IPV6)) setProto(env, p.skb, N.ETH_P_IPV6);
    } else {
      const encap = (flags & encapL3) !== 0n;
      const innerMacLen = Number((flags >> 56n) & 0xffn);
      if (encap) {
        if ((flags & encapL3) === encapL3) return u64(-EINVAL);
        if ((flags & F(N.BPF_F_ADJ_ROOM_ENCAP_L4_GRE)) && (flags & F(N.BPF_F_ADJ_ROOM_ENCAP_L4_UDP))) return u64(-EINVAL);
        if ((flags & F(N.BPF_F_ADJ_ROOM_ENCAP_L2_ETH)) && innerMacLen !== ETH_HLEN) return u64(-EINVAL);
        if (p.skb.encapsulation) return u64(-EALREADY);
        if (innerMacLen > abs) return u64(-EINVAL);
      } else if (flags & (F(N.BPF_F_ADJ_ROOM_ENCAP_L4_GRE | N.BPF_F_ADJ_ROOM_ENCAP_L4_UDP | N.BPF_F_ADJ_ROOM_ENCAP_L2_ETH) | (0xffn << 56n))) {
        return u64(-EINVAL);
      }
      const macLen = p.skb.net - p.skb.mac;
      p = pushAt(env, p, off, abs);
      if (encap) {
        p.skb.encapsulation = true;
        // the outer network header follows the mac header
        p.skb.net = p.skb.mac + macLen;
        if (flags & F(N.BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)) setProto(env, p.skb, N.ETH_P_IP);
        else setProto(env, p.skb, N.ETH_P_IPV6);
      }
    }
    if (!(flags & F(N.BPF_F_ADJ_ROOM_NO_CSUM_RESET))) {
      p.skb.csumUnnecessary = false;
      p.skb.csumLevel = 0;
    }
    return 0n;
  };
}

/** BPF_FUNC_skb_vlan_push(skb, __be16 vlan_proto, u16 vlan_tci) */
export function bpf_skb_vlan_push(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    let p = skbArg(env, r1, 'bpf_skb_vlan_push');
    let proto = be16(u32(r2) & 0xffff);
    if (proto !== N.ETH_P_8021Q && proto !== N.ETH_P_8021AD) proto = N.ETH_P_8021Q;
    const dv = env.arena.dv;
    const c = p.skb.ctx;
    if (dv.getUint32(c + VLAN_PRESENT, true)) {
      // the tag already held moves into the packet (__vlan_insert_tag after the MAC addresses)
      const off = p.data - p.skb.mac;
      if (p.end - p.skb.mac < 2 * 6) return u64(-ENOMEM);
      p = ensureRoom(env, p, VLAN_HLEN + off, 0);
      const mac = p.skb.mac;
      env.arena.u8.copyWithin(mac - VLAN_HLEN, mac, mac + 12);
      const oldProto = be16(dv.getUint32(c + VLAN_PROTO, true) & 0xffff);
      dv.setUint16(mac - VLAN_HLEN + 12, oldProto, false);
      dv.setUint16(mac - VLAN_HLEN + 14, dv.getUint32(c + VLAN_TCI, true) & 0xffff, false);
      p.skb.mac -= VLAN_HLEN;
      setProto(env, p.skb, oldProto);
      resize(env, p, p.data - VLAN_HLEN, p.end);
    }
    dv.setUint32(c + VLAN_PRESENT, 1, true);
    dv.setUint32(c + VLAN_PROTO, be16(proto), true);
    dv.setUint32(c + VLAN_TCI, u32(r3) & 0xffff, true);
    return 0n;
  };
}

const isVlan = (proto: number): boolean => proto === N.ETH_P_8021Q || proto === N.ETH_P_8021AD;

/** __skb_vlan_pop: the tag in the packet out; returns its TCI or -errno */
function popPacketTag(env: HelperEnv, p: Pkt): number {
  const mac = p.skb.mac;
  if (mac + ETH_HLEN + VLAN_HLEN > p.end) return -ENOMEM;
  const dv = env.arena.dv;
  const tci = dv.getUint16(mac + 14, false);
  const inner = dv.getUint16(mac + 16, false);
  env.arena.u8.copyWithin(mac + VLAN_HLEN, mac, mac + 12);
  p.skb.mac += VLAN_HLEN;
  resize(env, p, p.data + VLAN_HLEN, p.end);
  // vlan_set_encap_proto
  setProto(env, p.skb, inner >= 0x600 ? inner : 0x0004);
  return tci;
}

/** BPF_FUNC_skb_vlan_pop(skb) */
export function bpf_skb_vlan_pop(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const p = skbArg(env, r1, 'bpf_skb_vlan_pop');
    const dv = env.arena.dv;
    const c = p.skb.ctx;
    if (dv.getUint32(c + VLAN_PRESENT, true)) {
      dv.setUint32(c + VLAN_PRESENT, 0, true);
      dv.setUint32(c + VLAN_TCI, 0, true);
      dv.setUint32(c + VLAN_PROTO, 0, true);
    } else {
      if (!isVlan(skbProto(env, p.skb))) return 0n;
      const r = popPacketTag(env, p);
      if (r < 0) return u64(r);
    }
    // the next tag in the packet becomes the accelerated one
    const proto = skbProto(env, p.skb);
    if (!isVlan(proto)) return 0n;
    const tci = popPacketTag(env, { skb: p.skb, data: dv.getUint32(c + DATA, true), end: dv.getUint32(c + DATA_END, true) });
    if (tci < 0) return u64(tci);
    dv.setUint32(c + VLAN_PRESENT, 1, true);
    dv.setUint32(c + VLAN_PROTO, be16(proto), true);
    dv.setUint32(c + VLAN_TCI, tci, true);
    return 0n;
  };
}

/** BPF_FUNC_set_hash(skb, u32 hash): a software L4 hash */
export function bpf_set_hash(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const { skb } = skbArg(env, r1, 'bpf_set_hash');
    env.arena.dv.setUint32(skb.ctx + HASH, u32(r2), true);
    skb.hashValid = true;
    return 0n;
  };
}

/** BPF_FUNC_set_hash_invalid(skb) */
export function bpf_set_hash_invalid(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    clearHash(env, skbArg(env, r1, 'bpf_set_hash_invalid').skb);
    return 0n;
  };
}

/**
 * BPF_FUNC_get_hash_recalc(skb): skb_get_hash. A hash set by bpf_set_hash is
 * returned as is; otherwise the kernel hashes the flow with a per-boot random
 * key (not reproducible): tsbpf hashes the same fields with a fixed key, so
 * equal flows get equal hashes, but the values differ from any kernel's.
 */
export function bpf_get_hash_recalc(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const p = skbArg(env, r1, 'bpf_get_hash_recalc');
    if (!p.skb.hashValid) {
      const net = env.arena.u8.subarray(p.skb.net, p.end);
      const proto = skbProto(env, p.skb);
      // addresses (and ports for TCP/UDP) of the flow
      let key: Uint8Array = new Uint8Array(0);
      if (proto === N.ETH_P_IP && net.length >= 20) {
        const ihl = (net[0]! & 0xf) * 4;
        key = Uint8Array.from([...net.subarray(12, 20), net[9]!, ...((net[9] === 6 || net[9] === 17) ? net.subarray(ihl, ihl + 4) : [])]);
      } else if (proto === N.ETH_P_IPV6 && net.length >= 40) {
        key = Uint8Array.from([...net.subarray(8, 40), net[6]!, ...((net[6] === 6 || net[6] === 17) ? net.subarray(40, 44) : [])]);
      }
      const h = key.length ? csumFold(csumPartial(key, 0x9e3779b9)) * 0x9e3779b1 >>> 0 : 0;
      env.arena.dv.setUint32(p.skb.ctx + HASH, h, true);
      p.skb.hashValid = h !== 0;
    }
    return BigInt(env.arena.dv.getUint32(p.skb.ctx + HASH, true));
  };
}

/** BPF_FUNC_get_route_realm(skb): the realm of the skb's route; a test-run skb has no dst */
export function bpf_get_route_realm(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    skbArg(env, r1, 'bpf_get_route_realm');
    return 0n;
  };
}

/** BPF_FUNC_get_cgroup_classid(skb): the net_cls classid of the skb's socket; the test run's socket has none */
export function bpf_get_cgroup_classid(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    skbArg(env, r1, 'bpf_get_cgroup_classid');
    return 0n;
  };
}



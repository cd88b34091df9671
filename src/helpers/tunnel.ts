// Tunnel metadata helpers of net/core/filter.c: bpf_skb_get_tunnel_key,
// bpf_skb_set_tunnel_key, bpf_skb_get_tunnel_opt, bpf_skb_set_tunnel_opt.
// The metadata lives on the run's SkbBuff (`tunnel`): given by the test for
// a received packet, or set by the program (the kernel's per-CPU metadata
// dst), which the test run reports as a side effect.

import type { HelperFn } from '../vm/env.js';
import { EINVAL, ENOENT, ENOMEM, EPROTO } from '../uapi/errno.js';
import type { HelperEnv, TunnelInfo } from './env.js';
import { checkMem, u32 } from './misc.js';
import { skbArg } from './skb.js';

// flags (uapi/linux/bpf.h)
export const BPF_F_TUNINFO_IPV6 = 1 << 0;
export const BPF_F_ZERO_CSUM_TX = 1 << 1;
export const BPF_F_DONT_FRAGMENT = 1 << 2;
export const BPF_F_SEQ_NUMBER = 1 << 3;
export const BPF_F_NO_TUNNEL_KEY = 1 << 4;
export const BPF_F_TUNINFO_FLAGS = 1 << 4;

// ip_tunnel_key.tun_flags bits (uapi/linux/if_tunnel.h IP_TUNNEL_*_BIT)
const CSUM = 1 << 0, KEY = 1 << 2, SEQ = 1 << 3, DONT_FRAGMENT = 1 << 8, NOCACHE = 1 << 13;
/** ip_tunnel_set_options_present: GENEVE, VXLAN, ERSPAN, GTP and PFCP option bits */
const OPTIONS_PRESENT = (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15) | (1 << 17);
/** options_len is a u8 */
const IP_TUNNEL_OPTS_MAX = 255;
const IPV6_FLOWLABEL_MASK = 0x000fffff;

/** struct bpf_tunnel_key and the older layouts the kernel still takes (offsets of later fields) */
const KEY_SIZE = 44;
const OFF_REMOTE_IPV6_1 = 8, OFF_TUNNEL_EXT = 22, OFF_LABEL = 24, OFF_LOCAL = 28;

/** BPF_FUNC_skb_get_tunnel_key(skb, key, size, flags): 0 or -errno, the key zeroed on error */
export function bpf_skb_get_tunnel_key(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const { skb } = skbArg(env, r1, 'bpf_skb_get_tunnel_key');
    const size = u32(r3);
    const at = checkMem(env.arena, r2, size, true, 'bpf_skb_get_tunnel_key key');
    const b = env.arena.u8;
    const fail = (errno: number): bigint => {
      b.fill(0, at, at + size);
      return BigInt(-errno);
    };
    const info = skb.tunnel;
    if (!info || (r4 & ~BigInt(BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS)) !== 0n) return fail(EINVAL);
    const v6 = (r4 & BigInt(BPF_F_TUNINFO_IPV6)) !== 0n;
    if ((info.family === 6) !== v6) return fail(EPROTO);
    if (size !== KEY_SIZE && ![OFF_LOCAL, OFF_LABEL, OFF_TUNNEL_EXT].includes(size) && !(size === OFF_REMOTE_IPV6_1 && info.family === 4)) {
      return fail(EINVAL);
    }
    const key = new Uint8Array(KEY_SIZE);
    const dv = new DataView(key.buffer);
    dv.setUint32(0, info.id >>> 0, true);
    key[20] = info.tos;
    key[21] = info.ttl;
    // tunnel_flags is a __be16 of the low 16 flag bits; without BPF_F_TUNINFO_FLAGS tunnel_ext = 0
    if (r4 & BigInt(BPF_F_TUNINFO_FLAGS)) dv.setUint16(22, info.flags & 0xffff, false);
    // ip_tunnel_key.u.*.src is the remote end on receive and the local one after set_tunnel_key
    const [src, dst] = info.tx ? [info.local, info.remote] : [info.remote, info.local];
    if (v6) {
      key.set(src.subarray(0, 16), 4);
      key.set(dst.subarray(0, 16), OFF_LOCAL);
      dv.setUint32(OFF_LABEL, info.label >>> 0, true);
    } else {
      dv.setUint32(4, new DataView(src.buffer, src.byteOffset, 4).getUint32(0, false), true);
      dv.setUint32(OFF_LOCAL, new DataView(dst.buffer, dst.byteOffset, 4).getUint32(0, false), true);
    }
    b.set(key.subarray(0, size), at);
    return 0n;
  };
}

/** BPF_FUNC_skb_set_tunnel_key(skb, key, size, flags): the skb gets a metadata dst for a collect_md tunnel device */
export function bpf_skb_set_tunnel_key(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const { skb } = skbArg(env, r1, 'bpf_skb_set_tunnel_key');
    const flags = r4;
    if ((flags & ~BigInt(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER | BPF_F_NO_TUNNEL_KEY)) !== 0n) {
      return BigInt(-EINVAL);
    }
    const size = u32(r3);
    if (size !== KEY_SIZE && ![OFF_LOCAL, OFF_LABEL, OFF_TUNNEL_EXT, OFF_REMOTE_IPV6_1].includes(size)) return BigInt(-EINVAL);
    const at = checkMem(env.arena, r2, size, false, 'bpf_skb_set_tunnel_key key');
    // an older, shorter layout: the missing fields are zero
    const key = new Uint8Array(KEY_SIZE);
    key.set(env.arena.u8.subarray(at, at + size));
    const dv = new DataView(key.buffer);
    const f = Number(flags & 0x1fn);
    const v6 = (f & BPF_F_TUNINFO_IPV6) !== 0;
    const label = dv.getUint32(OFF_LABEL, true);
    if ((!v6 && label !== 0) || dv.getUint16(22, true) !== 0) return BigInt(-EINVAL);
    let tunFlags = NOCACHE;
    if (f & BPF_F_DONT_FRAGMENT) tunFlags |= DONT_FRAGMENT;
    if (!(f & BPF_F_ZERO_CSUM_TX)) tunFlags |= CSUM;
    if (f & BPF_F_SEQ_NUMBER) tunFlags |= SEQ;
    if (!(f & BPF_F_NO_TUNNEL_KEY)) tunFlags |= KEY;
    const be32 = (off: number): Uint8Array => {
      const o = new Uint8Array(4);
      new DataView(o.buffer).setUint32(0, dv.getUint32(off, true), false);
      return o;
    };
    const info: TunnelInfo = {
      id: dv.getUint32(0, true), family: v6 ? 6 : 4,
      remote: v6 ? key.slice(4, 20) : be32(4), local: v6 ? key.slice(OFF_LOCAL, KEY_SIZE) : be32(OFF_LOCAL),
      tos: key[20]!, ttl: key[21]!, label: v6 ? label & IPV6_FLOWLABEL_MASK : 0, flags: tunFlags, tx: true,
    };
    // skb_dst_set: replaces any metadata the packet had (options too)
    skb.tunnel = info;
    return 0n;
  };
}

/** BPF_FUNC_skb_get_tunnel_opt(skb, opt, size): the options' length, or -errno with opt zeroed */
export function bpf_skb_get_tunnel_opt(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const { skb } = skbArg(env, r1, 'bpf_skb_get_tunnel_opt');
    const size = u32(r3);
    const at = checkMem(env.arena, r2, size, true, 'bpf_skb_get_tunnel_opt opt');
    const b = env.arena.u8;
    const info = skb.tunnel;
    const opts = info?.options ?? new Uint8Array(0);
    let err = 0;
    if (!info || (info.flags & OPTIONS_PRESENT) === 0) err = ENOENT;
    else if (size < opts.length) err = ENOMEM;
    b.fill(0, at, at + size);
    if (err) return BigInt(-err);
    b.set(opts, at);
    return BigInt(opts.length);
  };
}

/** BPF_FUNC_skb_set_tunnel_opt(skb, opt, size): only after bpf_skb_set_tunnel_key, a multiple of 4 bytes, at most 255 */
export function bpf_skb_set_tunnel_opt(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const { skb } = skbArg(env, r1, 'bpf_skb_set_tunnel_opt');
    const size = u32(r3);
    const info = skb.tunnel;
    if (!info?.tx || (size & 3) !== 0) return BigInt(-EINVAL);
    if (size > IP_TUNNEL_OPTS_MAX) return BigInt(-ENOMEM);
    const at = checkMem(env.arena, r2, size, false, 'bpf_skb_set_tunnel_opt opt');
    // ip_tunnel_info_opts_set: a zero length leaves the present bits as they were
    info.options = env.arena.u8.slice(at, at + size);
    if (size > 0) info.flags |= OPTIONS_PRESENT;
    return 0n;
  };
}

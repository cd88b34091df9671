// Redirect and forwarding helpers (net/core/filter.c): bpf_redirect (tc and
// XDP flavours), bpf_redirect_peer, bpf_redirect_neigh, bpf_clone_redirect,
// bpf_redirect_map, bpf_check_mtu, bpf_fib_lookup and bpf_xdp_adjust_meta.
// A redirect only records its target (the kernel's bpf_redirect_info); the
// test run reports it as a side effect (runtime/run_effects.ts).

import type { HelperFn } from '../vm/env.js';
import { EACCES, EAFNOSUPPORT, EINVAL, ENODEV, ENOTSUPP } from '../uapi/errno.js';
import { BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH } from '../uapi/bpf.js';
import * as N from '../uapi/bpf_net.js';
import type { HelperEnv, PacketRun } from './env.js';
import { addrOf, checkMem, HelperFault, mapArg, s32, u32, u64 } from './misc.js';
import { RedirectMap } from '../maps/devmap.js';
import { fibLookup } from '../net/fib.js';

const ETH_HLEN = 14;
const VLAN_HLEN = 4;
const XDP_MD_DATA = 0, XDP_MD_DATA_END = 4, XDP_MD_DATA_META = 8, XDP_MD_INGRESS = 12;
const SKB_LEN = 0, SKB_IFINDEX = 40, SKB_DATA = 76, SKB_DATA_END = 80;

function packet(env: HelperEnv, what: string): PacketRun {
  const p = env.currentPacket();
  if (!p) throw new HelperFault(`${what}: not a packet run`);
  return p;
}

/** BPF_FUNC_redirect(u32 ifindex, u64 flags): tc TC_ACT_REDIRECT / XDP XDP_REDIRECT */
export function bpf_redirect(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const p = packet(env, 'bpf_redirect');
    const ifindex = u32(r1);
    if (p.xdp) {
      // bpf_xdp_redirect: no flags at all
      if (r2 !== 0n) return BigInt(N.XDP_ABORTED);
      p.effects.redirect = { kind: 'ifindex', ifindex, ingress: false };
      return BigInt(N.XDP_REDIRECT);
    }
    // BPF_F_INGRESS only (BPF_F_REDIRECT_INTERNAL is the kernel's own)
    if (r2 & ~BigInt(N.BPF_F_INGRESS)) return BigInt(N.TC_ACT_SHOT);
    p.effects.redirect = { kind: 'ifindex', ifindex, ingress: (r2 & 1n) !== 0n };
    return BigInt(N.TC_ACT_REDIRECT);
  };
}

/** BPF_FUNC_redirect_peer(u32 ifindex, u64 flags): into the peer of a veth/netkit device, ingress */
export function bpf_redirect_peer(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const p = packet(env, 'bpf_redirect_peer');
    if (r2 !== 0n) return BigInt(N.TC_ACT_SHOT);
    p.effects.redirect = { kind: 'ifindex', ifindex: u32(r1), ingress: true, peer: true };
    return BigInt(N.TC_ACT_REDIRECT);
  };
}

/** BPF_FUNC_redirect_neigh(u32 ifindex, struct bpf_redir_neigh *params, int plen, u64 flags) */
export function bpf_redirect_neigh(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const p = packet(env, 'bpf_redirect_neigh');
    const plen = s32(r3);
    if ((plen && plen < 20) || r4 !== 0n) return BigInt(N.TC_ACT_SHOT);
    const ifindex = u32(r1);
    if (plen) {
      // the next hop given by the program (BPF_F_NEXTHOP)
      const at = checkMem(env.arena, r2, 20, false, 'bpf_redirect_neigh params');
      const fam = env.arena.dv.getUint32(at, true) === N.AF_INET6 ? 6 : 4;
      p.effects.redirect = { kind: 'ifindex', ifindex, ingress: false, neigh: { family: fam, addr: env.arena.u8.slice(at + 4, at + 4 + (fam === 6 ? 16 : 4)) } };
    } else {
      // the next hop is the packet's own destination, resolved on the way out
      p.effects.redirect = { kind: 'ifindex', ifindex, ingress: false, viaNeigh: true };
    }
    return BigInt(N.TC_ACT_REDIRECT);
  };
}

/** BPF_FUNC_clone_redirect(skb, u32 ifindex, u64 flags): a copy sent now; 0 or -errno */
export function bpf_clone_redirect(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const p = packet(env, 'bpf_clone_redirect');
    const skb = p.skb;
    if (!skb || addrOf(r1) !== skb.ctx) throw new HelperFault('bpf_clone_redirect: r1 is not the __sk_buff context');
    if (r3 & ~BigInt(N.BPF_F_INGRESS)) return u64(-EINVAL);
    const ifindex = u32(r2);
    if (!env.host.dev(ifindex)) return u64(-EINVAL);
    const dv = env.arena.dv;
    const data = dv.getUint32(skb.ctx + SKB_DATA, true);
    const end = dv.getUint32(skb.ctx + SKB_DATA_END, true);
    // __bpf_redirect_common: a frame needs its mac header before the network header
    if (skb.mac >= skb.net || end === data) return u64(-34); // -ERANGE
    // the clone starts at the mac header (tc programs run with data there)
    p.effects.clones.push({ ifindex, ingress: (r3 & 1n) !== 0n, data: env.arena.u8.slice(skb.mac, end) });
    return 0n;
  };
}

/** BPF_FUNC_redirect_map(map, u64 key, u64 flags): XDP_REDIRECT, or the flags' low bits on a miss */
export function bpf_redirect_map(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const p = packet(env, 'bpf_redirect_map');
    const hm = mapArg(env, r1, 'bpf_redirect_map');
    const map = hm.map;
    if (!(map instanceof RedirectMap)) throw new HelperFault(`bpf_redirect_map: ${map.describe()} is not a redirect map`);
    const actionMask = 3n;
    const isDev = map.type === BPF_MAP_TYPE_DEVMAP || map.type === BPF_MAP_TYPE_DEVMAP_HASH;
    const flagMask = isDev ? BigInt(N.BPF_F_BROADCAST | N.BPF_F_EXCLUDE_INGRESS) : 0n;
    const flags = r3;
    if (flags & ~(actionMask | flagMask)) return BigInt(N.XDP_ABORTED);
    const key = u32(r2);
    const broadcast = (flags & BigInt(N.BPF_F_BROADCAST)) !== 0n;
    const target = map.target(key);
    if (target === undefined && !broadcast) {
      delete p.effects.redirect;
      return flags & actionMask;
    }
    let targets: number[];
    if (broadcast) {
      const ingress = p.xdp ? env.arena.dv.getUint32(p.xdp.ctx + XDP_MD_INGRESS, true) : 0;
      const exclude = (flags & BPF_F_EXCLUDE_INGRESS_N) !== 0n;
      targets = map.targets().map((t) => t.target).filter((t) => !(exclude && t === ingress));
    } else {
      targets = [target!];
    }
    p.effects.redirect = { kind: 'map', mapType: map.type, mapId: map.id, mapName: map.name, key, flags: Number(flags), targets };
    return BigInt(N.XDP_REDIRECT);
  };
}
const BPF_F_EXCLUDE_INGRESS_N = BigInt(N.BPF_F_EXCLUDE_INGRESS);

/** the device a test run's packet is on: ifindex 0 in bpf_check_mtu/fib means it */
function currentDev(env: HelperEnv, p: PacketRun): number {
  if (p.xdp) return env.arena.dv.getUint32(p.xdp.ctx + XDP_MD_INGRESS, true);
  return env.arena.dv.getUint32(p.skb!.ctx + SKB_IFINDEX, true);
}

/** BPF_FUNC_check_mtu(ctx, u32 ifindex, u32 *mtu_len, s32 len_diff, u64 flags) */
export function bpf_check_mtu(env: HelperEnv): HelperFn {
  return (_vm, _r1, r2, r3, r4, r5) => {
    const p = packet(env, 'bpf_check_mtu');
    const at = checkMem(env.arena, r3, 4, true, 'bpf_check_mtu mtu_len');
    const dv = env.arena.dv;
    const mtuIn = dv.getUint32(at, true);
    const lenDiff = s32(r4);
    // bad flags and unknown devices leave *mtu_len alone (checked on 6.18)
    if (p.xdp ? r5 !== 0n : (r5 & ~BigInt(N.BPF_MTU_CHK_SEGS)) !== 0n) return u64(-EINVAL);
    if (!p.xdp && (r5 & BigInt(N.BPF_MTU_CHK_SEGS)) && (lenDiff || mtuIn)) return u64(-EINVAL);
    const ifindex = u32(r2) || currentDev(env, p);
    const dev = env.host.dev(ifindex);
    if (!dev) return u64(-ENODEV);
    const mtu = dev.mtu;
    const devLen = mtu + ETH_HLEN;
    let len: number;
    if (mtuIn) len = mtuIn + ETH_HLEN;
    else if (p.xdp) len = dv.getUint32(p.xdp.ctx + XDP_MD_DATA_END, true) - dv.getUint32(p.xdp.ctx + XDP_MD_DATA, true);
    else len = dv.getUint32(p.skb!.ctx + SKB_LEN, true);
    len += lenDiff;
    dv.setUint32(at, mtu, true);
    return BigInt(len <= devLen ? N.BPF_MTU_CHK_RET_SUCCESS : N.BPF_MTU_CHK_RET_FRAG_NEEDED);
  };
}

/** sizeof(struct bpf_fib_lookup) */
const FIB_PARAMS_SIZE = 64;

/** BPF_FUNC_fib_lookup(ctx, struct bpf_fib_lookup *params, int plen, u32 flags) */
export function bpf_fib_lookup(env: HelperEnv): HelperFn {
  return (_vm, _r1, r2, r3, r4) => {
    const p = packet(env, 'bpf_fib_lookup');
    const plen = s32(r3);
    if (plen < FIB_PARAMS_SIZE) return u64(-EINVAL);
    const at = checkMem(env.arena, r2, FIB_PARAMS_SIZE, true, 'bpf_fib_lookup params');
    const flags = u32(r4);
    const all = N.BPF_FIB_LOOKUP_DIRECT | N.BPF_FIB_LOOKUP_OUTPUT | N.BPF_FIB_LOOKUP_SKIP_NEIGH | N.BPF_FIB_LOOKUP_TBID |
      N.BPF_FIB_LOOKUP_SRC | N.BPF_FIB_LOOKUP_MARK;
    if (flags & ~all) return u64(-EINVAL);
    const params = env.arena.u8.subarray(at, at + FIB_PARAMS_SIZE);
    const family = params[0]!;
    if (family !== N.AF_INET && family !== N.AF_INET6) return u64(-EAFNOSUPPORT);
    // both flavours check tot_len against the route MTU in the lookup (a tc skb
    // skips that only when it is GSO, which a test-run skb never is)
    const rc = fibLookup(env.host, params, flags, true);
    void p;
    return u64(rc);
  };
}

/** the largest metadata area (xdp_metalen_invalid: 4-aligned, at most 252 on 6.18) */
const XDP_META_MAX = 252;
/** sizeof(struct xdp_frame) */
const XDP_FRAME_SIZE = 40;

/** BPF_FUNC_xdp_adjust_meta(xdp_md, int offset): grow (negative) or shrink the metadata before data */
export function bpf_xdp_adjust_meta(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const xdp = env.currentXdp();
    if (!xdp || addrOf(r1) !== xdp.ctx) throw new HelperFault('bpf_xdp_adjust_meta: r1 is not the xdp_md context');
    const dv = env.arena.dv;
    const data = dv.getUint32(xdp.ctx + XDP_MD_DATA, true);
    const meta = dv.getUint32(xdp.ctx + XDP_MD_DATA_META, true);
    const offset = s32(r2);
    const newMeta = meta + offset;
    // xdp_data_meta_unsupported: data_meta > data
    if (meta > data) return u64(-ENOTSUPP);
    if (newMeta < xdp.hardStart + XDP_FRAME_SIZE) return u64(-EINVAL);
    if (newMeta > data) return u64(-EINVAL);
    const metalen = data - newMeta;
    if ((metalen & 3) !== 0 || metalen > XDP_META_MAX) return u64(-EACCES);
    dv.setUint32(xdp.ctx + XDP_MD_DATA_META, newMeta, true);
    return 0n;
  };
}

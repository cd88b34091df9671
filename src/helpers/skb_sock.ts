// What an sk_buff tells about its socket and the packet's ECN field
// (net/core/filter.c): bpf_get_socket_cookie, bpf_get_netns_cookie, bpf_get_socket_uid,
// bpf_skb_cgroup_id, bpf_skb_ancestor_cgroup_id (skb flavours) and
// bpf_skb_ecn_set_ce.
//
// A BPF_PROG_TEST_RUN skb carries a socket the test run made for it
// (bpf_prog_test_run_skb: sk_alloc + sock_init_data(NULL, sk)): created by
// the current task, so it sits in the task's cgroup and has uid 0; its
// cookie is made on first use. tsbpf answers the same about rt.task.

import type { HelperFn } from '../vm/env.js';
import type { HelperEnv } from './env.js';
import { HelperFault, mapArg, s32, u32 } from './misc.js';
import { CgroupArrayMap } from '../maps/cgroup_array.js';
import { E2BIG, EAGAIN } from '../uapi/errno.js';
import { skbArg, skbProto } from './skb.js';

const bswap16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);
/** csum16_add */
function csum16Add(c: number, a: number): number {
  const r = (c + a) & 0xffff;
  return (r + (r < a ? 1 : 0)) & 0xffff;
}

const ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd;
const INET_ECN_MASK = 3, INET_ECN_CE = 3;

/** BPF_FUNC_get_socket_cookie (skb): the cookie of skb->sk */
export function bpf_get_socket_cookie(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const { skb } = skbArg(env, r1, 'bpf_get_socket_cookie');
    skb.sockCookie ??= env.host.genCookie();
    return skb.sockCookie;
  };
}

/**
 * BPF_FUNC_get_netns_cookie (skb flavour): the cookie of skb->sk's network
 * namespace, init_net's for a NULL ctx or an skb without a socket. The
 * simulated host is one namespace, init_net: the test-run socket lives there.
 */
export function bpf_get_netns_cookie(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    if (r1 !== 0n) skbArg(env, r1, 'bpf_get_netns_cookie');
    return env.host.netnsCookie;
  };
}

/** BPF_FUNC_get_socket_uid (skb): sock_init_data(NULL, sk) leaves sk_uid 0 */
export function bpf_get_socket_uid(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    skbArg(env, r1, 'bpf_get_socket_uid');
    return 0n;
  };
}

/**
 * The cgroups from the root to the test-run socket's (the current task's).
 * A task cgroup the host does not list is taken to sit right under the root.
 */
function sockCgroups(env: HelperEnv): bigint[] {
  return cgroupChain(env, env.currentTask().cgroupId);
}

/** the cgroup ids from the root to cgroup `id` (one the host does not list sits right under the root) */
export function cgroupChain(env: HelperEnv, id: bigint): bigint[] {
  const chain = env.host.cgroupPath(id);
  if (chain) return chain.map((c) => c.id);
  return id === 1n ? [1n] : [1n, id];
}

/** BPF_FUNC_skb_cgroup_id: the cgroup v2 id of skb->sk */
export function bpf_skb_cgroup_id(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    skbArg(env, r1, 'bpf_skb_cgroup_id');
    return sockCgroups(env).at(-1)!;
  };
}

/** BPF_FUNC_skb_ancestor_cgroup_id(skb, level): the ancestor at `level` (0: the root), 0 past the socket's own level */
export function bpf_skb_ancestor_cgroup_id(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    skbArg(env, r1, 'bpf_skb_ancestor_cgroup_id');
    const level = s32(r2);
    const chain = sockCgroups(env);
    return level < 0 || level >= chain.length ? 0n : chain[level]!;
  };
}

/**
 * BPF_FUNC_skb_ecn_set_ce: marks an ECN-capable IPv4/IPv6 packet Congestion
 * Experienced (IP_ECN_set_ce with its incremental checksum update,
 * IP6_ECN_set_ce); 1 when the packet is (now) CE, 0 otherwise.
 */
export function bpf_skb_ecn_set_ce(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const { skb, end } = skbArg(env, r1, 'bpf_skb_ecn_set_ce');
    const proto = skbProto(env, skb);
    const hlen = proto === ETH_P_IP ? 20 : proto === ETH_P_IPV6 ? 40 : 0;
    if (hlen === 0 || skb.net + hlen > end) return 0n;
    const b = env.arena.u8;
    const at = skb.net;
    if (proto === ETH_P_IP) {
      const tos = b[at + 1]!;
      const ecn = (tos + 1) & INET_ECN_MASK;
      // not-ECT -> 01, ECT(1) -> 10, ECT(0) -> 11, CE -> 00
      if (!(ecn & 2)) return ecn === 0 ? 1n : 0n;
      // check += htons(0xFFFB) + htons(ecn) (a u16 sum, as the kernel adds them), values as little-endian loads
      const checkAdd = (bswap16(0xfffb) + bswap16(ecn)) & 0xffff;
      const nc = csum16Add(b[at + 10]! | (b[at + 11]! << 8), checkAdd);
      b[at + 10] = nc & 0xff;
      b[at + 11] = nc >> 8;
      b[at + 1] = tos | INET_ECN_CE;
      return 1n;
    }
    const dsfield = ((b[at]! & 0x0f) << 4) | (b[at + 1]! >> 4);
    if ((dsfield & INET_ECN_MASK) === 0) return 0n;
    b[at + 1] = b[at + 1]! | (INET_ECN_CE << 4);
    return 1n;
  };
}

/** the cgroup id in slot idx of a cgroup array, or the helpers' errno (-E2BIG out of range, -EAGAIN empty) */
function cgroupSlot(env: HelperEnv, r: bigint, idx: bigint, what: string): bigint | number {
  const map = mapArg(env, r, what).map;
  if (!(map instanceof CgroupArrayMap)) throw new HelperFault(`${what}: ${map.describe()} is not a cgroup array`);
  const i = u32(idx);
  if (i >= map.maxEntries) return -E2BIG;
  return map.at(i) ?? -EAGAIN;
}

/** is `chain` (root first) at or below cgroup `id` (cgroup_is_descendant) */
const under = (chain: bigint[], id: bigint): bigint => (chain.includes(id) ? 1n : 0n);

/** BPF_FUNC_skb_under_cgroup(skb, map, idx): is the skb's socket (the test run's: the current task's cgroup) under the slot's cgroup */
export function bpf_skb_under_cgroup(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    skbArg(env, r1, 'bpf_skb_under_cgroup');
    const c = cgroupSlot(env, r2, r3, 'bpf_skb_under_cgroup');
    return typeof c === 'number' ? BigInt(c) : under(sockCgroups(env), c);
  };
}

/** BPF_FUNC_current_task_under_cgroup(map, idx): is the current task under the slot's cgroup */
export function bpf_current_task_under_cgroup(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const c = cgroupSlot(env, r1, r2, 'bpf_current_task_under_cgroup');
    return typeof c === 'number' ? BigInt(c) : under(cgroupChain(env, env.currentTask().cgroupId), c);
  };
}

// Socket helpers of net/core/filter.c over the simulated host's sockets:
// bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp (skb and XDP flavours),
// bpf_sk_release, bpf_sk_fullsock, bpf_tcp_sock, bpf_get_listener_sock,
// bpf_tcp_gen_syncookie, bpf_tcp_check_syncookie, bpf_sk_assign.
//
// A socket a program gets is a read-only struct bpf_sock in the arena (one
// per NetSocket, refreshed from the host at every lookup), and for TCP a
// struct bpf_tcp_sock beside it; the verifier's sock/tcp_sock access rules
// decide what may be read. `socketTable(env).sockAt(addr)` maps a pointer
// a program passes back to the NetSocket (for helpers that take a socket).
// Every socket tsbpf models is a full socket (no request or time-wait
// sockets), and lookups in a namespace other than the caller's find nothing
// (the simulated host is one network namespace without peers).

import type { HelperFn } from '../vm/env.js';
import { ARENA_ACCESS_READ } from '../memory/arena.js';
import type { NetSocket } from '../net/host.js';
import { kernelSockSize, writeKernelSock } from '../net/kernel_sock.js';
import { BPF_SOCK_SIZE, BPF_TCP_SOCK_SIZE, lookupSocket, writeBpfSock, writeBpfTcpSock } from '../net/socket.js';
import type { HelperEnv } from './env.js';
import { addrOf, checkMem, HelperFault, s32, u32 } from './misc.js';
import { EINVAL, ENOENT, EOPNOTSUPP, EPROTONOSUPPORT } from '../uapi/errno.js';
import { CLOCK_MONOTONIC } from '../timers/ktime.js';
import { cgroupChain } from './skb_sock.js';
import {
  checkCookie, type CookieTuple, makeCookie, MAX_SYNCOOKIE_AGE, MSS_CLAMP, mssIndex, parseMssOption, SYNCOOKIE_PERIOD_NS,
} from '../net/syncookie.js';

interface SockViews {
  /** the host socket; undefined for the test run's own skb socket (__sk_buff->sk) */
  sock?: NetSocket;
  /** arena address of the struct bpf_sock */
  sk: number;
  /** arena address of the struct bpf_tcp_sock (TCP only) */
  tcp?: number;
  /** arena address of the kernel-struct view (struct tcp6_sock / udp6_sock layout, net/kernel_sock.ts) */
  kern?: number;
}

/** The arena views of one runtime's sockets. */
export class SocketTable {
  private readonly bySock = new Map<NetSocket, SockViews>();
  private readonly byAddr = new Map<number, SockViews>();

  constructor(private readonly env: HelperEnv) {}

  /** the struct bpf_sock of s, written from the host's current data */
  viewOf(s: NetSocket): SockViews {
    let v = this.bySock.get(s);
    if (!v) {
      const { arena } = this.env;
      v = { sock: s, sk: arena.alloc(BPF_SOCK_SIZE, ARENA_ACCESS_READ) };
      if (s.proto === 'tcp') v.tcp = arena.alloc(BPF_TCP_SOCK_SIZE, ARENA_ACCESS_READ);
      v.kern = arena.alloc(kernelSockSize(s.proto), ARENA_ACCESS_READ);
      this.bySock.set(s, v);
      this.byAddr.set(v.sk, v);
      if (v.tcp !== undefined) this.byAddr.set(v.tcp, v);
      this.byAddr.set(v.kern, v);
    }
    writeBpfSock(this.env.host, s, this.env.arena.dv, v.sk);
    if (v.tcp !== undefined) writeBpfTcpSock(s, this.env.arena.dv, v.tcp);
    writeKernelSock(s, this.env.arena.dv, v.kern!, v.sk, kernelSockSize(s.proto));
    return v;
  }

  /** the socket a program's sock / sock_common / tcp_sock pointer stands for */
  sockAt(addr: number): SockViews | undefined {
    return this.byAddr.get(addr);
  }
}

const tables = new WeakMap<HelperEnv, SocketTable>();

/** The socket table of a runtime (one per HelperEnv). */
export function socketTable(env: HelperEnv): SocketTable {
  let t = tables.get(env);
  if (!t) {
    t = new SocketTable(env);
    tables.set(env, t);
  }
  return t;
}

/** sizeof(bpf_sock_tuple.ipv4), sizeof(bpf_sock_tuple.ipv6) */
const TUPLE4 = 12, TUPLE6 = 36;
const S32_MAX = 0x7fffffffn;

function sockArg(env: HelperEnv, r: bigint, what: string): SockViews {
  const a = addrOf(r);
  const skbSk = env.currentPacket()?.skb?.sk;
  if (skbSk !== undefined && a === skbSk) return { sk: a };
  const v = socketTable(env).sockAt(a);
  if (!v) throw new HelperFault(`${what}: 0x${r.toString(16)} is not a socket`);
  return v;
}

/**
 * __bpf_skc_lookup: the tuple's size picks the family (anything else: NULL);
 * flags must be 0; a negative (s32) netns id is the caller's namespace, one in
 * [0, S32_MAX] another namespace (none exists here: NULL), anything else NULL.
 */
function lookup(env: HelperEnv, proto: 'tcp' | 'udp', ctx: bigint, tuple: bigint, len: bigint, netns: bigint, flags: bigint, what: string): bigint {
  const p = env.currentPacket();
  if (!p || (p.skb ? addrOf(ctx) !== p.skb.ctx : addrOf(ctx) !== p.xdp?.ctx)) throw new HelperFault(`${what}: r1 is not the packet context`);
  const n = u32(len);
  const family = n === TUPLE4 ? 4 : n === TUPLE6 ? 6 : 0;
  if (family === 0) return 0n;
  if (flags !== 0n || !(s32(netns) < 0 || netns <= S32_MAX)) return 0n;
  if (s32(netns) >= 0) return 0n;
  const at = checkMem(env.arena, tuple, n, false, `${what} tuple`);
  const b = env.arena.u8;
  const alen = family === 4 ? 4 : 16;
  const saddr = b.slice(at, at + alen);
  const daddr = b.slice(at + alen, at + 2 * alen);
  const sport = (b[at + 2 * alen]! << 8) | b[at + 2 * alen + 1]!;
  const dport = (b[at + 2 * alen + 2]! << 8) | b[at + 2 * alen + 3]!;
  const s = lookupSocket(env.host, proto, family, saddr, sport, daddr, dport);
  return s ? BigInt(socketTable(env).viewOf(s).sk) : 0n;
}

/** BPF_FUNC_sk_lookup_tcp(ctx, tuple, tuple_size, netns, flags): a referenced full socket or NULL */
export function bpf_sk_lookup_tcp(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => lookup(env, 'tcp', r1, r2, r3, xdpNetns(env, r4), r5, 'bpf_sk_lookup_tcp');
}

/** BPF_FUNC_sk_lookup_udp */
export function bpf_sk_lookup_udp(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => lookup(env, 'udp', r1, r2, r3, xdpNetns(env, r4), r5, 'bpf_sk_lookup_udp');
}

/** BPF_FUNC_skc_lookup_tcp: may also return request/time-wait sockets, which tsbpf does not model */
export function bpf_skc_lookup_tcp(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => lookup(env, 'tcp', r1, r2, r3, xdpNetns(env, r4), r5, 'bpf_skc_lookup_tcp');
}

/** the XDP flavours (bpf_xdp_sk_lookup_*) take the netns id as a u32 */
function xdpNetns(env: HelperEnv, r: bigint): bigint {
  return env.currentPacket()?.xdp ? r & 0xffffffffn : r;
}

/** BPF_FUNC_sk_release: drops the lookup's reference (sockets here are not freed while the host holds them) */
export function bpf_sk_release(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    sockArg(env, r1, 'bpf_sk_release');
    return 0n;
  };
}

/** BPF_FUNC_sk_fullsock: every modelled socket is a full socket */
export function bpf_sk_fullsock(env: HelperEnv): HelperFn {
  return (_vm, r1) => BigInt(sockArg(env, r1, 'bpf_sk_fullsock').sk);
}

/** BPF_FUNC_tcp_sock: the bpf_tcp_sock of a TCP socket, else NULL */
export function bpf_tcp_sock(env: HelperEnv): HelperFn {
  return (_vm, r1) => BigInt(sockArg(env, r1, 'bpf_tcp_sock').tcp ?? 0);
}

/**
 * The bpf_skc_to_*() casts (net/core/filter.c): the socket's kernel-struct
 * view when it is of the kind asked for, else NULL. The kernel returns the
 * same pointer it was given; tsbpf's sock and kernel views are separate
 * arena objects, so the address differs (both stand for the same socket for
 * the helpers that take one). tsbpf models only full TCP/UDP sockets: no
 * time-wait, request, unix or MPTCP sockets, so those casts are always NULL.
 * The test run's own skb socket is a full socket of no protocol: NULL too.
 */
function skcTo(env: HelperEnv, what: string, ok: (s: NetSocket) => boolean): HelperFn {
  return (_vm, r1) => {
    const v = sockArg(env, r1, what);
    return v.sock && v.kern !== undefined && ok(v.sock) ? BigInt(v.kern) : 0n;
  };
}

/** BPF_FUNC_skc_to_tcp6_sock: sk_fullsock && IPPROTO_TCP && AF_INET6 */
export const bpf_skc_to_tcp6_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_tcp6_sock', (s) => s.proto === 'tcp' && s.family === 6);
/** BPF_FUNC_skc_to_tcp_sock: sk_fullsock && IPPROTO_TCP */
export const bpf_skc_to_tcp_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_tcp_sock', (s) => s.proto === 'tcp');
/** BPF_FUNC_skc_to_tcp_timewait_sock: TCP_TIME_WAIT sockets (none here) */
export const bpf_skc_to_tcp_timewait_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_tcp_timewait_sock', () => false);
/** BPF_FUNC_skc_to_tcp_request_sock: TCP_NEW_SYN_RECV sockets (none here) */
export const bpf_skc_to_tcp_request_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_tcp_request_sock', () => false);
/** BPF_FUNC_skc_to_udp6_sock: sk_fullsock && IPPROTO_UDP && SOCK_DGRAM && AF_INET6 */
export const bpf_skc_to_udp6_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_udp6_sock', (s) => s.proto === 'udp' && s.family === 6);
/** BPF_FUNC_skc_to_unix_sock: AF_UNIX sockets (none here) */
export const bpf_skc_to_unix_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_unix_sock', () => false);
/** BPF_FUNC_skc_to_mptcp_sock: the MPTCP socket of an MPTCP subflow (none here) */
export const bpf_skc_to_mptcp_sock = (env: HelperEnv): HelperFn => skcTo(env, 'bpf_skc_to_mptcp_sock', () => false);

/** BPF_FUNC_get_listener_sock: the socket itself when it listens (no request sockets to map to their listener) */
export function bpf_get_listener_sock(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const v = sockArg(env, r1, 'bpf_get_listener_sock');
    return v.sock?.proto === 'tcp' && v.sock.state === 'listen' ? BigInt(v.sk) : 0n;
  };
}

const TCP_HDR = 20, IP4_HDR = 20, IP6_HDR = 40;
const TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_ACK = 0x10;

interface SynHeaders {
  listener: NetSocket;
  b: Uint8Array;
  iph: number;
  th: number;
  version: number;
}

/** the checks both syncookie helpers share, in the kernel's order up to the IP version switch */
function synArgs(env: HelperEnv, what: string, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, gen: boolean): SynHeaders | bigint {
  const v = sockArg(env, r1, what);
  const iphLen = u32(r3), thLen = u32(r5);
  const iph = checkMem(env.arena, r2, iphLen, false, `${what} iph`);
  const th = checkMem(env.arena, r4, thLen, false, `${what} th`);
  const b = env.arena.u8;
  if (thLen < TCP_HDR) return BigInt(-EINVAL);
  if (gen && thLen !== (b[th + 12]! >> 4) * 4) return BigInt(-EINVAL);
  const s = v.sock;
  if (s?.proto !== 'tcp' || s.state !== 'listen') return BigInt(-EINVAL);
  const flags = b[th + 13]!;
  if (gen) {
    if (env.host.syncookies === 0) return BigInt(-ENOENT);
    if (!(flags & TH_SYN) || flags & (TH_ACK | TH_FIN | TH_RST)) return BigInt(-EINVAL);
  } else {
    if (env.host.syncookies === 0) return BigInt(-EINVAL);
    if (!(flags & TH_ACK) || flags & (TH_RST | TH_SYN)) return BigInt(-ENOENT);
  }
  if (iphLen < IP4_HDR) return BigInt(-EINVAL);
  return { listener: s, b, iph, th, version: b[iph]! >> 4 };
}

/** the version switch: the cookie tuple of an IPv4 or IPv6 header, or an errno */
function synTuple(h: SynHeaders, iphLen: number): CookieTuple | bigint {
  const { b, iph, th, listener } = h;
  const be16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  if (h.version === 4) {
    // a v6 listener takes v4 unless IPV6_V6ONLY, which inet6_bind sets for a specific (not v4-mapped) address
    if (listener.family === 6 && v6only(listener.localAddr)) return BigInt(-EINVAL);
    return { family: 4, saddr: b.slice(iph + 12, iph + 16), daddr: b.slice(iph + 16, iph + 20), sport: be16(th), dport: be16(th + 2) };
  }
  if (h.version === 6) {
    if (iphLen < IP6_HDR || listener.family !== 6) return BigInt(-EINVAL);
    return { family: 6, saddr: b.slice(iph + 8, iph + 24), daddr: b.slice(iph + 24, iph + 40), sport: be16(th), dport: be16(th + 2) };
  }
  return BigInt(-EPROTONOSUPPORT);
}

/** bound to a specific IPv6 address that is not v4-mapped */
function v6only(a: Uint8Array): boolean {
  const any = a.every((x) => x === 0);
  const mapped = a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff;
  return !any && !mapped;
}

const be32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/**
 * BPF_FUNC_tcp_gen_syncookie(sk, iph, iph_len, th, th_len): for a SYN to a
 * listener, cookie | mss << 32 (the MSS the cookie encodes). The host makes
 * cookies when net.ipv4.tcp_syncookies is 2 (1: only under a SYN flood, which
 * tsbpf does not model: -ENOENT); making one marks the listener's SYN queue
 * as just overflowed, so a returning cookie is checked.
 */
export function bpf_tcp_gen_syncookie(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const h = synArgs(env, 'bpf_tcp_gen_syncookie', r1, r2, r3, r4, r5, true);
    if (typeof h === 'bigint') return h;
    const t = synTuple(h, u32(r3));
    if (typeof t === 'bigint') return t;
    // tcp_get_syncookie_mss: cookies only when always on (or the queue is full)
    if (env.host.syncookies !== 2) return BigInt(-ENOENT);
    const doff = (h.b[h.th + 12]! >> 4) * 4;
    const mss = parseMssOption(h.b.subarray(h.th + TCP_HDR, h.th + doff)) || MSS_CLAMP[t.family];
    const m = mssIndex(t.family, mss);
    const now = env.clock.now(CLOCK_MONOTONIC);
    const cookie = makeCookie(env.host.syncookieKey, t, be32(h.b, h.th + 4), m.index, now);
    h.listener.synqOverflowNs = now;
    return BigInt(cookie) | (BigInt(m.mss) << 32n);
  };
}

/**
 * BPF_FUNC_tcp_check_syncookie(sk, iph, iph_len, th, th_len): 0 when the ACK
 * carries a valid cookie of this host, -ENOENT when not (or when the listener
 * has not overflowed in the last two minutes: no cookies were sent).
 */
export function bpf_tcp_check_syncookie(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const h = synArgs(env, 'bpf_tcp_check_syncookie', r1, r2, r3, r4, r5, false);
    if (typeof h === 'bigint') return h;
    const now = env.clock.now(CLOCK_MONOTONIC);
    const last = h.listener.synqOverflowNs;
    // tcp_synq_no_recent_overflow
    if (last === undefined || now - last > BigInt(MAX_SYNCOOKIE_AGE) * SYNCOOKIE_PERIOD_NS) return BigInt(-ENOENT);
    const t = synTuple(h, u32(r3));
    if (typeof t === 'bigint') return t;
    const mss = checkCookie(env.host.syncookieKey, t, (be32(h.b, h.th + 8) - 1) >>> 0, (be32(h.b, h.th + 4) - 1) >>> 0, now);
    return mss > 0 ? 0n : BigInt(-ENOENT);
  };
}

/**
 * BPF_FUNC_sk_assign(skb, sk, flags): steer the packet to sk. Only at tc
 * ingress, which a BPF_PROG_TEST_RUN skb never is (tc_at_ingress unset):
 * -EINVAL for flags, else -EOPNOTSUPP, as the kernel answers a test run.
 */
export function bpf_sk_assign(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const p = env.currentPacket();
    if (!p?.skb || addrOf(r1) !== p.skb.ctx) throw new HelperFault('bpf_sk_assign: r1 is not the __sk_buff context');
    sockArg(env, r2, 'bpf_sk_assign');
    if (r3 !== 0n) return BigInt(-EINVAL);
    return BigInt(-EOPNOTSUPP);
  };
}

/** the cgroup chain of a socket: a host socket's own cgroup, the test run's skb socket the current task's */
function sockCgroupChain(env: HelperEnv, v: SockViews): bigint[] {
  return cgroupChain(env, v.sock ? v.sock.cgroupId : env.currentTask().cgroupId);
}

/** BPF_FUNC_sk_cgroup_id(sk): the cgroup v2 id of the socket */
export function bpf_sk_cgroup_id(env: HelperEnv): HelperFn {
  return (_vm, r1) => sockCgroupChain(env, sockArg(env, r1, 'bpf_sk_cgroup_id')).at(-1)!;
}

/** BPF_FUNC_sk_ancestor_cgroup_id(sk, level): the ancestor at `level` (0: the root), 0 past the socket's own level */
export function bpf_sk_ancestor_cgroup_id(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const chain = sockCgroupChain(env, sockArg(env, r1, 'bpf_sk_ancestor_cgroup_id'));
    const level = s32(r2);
    return level < 0 || level >= chain.length ? 0n : chain[level]!;
  };
}

// Socket helpers of net/core/filter.c over the simulated host's sockets:
// bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp (skb and XDP flavours),
// bpf_sk_release, bpf_sk_fullsock, bpf_tcp_sock, bpf_get_listener_sock.
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
import { BPF_SOCK_SIZE, BPF_TCP_SOCK_SIZE, lookupSocket, writeBpfSock, writeBpfTcpSock } from '../net/socket.js';
import type { HelperEnv } from './env.js';
import { addrOf, checkMem, HelperFault, s32, u32 } from './misc.js';

interface SockViews {
  sock: NetSocket;
  /** arena address of the struct bpf_sock */
  sk: number;
  /** arena address of the struct bpf_tcp_sock (TCP only) */
  tcp?: number;
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
      this.bySock.set(s, v);
      this.byAddr.set(v.sk, v);
      if (v.tcp !== undefined) this.byAddr.set(v.tcp, v);
    }
    writeBpfSock(this.env.host, s, this.env.arena.dv, v.sk);
    if (v.tcp !== undefined) writeBpfTcpSock(s, this.env.arena.dv, v.tcp);
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
  const v = socketTable(env).sockAt(addrOf(r));
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

/** BPF_FUNC_get_listener_sock: the socket itself when it listens (no request sockets to map to their listener) */
export function bpf_get_listener_sock(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const v = sockArg(env, r1, 'bpf_get_listener_sock');
    return v.sock.proto === 'tcp' && v.sock.state === 'listen' ? BigInt(v.sk) : 0n;
  };
}

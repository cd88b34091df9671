// The sockets of the simulated host as the kernel's socket lookups and the
// struct bpf_sock / bpf_tcp_sock views see them (net/core/filter.c sk_lookup,
// __inet_lookup, __udp4_lib_lookup and their IPv6 twins; the fields of
// bpf_sock_convert_ctx_access / bpf_tcp_sock_convert_ctx_access).
//
// The object model: a NetSocket (host.ts) is the socket; the helpers give a
// program two read-only views of it in the arena (helpers/sock.ts keeps them,
// one per socket, and maps an address back to its NetSocket, which is what
// other helpers taking a socket pointer, e.g. sk storage, should use).

import type { Family } from './addr.js';
import { eqBytes, type Host, type NetSocket } from './host.js';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** include/net/tcp_states.h */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;

/** sizeof(struct bpf_sock) and offsetofend(struct bpf_tcp_sock, icsk_retransmits) */
export const BPF_SOCK_SIZE = 80;
export const BPF_TCP_SOCK_SIZE = 112;

/** TCP metrics a test may set on a socket (struct bpf_tcp_sock names); unset ones are a fresh socket's */
export interface TcpSockInfo {
  snd_cwnd?: number; srtt_us?: number; rtt_min?: number; snd_ssthresh?: number; rcv_nxt?: number; snd_nxt?: number;
  snd_una?: number; mss_cache?: number; ecn_flags?: number; rate_delivered?: number; rate_interval_us?: number;
  packets_out?: number; retrans_out?: number; total_retrans?: number; segs_in?: number; data_segs_in?: number;
  segs_out?: number; data_segs_out?: number; lost_out?: number; sacked_out?: number; bytes_received?: bigint;
  bytes_acked?: bigint; dsack_dups?: number; delivered?: number; delivered_ce?: number; icsk_retransmits?: number;
}

/** struct bpf_tcp_sock: u32 fields in this order, then the two u64 at 80/88, then four more u32 */
const TCP_U32_A = ['snd_cwnd', 'srtt_us', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt', 'snd_una', 'mss_cache', 'ecn_flags',
  'rate_delivered', 'rate_interval_us', 'packets_out', 'retrans_out', 'total_retrans', 'segs_in', 'data_segs_in', 'segs_out',
  'data_segs_out', 'lost_out', 'sacked_out'] as const;
const TCP_U32_B = ['dsack_dups', 'delivered', 'delivered_ce', 'icsk_retransmits'] as const;

/** every field a test may set in TcpSockInfo */
export const TCP_INFO_FIELDS: ReadonlySet<string> = new Set([...TCP_U32_A, ...TCP_U32_B, 'bytes_received', 'bytes_acked']);

/** tcp_init_sock: TCP_INIT_CWND, TCP_INFINITE_SSTHRESH, TCP_MSS_DEFAULT */
const TCP_FRESH: TcpSockInfo = { snd_cwnd: 10, snd_ssthresh: 0x7fffffff, mss_cache: 536 };

const LOOPBACK4_IPV6 = Uint8Array.of(127, 0, 0, 6);
const isAny = (a: Uint8Array): boolean => a.every((b) => b === 0);
const v4mapped = (a: Uint8Array): Uint8Array => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...a);

/** sk_state: UDP sockets are TCP_CLOSE until connect() */
export function sockState(s: NetSocket): number {
  if (s.proto === 'udp') return s.remotePort === 0 ? TCP_CLOSE : TCP_ESTABLISHED;
  return s.state === 'listen' ? TCP_LISTEN : TCP_ESTABLISHED;
}

const isListener = (s: NetSocket): boolean => s.proto === 'tcp' && s.state === 'listen';

/** an established TCP socket created by accept() (it shares a listener's port): IPv6 ones carry LOOPBACK4_IPV6 as v4 addresses */
function accepted(host: Host, s: NetSocket): boolean {
  return s.proto === 'tcp' && s.state !== 'listen'
    && host.sockets.some((l) => isListener(l) && l.family === s.family && l.localPort === s.localPort && (isAny(l.localAddr) || eqBytes(l.localAddr, s.localAddr)));
}

/**
 * sk_lookup(): the socket a packet from saddr:sport to daddr:dport would be
 * delivered to. TCP: an established socket with exactly this 4-tuple, else a
 * listener on daddr:dport, an exact address before a wildcard one and, for
 * IPv4, an AF_INET socket before a dual-stack IPv6 one on `::`. UDP: the
 * best-scoring socket bound to dport (compute_score: connected sockets must
 * match the remote end and score above unconnected ones).
 */
export function lookupSocket(host: Host, proto: 'tcp' | 'udp', family: Family, saddr: Uint8Array, sport: number, daddr: Uint8Array, dport: number): NetSocket | undefined {
  let best: NetSocket | undefined;
  let bestScore = -1;
  for (const s of host.sockets) {
    if (s.proto !== proto || s.localPort !== dport) continue;
    let score: number;
    if (s.family === family) {
      if (!isAny(s.localAddr) && !eqBytes(s.localAddr, daddr)) continue;
      score = isAny(s.localAddr) ? 0 : 128; // the exact-address hash is searched first
      if (family === 4) score += 2;
    } else if (family === 4 && s.family === 6 && isAny(s.localAddr)) {
      score = 1; // a v6 socket on :: (not IPV6_V6ONLY) takes IPv4 too
    } else {
      continue;
    }
    if (proto === 'tcp') {
      if (s.state === 'listen') {
        score += 0;
      } else {
        // the established hash: only an exact 4-tuple, and it wins over any listener
        if (s.family !== family || !eqBytes(s.localAddr, daddr) || !eqBytes(s.remoteAddr, saddr) || s.remotePort !== sport) continue;
        score = 1000;
      }
    } else if (s.remotePort !== 0) {
      if (s.family !== family || !eqBytes(s.remoteAddr, saddr) || s.remotePort !== sport) continue;
      score += 64;
    }
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

const put = (dv: DataView, at: number, bytes: Uint8Array): void => {
  for (let i = 0; i < bytes.length; i++) dv.setUint8(at + i, bytes[i]!);
};

/** struct bpf_sock as a program reads it (bpf_sock_convert_ctx_access) */
export function writeBpfSock(host: Host, s: NetSocket, dv: DataView, at: number): void {
  for (let i = 0; i < BPF_SOCK_SIZE; i += 4) dv.setUint32(at + i, 0, true);
  const v6 = s.family === 6;
  const tcpConnected = s.proto === 'tcp' && s.state !== 'listen';
  dv.setUint32(at + 0, s.boundDevIf ?? 0, true);
  dv.setUint32(at + 4, v6 ? AF_INET6 : AF_INET, true);
  dv.setUint32(at + 8, s.proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM, true);
  dv.setUint32(at + 12, s.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP, true);
  dv.setUint32(at + 16, s.mark ?? 0, true);
  dv.setUint32(at + 20, s.priority ?? 0, true);
  if (v6) {
    // inet6_bind / tcp_v6_connect: a specific IPv6 address shows as LOOPBACK4_IPV6 in the v4 field
    if (!isAny(s.localAddr) || tcpConnected) put(dv, at + 24, LOOPBACK4_IPV6);
    put(dv, at + 28, s.localAddr);
    if (accepted(host, s)) put(dv, at + 52, LOOPBACK4_IPV6);
    put(dv, at + 56, s.remoteAddr);
  } else {
    put(dv, at + 24, s.localAddr);
    put(dv, at + 52, s.remoteAddr);
    // sk_rcv_saddr_set / sk_daddr_set (TCP connect and accept) also fill the v4-mapped v6 fields
    if (tcpConnected) {
      put(dv, at + 28, v4mapped(s.localAddr));
      put(dv, at + 56, v4mapped(s.remoteAddr));
    }
  }
  dv.setUint32(at + 44, s.localPort, true);
  dv.setUint8(at + 48, s.remotePort >> 8);
  dv.setUint8(at + 49, s.remotePort & 0xff);
  dv.setUint32(at + 72, sockState(s), true);
  // sk_rx_queue_get: no queue recorded (NO_QUEUE_MAPPING reads as -1)
  dv.setInt32(at + 76, -1, true);
}

/** a TCP socket's metrics: a fresh socket's where the host sets none */
export function tcpSockInfo(s: NetSocket): TcpSockInfo {
  return { ...TCP_FRESH, ...s.tcp };
}

/** struct bpf_tcp_sock (bpf_tcp_sock_convert_ctx_access) */
export function writeBpfTcpSock(s: NetSocket, dv: DataView, at: number): void {
  const t = tcpSockInfo(s);
  TCP_U32_A.forEach((k, i) => dv.setUint32(at + 4 * i, t[k] ?? 0, true));
  dv.setBigUint64(at + 80, t.bytes_received ?? 0n, true);
  dv.setBigUint64(at + 88, t.bytes_acked ?? 0n, true);
  TCP_U32_B.forEach((k, i) => dv.setUint32(at + 96 + 4 * i, t[k] ?? 0, true));
}

/**
 * The struct bpf_sock of the socket BPF_PROG_TEST_RUN makes for an skb
 * (bpf_prog_test_run_skb: sk_alloc of a dummy proto, sock_init_data(NULL)):
 * TCP_CLOSE, no type, protocol or ports; the family and the two addresses
 * come from the packet's IPv4/IPv6 header (`ip`), AF_UNSPEC for anything else.
 */
export function writeTestRunSock(dv: DataView, at: number, ethProto: number, ip: Uint8Array): void {
  for (let i = 0; i < BPF_SOCK_SIZE; i += 4) dv.setUint32(at + i, 0, true);
  if (ethProto === 0x0800 && ip.length >= 20) {
    dv.setUint32(at + 4, AF_INET, true);
    put(dv, at + 24, ip.subarray(12, 16));
    put(dv, at + 52, ip.subarray(16, 20));
  } else if (ethProto === 0x86dd && ip.length >= 40) {
    dv.setUint32(at + 4, AF_INET6, true);
    put(dv, at + 28, ip.subarray(8, 24));
    put(dv, at + 56, ip.subarray(24, 40));
  }
  dv.setUint32(at + 72, TCP_CLOSE, true);
  dv.setInt32(at + 76, -1, true);
}

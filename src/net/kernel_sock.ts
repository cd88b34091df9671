// The kernel-struct view of a host socket: what a bpf_skc_to_tcp_sock /
// tcp6 / udp6 pointer reads (struct sock_common inside struct sock inside
// struct inet_sock ... as src/btf/kernel/tsbpf_kernel.h describes them, with
// the built-in BTF's offsets, so CO-RE reads find the fields). Written from
// the socket's struct bpf_sock view (same addresses, state, ports as the
// kernel's bpf_sock_convert_ctx_access reads from these very fields) and its
// TCP metrics; every member the header declares is filled in.

import { builtinKernelBtf, structLayout } from '../btf/kernel/kernel_btf.js';
import type { NetSocket } from './host.js';
import { TCP_INFO_FIELDS, tcpSockInfo } from './socket.js';

type Layout = Map<string, { offset: number; size: number }>;
let layouts: Record<string, Layout> | undefined;

function layout(): Record<string, Layout> {
  if (!layouts) {
    const btf = builtinKernelBtf();
    layouts = {};
    for (const n of ['sock_common', 'sock', 'inet_sock', 'inet_connection_sock', 'tcp_sock']) {
      const l = structLayout(btf, n);
      if (!l) throw new Error(`built-in kernel BTF lacks struct ${n}`);
      layouts[n] = l;
    }
  }
  return layouts;
}

/** bytes to allocate for a socket's kernel view: the largest struct a cast may return (tcp6_sock / udp6_sock) */
export function kernelSockSize(proto: 'tcp' | 'udp'): number {
  const btf = builtinKernelBtf();
  const t = btf.typeByName(proto === 'tcp' ? 'tcp6_sock' : 'udp6_sock');
  return t && 'size' in t ? t.size : 0;
}

/**
 * Fills the kernel view at `at` from the struct bpf_sock at `bpfSk` (already
 * written for s). Nested first members sit at offset 0, so each struct's own
 * member offsets are offsets from the start of the view.
 */
export function writeKernelSock(s: NetSocket, dv: DataView, at: number, bpfSk: number, size: number): void {
  const L = layout();
  for (let i = 0; i < size; i++) dv.setUint8(at + i, 0);
  const off = (st: string, f: string): number => {
    const m = L[st]!.get(f);
    if (!m) throw new Error(`built-in kernel BTF: struct ${st} lacks ${f}`);
    return at + m.offset;
  };
  const copy = (to: number, from: number, n: number): void => {
    for (let i = 0; i < n; i++) dv.setUint8(to + i, dv.getUint8(bpfSk + from + i));
  };
  // struct bpf_sock offsets: bound_dev_if 0, family 4, type 8, protocol 12, mark 16, priority 20,
  // src_ip4 24, src_ip6 28, src_port 44, dst_port 48, dst_ip4 52, dst_ip6 56, state 72
  copy(off('sock_common', 'skc_daddr'), 52, 4);
  copy(off('sock_common', 'skc_rcv_saddr'), 24, 4);
  copy(off('sock_common', 'skc_dport'), 48, 2);
  dv.setUint16(off('sock_common', 'skc_num'), dv.getUint32(bpfSk + 44, true), true);
  dv.setUint16(off('sock_common', 'skc_family'), dv.getUint32(bpfSk + 4, true), true);
  dv.setUint8(off('sock_common', 'skc_state'), dv.getUint32(bpfSk + 72, true));
  dv.setInt32(off('sock_common', 'skc_bound_dev_if'), dv.getInt32(bpfSk + 0, true), true);
  copy(off('sock_common', 'skc_v6_daddr'), 56, 16);
  copy(off('sock_common', 'skc_v6_rcv_saddr'), 28, 16);
  dv.setUint32(off('sock', 'sk_mark'), dv.getUint32(bpfSk + 16, true), true);
  dv.setUint32(off('sock', 'sk_priority'), dv.getUint32(bpfSk + 20, true), true);
  dv.setUint16(off('sock', 'sk_type'), dv.getUint32(bpfSk + 8, true), true);
  dv.setUint16(off('sock', 'sk_protocol'), dv.getUint32(bpfSk + 12, true), true);
  // inet_saddr is the bound source (inet_rcv_saddr unless the route picked one: same on the loopback host)
  copy(off('inet_sock', 'inet_saddr'), 24, 4);
  dv.setUint8(off('inet_sock', 'inet_sport'), s.localPort >> 8);
  dv.setUint8(off('inet_sock', 'inet_sport') + 1, s.localPort & 0xff);
  if (s.proto !== 'tcp') return;
  const t = tcpSockInfo(s);
  dv.setUint8(off('inet_connection_sock', 'icsk_retransmits'), t.icsk_retransmits ?? 0);
  for (const [f, m] of L.tcp_sock!) {
    if (f === 'inet_conn') continue;
    if (!TCP_INFO_FIELDS.has(f)) throw new Error(`built-in kernel BTF: tcp_sock.${f} has no host metric behind it`);
    const v = (t as Record<string, number | bigint | undefined>)[f];
    if (m.size === 8) dv.setBigUint64(at + m.offset, BigInt(v ?? 0), true);
    else dv.setUint32(at + m.offset, Number(v ?? 0), true);
  }
}

// SEC() name -> program type, as libbpf's section_defs[] table (tools/lib/bpf/libbpf.c).
// Matching follows libbpf's sec_def_matches(): "name+" matches "name" or "name/...",
// "name/" matches any "name/..." prefix, anything else must match exactly; the first
// entry that matches wins, so more specific names come first.

import * as P from './prog_types.js';

export interface SectionDef {
  sec: string;
  progType: number;
  expectedAttachType: number;
  /** SEC_SLEEPABLE: loaded with BPF_F_SLEEPABLE */
  sleepable?: boolean;
  /** SEC_XDP_FRAGS: loaded with BPF_F_XDP_HAS_FRAGS */
  xdpFrags?: boolean;
  /** SEC_ATTACH_BTF: the target (after the '/') is a BTF id libbpf resolves before load */
  attachBtf?: boolean;
}

const d = (sec: string, progType: number, expectedAttachType = 0, extra: Partial<SectionDef> = {}): SectionDef =>
  ({ sec, progType, expectedAttachType, ...extra });
const S = { sleepable: true };
const B = { attachBtf: true };
const BS = { attachBtf: true, sleepable: true };

export const SECTION_DEFS: readonly SectionDef[] = [
  d('socket', P.BPF_PROG_TYPE_SOCKET_FILTER),
  d('sk_reuseport/migrate', P.BPF_PROG_TYPE_SK_REUSEPORT, P.BPF_SK_REUSEPORT_SELECT_OR_MIGRATE),
  d('sk_reuseport', P.BPF_PROG_TYPE_SK_REUSEPORT, P.BPF_SK_REUSEPORT_SELECT),
  d('kprobe+', P.BPF_PROG_TYPE_KPROBE),
  d('uprobe+', P.BPF_PROG_TYPE_KPROBE),
  d('uprobe.s+', P.BPF_PROG_TYPE_KPROBE, 0, S),
  d('kretprobe+', P.BPF_PROG_TYPE_KPROBE),
  d('uretprobe+', P.BPF_PROG_TYPE_KPROBE),
  d('uretprobe.s+', P.BPF_PROG_TYPE_KPROBE, 0, S),
  d('kprobe.multi+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_KPROBE_MULTI),
  d('kretprobe.multi+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_KPROBE_MULTI),
  d('kprobe.session+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_KPROBE_SESSION),
  d('uprobe.multi+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_MULTI),
  d('uretprobe.multi+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_MULTI),
  d('uprobe.session+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_SESSION),
  d('uprobe.multi.s+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_MULTI, S),
  d('uretprobe.multi.s+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_MULTI, S),
  d('uprobe.session.s+', P.BPF_PROG_TYPE_KPROBE, P.BPF_TRACE_UPROBE_SESSION, S),
  d('ksyscall+', P.BPF_PROG_TYPE_KPROBE),
  d('kretsyscall+', P.BPF_PROG_TYPE_KPROBE),
  d('usdt+', P.BPF_PROG_TYPE_KPROBE),
  d('usdt.s+', P.BPF_PROG_TYPE_KPROBE, 0, S),
  d('tc/ingress', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_TCX_INGRESS),
  d('tc/egress', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_TCX_EGRESS),
  d('tcx/ingress', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_TCX_INGRESS),
  d('tcx/egress', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_TCX_EGRESS),
  d('tc', P.BPF_PROG_TYPE_SCHED_CLS),
  d('classifier', P.BPF_PROG_TYPE_SCHED_CLS),
  d('action', P.BPF_PROG_TYPE_SCHED_ACT),
  d('netkit/primary', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_NETKIT_PRIMARY),
  d('netkit/peer', P.BPF_PROG_TYPE_SCHED_CLS, P.BPF_NETKIT_PEER),
  d('tracepoint+', P.BPF_PROG_TYPE_TRACEPOINT),
  d('tp+', P.BPF_PROG_TYPE_TRACEPOINT),
  d('raw_tracepoint+', P.BPF_PROG_TYPE_RAW_TRACEPOINT),
  d('raw_tp+', P.BPF_PROG_TYPE_RAW_TRACEPOINT),
  d('raw_tracepoint.w+', P.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
  d('raw_tp.w+', P.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
  d('tp_btf+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_RAW_TP, B),
  d('fentry+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_FENTRY, B),
  d('fmod_ret+', P.BPF_PROG_TYPE_TRACING, P.BPF_MODIFY_RETURN, B),
  d('fexit+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_FEXIT, B),
  d('fentry.s+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_FENTRY, BS),
  d('fmod_ret.s+', P.BPF_PROG_TYPE_TRACING, P.BPF_MODIFY_RETURN, BS),
  d('fexit.s+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_FEXIT, BS),
  d('freplace+', P.BPF_PROG_TYPE_EXT, 0, B),
  d('lsm+', P.BPF_PROG_TYPE_LSM, P.BPF_LSM_MAC, B),
  d('lsm.s+', P.BPF_PROG_TYPE_LSM, P.BPF_LSM_MAC, BS),
  d('lsm_cgroup+', P.BPF_PROG_TYPE_LSM, P.BPF_LSM_CGROUP, B),
  d('iter+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_ITER, B),
  d('iter.s+', P.BPF_PROG_TYPE_TRACING, P.BPF_TRACE_ITER, BS),
  d('syscall', P.BPF_PROG_TYPE_SYSCALL, 0, S),
  d('xdp.frags/devmap', P.BPF_PROG_TYPE_XDP, P.BPF_XDP_DEVMAP, { xdpFrags: true }),
  d('xdp/devmap', P.BPF_PROG_TYPE_XDP, P.BPF_XDP_DEVMAP),
  d('xdp.frags/cpumap', P.BPF_PROG_TYPE_XDP, P.BPF_XDP_CPUMAP, { xdpFrags: true }),
  d('xdp/cpumap', P.BPF_PROG_TYPE_XDP, P.BPF_XDP_CPUMAP),
  d('xdp.frags', P.BPF_PROG_TYPE_XDP, P.BPF_XDP, { xdpFrags: true }),
  d('xdp', P.BPF_PROG_TYPE_XDP, P.BPF_XDP),
  d('perf_event', P.BPF_PROG_TYPE_PERF_EVENT),
  d('lwt_in', P.BPF_PROG_TYPE_LWT_IN),
  d('lwt_out', P.BPF_PROG_TYPE_LWT_OUT),
  d('lwt_xmit', P.BPF_PROG_TYPE_LWT_XMIT),
  d('lwt_seg6local', P.BPF_PROG_TYPE_LWT_SEG6LOCAL),
  d('sockops', P.BPF_PROG_TYPE_SOCK_OPS, P.BPF_CGROUP_SOCK_OPS),
  d('sk_skb/stream_parser', P.BPF_PROG_TYPE_SK_SKB, P.BPF_SK_SKB_STREAM_PARSER),
  d('sk_skb/stream_verdict', P.BPF_PROG_TYPE_SK_SKB, P.BPF_SK_SKB_STREAM_VERDICT),
  d('sk_skb/verdict', P.BPF_PROG_TYPE_SK_SKB, P.BPF_SK_SKB_VERDICT),
  d('sk_skb', P.BPF_PROG_TYPE_SK_SKB),
  d('sk_msg', P.BPF_PROG_TYPE_SK_MSG, P.BPF_SK_MSG_VERDICT),
  d('lirc_mode2', P.BPF_PROG_TYPE_LIRC_MODE2, P.BPF_LIRC_MODE2),
  d('flow_dissector', P.BPF_PROG_TYPE_FLOW_DISSECTOR, P.BPF_FLOW_DISSECTOR),
  d('cgroup_skb/ingress', P.BPF_PROG_TYPE_CGROUP_SKB, P.BPF_CGROUP_INET_INGRESS),
  d('cgroup_skb/egress', P.BPF_PROG_TYPE_CGROUP_SKB, P.BPF_CGROUP_INET_EGRESS),
  d('cgroup/skb', P.BPF_PROG_TYPE_CGROUP_SKB),
  d('cgroup/sock_create', P.BPF_PROG_TYPE_CGROUP_SOCK, P.BPF_CGROUP_INET_SOCK_CREATE),
  d('cgroup/sock_release', P.BPF_PROG_TYPE_CGROUP_SOCK, P.BPF_CGROUP_INET_SOCK_RELEASE),
  d('cgroup/sock', P.BPF_PROG_TYPE_CGROUP_SOCK, P.BPF_CGROUP_INET_SOCK_CREATE),
  d('cgroup/post_bind4', P.BPF_PROG_TYPE_CGROUP_SOCK, P.BPF_CGROUP_INET4_POST_BIND),
  d('cgroup/post_bind6', P.BPF_PROG_TYPE_CGROUP_SOCK, P.BPF_CGROUP_INET6_POST_BIND),
  d('cgroup/bind4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET4_BIND),
  d('cgroup/bind6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET6_BIND),
  d('cgroup/connect4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET4_CONNECT),
  d('cgroup/connect6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET6_CONNECT),
  d('cgroup/connect_unix', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UNIX_CONNECT),
  d('cgroup/sendmsg4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UDP4_SENDMSG),
  d('cgroup/sendmsg6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UDP6_SENDMSG),
  d('cgroup/sendmsg_unix', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UNIX_SENDMSG),
  d('cgroup/recvmsg4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UDP4_RECVMSG),
  d('cgroup/recvmsg6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UDP6_RECVMSG),
  d('cgroup/recvmsg_unix', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UNIX_RECVMSG),
  d('cgroup/getpeername4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET4_GETPEERNAME),
  d('cgroup/getpeername6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET6_GETPEERNAME),
  d('cgroup/getpeername_unix', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UNIX_GETPEERNAME),
  d('cgroup/getsockname4', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET4_GETSOCKNAME),
  d('cgroup/getsockname6', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_INET6_GETSOCKNAME),
  d('cgroup/getsockname_unix', P.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, P.BPF_CGROUP_UNIX_GETSOCKNAME),
  d('cgroup/sysctl', P.BPF_PROG_TYPE_CGROUP_SYSCTL, P.BPF_CGROUP_SYSCTL),
  d('cgroup/getsockopt', P.BPF_PROG_TYPE_CGROUP_SOCKOPT, P.BPF_CGROUP_GETSOCKOPT),
  d('cgroup/setsockopt', P.BPF_PROG_TYPE_CGROUP_SOCKOPT, P.BPF_CGROUP_SETSOCKOPT),
  d('cgroup/dev', P.BPF_PROG_TYPE_CGROUP_DEVICE, P.BPF_CGROUP_DEVICE),
  d('struct_ops+', P.BPF_PROG_TYPE_STRUCT_OPS),
  d('struct_ops.s+', P.BPF_PROG_TYPE_STRUCT_OPS, 0, S),
  d('sk_lookup', P.BPF_PROG_TYPE_SK_LOOKUP, P.BPF_SK_LOOKUP),
  d('netfilter', P.BPF_PROG_TYPE_NETFILTER, P.BPF_NETFILTER),
];

/** libbpf's sec_def_matches(). */
export function secDefMatches(def: SectionDef, name: string): boolean {
  const s = def.sec;
  if (s.endsWith('/')) return name.startsWith(s);
  if (s.endsWith('+')) {
    const pfx = s.slice(0, -1);
    return name.startsWith(pfx) && (name.length === pfx.length || name[pfx.length] === '/');
  }
  return name === s;
}

/** The section definition for a SEC() name, or undefined for an unknown one. */
export function findSectionDef(name: string): SectionDef | undefined {
  return SECTION_DEFS.find((def) => secDefMatches(def, name));
}

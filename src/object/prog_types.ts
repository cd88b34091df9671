// enum bpf_prog_type and enum bpf_attach_type, as in include/uapi/linux/bpf.h
// (values read from this machine's kernel BTF: bpftool btf dump file /sys/kernel/btf/vmlinux).
// Numbers from the kernel uapi live in src/uapi/bpf.ts; re-exported here for the object layer.
import { BPF_PROG_TYPE_UNSPEC, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_LWT_IN, BPF_PROG_TYPE_LWT_OUT, BPF_PROG_TYPE_LWT_XMIT, BPF_PROG_TYPE_SOCK_OPS, BPF_PROG_TYPE_SK_SKB, BPF_PROG_TYPE_CGROUP_DEVICE, BPF_PROG_TYPE_SK_MSG, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_LWT_SEG6LOCAL, BPF_PROG_TYPE_LIRC_MODE2, BPF_PROG_TYPE_SK_REUSEPORT, BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_STRUCT_OPS, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_SK_LOOKUP, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_NETFILTER } from '../uapi/bpf.js';
export { BPF_PROG_TYPE_UNSPEC, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_LWT_IN, BPF_PROG_TYPE_LWT_OUT, BPF_PROG_TYPE_LWT_XMIT, BPF_PROG_TYPE_SOCK_OPS, BPF_PROG_TYPE_SK_SKB, BPF_PROG_TYPE_CGROUP_DEVICE, BPF_PROG_TYPE_SK_MSG, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_LWT_SEG6LOCAL, BPF_PROG_TYPE_LIRC_MODE2, BPF_PROG_TYPE_SK_REUSEPORT, BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_STRUCT_OPS, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_SK_LOOKUP, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_NETFILTER };



export const BPF_CGROUP_INET_INGRESS = 0;
export const BPF_CGROUP_INET_EGRESS = 1;
export const BPF_CGROUP_INET_SOCK_CREATE = 2;
export const BPF_CGROUP_SOCK_OPS = 3;
export const BPF_SK_SKB_STREAM_PARSER = 4;
export const BPF_SK_SKB_STREAM_VERDICT = 5;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_SK_MSG_VERDICT = 7;
export const BPF_CGROUP_INET4_BIND = 8;
export const BPF_CGROUP_INET6_BIND = 9;
export const BPF_CGROUP_INET4_CONNECT = 10;
export const BPF_CGROUP_INET6_CONNECT = 11;
export const BPF_CGROUP_INET4_POST_BIND = 12;
export const BPF_CGROUP_INET6_POST_BIND = 13;
export const BPF_CGROUP_UDP4_SENDMSG = 14;
export const BPF_CGROUP_UDP6_SENDMSG = 15;
export const BPF_LIRC_MODE2 = 16;
export const BPF_FLOW_DISSECTOR = 17;
export const BPF_CGROUP_SYSCTL = 18;
export const BPF_CGROUP_UDP4_RECVMSG = 19;
export const BPF_CGROUP_UDP6_RECVMSG = 20;
export const BPF_CGROUP_GETSOCKOPT = 21;
export const BPF_CGROUP_SETSOCKOPT = 22;
export const BPF_TRACE_RAW_TP = 23;
export const BPF_TRACE_FENTRY = 24;
export const BPF_TRACE_FEXIT = 25;
export const BPF_MODIFY_RETURN = 26;
export const BPF_LSM_MAC = 27;
export const BPF_TRACE_ITER = 28;
export const BPF_CGROUP_INET4_GETPEERNAME = 29;
export const BPF_CGROUP_INET6_GETPEERNAME = 30;
export const BPF_CGROUP_INET4_GETSOCKNAME = 31;
export const BPF_CGROUP_INET6_GETSOCKNAME = 32;
export const BPF_XDP_DEVMAP = 33;
export const BPF_CGROUP_INET_SOCK_RELEASE = 34;
export const BPF_XDP_CPUMAP = 35;
export const BPF_SK_LOOKUP = 36;
export const BPF_XDP = 37;
export const BPF_SK_SKB_VERDICT = 38;
export const BPF_SK_REUSEPORT_SELECT = 39;
export const BPF_SK_REUSEPORT_SELECT_OR_MIGRATE = 40;
export const BPF_PERF_EVENT = 41;
export const BPF_TRACE_KPROBE_MULTI = 42;
export const BPF_LSM_CGROUP = 43;
export const BPF_STRUCT_OPS = 44;
export const BPF_NETFILTER = 45;
export const BPF_TCX_INGRESS = 46;
export const BPF_TCX_EGRESS = 47;
export const BPF_TRACE_UPROBE_MULTI = 48;
export const BPF_CGROUP_UNIX_CONNECT = 49;
export const BPF_CGROUP_UNIX_SENDMSG = 50;
export const BPF_CGROUP_UNIX_RECVMSG = 51;
export const BPF_CGROUP_UNIX_GETPEERNAME = 52;
export const BPF_CGROUP_UNIX_GETSOCKNAME = 53;
export const BPF_NETKIT_PRIMARY = 54;
export const BPF_NETKIT_PEER = 55;
export const BPF_TRACE_KPROBE_SESSION = 56;
export const BPF_TRACE_UPROBE_SESSION = 57;

export const PROG_TYPE_NAMES: Readonly<Record<number, string>> = {
  [0]: 'unspec',
  [1]: 'socket_filter',
  [2]: 'kprobe',
  [3]: 'sched_cls',
  [4]: 'sched_act',
  [5]: 'tracepoint',
  [6]: 'xdp',
  [7]: 'perf_event',
  [8]: 'cgroup_skb',
  [9]: 'cgroup_sock',
  [10]: 'lwt_in',
  [11]: 'lwt_out',
  [12]: 'lwt_xmit',
  [13]: 'sock_ops',
  [14]: 'sk_skb',
  [15]: 'cgroup_device',
  [16]: 'sk_msg',
  [17]: 'raw_tracepoint',
  [18]: 'cgroup_sock_addr',
  [19]: 'lwt_seg6local',
  [20]: 'lirc_mode2',
  [21]: 'sk_reuseport',
  [22]: 'flow_dissector',
  [23]: 'cgroup_sysctl',
  [24]: 'raw_tracepoint_writable',
  [25]: 'cgroup_sockopt',
  [26]: 'tracing',
  [27]: 'struct_ops',
  [28]: 'ext',
  [29]: 'lsm',
  [30]: 'sk_lookup',
  [31]: 'syscall',
  [32]: 'netfilter',
};

/** libbpf's attach_type_name[] (libbpf_bpf_attach_type_str). */
export const ATTACH_TYPE_NAMES: Readonly<Record<number, string>> = {
  [BPF_CGROUP_INET_INGRESS]: 'cgroup_inet_ingress', [BPF_CGROUP_INET_EGRESS]: 'cgroup_inet_egress',
  [BPF_CGROUP_INET_SOCK_CREATE]: 'cgroup_inet_sock_create', [BPF_CGROUP_INET_SOCK_RELEASE]: 'cgroup_inet_sock_release',
  [BPF_CGROUP_SOCK_OPS]: 'cgroup_sock_ops', [BPF_CGROUP_DEVICE]: 'cgroup_device',
  [BPF_CGROUP_INET4_BIND]: 'cgroup_inet4_bind', [BPF_CGROUP_INET6_BIND]: 'cgroup_inet6_bind',
  [BPF_CGROUP_INET4_CONNECT]: 'cgroup_inet4_connect', [BPF_CGROUP_INET6_CONNECT]: 'cgroup_inet6_connect',
  [BPF_CGROUP_UNIX_CONNECT]: 'cgroup_unix_connect',
  [BPF_CGROUP_INET4_POST_BIND]: 'cgroup_inet4_post_bind', [BPF_CGROUP_INET6_POST_BIND]: 'cgroup_inet6_post_bind',
  [BPF_CGROUP_INET4_GETPEERNAME]: 'cgroup_inet4_getpeername', [BPF_CGROUP_INET6_GETPEERNAME]: 'cgroup_inet6_getpeername',
  [BPF_CGROUP_UNIX_GETPEERNAME]: 'cgroup_unix_getpeername',
  [BPF_CGROUP_INET4_GETSOCKNAME]: 'cgroup_inet4_getsockname', [BPF_CGROUP_INET6_GETSOCKNAME]: 'cgroup_inet6_getsockname',
  [BPF_CGROUP_UNIX_GETSOCKNAME]: 'cgroup_unix_getsockname',
  [BPF_CGROUP_UDP4_SENDMSG]: 'cgroup_udp4_sendmsg', [BPF_CGROUP_UDP6_SENDMSG]: 'cgroup_udp6_sendmsg',
  [BPF_CGROUP_UNIX_SENDMSG]: 'cgroup_unix_sendmsg', [BPF_CGROUP_SYSCTL]: 'cgroup_sysctl',
  [BPF_CGROUP_UDP4_RECVMSG]: 'cgroup_udp4_recvmsg', [BPF_CGROUP_UDP6_RECVMSG]: 'cgroup_udp6_recvmsg',
  [BPF_CGROUP_UNIX_RECVMSG]: 'cgroup_unix_recvmsg',
  [BPF_CGROUP_GETSOCKOPT]: 'cgroup_getsockopt', [BPF_CGROUP_SETSOCKOPT]: 'cgroup_setsockopt',
  [BPF_SK_SKB_STREAM_PARSER]: 'sk_skb_stream_parser', [BPF_SK_SKB_STREAM_VERDICT]: 'sk_skb_stream_verdict',
  [BPF_SK_SKB_VERDICT]: 'sk_skb_verdict', [BPF_SK_MSG_VERDICT]: 'sk_msg_verdict', [BPF_LIRC_MODE2]: 'lirc_mode2',
  [BPF_FLOW_DISSECTOR]: 'flow_dissector', [BPF_TRACE_RAW_TP]: 'trace_raw_tp', [BPF_TRACE_FENTRY]: 'trace_fentry',
  [BPF_TRACE_FEXIT]: 'trace_fexit', [BPF_MODIFY_RETURN]: 'modify_return', [BPF_LSM_MAC]: 'lsm_mac',
  [BPF_LSM_CGROUP]: 'lsm_cgroup', [BPF_SK_LOOKUP]: 'sk_lookup', [BPF_TRACE_ITER]: 'trace_iter',
  [BPF_XDP_DEVMAP]: 'xdp_devmap', [BPF_XDP_CPUMAP]: 'xdp_cpumap', [BPF_XDP]: 'xdp',
  [BPF_SK_REUSEPORT_SELECT]: 'sk_reuseport_select', [BPF_SK_REUSEPORT_SELECT_OR_MIGRATE]: 'sk_reuseport_select_or_migrate',
  [BPF_PERF_EVENT]: 'perf_event', [BPF_TRACE_KPROBE_MULTI]: 'trace_kprobe_multi', [BPF_STRUCT_OPS]: 'struct_ops',
  [BPF_NETFILTER]: 'netfilter', [BPF_TCX_INGRESS]: 'tcx_ingress', [BPF_TCX_EGRESS]: 'tcx_egress',
  [BPF_TRACE_UPROBE_MULTI]: 'trace_uprobe_multi', [BPF_NETKIT_PRIMARY]: 'netkit_primary', [BPF_NETKIT_PEER]: 'netkit_peer',
  [BPF_TRACE_KPROBE_SESSION]: 'trace_kprobe_session', [BPF_TRACE_UPROBE_SESSION]: 'trace_uprobe_session',
};

function byName(table: Readonly<Record<number, string>>, v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  for (const [k, n] of Object.entries(table)) if (n === t) return Number(k);
  return undefined;
}

/** enum bpf_prog_type from libbpf's name ('xdp', 'sched_cls', ...) or a number; undefined if unknown. */
export function progTypeByName(v: number | string): number | undefined {
  return byName(PROG_TYPE_NAMES, v);
}

/** enum bpf_attach_type from libbpf's name ('xdp_devmap', 'tcx_ingress', ...) or a number; undefined if unknown. */
export function attachTypeByName(v: number | string): number | undefined {
  return byName(ATTACH_TYPE_NAMES, v);
}

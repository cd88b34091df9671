// check_return_code's per-program-type range for R0 at the main program's
// exit (return_retval_range in newer trees). Program types not listed may
// return anything.
import {
  BPF_PROG_TYPE_CGROUP_DEVICE, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
  BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SK_LOOKUP,
  BPF_PROG_TYPE_SOCK_OPS, BPF_PROG_TYPE_TRACING,
} from '../uapi/bpf.js';
import {
  BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET4_GETPEERNAME, BPF_CGROUP_INET4_GETSOCKNAME, BPF_CGROUP_INET6_BIND,
  BPF_CGROUP_INET6_GETPEERNAME, BPF_CGROUP_INET6_GETSOCKNAME, BPF_CGROUP_INET_EGRESS, BPF_CGROUP_UDP4_RECVMSG,
  BPF_CGROUP_UDP6_RECVMSG, BPF_CGROUP_UNIX_GETPEERNAME, BPF_CGROUP_UNIX_GETSOCKNAME, BPF_CGROUP_UNIX_RECVMSG,
  BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_TRACE_ITER, BPF_TRACE_KPROBE_SESSION, BPF_TRACE_UPROBE_SESSION,
} from '../object/prog_types.js';

/** SK_DROP / SK_PASS */
const SK_DROP = 0n, SK_PASS = 1n;

const ADDR_ONE = new Set([
  BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG, BPF_CGROUP_UNIX_RECVMSG, BPF_CGROUP_INET4_GETPEERNAME,
  BPF_CGROUP_INET6_GETPEERNAME, BPF_CGROUP_UNIX_GETPEERNAME, BPF_CGROUP_INET4_GETSOCKNAME, BPF_CGROUP_INET6_GETSOCKNAME,
  BPF_CGROUP_UNIX_GETSOCKNAME,
]);

/** The range R0 must be in when the main program exits, or undefined when any value goes. */
export function progRetRange(progType: number, attach: number | undefined): [bigint, bigint] | undefined {
  switch (progType) {
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
      if (attach !== undefined && ADDR_ONE.has(attach)) return [1n, 1n];
      if (attach === BPF_CGROUP_INET4_BIND || attach === BPF_CGROUP_INET6_BIND) return [0n, 3n];
      return [0n, 1n];
    case BPF_PROG_TYPE_CGROUP_SKB:
      return attach === BPF_CGROUP_INET_EGRESS ? [0n, 3n] : [0n, 1n];
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_SOCK_OPS:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
      return [0n, 1n];
    case BPF_PROG_TYPE_TRACING:
      if (attach === BPF_TRACE_FENTRY || attach === BPF_TRACE_FEXIT) return [0n, 0n];
      return attach === BPF_TRACE_ITER ? [0n, 1n] : undefined;
    case BPF_PROG_TYPE_KPROBE:
      return attach === BPF_TRACE_KPROBE_SESSION || attach === BPF_TRACE_UPROBE_SESSION ? [0n, 1n] : undefined;
    case BPF_PROG_TYPE_SK_LOOKUP:
      return [SK_DROP, SK_PASS];
    default:
      return undefined;
  }
}

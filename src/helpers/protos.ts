// The prototype table of the helpers tsbpf implements, by kernel id
// (kernel/bpf/helpers.c, net/core/filter.c, kernel/trace/bpf_trace.c).
import { ArgType as A, MEM_UNINIT, OBJ_RELEASE, RetType as R, type HelperProto } from './proto.js';
import * as F from '../uapi/bpf_func.js';
import * as T from '../uapi/bpf.js';

const XDP = [F.BPF_PROG_TYPE_XDP];
/**
 * bpf_ktime_get_coarse_ns is in bpf_sk_base_func_proto only: networking
 * programs. Linux 6.18 refuses it (-EINVAL "program of this type cannot use
 * helper") in syscall, kprobe, tracepoint, raw_tp, perf_event, cgroup/dev and
 * cgroup sockopt programs (checked live: test/kernel/scenarios/helpers_coarse).
 */
const SK_BASE = [
  T.BPF_PROG_TYPE_SOCKET_FILTER, T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_SCHED_ACT, T.BPF_PROG_TYPE_XDP,
  T.BPF_PROG_TYPE_CGROUP_SKB, T.BPF_PROG_TYPE_CGROUP_SOCK, T.BPF_PROG_TYPE_LWT_IN, T.BPF_PROG_TYPE_LWT_OUT,
  T.BPF_PROG_TYPE_LWT_XMIT, T.BPF_PROG_TYPE_LWT_SEG6LOCAL, T.BPF_PROG_TYPE_SOCK_OPS, T.BPF_PROG_TYPE_SK_SKB,
  T.BPF_PROG_TYPE_SK_MSG, T.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, T.BPF_PROG_TYPE_SK_REUSEPORT,
  T.BPF_PROG_TYPE_FLOW_DISSECTOR, T.BPF_PROG_TYPE_CGROUP_SYSCTL, T.BPF_PROG_TYPE_SK_LOOKUP,
];

const table: HelperProto[] = [
  { id: F.BPF_FUNC_dynptr_from_mem, name: 'dynptr_from_mem', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_UNINIT_MEM, A.CONST_SIZE_OR_ZERO, A.ANYTHING, A.PTR_TO_DYNPTR], argFlags: [0, 0, 0, MEM_UNINIT] },
  { id: F.BPF_FUNC_dynptr_read, name: 'dynptr_read', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_UNINIT_MEM, A.CONST_SIZE_OR_ZERO, A.PTR_TO_DYNPTR, A.ANYTHING, A.ANYTHING] },
  { id: F.BPF_FUNC_dynptr_write, name: 'dynptr_write', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_DYNPTR, A.ANYTHING, A.PTR_TO_MEM, A.CONST_SIZE_OR_ZERO, A.ANYTHING] },
  { id: F.BPF_FUNC_dynptr_data, name: 'dynptr_data', gplOnly: false, ret: R.PTR_TO_DYNPTR_MEM_OR_NULL, args: [A.PTR_TO_DYNPTR, A.ANYTHING, A.CONST_ALLOC_SIZE_OR_ZERO] },
  { id: F.BPF_FUNC_map_lookup_elem, name: 'map_lookup_elem', gplOnly: false, ret: R.PTR_TO_MAP_VALUE_OR_NULL, args: [A.CONST_MAP_PTR, A.PTR_TO_MAP_KEY] },
  { id: F.BPF_FUNC_map_update_elem, name: 'map_update_elem', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_MAP_KEY, A.PTR_TO_MAP_VALUE, A.ANYTHING] },
  { id: F.BPF_FUNC_map_delete_elem, name: 'map_delete_elem', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_MAP_KEY] },
  { id: F.BPF_FUNC_ktime_get_ns, name: 'ktime_get_ns', gplOnly: false, ret: R.INTEGER, args: [] },
  { id: F.BPF_FUNC_trace_printk, name: 'trace_printk', gplOnly: true, ret: R.INTEGER, args: [A.PTR_TO_MEM, A.CONST_SIZE] },
  { id: F.BPF_FUNC_get_prandom_u32, name: 'get_prandom_u32', gplOnly: false, ret: R.INTEGER, args: [] },
  { id: F.BPF_FUNC_get_smp_processor_id, name: 'get_smp_processor_id', gplOnly: false, ret: R.INTEGER, args: [] },
  { id: F.BPF_FUNC_tail_call, name: 'tail_call', gplOnly: false, ret: R.VOID, args: [A.PTR_TO_CTX, A.CONST_MAP_PTR, A.ANYTHING] },
  { id: F.BPF_FUNC_xdp_adjust_head, name: 'xdp_adjust_head', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_CTX, A.ANYTHING], progTypes: XDP },
  { id: F.BPF_FUNC_xdp_adjust_tail, name: 'xdp_adjust_tail', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_CTX, A.ANYTHING], progTypes: XDP },
  { id: F.BPF_FUNC_map_push_elem, name: 'map_push_elem', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_MAP_VALUE, A.ANYTHING] },
  { id: F.BPF_FUNC_map_pop_elem, name: 'map_pop_elem', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_UNINIT_MAP_VALUE] },
  { id: F.BPF_FUNC_map_peek_elem, name: 'map_peek_elem', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_UNINIT_MAP_VALUE] },
  { id: F.BPF_FUNC_spin_lock, name: 'spin_lock', gplOnly: false, ret: R.VOID, args: [A.PTR_TO_SPIN_LOCK] },
  { id: F.BPF_FUNC_spin_unlock, name: 'spin_unlock', gplOnly: false, ret: R.VOID, args: [A.PTR_TO_SPIN_LOCK] },
  { id: F.BPF_FUNC_ktime_get_boot_ns, name: 'ktime_get_boot_ns', gplOnly: false, ret: R.INTEGER, args: [] },
  { id: F.BPF_FUNC_ktime_get_coarse_ns, name: 'ktime_get_coarse_ns', gplOnly: false, ret: R.INTEGER, args: [], progTypes: SK_BASE },
  { id: F.BPF_FUNC_timer_init, name: 'timer_init', gplOnly: true, ret: R.INTEGER, args: [A.PTR_TO_TIMER, A.CONST_MAP_PTR, A.ANYTHING] },
  { id: F.BPF_FUNC_timer_set_callback, name: 'timer_set_callback', gplOnly: true, ret: R.INTEGER, args: [A.PTR_TO_TIMER, A.PTR_TO_FUNC], callback: 'timer' },
  { id: F.BPF_FUNC_timer_start, name: 'timer_start', gplOnly: true, ret: R.INTEGER, args: [A.PTR_TO_TIMER, A.ANYTHING, A.ANYTHING] },
  { id: F.BPF_FUNC_timer_cancel, name: 'timer_cancel', gplOnly: true, ret: R.INTEGER, args: [A.PTR_TO_TIMER] },
  { id: F.BPF_FUNC_loop, name: 'loop', gplOnly: false, ret: R.INTEGER, args: [A.ANYTHING, A.PTR_TO_FUNC, A.PTR_TO_STACK_OR_NULL, A.ANYTHING], callback: 'loop' },
  { id: F.BPF_FUNC_xdp_get_buff_len, name: 'xdp_get_buff_len', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_CTX], progTypes: XDP },
  { id: F.BPF_FUNC_xdp_load_bytes, name: 'xdp_load_bytes', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_CTX, A.ANYTHING, A.PTR_TO_UNINIT_MEM, A.CONST_SIZE], progTypes: XDP },
  { id: F.BPF_FUNC_xdp_store_bytes, name: 'xdp_store_bytes', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_CTX, A.ANYTHING, A.PTR_TO_MEM, A.CONST_SIZE], progTypes: XDP },
  { id: F.BPF_FUNC_ringbuf_output, name: 'ringbuf_output', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.PTR_TO_MEM, A.CONST_SIZE_OR_ZERO, A.ANYTHING] },
  { id: F.BPF_FUNC_ringbuf_query, name: 'ringbuf_query', gplOnly: false, ret: R.INTEGER, args: [A.CONST_MAP_PTR, A.ANYTHING] },
  { id: F.BPF_FUNC_map_lookup_percpu_elem, name: 'map_lookup_percpu_elem', gplOnly: false, ret: R.PTR_TO_MAP_VALUE_OR_NULL, args: [A.CONST_MAP_PTR, A.PTR_TO_MAP_KEY, A.ANYTHING] },
];

/** tc_cls_act, xdp, cg_skb, sk_skb and sock_addr programs: the socket lookups (net/core/filter.c) */
const SK_LOOKUP = [
  T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_SCHED_ACT, T.BPF_PROG_TYPE_XDP, T.BPF_PROG_TYPE_CGROUP_SKB,
  T.BPF_PROG_TYPE_SK_SKB, T.BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
];
const SK_RELEASE = [...SK_LOOKUP, T.BPF_PROG_TYPE_SK_LOOKUP];
const TCP_SOCK = [T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_SCHED_ACT, T.BPF_PROG_TYPE_CGROUP_SKB];

/**
 * Prototypes of helpers the verifier checks (reference tracking) that the
 * runtime does not implement yet: a program using one verifies as in the
 * kernel, then the loader refuses it naming the helper.
 */
const verifyOnly: HelperProto[] = [
  { id: F.BPF_FUNC_sk_lookup_tcp, name: 'sk_lookup_tcp', gplOnly: false, ret: R.PTR_TO_SOCKET_OR_NULL, args: [A.PTR_TO_CTX, A.PTR_TO_MEM, A.CONST_SIZE, A.ANYTHING, A.ANYTHING], acquire: true, progTypes: SK_LOOKUP },
  { id: F.BPF_FUNC_sk_lookup_udp, name: 'sk_lookup_udp', gplOnly: false, ret: R.PTR_TO_SOCKET_OR_NULL, args: [A.PTR_TO_CTX, A.PTR_TO_MEM, A.CONST_SIZE, A.ANYTHING, A.ANYTHING], acquire: true, progTypes: SK_LOOKUP },
  { id: F.BPF_FUNC_skc_lookup_tcp, name: 'skc_lookup_tcp', gplOnly: false, ret: R.PTR_TO_SOCK_COMMON_OR_NULL, args: [A.PTR_TO_CTX, A.PTR_TO_MEM, A.CONST_SIZE, A.ANYTHING, A.ANYTHING], acquire: true, progTypes: SK_LOOKUP },
  { id: F.BPF_FUNC_sk_release, name: 'sk_release', gplOnly: false, ret: R.INTEGER, args: [A.PTR_TO_BTF_ID_SOCK_COMMON], argFlags: [OBJ_RELEASE], progTypes: SK_RELEASE },
  { id: F.BPF_FUNC_sk_fullsock, name: 'sk_fullsock', gplOnly: false, ret: R.PTR_TO_SOCKET_OR_NULL, args: [A.PTR_TO_SOCK_COMMON], ptrCast: true, progTypes: TCP_SOCK },
  { id: F.BPF_FUNC_tcp_sock, name: 'tcp_sock', gplOnly: false, ret: R.PTR_TO_TCP_SOCK_OR_NULL, args: [A.PTR_TO_SOCK_COMMON], ptrCast: true, progTypes: TCP_SOCK },
  { id: F.BPF_FUNC_ringbuf_reserve, name: 'ringbuf_reserve', gplOnly: false, ret: R.PTR_TO_RINGBUF_MEM_OR_NULL, args: [A.CONST_MAP_PTR, A.CONST_ALLOC_SIZE_OR_ZERO, A.ANYTHING], acquire: true },
  { id: F.BPF_FUNC_ringbuf_submit, name: 'ringbuf_submit', gplOnly: false, ret: R.VOID, args: [A.PTR_TO_RINGBUF_MEM, A.ANYTHING], argFlags: [OBJ_RELEASE] },
  { id: F.BPF_FUNC_ringbuf_discard, name: 'ringbuf_discard', gplOnly: false, ret: R.VOID, args: [A.PTR_TO_RINGBUF_MEM, A.ANYTHING], argFlags: [OBJ_RELEASE] },
];

/** The helpers the runtime implements, by id. */
export const HELPER_PROTOS: ReadonlyMap<number, HelperProto> = new Map(table.map((p) => [p.id, p]));
/** Every prototype the verifier knows: the implemented ones and the verify-only ones. */
export const VERIFIER_PROTOS: ReadonlyMap<number, HelperProto> = new Map([...verifyOnly, ...table].map((p) => [p.id, p]));

/** The prototype for a helper id, or undefined when the verifier does not know it. */
export function helperProto(id: number): HelperProto | undefined {
  return VERIFIER_PROTOS.get(id);
}

/** The runtime has an implementation for the helper (else the loader refuses a program calling it). */
export function helperImplemented(id: number): boolean {
  return HELPER_PROTOS.has(id);
}

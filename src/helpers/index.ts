// The helper table: every implemented helper by kernel id (enum bpf_func_id),
// bound to one runtime's HelperEnv. Prototypes (what the verifier checks)
// live in protos.ts; an id here without a prototype there is a bug, which
// the tests check.

import type { HelperFn } from '../vm/env.js';
import * as F from '../uapi/bpf_func.js';
import type { HelperEnv } from './env.js';
import {
  bpf_map_delete_elem, bpf_map_lookup_elem, bpf_map_lookup_percpu_elem, bpf_map_peek_elem,
  bpf_map_pop_elem, bpf_map_push_elem, bpf_map_update_elem,
} from './map.js';
import { bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns, bpf_ktime_get_ns } from './time.js';
import { bpf_get_prandom_u32, bpf_get_smp_processor_id, bpf_per_cpu_ptr, bpf_this_cpu_ptr } from './misc.js';
import { bpf_snprintf, bpf_trace_printk, bpf_trace_vprintk } from './trace_printk.js';
import { bpf_spin_lock, bpf_spin_unlock } from './spin_lock.js';
import { bpf_loop } from './loop.js';
import { bpf_tail_call } from './tail_call.js';
import {
  bpf_xdp_adjust_head, bpf_xdp_adjust_tail, bpf_xdp_get_buff_len, bpf_xdp_load_bytes, bpf_xdp_store_bytes,
} from './xdp.js';
import {
  bpf_ringbuf_commit_dynptr, bpf_ringbuf_discard, bpf_ringbuf_output, bpf_ringbuf_query, bpf_ringbuf_reserve, bpf_ringbuf_reserve_dynptr, bpf_ringbuf_submit,
  bpf_user_ringbuf_drain,
} from './ringbuf.js';
import { bpf_perf_event_output } from './perf_event.js';
import {
  bpf_get_local_storage, bpf_sk_storage_delete, bpf_sk_storage_get, bpf_storage_delete, bpf_storage_get,
} from './local_storage.js';
import { bpf_timer_cancel, bpf_timer_init, bpf_timer_set_callback, bpf_timer_start } from './timer.js';

import * as N from '../uapi/bpf_net.js';
import * as S from './skb.js';
import * as Rd from './redirect.js';
import {
  bpf_get_current_cgroup_id, bpf_get_current_comm, bpf_get_current_pid_tgid, bpf_get_current_task, bpf_get_current_task_btf,
  bpf_get_current_uid_gid,
} from './task.js';
import {
  bpf_probe_read, bpf_probe_read_kernel, bpf_probe_read_kernel_str, bpf_probe_read_str, bpf_probe_read_user, bpf_probe_read_user_str,
} from './probe_read.js';
import {
  bpf_get_attach_cookie, bpf_get_func_ip, bpf_get_numa_node_id, bpf_get_stack, bpf_get_stackid, bpf_jiffies64, bpf_ktime_get_tai_ns,
  bpf_strncmp,
} from './trace_misc.js';
import { DynptrOps } from '../kfuncs/dynptr.js';
import * as Sk from './sock.js';
import * as Tn from './tunnel.js';
import * as SS from './skb_sock.js';

export { HelperFault } from './misc.js';
export type { HelperEnv, HelperMap, TraceRun, XdpBuff } from './env.js';

/** The id -> implementation table the engines call, for one runtime. */
export function createHelpers(env: HelperEnv): Map<number, HelperFn> {
  const net: [number, (env: HelperEnv) => HelperFn][] = [
    [N.BPF_FUNC_skb_load_bytes, S.bpf_skb_load_bytes], [N.BPF_FUNC_skb_load_bytes_relative, S.bpf_skb_load_bytes_relative],
    [N.BPF_FUNC_skb_store_bytes, S.bpf_skb_store_bytes], [N.BPF_FUNC_l3_csum_replace, S.bpf_l3_csum_replace],
    [N.BPF_FUNC_l4_csum_replace, S.bpf_l4_csum_replace], [N.BPF_FUNC_csum_diff, S.bpf_csum_diff],
    [N.BPF_FUNC_csum_update, S.bpf_csum_update], [N.BPF_FUNC_csum_level, S.bpf_csum_level],
    [N.BPF_FUNC_skb_pull_data, S.bpf_skb_pull_data], [N.BPF_FUNC_skb_change_tail, S.bpf_skb_change_tail],
    [N.BPF_FUNC_skb_change_head, S.bpf_skb_change_head], [N.BPF_FUNC_skb_change_proto, S.bpf_skb_change_proto],
    [N.BPF_FUNC_skb_change_type, S.bpf_skb_change_type], [N.BPF_FUNC_skb_adjust_room, S.bpf_skb_adjust_room],
    [N.BPF_FUNC_skb_vlan_push, S.bpf_skb_vlan_push], [N.BPF_FUNC_skb_vlan_pop, S.bpf_skb_vlan_pop],
    [N.BPF_FUNC_set_hash, S.bpf_set_hash], [N.BPF_FUNC_set_hash_invalid, S.bpf_set_hash_invalid],
    [N.BPF_FUNC_get_hash_recalc, S.bpf_get_hash_recalc], [N.BPF_FUNC_get_route_realm, S.bpf_get_route_realm],
    [N.BPF_FUNC_get_cgroup_classid, S.bpf_get_cgroup_classid],
    [N.BPF_FUNC_redirect, Rd.bpf_redirect], [N.BPF_FUNC_redirect_peer, Rd.bpf_redirect_peer],
    [N.BPF_FUNC_redirect_neigh, Rd.bpf_redirect_neigh], [N.BPF_FUNC_clone_redirect, Rd.bpf_clone_redirect],
    [N.BPF_FUNC_redirect_map, Rd.bpf_redirect_map], [N.BPF_FUNC_check_mtu, Rd.bpf_check_mtu],
    [N.BPF_FUNC_fib_lookup, Rd.bpf_fib_lookup], [N.BPF_FUNC_xdp_adjust_meta, Rd.bpf_xdp_adjust_meta],
    [F.BPF_FUNC_sk_lookup_tcp, Sk.bpf_sk_lookup_tcp], [F.BPF_FUNC_sk_lookup_udp, Sk.bpf_sk_lookup_udp],
    [F.BPF_FUNC_skc_lookup_tcp, Sk.bpf_skc_lookup_tcp], [F.BPF_FUNC_sk_release, Sk.bpf_sk_release],
    [F.BPF_FUNC_sk_fullsock, Sk.bpf_sk_fullsock], [F.BPF_FUNC_tcp_sock, Sk.bpf_tcp_sock],
    [F.BPF_FUNC_get_listener_sock, Sk.bpf_get_listener_sock],
    [F.BPF_FUNC_tcp_check_syncookie, Sk.bpf_tcp_check_syncookie], [F.BPF_FUNC_tcp_gen_syncookie, Sk.bpf_tcp_gen_syncookie],
    [F.BPF_FUNC_sk_assign, Sk.bpf_sk_assign],
    [F.BPF_FUNC_skc_to_tcp6_sock, Sk.bpf_skc_to_tcp6_sock], [F.BPF_FUNC_skc_to_tcp_sock, Sk.bpf_skc_to_tcp_sock],
    [F.BPF_FUNC_skc_to_tcp_timewait_sock, Sk.bpf_skc_to_tcp_timewait_sock],
    [F.BPF_FUNC_skc_to_tcp_request_sock, Sk.bpf_skc_to_tcp_request_sock],
    [F.BPF_FUNC_skc_to_udp6_sock, Sk.bpf_skc_to_udp6_sock], [F.BPF_FUNC_skc_to_unix_sock, Sk.bpf_skc_to_unix_sock],
    [F.BPF_FUNC_skc_to_mptcp_sock, Sk.bpf_skc_to_mptcp_sock],
    [F.BPF_FUNC_sk_cgroup_id, Sk.bpf_sk_cgroup_id], [F.BPF_FUNC_sk_ancestor_cgroup_id, Sk.bpf_sk_ancestor_cgroup_id],
    [N.BPF_FUNC_skb_get_tunnel_key, Tn.bpf_skb_get_tunnel_key], [N.BPF_FUNC_skb_set_tunnel_key, Tn.bpf_skb_set_tunnel_key],
    [N.BPF_FUNC_skb_get_tunnel_opt, Tn.bpf_skb_get_tunnel_opt], [N.BPF_FUNC_skb_set_tunnel_opt, Tn.bpf_skb_set_tunnel_opt],
    [N.BPF_FUNC_get_socket_cookie, SS.bpf_get_socket_cookie], [N.BPF_FUNC_get_netns_cookie, SS.bpf_get_netns_cookie], [N.BPF_FUNC_get_socket_uid, SS.bpf_get_socket_uid],
    [N.BPF_FUNC_skb_cgroup_id, SS.bpf_skb_cgroup_id], [N.BPF_FUNC_skb_ancestor_cgroup_id, SS.bpf_skb_ancestor_cgroup_id],
    [N.BPF_FUNC_skb_ecn_set_ce, SS.bpf_skb_ecn_set_ce],
    [F.BPF_FUNC_skb_under_cgroup, SS.bpf_skb_under_cgroup], [F.BPF_FUNC_current_task_under_cgroup, SS.bpf_current_task_under_cgroup],
  ];
  const dynptr = new DynptrOps(env.arena);
  return new Map<number, HelperFn>([
    ...net.map(([id, make]): [number, HelperFn] => [id, make(env)]),
    [F.BPF_FUNC_dynptr_from_mem, dynptr.fromMem],
    [F.BPF_FUNC_dynptr_read, dynptr.readBytes],
    [F.BPF_FUNC_dynptr_write, dynptr.writeBytes],
    [F.BPF_FUNC_dynptr_data, dynptr.data],
    [F.BPF_FUNC_ringbuf_reserve_dynptr, bpf_ringbuf_reserve_dynptr(env, dynptr)],
    [F.BPF_FUNC_ringbuf_submit_dynptr, bpf_ringbuf_commit_dynptr(env, dynptr, false)],
    [F.BPF_FUNC_ringbuf_discard_dynptr, bpf_ringbuf_commit_dynptr(env, dynptr, true)],
    [F.BPF_FUNC_map_lookup_elem, bpf_map_lookup_elem(env)],
    [F.BPF_FUNC_map_update_elem, bpf_map_update_elem(env)],
    [F.BPF_FUNC_map_delete_elem, bpf_map_delete_elem(env)],
    [F.BPF_FUNC_ktime_get_ns, bpf_ktime_get_ns(env)],
    [F.BPF_FUNC_trace_printk, bpf_trace_printk(env)],
    [F.BPF_FUNC_snprintf, bpf_snprintf(env)],
    [F.BPF_FUNC_trace_vprintk, bpf_trace_vprintk(env)],
    [F.BPF_FUNC_get_prandom_u32, bpf_get_prandom_u32(env)],
    [F.BPF_FUNC_get_smp_processor_id, bpf_get_smp_processor_id],
    [F.BPF_FUNC_per_cpu_ptr, bpf_per_cpu_ptr(env)],
    [F.BPF_FUNC_this_cpu_ptr, bpf_this_cpu_ptr(env)],
    [F.BPF_FUNC_tail_call, bpf_tail_call(env)],
    [F.BPF_FUNC_xdp_adjust_head, bpf_xdp_adjust_head(env)],
    [F.BPF_FUNC_xdp_adjust_tail, bpf_xdp_adjust_tail(env)],
    [F.BPF_FUNC_map_push_elem, bpf_map_push_elem(env)],
    [F.BPF_FUNC_map_pop_elem, bpf_map_pop_elem(env)],
    [F.BPF_FUNC_map_peek_elem, bpf_map_peek_elem(env)],
    [F.BPF_FUNC_spin_lock, bpf_spin_lock(env)],
    [F.BPF_FUNC_spin_unlock, bpf_spin_unlock(env)],
    [F.BPF_FUNC_ktime_get_boot_ns, bpf_ktime_get_boot_ns(env)],
    [F.BPF_FUNC_ktime_get_coarse_ns, bpf_ktime_get_coarse_ns(env)],
    [F.BPF_FUNC_timer_init, bpf_timer_init(env)],
    [F.BPF_FUNC_timer_set_callback, bpf_timer_set_callback(env)],
    [F.BPF_FUNC_timer_start, bpf_timer_start(env)],
    [F.BPF_FUNC_timer_cancel, bpf_timer_cancel(env)],
    [F.BPF_FUNC_loop, bpf_loop],
    [F.BPF_FUNC_xdp_get_buff_len, bpf_xdp_get_buff_len(env)],
    [F.BPF_FUNC_xdp_load_bytes, bpf_xdp_load_bytes(env)],
    [F.BPF_FUNC_xdp_store_bytes, bpf_xdp_store_bytes(env)],
    [F.BPF_FUNC_map_lookup_percpu_elem, bpf_map_lookup_percpu_elem(env)],
    [F.BPF_FUNC_get_current_pid_tgid, bpf_get_current_pid_tgid(env)],
    [F.BPF_FUNC_get_current_uid_gid, bpf_get_current_uid_gid(env)],
    [F.BPF_FUNC_get_current_comm, bpf_get_current_comm(env)],
    [F.BPF_FUNC_get_current_task, bpf_get_current_task(env)],
    [F.BPF_FUNC_get_current_cgroup_id, bpf_get_current_cgroup_id(env)],
    [F.BPF_FUNC_probe_read, bpf_probe_read(env)],
    [F.BPF_FUNC_probe_read_str, bpf_probe_read_str(env)],
    [F.BPF_FUNC_probe_read_kernel, bpf_probe_read_kernel(env)],
    [F.BPF_FUNC_probe_read_user, bpf_probe_read_user(env)],
    [F.BPF_FUNC_probe_read_kernel_str, bpf_probe_read_kernel_str(env)],
    [F.BPF_FUNC_probe_read_user_str, bpf_probe_read_user_str(env)],
    [F.BPF_FUNC_ktime_get_tai_ns, bpf_ktime_get_tai_ns(env)],
    [F.BPF_FUNC_jiffies64, bpf_jiffies64(env)],
    [F.BPF_FUNC_get_numa_node_id, bpf_get_numa_node_id],
    [F.BPF_FUNC_get_func_ip, bpf_get_func_ip(env)],
    [F.BPF_FUNC_get_attach_cookie, bpf_get_attach_cookie(env)],
    [F.BPF_FUNC_get_stack, bpf_get_stack(env)],
    [F.BPF_FUNC_get_stackid, bpf_get_stackid(env)],
    [F.BPF_FUNC_strncmp, bpf_strncmp],
    [F.BPF_FUNC_ringbuf_output, bpf_ringbuf_output(env)],
    [F.BPF_FUNC_ringbuf_reserve, bpf_ringbuf_reserve(env)],
    [F.BPF_FUNC_ringbuf_submit, bpf_ringbuf_submit(env)],
    [F.BPF_FUNC_ringbuf_discard, bpf_ringbuf_discard(env)],
    [F.BPF_FUNC_ringbuf_query, bpf_ringbuf_query(env)],
    [F.BPF_FUNC_user_ringbuf_drain, bpf_user_ringbuf_drain(env)],
    [F.BPF_FUNC_perf_event_output, bpf_perf_event_output(env)],
    [F.BPF_FUNC_get_local_storage, bpf_get_local_storage(env)],
    [F.BPF_FUNC_get_current_task_btf, bpf_get_current_task_btf(env)],
    [F.BPF_FUNC_task_storage_get, bpf_storage_get('task')(env)],
    [F.BPF_FUNC_task_storage_delete, bpf_storage_delete('task')(env)],
    [F.BPF_FUNC_sk_storage_get, bpf_sk_storage_get(env)],
    [F.BPF_FUNC_sk_storage_delete, bpf_sk_storage_delete(env)],
    [F.BPF_FUNC_cgrp_storage_get, bpf_storage_get('cgrp')(env)],
    [F.BPF_FUNC_cgrp_storage_delete, bpf_storage_delete('cgrp')(env)],
  ]);
}

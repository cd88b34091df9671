// The helper-id and map-type tables of docs/features.md, generated from the
// prototype table (src/helpers/protos*.ts), the runtime's helper table and the
// registered map types, so the document cannot drift from the code:
// test/docs/features.test.ts checks the file; TSBPF_UPDATE_DOCS=1 rewrites it.
import { HELPER_PROTOS } from '../../src/helpers/protos.js';
import { FUNC_ID_NAMES } from '../../src/isa/funcids.js';
import { mapTypeSupported } from '../../src/maps/index.js';
import * as T from '../../src/uapi/bpf.js';
import { Runtime } from '../../src/runtime/runtime.js';

/** What is known about an implemented helper beyond "done", or why one is not there. */
const HELPER_NOTES: Readonly<Record<string, string>> = {
  get_stack: 'partial: the stacks are the ones the test sets (rt.task.kernelStack/userStack); BPF_F_USER_BUILD_ID stacks are not simulated',
  get_current_task: 'the address the test sets (rt.task.taskStruct); reading through it needs rt.memory.kernel',
  probe_read_kernel: 'rt.memory.kernel plus the arena (BPF stacks, map values); user-half addresses -ERANGE, unmapped -EFAULT, destination zeroed (test/tracing/task)',
  probe_read_user: 'rt.memory.user; unmapped -EFAULT, destination zeroed (test/tracing/task)',
  get_func_ip: 'kprobe: the trigger\'s funcIp or regs.ip; fentry: funcIp; other types refused by the verifier (-ENOTSUPP, as 6.18)',
  get_attach_cookie: 'the trigger\'s cookie (0 without one)',
  jiffies64: 'CLOCK_MONOTONIC at HZ=250 from INITIAL_JIFFIES',
  get_current_task_btf: 'partial: a trusted task_struct pointer typed by the target BTF; loads checked by btf_struct_access and run as BPF_PROBE_MEM over the simulated task_struct (pid, tgid, comm, exit_code, real_parent/parent, group_leader, cred/real_cred uids and gids); other fields are a run-time error naming them (test/tracing/task_btf, test/verifier/corpus/task_btf, Linux 6.18)',
  task_storage_get: 'the storage of the task the pointer names (rt.task\'s taskStruct); kernel-checked (test/kernel/scenarios/task_storage, test/verifier/corpus/task_storage)',
  task_storage_delete: 'kernel-checked (test/kernel/scenarios/task_storage)',
  inode_storage_get: 'not yet: no simulated inodes (the map type is created as the kernel does; a program calling it is refused at load)',
  inode_storage_delete: 'not yet: no simulated inodes',
  sk_storage_get: 'the simulated host\'s sockets (bpf_sk_lookup_*), storage keyed by the socket; kernel-checked (test/kernel/scenarios/sk_storage.host); not for tracing programs (bpf_sk_storage_tracing_allowed)',
  sk_storage_delete: 'kernel-checked (test/kernel/scenarios/sk_storage.host)',
  cgrp_storage_get: 'on a struct cgroup from bpf_cgroup_from_id (task->cgroups walks are not modelled); kernel-checked (test/kernel/scenarios/cgrp_storage)',
  cgrp_storage_delete: 'kernel-checked (test/kernel/scenarios/cgrp_storage)',
  get_stackid: 'the stacks the test sets (rt.task.kernelStack/userStack, `task:kstack=`); skip/user/fast-cmp/reuse flags, -EEXIST, -ENOMEM, -EFAULT, -EINVAL kernel-checked (test/kernel/scenarios/stackid); BPF_F_STACK_BUILD_ID maps are refused at run time (build ids not simulated)',
  snprintf: 'the verifier checks the .rodata format for data_len / 8 arguments (check_bpf_snprintf_call: "Invalid format string"); output as bstr_printf (plain %p prints the raw address, %pS/%pB the address: no kernel symbols); kernel-checked (test/kernel/scenarios/snprintf, test/verifier/corpus/snprintf)',
  trace_vprintk: 'up to 12 arguments from an array, to rt trace output; return value kernel-checked (test/kernel/scenarios/snprintf)',
  strncmp: 'against a .rodata string (ARG_PTR_TO_CONST_STR checked as 6.18: read-only map, constant offset, NUL-terminated)',
  user_ringbuf_drain: 'callback(const dynptr, ctx) returning 0/1 as the verifier checks it; kernel-checked (test/kernel/scenarios/user_ringbuf, test/verifier/corpus/user_ringbuf)',
  send_signal: 'not yet: no signals in the simulated task',
  send_signal_thread: 'not yet: no signals in the simulated task',
  per_cpu_ptr: 'typed per-CPU .ksyms (rt.ksymVars, one copy per CPU); NULL for cpu >= the runtime\'s CPUs (test/kfuncs/ksym_vars.test.ts)',
  this_cpu_ptr: 'the running CPU\'s copy of a typed per-CPU .ksyms variable (test/kfuncs/ksym_vars.test.ts)',
  sk_lookup_tcp: 'the simulated host\'s sockets (established before listeners, exact before wildcard, dual-stack ::); other namespaces: none (test/kernel sock.host)',
  sk_lookup_udp: 'bound and connected UDP sockets of the host (test/kernel sock.host)',
  skc_lookup_tcp: 'partial: no request or time-wait sockets are modelled, so it finds what sk_lookup_tcp finds',
  get_listener_sock: 'partial: the socket itself when it listens (no request sockets to map to their listener)',
  tcp_sock: 'metrics a test sets on the host socket (`tcp`), else a fresh socket\'s (cwnd 10, ssthresh 0x7fffffff, mss 536)',
  tcp_gen_syncookie: 'cookies of tsbpf\'s own keyed hash (values never match the kernel\'s); MSS encoding, errors and net.ipv4.tcp_syncookies as 6.18 (test/kernel syncookie.*)',
  tcp_check_syncookie: 'validates tsbpf\'s cookies; -ENOENT unless a cookie was made in the last two minutes (test/kernel syncookie.*)',
  sk_assign: 'partial: a test run is never at tc ingress, so -EOPNOTSUPP (-EINVAL for flags) as the kernel\'s test run answers; no steering modelled',
  get_netns_cookie: 'partial: the skb flavour (tc, socket filter): the simulated host is one namespace, init_net, whose cookie (3, as Linux 6.18; `rt.host.netnsCookie`) answers a NULL ctx and the test-run socket alike (test/kernel netns.basic); the sock/sock_addr/sock_ops/sk_msg/sockopt flavours need program types tsbpf does not run',
  get_socket_cookie: 'partial: the skb flavour (the test run\'s own socket, a fresh cookie per run); sock/sock_addr/sock_ops flavours need program types tsbpf does not run',
  get_socket_uid: 'the test run\'s socket: uid 0, as sock_init_data(NULL, sk) leaves it',
  skb_cgroup_id: 'the test run\'s socket belongs to the current task\'s cgroup (rt.task.cgroupId)',
  sk_cgroup_id: 'a host socket\'s `cgroup` (the root unless the host file says), the test run\'s skb socket: the current task\'s (test/kernel skb_sk.cgroup)',
  skc_to_tcp_sock: 'the host socket\'s struct tcp_sock view (CO-RE reads: sock_common, sock, inet_sock, tcp_sock metrics) for TCP, else NULL; a pointer of its own, not the argument\'s address (test/kernel skc.host)',
  skc_to_tcp6_sock: 'the tcp6_sock view of an AF_INET6 TCP socket, else NULL (test/kernel skc.host)',
  skc_to_udp6_sock: 'the udp6_sock view of an AF_INET6 UDP socket, else NULL (test/kernel skc.host)',
  skc_to_tcp_timewait_sock: 'partial: always NULL (no time-wait sockets are modelled)',
  skc_to_tcp_request_sock: 'partial: always NULL (no request sockets are modelled)',
  skc_to_unix_sock: 'partial: always NULL (no unix sockets on the simulated host)',
  skc_to_mptcp_sock: 'partial: always NULL (no MPTCP sockets on the simulated host)',
  skb_under_cgroup: 'the test run\'s skb socket (the current task\'s cgroup) against a slot filled by MapHandle.setCgroup; -E2BIG/-EAGAIN kernel-checked (test/kernel cgarray.empty)',
  current_task_under_cgroup: 'rt.task.cgroupId against a slot filled by MapHandle.setCgroup; -E2BIG/-EAGAIN kernel-checked (test/kernel cgarray.empty)',
  sk_ancestor_cgroup_id: 'ancestors from the host\'s cgroup tree (test/kernel skb_sk.cgroup)',
  skb_ancestor_cgroup_id: 'ancestors from the host\'s cgroup tree (a task cgroup not listed there sits under the root)',
  skb_set_tunnel_key: 'reported as the run\'s `tunnel` side effect (`tsbpf run --effects`)',
  skb_get_tunnel_key: 'metadata from the run input `tunnel` or set by the program; src/dst as the kernel keeps them (test/kernel tunnel.basic)',
};

const MAP_NOTES: Readonly<Record<number, string>> = {
  [T.BPF_MAP_TYPE_CGROUP_ARRAY]: 'partial: filled from TypeScript with host cgroup ids (MapHandle.setCgroup); an update with an fd is -EBADF (no cgroup fds); errnos kernel-checked (test/kernel cgarray.empty)',
  [T.BPF_MAP_TYPE_STACK_TRACE]: 'creation rules and user-side ops as the kernel (test/maps/kernel scenario stack-trace); filled by bpf_get_stackid; BPF_F_STACK_BUILD_ID maps are created but bpf_get_stackid refuses them (build ids not simulated)',
  [T.BPF_MAP_TYPE_TASK_STORAGE]: 'creation rules and user-side errno as the kernel (keys are pidfds: -EBADF, tsbpf has no fds; map.ownerValue(taskStruct) instead); kernel-checked (test/maps/local_storage.test.ts)',
  [T.BPF_MAP_TYPE_INODE_STORAGE]: 'partial: created and refused from user space as the kernel (test/maps/local_storage.test.ts); no simulated inodes, so bpf_inode_storage_get/delete are refused at load',
  [T.BPF_MAP_TYPE_CGRP_STORAGE]: 'creation rules and user-side errno as the kernel (keys are cgroup fds: -EBADF; map.storageOf(cgroup address) instead); programs reach it through bpf_cgroup_from_id (test/kernel/scenarios/cgrp_storage)',
  [T.BPF_MAP_TYPE_SK_STORAGE]: 'creation rules and user-side errno as the kernel (keys are socket fds: -EBADF; map.storageOf(struct bpf_sock address) instead); programs reach it with the sockets of the simulated host (test/kernel/scenarios/sk_storage)',
  [T.BPF_MAP_TYPE_USER_RINGBUF]: 'user-space producer (obj.userRingbuf, `user-ringbuf:` step), drained by bpf_user_ringbuf_drain (test/kernel/scenarios/user_ringbuf)',
};

export function helperTable(): string {
  const rt = new Runtime();
  const rows = ['| id | helper | state | note |', '| --- | --- | --- | --- |'];
  let done = 0;
  for (let id = 1; id < FUNC_ID_NAMES.length; id++) {
    const p = HELPER_PROTOS.get(id)!;
    const note = HELPER_NOTES[p.name] ?? '';
    const impl = rt.implementsHelper(id);
    const state = impl ? (note.startsWith('partial') ? 'partial' : 'done') : 'not yet';
    if (impl) done++;
    rows.push(`| ${id} | \`bpf_${p.name}\` | ${state} | ${note.replace(/^(partial|not yet): /, '')} |`);
  }
  return [
    `Every id of Linux 6.18's \`enum bpf_func_id\` (${FUNC_ID_NAMES.length - 1} helpers, ${done} implemented). Every one is verified by its`,
    '6.18 prototype and program-type availability (`src/helpers/protos_*.ts`, `availability.ts`; 17 172 kernel-recorded',
    'verdicts in `test/verifier/helper_table.test.ts`); a program that passes verification but calls a helper marked',
    '"not yet" is refused at load with -EOPNOTSUPP naming it. Generated by `test/docs/features_tables.ts`.',
    '',
    ...rows,
  ].join('\n');
}

export function mapTable(): string {
  const names = Object.entries(T).filter(([k]) => k.startsWith('BPF_MAP_TYPE_') && k !== 'BPF_MAP_TYPE_UNSPEC')
    .map(([k, v]) => [k, v as number] as const).sort((a, b) => a[1] - b[1]);
  const rows = ['| type | map | state | note |', '| --- | --- | --- | --- |'];
  for (const [k, v] of names) {
    const note = MAP_NOTES[v] ?? '';
    const state = mapTypeSupported(v) ? (note.startsWith('partial') ? 'partial' : 'done') : 'not yet';
    rows.push(`| ${v} | \`${k}\` | ${state} | ${note.replace(/^(partial|not yet): /, '')} |`);
  }
  return [
    `Every map type of Linux 6.18's \`enum bpf_map_type\`; "not yet" types are refused at create with -EINVAL naming the type.`,
    'Generated by `test/docs/features_tables.ts`.',
    '',
    ...rows,
  ].join('\n');
}

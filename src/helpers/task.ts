// The current task's helpers (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c):
// pid/tgid, uid/gid, comm, task_struct address, cgroup id, over the
// runtime's simulated task (rt.task).
import type { HelperFn } from '../vm/env.js';
import type { HelperEnv } from './env.js';
import { checkMem, u64 } from './misc.js';

/** BPF_FUNC_get_current_pid_tgid: tgid << 32 | pid */
export const bpf_get_current_pid_tgid = (env: HelperEnv): HelperFn => () => {
  const t = env.currentTask();
  return (BigInt(t.tgid >>> 0) << 32n) | BigInt(t.pid >>> 0);
};

/** BPF_FUNC_get_current_uid_gid: gid << 32 | uid */
export const bpf_get_current_uid_gid = (env: HelperEnv): HelperFn => () => {
  const t = env.currentTask();
  return (BigInt(t.gid >>> 0) << 32n) | BigInt(t.uid >>> 0);
};

/** BPF_FUNC_get_current_comm(buf, size): strscpy_pad of task->comm; 0 */
export const bpf_get_current_comm = (env: HelperEnv): HelperFn => (vm, r1, r2) => {
  const size = Number(r2 & 0xffffffffn);
  const a = checkMem(vm.arena, r1, size, true, 'bpf_get_current_comm');
  const comm = new TextEncoder().encode(env.currentTask().comm).subarray(0, 15);
  const n = Math.min(comm.length, size - 1);
  vm.arena.u8.fill(0, a, a + size);
  vm.arena.u8.set(comm.subarray(0, n), a);
  return 0n;
};

/** BPF_FUNC_get_current_task: the task_struct's address, as a scalar */
export const bpf_get_current_task = (env: HelperEnv): HelperFn => () => u64(env.currentTask().taskStruct);

/** BPF_FUNC_get_current_cgroup_id */
export const bpf_get_current_cgroup_id = (env: HelperEnv): HelperFn => () => u64(env.currentTask().cgroupId);

/** BPF_FUNC_get_current_task_btf: the same task_struct, as a trusted BTF pointer for the verifier */
export const bpf_get_current_task_btf = (env: HelperEnv): HelperFn => () => u64(env.currentTask().taskStruct);

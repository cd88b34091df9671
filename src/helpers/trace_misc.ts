// Small tracing helpers: ktime_get_tai_ns, jiffies64, get_numa_node_id,
// get_func_ip, get_attach_cookie, get_stack, get_stackid (kernel/bpf/helpers.c,
// kernel/trace/bpf_trace.c, kernel/bpf/stackmap.c).
import type { HelperFn } from '../vm/env.js';
import type { HelperEnv } from './env.js';
import { checkMem, HelperFault, mapArg, u64 } from './misc.js';
import { EFAULT, EINVAL } from '../uapi/errno.js';
import {
  BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID, PERF_MAX_STACK_DEPTH, StackTraceMap,
} from '../maps/stackmap.js';

/** CONFIG_HZ of the reference kernel (Linux 6.18 here: 250) */
export const HZ = 250n;
/** INITIAL_JIFFIES: jiffies start 5 minutes before wrapping a u32 */
export const INITIAL_JIFFIES = BigInt.asUintN(32, BigInt(-300) * HZ);

/** BPF_FUNC_ktime_get_tai_ns: CLOCK_TAI */
export const bpf_ktime_get_tai_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_tai_ns());

/** BPF_FUNC_jiffies64: ticks of CLOCK_MONOTONIC at HZ since INITIAL_JIFFIES */
export const bpf_jiffies64 = (env: HelperEnv): HelperFn => () =>
  u64(INITIAL_JIFFIES + env.clock.ktime_get_ns() * HZ / 1_000_000_000n);

/** BPF_FUNC_get_numa_node_id: one NUMA node */
export const bpf_get_numa_node_id: HelperFn = () => 0n;

/** BPF_FUNC_get_func_ip: the probed function's address (kprobe: the trigger's ip) */
export const bpf_get_func_ip = (env: HelperEnv): HelperFn => () => u64(env.currentTrace()?.funcIp ?? 0n);

/** BPF_FUNC_get_attach_cookie: the cookie of the link the program runs through (0 without one) */
export const bpf_get_attach_cookie = (env: HelperEnv): HelperFn => () => u64(env.currentTrace()?.cookie ?? 0n);

const BPF_F_SKIP_FIELD_MASK = 0xffn;
const BPF_F_USER_STACK = 1n << 8n;
const BPF_F_USER_BUILD_ID = 1n << 11n;

/** BPF_FUNC_get_stack(ctx, buf, size, flags): __bpf_get_stack over the task's stacks */
export const bpf_get_stack = (env: HelperEnv): HelperFn => (vm, _ctx, r2, r3, r4) => {
  const size = Number(r3 & 0xffffffffn);
  const buf = checkMem(vm.arena, r2, size, true, 'bpf_get_stack');
  const fail = (e: number): bigint => {
    vm.arena.u8.fill(0, buf, buf + size);
    return u64(-e);
  };
  if (r4 & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) return fail(EINVAL);
  const user = (r4 & BPF_F_USER_STACK) !== 0n;
  // build-id stacks need the mapped files' build ids: not simulated
  if (r4 & BPF_F_USER_BUILD_ID) return fail(user ? EFAULT : EINVAL);
  if (size % 8 !== 0) return fail(EINVAL);
  const skip = Number(r4 & BPF_F_SKIP_FIELD_MASK);
  const trace = user ? env.currentTask().userStack : env.currentTask().kernelStack;
  if (trace.length < skip) return fail(EFAULT);
  const n = Math.min(trace.length - skip, size / 8);
  for (let i = 0; i < n; i++) vm.arena.dv.setBigUint64(buf + 8 * i, BigInt.asUintN(64, trace[skip + i]!), true);
  vm.arena.u8.fill(0, buf + 8 * n, buf + size);
  return BigInt(8 * n);
};

/**
 * BPF_FUNC_get_stackid(ctx, map, flags): the id of the task's kernel (or,
 * with BPF_F_USER_STACK, user) stack in a STACK_TRACE map. The captured
 * trace is at most value_size / 8 + skip frames deep (and
 * perf_event_max_stack); -EINVAL for other flags, -EFAULT when skip eats the
 * whole trace, -EEXIST on a hash collision without BPF_F_REUSE_STACKID.
 */
export const bpf_get_stackid = (env: HelperEnv): HelperFn => (_vm, _ctx, r2, r3) => {
  const m = mapArg(env, r2, 'bpf_get_stackid').map;
  if (!(m instanceof StackTraceMap)) throw new HelperFault(`bpf_get_stackid: ${m.describe()} is not a stack trace map`);
  if (r3 & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID)) return u64(-EINVAL);
  if (m.buildId) throw new HelperFault(`bpf_get_stackid: ${m.describe()} stores build ids (BPF_F_STACK_BUILD_ID), which tsbpf does not simulate`);
  const skip = Number(r3 & BPF_F_SKIP_FIELD_MASK);
  const maxDepth = Math.min(m.valueSize / 8 + skip, PERF_MAX_STACK_DEPTH);
  const task = env.currentTask();
  const trace = (r3 & BPF_F_USER_STACK ? task.userStack : task.kernelStack).slice(0, maxDepth);
  return u64(m.getStackId(trace, r3));
};

/** BPF_FUNC_strncmp(s1, s1_sz, s2): lib/string.c strncmp(s1, s2, s1_sz): -1, 0 or 1 */
export const bpf_strncmp: HelperFn = (vm, r1, r2, r3) => {
  const n = Number(r2 & 0xffffffffn);
  const a = checkMem(vm.arena, r1, n, false, 'bpf_strncmp s1');
  // s2 is a NUL-terminated string of a read-only map (the verifier checked it)
  let b = checkMem(vm.arena, r3, 1, false, 'bpf_strncmp s2');
  for (let i = 0; i < n; i++, b++) {
    const c1 = vm.arena.u8[a + i]!;
    const c2 = vm.arena.u8[b]!;
    if (c1 !== c2) return c1 < c2 ? u64(-1) : 1n;
    if (c1 === 0) break;
  }
  return 0n;
};

// bpf_ktime_get_ns, bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns
// (kernel/bpf/helpers.c): the runtime's clock, virtual or real.

import type { HelperFn } from '../vm/env.js';
import type { HelperEnv } from './env.js';
import { u64 } from './misc.js';

/** BPF_FUNC_ktime_get_ns: CLOCK_MONOTONIC */
export const bpf_ktime_get_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_ns());

/** BPF_FUNC_ktime_get_boot_ns: CLOCK_BOOTTIME (counts suspend) */
export const bpf_ktime_get_boot_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_boot_ns());

/** BPF_FUNC_ktime_get_coarse_ns: CLOCK_MONOTONIC at the last tick */
export const bpf_ktime_get_coarse_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_coarse_ns());

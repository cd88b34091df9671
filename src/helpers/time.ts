// bpf_ktime_get_ns, bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns
// (kernel/bpf/helpers.c): the runtime's clock, virtual or real.

import type { HelperFn, InlinableValue } from '../vm/env.js';
import { ARENA_ACCESS_NONE, ArenaError } from '../memory/arena.js';
import type { HelperEnv } from './env.js';
import { u64 } from './misc.js';

/**
 * BPF_FUNC_ktime_get_ns: CLOCK_MONOTONIC. On the virtual clock time moves
 * only when told, so the clock also keeps it in an arena word (programs
 * cannot access it) that the JIT loads instead of calling (valueCell).
 */
export function bpf_ktime_get_ns(env: HelperEnv): HelperFn & InlinableValue {
  const fn: HelperFn & InlinableValue = () => u64(env.clock.ktime_get_ns());
  let cell = 0;
  let own = 0;
  fn.valueCell = () => {
    // the clock's word if the timer lane made it first (src/runtime/timer_lane.ts)
    if (cell === 0) cell = env.clock.mirrorCell?.(env.arena) ?? 0;
    if (cell === 0 && env.clock.mirrorMonotonic !== undefined) {
      let a: number;
      try {
        a = env.arena.alloc(8, ARENA_ACCESS_NONE);
      } catch (e) {
        if (e instanceof ArenaError) return undefined;
        throw e;
      }
      if (env.clock.mirrorMonotonic(env.arena, a)) cell = own = a;
      else env.arena.free(a);
    }
    return cell === 0 ? undefined : cell;
  };
  fn.allocatedCell = () => own;
  return fn;
}

/** BPF_FUNC_ktime_get_boot_ns: CLOCK_BOOTTIME (counts suspend) */
export const bpf_ktime_get_boot_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_boot_ns());

/** BPF_FUNC_ktime_get_coarse_ns: CLOCK_MONOTONIC at the last tick */
export const bpf_ktime_get_coarse_ns = (env: HelperEnv): HelperFn => () => u64(env.clock.ktime_get_coarse_ns());

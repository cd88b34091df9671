// bpf_timer_init, bpf_timer_set_callback, bpf_timer_start, bpf_timer_cancel
// (kernel/bpf/helpers.c). r1 is the arena address of the `struct bpf_timer`
// field inside a map value; the state machine is the runtime's
// BpfTimerTable, whose results (0, 1, -errno) are the helpers' results.

import type { HelperFn, SplitArgsHelper } from '../vm/env.js';
import { BPF_TIMER_SIZE } from '../maps/map.js';
import { ARENA_ACCESS_NONE } from '../memory/arena.js';
import type { HelperEnv } from './env.js';
import { addrOf, HelperFault, mapArg, u64 } from './misc.js';

/** The timer field's address: 16 bytes inside one live block (a map value). */
function timerArg(env: HelperEnv, r1: bigint, what: string): number {
  const a = addrOf(r1);
  if (a < 0 || a % 8 !== 0 || !env.arena.canAccess(a, BPF_TIMER_SIZE, ARENA_ACCESS_NONE)) {
    throw new HelperFault(`${what}: 0x${r1.toString(16)} is not a struct bpf_timer`);
  }
  return a;
}

/** BPF_FUNC_timer_init(timer, map, flags): 0, -EINVAL, -EBUSY, -ENOMEM, -EPERM */
export function bpf_timer_init(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const field = timerArg(env, r1, 'bpf_timer_init');
    const m = mapArg(env, r2, 'bpf_timer_init');
    // as the kernel: value = timer - map->record->timer_off (the verifier
    // proved r1 points at that map's timer field)
    const off = m.map.special.timers[0];
    if (off === undefined) throw new HelperFault(`bpf_timer_init: ${m.map.describe()} has no bpf_timer field`);
    return u64(env.timers.init(m, field - off, field, r3));
  };
}

/**
 * The timer field's address from r1 as 32-bit halves (the JIT's SplitArgsHelper call), or -1 when
 * timerArg would not accept it without a closer look (the helper then runs on the joined bigints).
 */
function timerArgSplit(env: HelperEnv, lo: number, hi: number): number {
  const a = lo >>> 0;
  return hi === 0 && a !== 0 && a % 8 === 0 && env.arena.canAccess(a, BPF_TIMER_SIZE, ARENA_ACCESS_NONE) ? a : -1;
}

/** a timer helper's result (0, 1 or -errno) as r0; the common 0 and 1 without making a bigint */
const ret64 = (r: number): bigint => (r === 0 ? 0n : r === 1 ? 1n : u64(r));

const join = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** BPF_FUNC_timer_set_callback(timer, callback_fn): 0, -EINVAL, -EPERM. r2 is the callback's insn index. */
export function bpf_timer_set_callback(env: HelperEnv): HelperFn & SplitArgsHelper {
  const fn: HelperFn & SplitArgsHelper = (_vm, r1, r2) => {
    const field = timerArg(env, r1, 'bpf_timer_set_callback');
    if (r2 > 0xffffffffn) throw new HelperFault(`bpf_timer_set_callback: bad callback 0x${r2.toString(16)}`);
    return u64(env.timers.setCallback(field, env.currentProg(), Number(r2)));
  };
  fn.splitArgs = (vm, r1lo, r1hi, r2lo, r2hi, r3lo, r3hi) => {
    const a = timerArgSplit(env, r1lo, r1hi);
    if (a < 0 || r2hi !== 0) return fn(vm, join(r1lo, r1hi), join(r2lo, r2hi), join(r3lo, r3hi), 0n, 0n);
    return ret64(env.timers.setCallback(a, env.currentProg(), r2lo >>> 0));
  };
  return fn;
}

/** BPF_FUNC_timer_start(timer, nsecs, flags): 0 or -EINVAL; armed on the calling CPU */
export function bpf_timer_start(env: HelperEnv): HelperFn & SplitArgsHelper & { laneStart?: true } {
  const fn: HelperFn & SplitArgsHelper & { laneStart?: true } = (vm, r1, r2, r3) => {
    const field = timerArg(env, r1, 'bpf_timer_start');
    const ret = env.timers.start(field, r2, r3, vm.cpu);
    // the kernel's hrtimer_start runs with irqs off; an expiry already passed
    // raises the timer interrupt at once, whose softirq runs on irq exit
    if (ret === 0) env.timerStarted?.();
    return u64(ret);
  };
  // the JIT's call (no bigints): flags 0, a 32-bit timer address and nsecs below 2^53;
  // anything else is the helper above with the arguments joined
  fn.splitArgs = (vm, r1lo, r1hi, r2lo, r2hi, r3lo, r3hi) => {
    const a = timerArgSplit(env, r1lo, r1hi);
    if (a < 0 || r3lo !== 0 || r3hi !== 0 || r2hi >>> 0 >= 0x20_0000) {
      return fn(vm, join(r1lo, r1hi), join(r2lo, r2hi), join(r3lo, r3hi), 0n, 0n);
    }
    const ret = env.timers.startRelN(a, (r2hi >>> 0) * 0x1_0000_0000 + (r2lo >>> 0), vm.cpu);
    if (ret !== 0) return u64(ret);
    env.timerStarted?.();
    return 0n;
  };
  // the timer lane's tstart may stand in for this helper (src/jit/lane.ts: the same state changes;
  // a wrapped helper has no such mark, so every call reaches the wrapper)
  fn.laneStart = true;
  return fn;
}

/** BPF_FUNC_timer_cancel(timer): 1 if it was armed, 0 if not, -EINVAL, -EDEADLK */
export function bpf_timer_cancel(env: HelperEnv): HelperFn & SplitArgsHelper {
  const fn: HelperFn & SplitArgsHelper = (_vm, r1) => {
    const field = timerArg(env, r1, 'bpf_timer_cancel');
    return u64(env.timers.cancel(field));
  };
  fn.splitArgs = (vm, r1lo, r1hi, r2lo, r2hi, r3lo, r3hi) => {
    const a = timerArgSplit(env, r1lo, r1hi);
    if (a < 0) return fn(vm, join(r1lo, r1hi), join(r2lo, r2hi), join(r3lo, r3hi), 0n, 0n);
    return ret64(env.timers.cancel(a));
  };
  return fn;
}

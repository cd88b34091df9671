// bpf_spin_lock / bpf_spin_unlock (kernel/bpf/helpers.c). The runtime is
// single-threaded, so a lock can never be contended; what is left is the
// lock word itself (1 = held, as qspinlock's _Q_LOCKED_VAL), which makes a
// double lock (a deadlock in the kernel) or an unlock of a free lock a fault.
// The verifier rejects both statically; this is the run-time backstop.

import type { HelperFn } from '../vm/env.js';
import { BPF_SPIN_LOCK_SIZE } from '../maps/map.js';
import type { HelperEnv } from './env.js';
import { checkMem, HelperFault } from './misc.js';

/** BPF_FUNC_spin_lock: returns 0 (RET_VOID) */
export function bpf_spin_lock(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const a = checkMem(env.arena, r1, BPF_SPIN_LOCK_SIZE, true, 'bpf_spin_lock');
    const dv = env.arena.dv;
    if (dv.getUint32(a, true) !== 0) {
      throw new HelperFault(`bpf_spin_lock: lock at 0x${a.toString(16)} is already held (deadlock)`);
    }
    dv.setUint32(a, 1, true);
    return 0n;
  };
}

/** BPF_FUNC_spin_unlock: returns 0 (RET_VOID) */
export function bpf_spin_unlock(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const a = checkMem(env.arena, r1, BPF_SPIN_LOCK_SIZE, true, 'bpf_spin_unlock');
    const dv = env.arena.dv;
    if (dv.getUint32(a, true) === 0) {
      throw new HelperFault(`bpf_spin_unlock: lock at 0x${a.toString(16)} is not held`);
    }
    dv.setUint32(a, 0, true);
    return 0n;
  };
}

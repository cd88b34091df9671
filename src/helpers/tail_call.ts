// bpf_tail_call (kernel/bpf/core.c). In the kernel the helper has no body
// (bpf_tail_call_proto.func is NULL): the verifier turns the call into a
// BPF_JMP|BPF_TAIL_CALL instruction, which on failure (index >= max_entries,
// MAX_TAIL_CALL_CNT reached, empty slot) just falls through with the
// registers untouched, and RET_VOID leaves R0 unreadable to the program.
// There is no kernel return value to copy; we return -ENOENT on failure (the
// uapi documents "a negative error in case of failure") and 0 when the
// engine will jump to the target.

import type { HelperFn } from '../vm/env.js';
import { BPF_MAP_TYPE_PROG_ARRAY } from '../uapi/bpf.js';
import { ENOENT } from '../uapi/errno.js';
import type { HelperEnv } from './env.js';
import { HelperFault, mapArg, u32, u64 } from './misc.js';

/** BPF_FUNC_tail_call(ctx, prog_array, index) */
export function bpf_tail_call(env: HelperEnv): HelperFn {
  return (vm, _r1, r2, r3) => {
    const m = mapArg(env, r2, 'bpf_tail_call');
    if (m.map.type !== BPF_MAP_TYPE_PROG_ARRAY) {
      throw new HelperFault(`bpf_tail_call: ${m.map.describe()} is not a prog array`);
    }
    const index = u32(r3); // u32 index
    if (index >= m.map.maxEntries) return u64(-ENOENT);
    const target = env.tailCallTarget(m.map, index);
    if (target === undefined || target === null) return u64(-ENOENT);
    return vm.tailCall(target) ? 0n : u64(-ENOENT);
  };
}

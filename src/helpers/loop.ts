// bpf_loop (kernel/bpf/bpf_iter.c): calls callback_fn(i, callback_ctx)
// nr_loops times; a non-zero return stops early. r2 is the callback's
// absolute instruction index (the loader relocates BPF_PSEUDO_FUNC to it).

import type { HelperFn } from '../vm/env.js';
import { E2BIG, EINVAL } from '../uapi/errno.js';
import { u32, u64 } from './misc.js';

/** BPF_MAX_LOOPS */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** BPF_FUNC_loop: the number of iterations run, -EINVAL for flags, -E2BIG past BPF_MAX_LOOPS */
export const bpf_loop: HelperFn = (vm, r1, r2, r3, r4) => {
  const nrLoops = u32(r1); // u32 nr_loops
  if (r4 !== 0n) return u64(-EINVAL);
  if (nrLoops > BPF_MAX_LOOPS) return u64(-E2BIG);
  // an index past 2^53 is still outside any program: callFunction rejects it
  const cb = r2 > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(r2);
  let i = 0;
  for (; i < nrLoops; i++) {
    const ret = vm.callFunction(cb, [BigInt(i), r3, 0n, 0n, 0n]);
    if (ret !== 0n) return BigInt(i + 1);
  }
  return BigInt(i);
};

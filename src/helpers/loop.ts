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

/**
 * The helper id the loader patches into a bpf_loop call the verifier would
 * inline (optimize_bpf_loop): not a kernel id, out of the range of real ones.
 */
export const BPF_FUNC_loop_inlined = 0x7f00_0000 + 181;

/**
 * bpf_loop as the kernel's inline_bpf_loop sequence runs it: the bound check
 * is a 64-bit compare of the whole r1 (no u32 truncation), the error is
 * written by a 32-bit move (so -E2BIG reads back as the u32 0xfffffff9), the
 * counter runs up to the whole r1, and flags are not looked at (the verifier
 * only inlines when they are the constant 0). The callback is a bpf-to-bpf
 * call with r1 = counter, r2 = ctx; a non-zero r0 stops after counting it.
 */
export const bpf_loop_inlined: HelperFn = (vm, r1, r2, r3) => {
  if (r1 > BigInt(BPF_MAX_LOOPS)) return BigInt(u32(u64(-E2BIG)));
  const nrLoops = Number(r1);
  const cb = r2 > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(r2);
  let i = 0;
  while (i < nrLoops) {
    const ret = vm.callFunction(cb, [BigInt(i), r3]);
    i++;
    if (ret !== 0n) break;
  }
  return BigInt(i);
};

// Helper prototypes as data (the kernel's struct bpf_func_proto): what the
// verifier checks at a call site. Implementations are attached by id elsewhere.

/** Argument kinds (enum bpf_arg_type), with the flag bits we model folded in. */
export const enum ArgType {
  DONTCARE = 'ARG_DONTCARE',
  ANYTHING = 'ARG_ANYTHING',
  CONST_MAP_PTR = 'ARG_CONST_MAP_PTR',
  PTR_TO_MAP_KEY = 'ARG_PTR_TO_MAP_KEY',
  PTR_TO_MAP_VALUE = 'ARG_PTR_TO_MAP_VALUE',
  /** map value the helper writes (pop/peek): MEM_UNINIT, stack need not be initialized */
  PTR_TO_UNINIT_MAP_VALUE = 'ARG_PTR_TO_UNINIT_MAP_VALUE',
  /** read-only memory followed by a CONST_SIZE(_OR_ZERO) argument */
  PTR_TO_MEM = 'ARG_PTR_TO_MEM',
  /** memory the helper fills; stack bytes need not be initialized */
  PTR_TO_UNINIT_MEM = 'ARG_PTR_TO_UNINIT_MEM',
  CONST_SIZE = 'ARG_CONST_SIZE',
  CONST_SIZE_OR_ZERO = 'ARG_CONST_SIZE_OR_ZERO',
  PTR_TO_CTX = 'ARG_PTR_TO_CTX',
  PTR_TO_TIMER = 'ARG_PTR_TO_TIMER',
  PTR_TO_SPIN_LOCK = 'ARG_PTR_TO_SPIN_LOCK',
  PTR_TO_FUNC = 'ARG_PTR_TO_FUNC',
  PTR_TO_STACK_OR_NULL = 'ARG_PTR_TO_STACK_OR_NULL',
}

/** Return kinds (enum bpf_return_type). */
export const enum RetType {
  INTEGER = 'RET_INTEGER',
  VOID = 'RET_VOID',
  PTR_TO_MAP_VALUE_OR_NULL = 'RET_PTR_TO_MAP_VALUE_OR_NULL',
  /** never NULL (bpf_get_local_storage) */
  PTR_TO_MAP_VALUE = 'RET_PTR_TO_MAP_VALUE',
}

export interface HelperProto {
  /** enum bpf_func_id */
  readonly id: number;
  /** name without the bpf_ prefix, as in BPF_FUNC_<name> */
  readonly name: string;
  readonly gplOnly: boolean;
  readonly ret: RetType;
  /** up to five arguments, R1..R5 */
  readonly args: readonly ArgType[];
  /** program types that may call it; absent = all */
  readonly progTypes?: readonly number[];
  /** the helper calls back into BPF (bpf_loop, timer_set_callback) */
  readonly callback?: 'loop' | 'timer';
}

// Helper prototypes as data (the kernel's struct bpf_func_proto): what the
// verifier checks at a call site. Implementations are attached by id elsewhere.
//
// References (the kernel's reference tracking), how to declare them:
// - a helper whose R0 is a new reference the program must release
//   (is_acquire_function: bpf_sk_lookup_tcp, bpf_ringbuf_reserve) sets
//   `acquire: true`; its return type must be one of the pointer kinds
//   (RetType.PTR_TO_SOCKET_OR_NULL, PTR_TO_RINGBUF_MEM_OR_NULL, ...);
// - a helper that releases one of its arguments (bpf_sk_release,
//   bpf_ringbuf_submit) sets OBJ_RELEASE in `argFlags` for that argument
//   (kernel: `.arg1_type = ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE`);
// - a helper whose R0 points into the object of its referenced argument
//   (is_ptr_cast_function: bpf_tcp_sock, bpf_sk_fullsock) sets `ptrCast: true`:
//   R0 then carries the argument's ref_obj_id and dies with its release.
// Example:
//   { id: F.BPF_FUNC_ringbuf_submit, name: 'ringbuf_submit', gplOnly: false, ret: R.VOID,
//     args: [A.PTR_TO_RINGBUF_MEM, A.ANYTHING], argFlags: [OBJ_RELEASE] }
// The verifier (src/verifier/helper_call.ts, refs.ts) does the rest: leak
// reports at exit and tail calls, "must be referenced", invalidation of every
// copy of a released pointer, NULL checks that drop a failed acquisition.

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
  /** a socket of any kind: sock_common, sock, tcp_sock, xdp_sock or a BTF socket (bpf_sk_release) */
  PTR_TO_BTF_ID_SOCK_COMMON = 'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
  /** a full socket (PTR_TO_SOCKET) */
  PTR_TO_SOCKET = 'ARG_PTR_TO_SOCKET',
  /** sock_common, sock, tcp_sock or xdp_sock (bpf_tcp_sock, bpf_sk_fullsock) */
  PTR_TO_SOCK_COMMON = 'ARG_PTR_TO_SOCK_COMMON',
  /** a bpf_ringbuf_reserve'd record (PTR_TO_MEM | MEM_RINGBUF) */
  PTR_TO_RINGBUF_MEM = 'ARG_PTR_TO_RINGBUF_MEM',
  /** a known constant size the helper allocates (bpf_ringbuf_reserve) */
  CONST_ALLOC_SIZE_OR_ZERO = 'ARG_CONST_ALLOC_SIZE_OR_ZERO',
  /** a struct bpf_dynptr on the stack: initialized (MEM_UNINIT: the helper initializes it, as a local dynptr) */
  PTR_TO_DYNPTR = 'ARG_PTR_TO_DYNPTR',
}

// Argument type flags (the kernel's bpf_type_flag bits that modify an
// arg_type), per argument in HelperProto.argFlags.
/** the helper releases the reference this argument carries */
export const OBJ_RELEASE = 1 << 0;
/** NULL (a known zero) is accepted too */
export const PTR_MAYBE_NULL = 1 << 1;
/** the helper only reads the memory */
export const MEM_RDONLY = 1 << 2;
/** the helper initializes what the argument points to (a dynptr) */
export const MEM_UNINIT = 1 << 3;

/** Return kinds (enum bpf_return_type). */
export const enum RetType {
  INTEGER = 'RET_INTEGER',
  VOID = 'RET_VOID',
  PTR_TO_MAP_VALUE_OR_NULL = 'RET_PTR_TO_MAP_VALUE_OR_NULL',
  PTR_TO_SOCKET_OR_NULL = 'RET_PTR_TO_SOCKET_OR_NULL',
  PTR_TO_TCP_SOCK_OR_NULL = 'RET_PTR_TO_TCP_SOCK_OR_NULL',
  PTR_TO_SOCK_COMMON_OR_NULL = 'RET_PTR_TO_SOCK_COMMON_OR_NULL',
  /** RET_PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL, sized by the CONST_ALLOC_SIZE_OR_ZERO argument */
  PTR_TO_RINGBUF_MEM_OR_NULL = 'RET_PTR_TO_RINGBUF_MEM_OR_NULL',
  /** RET_PTR_TO_DYNPTR_MEM_OR_NULL: memory of the dynptr argument, sized by the CONST_ALLOC_SIZE_OR_ZERO argument */
  PTR_TO_DYNPTR_MEM_OR_NULL = 'RET_PTR_TO_DYNPTR_MEM_OR_NULL',
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
  /** flags per argument (OBJ_RELEASE, PTR_MAYBE_NULL, MEM_RDONLY), parallel to args */
  readonly argFlags?: readonly number[];
  /** R0 is a new reference the program must release (is_acquire_function) */
  readonly acquire?: boolean;
  /** R0 shares the reference of its referenced argument (is_ptr_cast_function) */
  readonly ptrCast?: boolean;
  /** program types that may call it; absent = all */
  readonly progTypes?: readonly number[];
  /** the helper calls back into BPF (bpf_loop, timer_set_callback) */
  readonly callback?: 'loop' | 'timer';
}

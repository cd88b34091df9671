// Helper prototypes as data (the kernel's struct bpf_func_proto): what the
// verifier checks at a call site. Implementations are attached by id elsewhere.
// The rows themselves (every 6.18 helper) are in protos_{base,net,trace}.ts.
//
// References (the kernel's reference tracking): an acquiring helper
// (is_acquire_function: bpf_sk_lookup_tcp, bpf_ringbuf_reserve) gets
// `acquire: true`, a releasing one has OBJ_RELEASE on that argument (from the
// row's spelling, e.g. 'ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE'), a pointer cast
// (is_ptr_cast_function: bpf_tcp_sock, bpf_sk_fullsock) gets `ptrCast: true`
// (both set by name in protos.ts). The verifier (helper_call.ts, refs.ts) does
// the rest.
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

/** Argument base types (enum bpf_arg_type without its flag bits), kernel names. */
export const enum ArgType {
  DONTCARE = 'ARG_DONTCARE',
  ANYTHING = 'ARG_ANYTHING',
  CONST_MAP_PTR = 'ARG_CONST_MAP_PTR',
  PTR_TO_MAP_KEY = 'ARG_PTR_TO_MAP_KEY',
  PTR_TO_MAP_VALUE = 'ARG_PTR_TO_MAP_VALUE',
  /** memory of the size given by the next (CONST_SIZE*) argument, or argSize with MEM_FIXED_SIZE */
  PTR_TO_MEM = 'ARG_PTR_TO_MEM',
  CONST_SIZE = 'ARG_CONST_SIZE',
  CONST_SIZE_OR_ZERO = 'ARG_CONST_SIZE_OR_ZERO',
  CONST_ALLOC_SIZE_OR_ZERO = 'ARG_CONST_ALLOC_SIZE_OR_ZERO',
  PTR_TO_CTX = 'ARG_PTR_TO_CTX',
  PTR_TO_TIMER = 'ARG_PTR_TO_TIMER',
  PTR_TO_SPIN_LOCK = 'ARG_PTR_TO_SPIN_LOCK',
  PTR_TO_FUNC = 'ARG_PTR_TO_FUNC',
  PTR_TO_STACK = 'ARG_PTR_TO_STACK',
  PTR_TO_CONST_STR = 'ARG_PTR_TO_CONST_STR',
  SCALAR = 'ARG_SCALAR',
  PTR_TO_SOCK_COMMON = 'ARG_PTR_TO_SOCK_COMMON',
  PTR_TO_SOCKET = 'ARG_PTR_TO_SOCKET',
  PTR_TO_BTF_ID = 'ARG_PTR_TO_BTF_ID',
  PTR_TO_BTF_ID_SOCK_COMMON = 'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
  PTR_TO_PERCPU_BTF_ID = 'ARG_PTR_TO_PERCPU_BTF_ID',
  PTR_TO_RINGBUF_MEM = 'ARG_PTR_TO_RINGBUF_MEM',
  PTR_TO_DYNPTR = 'ARG_PTR_TO_DYNPTR',
  KPTR_XCHG_DEST = 'ARG_KPTR_XCHG_DEST',
}

/** Flag bits of enum bpf_type_flag that prototypes use (names as the kernel's). */
export const enum ArgFlag {
  PTR_MAYBE_NULL = 1 << 0,
  MEM_RDONLY = 1 << 1,
  MEM_UNINIT = 1 << 2,
  MEM_WRITE = 1 << 3,
  MEM_ALIGNED = 1 << 4,
  MEM_FIXED_SIZE = 1 << 5,
  OBJ_RELEASE = 1 << 6,
  DYNPTR_TYPE_LOCAL = 1 << 7,
  DYNPTR_TYPE_RINGBUF = 1 << 8,
  MEM_RINGBUF = 1 << 9,
  PTR_TRUSTED = 1 << 10,
}

// the flag bits as the reference-tracking code names them
export const OBJ_RELEASE = ArgFlag.OBJ_RELEASE;
export const PTR_MAYBE_NULL = ArgFlag.PTR_MAYBE_NULL;
export const MEM_RDONLY = ArgFlag.MEM_RDONLY;
export const MEM_UNINIT = ArgFlag.MEM_UNINIT;

/** Return base types (enum bpf_return_type without flags). */
export const enum RetType {
  INTEGER = 'RET_INTEGER',
  VOID = 'RET_VOID',
  PTR_TO_MAP_VALUE = 'RET_PTR_TO_MAP_VALUE',
  /** kept for the map lookup helpers: RET_PTR_TO_MAP_VALUE | PTR_MAYBE_NULL */
  PTR_TO_MAP_VALUE_OR_NULL = 'RET_PTR_TO_MAP_VALUE_OR_NULL',
  PTR_TO_SOCKET = 'RET_PTR_TO_SOCKET',
  PTR_TO_TCP_SOCK = 'RET_PTR_TO_TCP_SOCK',
  PTR_TO_SOCK_COMMON = 'RET_PTR_TO_SOCK_COMMON',
  PTR_TO_MEM = 'RET_PTR_TO_MEM',
  PTR_TO_MEM_OR_BTF_ID = 'RET_PTR_TO_MEM_OR_BTF_ID',
  PTR_TO_BTF_ID = 'RET_PTR_TO_BTF_ID',
  // the composite returns the verifier models, kept whole (kernel names)
  PTR_TO_SOCKET_OR_NULL = 'RET_PTR_TO_SOCKET_OR_NULL',
  PTR_TO_TCP_SOCK_OR_NULL = 'RET_PTR_TO_TCP_SOCK_OR_NULL',
  PTR_TO_SOCK_COMMON_OR_NULL = 'RET_PTR_TO_SOCK_COMMON_OR_NULL',
  /** RET_PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL, sized by the CONST_ALLOC_SIZE_OR_ZERO argument */
  PTR_TO_RINGBUF_MEM_OR_NULL = 'RET_PTR_TO_RINGBUF_MEM_OR_NULL',
  /** RET_PTR_TO_DYNPTR_MEM_OR_NULL: memory of the dynptr argument, sized by the CONST_ALLOC_SIZE_OR_ZERO argument */
  PTR_TO_DYNPTR_MEM_OR_NULL = 'RET_PTR_TO_DYNPTR_MEM_OR_NULL',
}

/** A prototype row as the kernel spells it (src/helpers/protos_{base,net,trace}.ts). */
export interface ProtoRow {
  readonly id: number;
  /** name without the bpf_ prefix, as in BPF_FUNC_<name> */
  readonly name: string;
  /** the kernel's struct bpf_func_proto variable */
  readonly kernel: string;
  readonly gplOnly: boolean;
  /** e.g. 'RET_PTR_TO_MAP_VALUE_OR_NULL' */
  readonly ret: string;
  /** e.g. ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'] */
  readonly args: readonly string[];
  /** arg_size of MEM_FIXED_SIZE arguments (0 elsewhere) */
  readonly argSize?: readonly number[];
  readonly argBtfId?: readonly string[];
  readonly retBtfId?: string;
  readonly pktAccess?: boolean;
  readonly mightSleep?: boolean;
  /** the proto's .allowed callback (depends on the attach target) */
  readonly allowed?: string;
  /** this row is the variant these program types get; absent = every other type */
  readonly progTypes?: readonly number[];
}

export interface HelperProto {
  /** enum bpf_func_id */
  readonly id: number;
  /** name without the bpf_ prefix, as in BPF_FUNC_<name> */
  readonly name: string;
  readonly gplOnly: boolean;
  readonly ret: RetType;
  /** flags of the return type (PTR_MAYBE_NULL, MEM_RDONLY, MEM_RINGBUF, PTR_TRUSTED) */
  readonly retFlags?: number;
  /** RET_PTR_TO_BTF_ID: the kernel's ret_btf_id, as spelled in its source ('&btf_sock_ids[BTF_SOCK_TYPE_TCP]') */
  readonly retBtfId?: string;
  /** up to five argument base types, R1..R5 */
  readonly args: readonly ArgType[];
  /** ArgFlag bits per argument */
  readonly argFlags?: readonly number[];
  readonly argSize?: readonly number[];
  readonly pktAccess?: boolean;
  readonly mightSleep?: boolean;
  readonly allowed?: string;
  /** program types that may call it; absent = all */
  readonly progTypes?: readonly number[];
  /** the helper calls back into BPF (bpf_loop, timer_set_callback, user_ringbuf_drain) */
  readonly callback?: 'loop' | 'timer' | 'user_ringbuf';
  /** R0 is a new reference the program must release (is_acquire_function) */
  readonly acquire?: boolean;
  /** R0 points into the referenced argument's object and dies with it (is_ptr_cast_function) */
  readonly ptrCast?: boolean;
  /** the kernel struct each ARG_PTR_TO_BTF_ID argument points to (from the row's argBtfId) */
  readonly argStruct?: readonly (string | undefined)[];
  /** the kernel struct a RET_PTR_TO_BTF_ID return points to (from retBtfId) */
  readonly retStruct?: string;
}

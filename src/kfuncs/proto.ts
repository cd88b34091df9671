// Kernel function (kfunc) prototypes as data, like the helper table: what
// the kernel derives from a kfunc's BTF prototype (argument names with
// __sz/__szk/__k/__opt/__uninit suffixes, pointee types) and its
// BTF_ID_FLAGS registration (KF_* flags, the program types of its set).
// The verifier checks a BPF_PSEUDO_KFUNC_CALL against this
// (src/verifier/kfunc_call.ts); implementations are attached by name in
// src/kfuncs/index.ts.

/** include/linux/btf.h KF_* flags */
export const KF_ACQUIRE = 1 << 0;
export const KF_RELEASE = 1 << 1;
export const KF_RET_NULL = 1 << 2;
export const KF_TRUSTED_ARGS = 1 << 4;
export const KF_SLEEPABLE = 1 << 5;
export const KF_DESTRUCTIVE = 1 << 6;
export const KF_RCU = 1 << 7;

/** One argument, classified as get_kfunc_ptr_arg_type / the scalar rules would. */
export type KfuncArg =
  /** the program's context (struct __sk_buff * / struct xdp_md *); any other program type's ctx is a BTF object */
  | { kind: 'ctx'; name: string; ctx: 'sk_buff' | 'xdp_md' }
  /** a scalar; `konst` for the __k / __szk suffixes (a known constant) */
  | { kind: 'scalar'; name: string; konst?: boolean }
  /** memory (pointer to scalars or a struct of scalars) sized by the next argument (__sz, or __szk with `constSize`) */
  | { kind: 'mem'; name: string; struct: string; optional?: boolean }
  /** the __sz / __szk size of the memory argument before it */
  | { kind: 'size'; name: string; konst?: boolean }
  /** struct bpf_dynptr * on the stack; `uninit` for the __uninit suffix (the kfunc initializes it) */
  | { kind: 'dynptr'; name: string; uninit?: boolean }
  /** a kernel object (KF_ARG_PTR_TO_BTF_ID) of the named struct */
  | { kind: 'btf'; name: string; struct: string };

export type KfuncRet =
  | { kind: 'void' }
  | { kind: 'scalar' }
  /** pointer to a kernel object (PTR_TO_BTF_ID, maybe NULL with KF_RET_NULL) */
  | { kind: 'btf'; struct: string }
  /** bpf_dynptr_slice(_rdwr): PTR_TO_MEM (read-only for the plain slice), maybe NULL, sized by the __szk argument */
  | { kind: 'slice'; rdonly: boolean };

export interface KfuncProto {
  /** the kernel function's name, as in the object's extern declaration */
  readonly name: string;
  /** KF_* flags */
  readonly flags: number;
  readonly args: readonly KfuncArg[];
  readonly ret: KfuncRet;
  /** program types of the kfunc id set it is registered in; absent = every type (BPF_PROG_TYPE_UNSPEC) */
  readonly progTypes?: readonly number[];
}

// The context of an iterator program (BPF_PROG_TYPE_TRACING with
// BPF_TRACE_ITER): struct bpf_iter__<target>, read as the arguments of the
// target's bpf_iter_<target>() prototype by btf_ctx_access. Every argument is
// a u64 slot; meta is a trusted struct bpf_iter_meta pointer, the object the
// walk is at is trusted but may be NULL (the target's ctx_arg_info:
// PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED), so it needs a NULL check first.
import { builtinKernelBtf } from '../btf/kernel/kernel_btf.js';
import type { Btf } from '../btf/btf.js';
import { isComposite } from '../btf/types.js';
import { EACCES, EINVAL } from '../uapi/errno.js';
import { btfRef } from './btf_access.js';
import { CheckError } from './cfg.js';
import type { VerifierInput } from './env.js';
import { type RegState, RegType, ptrReg } from './reg_state.js';

/** the targets tsbpf types: each argument's struct, and whether it may be NULL */
const ITER_TARGETS: Readonly<Record<string, readonly { struct: string; orNull: boolean }[]>> = {
  task: [{ struct: 'bpf_iter_meta', orNull: false }, { struct: 'task_struct', orNull: true }],
  bpf_map: [{ struct: 'bpf_iter_meta', orNull: false }, { struct: 'bpf_map', orNull: true }],
};

/** Iterator targets whose context the verifier types. */
export const ITER_TARGET_NAMES: readonly string[] = Object.keys(ITER_TARGETS);

function structId(btf: Btf, name: string): number | undefined {
  return btf.typesByName(name).find(isComposite)?.id;
}

/**
 * tracing_prog_is_valid_access + btf_ctx_access for an iterator: the loaded
 * register, or a CheckError with the kernel's lines. `log` takes the lines
 * btf_ctx_access prints before the caller's "invalid bpf_context access".
 */
export function iterCtxAccess(input: VerifierInput, off: number, size: number, write: boolean, log: (line: string) => void, newId: () => number): RegState {
  const target = input.attachTo ?? '';
  const args = ITER_TARGETS[target];
  const invalid = (): never => { throw new CheckError(`invalid bpf_context access off=${off} size=${size}`, EACCES); };
  if (!args) throw new CheckError(`iterator target '${target}' is not supported by tsbpf`, EINVAL);
  // bpf_tracing_ctx_access: reads only, within the u64 argument slots, aligned
  if (write || off < 0 || off % size !== 0 || off + size > 8 * 12) invalid();
  const fn = `bpf_iter_${target}`;
  const arg = Math.floor(off / 8);
  if (arg >= args.length) { log(`func '${fn}' doesn't have ${arg + 1}-th argument`); invalid(); }
  if (size !== 8) { log(`func '${fn}' size ${size} must be 8`); invalid(); }
  const a = args[arg]!;
  const btf = input.targetBtf && structId(input.targetBtf, a.struct) !== undefined ? input.targetBtf : builtinKernelBtf();
  const id = structId(btf, a.struct)!;
  return a.orNull
    ? ptrReg(RegType.TRUSTED_PTR_TO_BTF_ID_OR_NULL, { btf: btfRef(btf, id), id: newId() })
    : ptrReg(RegType.TRUSTED_PTR_TO_BTF_ID, { btf: btfRef(btf, id) });
}

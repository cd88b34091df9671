// save_aux_ptr_type: each load/store instruction remembers the pointer type it
// was verified with (insn_aux_data[].ptr_type), because the kernel rewrites
// context and socket accesses per instruction (convert_ctx_accesses). One
// instruction reached with a ctx pointer on one path and, say, a stack
// pointer on another cannot be rewritten for both, so it is refused.
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import { RegType, isBtfIdType } from './reg_state.js';

/** reg_type_mismatch_ok: types whose accesses are not rewritten per type */
function mismatchOk(t: RegType): boolean {
  switch (t) {
    case RegType.PTR_TO_CTX:
    case RegType.PTR_TO_SOCKET:
    case RegType.PTR_TO_SOCK_COMMON:
    case RegType.PTR_TO_TCP_SOCK:
    case RegType.PTR_TO_XDP_SOCK:
      return false;
    default:
      return !isBtfIdType(t);
  }
}

/**
 * Records `type` for the instruction at `idx` in `seen`; throws the kernel's
 * "same insn cannot be used with different pointers" on a mismatch. A load
 * (allowTrustMismatch) through BTF pointers of different trust becomes untrusted.
 */
export function saveAuxPtrType(seen: (RegType | undefined)[], idx: number, type: RegType, allowTrustMismatch: boolean): void {
  const prev = seen[idx];
  if (prev === undefined) { seen[idx] = type; return; }
  if (prev === type || (mismatchOk(type) && mismatchOk(prev))) return;
  if (allowTrustMismatch && isBtfIdType(type) && isBtfIdType(prev)) { seen[idx] = RegType.UNTRUSTED_PTR_TO_BTF_ID; return; }
  throw new CheckError('same insn cannot be used with different pointers', EINVAL);
}

// save_aux_ptr_type: each load/store instruction remembers the pointer type it
// was verified with (insn_aux_data[].ptr_type), because the kernel rewrites
// context and socket accesses per instruction (convert_ctx_accesses). One
// instruction reached with a ctx pointer on one path and, say, a stack
// pointer on another cannot be rewritten for both, so it is refused.
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY } from '../uapi/bpf.js';
import type { MapMeta } from './env.js';
import { RegType, isBtfIdType, type RegState } from './reg_state.js';

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

/** directAccess values: 0 never verified (dead code), DIRECT, CHECKED */
export const AUX_DIRECT = 1, AUX_CHECKED = 2;

/**
 * tsbpf's own aux bit for the JIT (no kernel counterpart): whether every
 * verified visit of a load/store reached it through a pointer whose memory
 * stays where it is for the whole run and whose access the verifier proved in
 * bounds: the stack (check_stack_access_within_bounds), the packet
 * (check_packet_access against the range), or a value of an array map the
 * program names itself (check_map_access; array values are never freed while
 * the program holds the map). The JIT emits a plain wasm load/store there; any
 * other pointer (ctx, BTF ids, sockets, hash-map values a helper may free,
 * inner maps) keeps the checked access with the interpreter's fault.
 */
export function saveAuxDirect(seen: Uint8Array, idx: number, reg: RegState, maps: readonly MapMeta[]): void {
  if (seen[idx] === AUX_CHECKED) return;
  let direct = false;
  switch (reg.type) {
    case RegType.PTR_TO_STACK:
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
      direct = true;
      break;
    case RegType.PTR_TO_MAP_VALUE:
      direct = reg.map !== undefined && (reg.map.type === BPF_MAP_TYPE_ARRAY || reg.map.type === BPF_MAP_TYPE_PERCPU_ARRAY) && maps.includes(reg.map);
      break;
  }
  seen[idx] = direct ? AUX_DIRECT : AUX_CHECKED;
}

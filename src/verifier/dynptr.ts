// Dynptrs on the verifier's stack (process_dynptr_func,
// mark_stack_slots_dynptr, is_dynptr_reg_valid_init): a struct bpf_dynptr
// is two 8-byte stack slots of kind STACK_DYNPTR that remember its type
// (skb, xdp, local) and id; a kfunc or helper that initializes one
// (`__uninit`, MEM_UNINIT) marks them, one that uses one needs both intact.
// Any store into either slot destroys it.
import { EINVAL, ERANGE } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { Verifier } from './check.js';
import { type RegState, RegType, notInit, scalarUnknown } from './reg_state.js';
import { Stk } from './state.js';
import { tnumIsConst } from './tnum.js';
import { MAX_BPF_STACK } from '../isa/opcodes.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

export type DynptrType = 'local' | 'ringbuf' | 'skb' | 'xdp';

export interface DynptrInfo { type: DynptrType; id: number; refObjId: number }

/** dynptr_get_spi: the dynptr's first (highest) slot, checked for a constant, aligned, in-bounds offset */
function dynptrSlot(v: Verifier, reg: RegState, regno: number): { frame: number; slot: number } {
  if (!tnumIsConst(reg.varOff)) fail('dynptr has to be at a constant offset', EINVAL);
  const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
  if (off % 8 || off > -16) fail(`cannot pass in dynptr at an offset=${off}`, EINVAL);
  if (off < -MAX_BPF_STACK) fail(`R${regno} dynptr at offset ${off} is outside the stack`, ERANGE);
  void v;
  // the struct spans [off, off + 16): spills[] index of its lower slot
  return { frame: reg.frameno, slot: (MAX_BPF_STACK + off) >> 3 };
}

/** The dynptr in the two slots, or undefined when they do not hold one intact. */
function readDynptr(v: Verifier, frameno: number, slot: number): DynptrInfo | undefined {
  const f = v.cur.frames[frameno]!;
  const lo = f.spills[slot], hi = f.spills[slot + 1];
  for (let b = slot * 8; b < slot * 8 + 16; b++) if (f.stype[b] !== Stk.DYNPTR) return undefined;
  if (!lo?.reg.dynptr || !hi?.reg.dynptr || lo.reg.dynptr.first || !hi.reg.dynptr.first || lo.reg.id !== hi.reg.id) return undefined;
  return { type: hi.reg.dynptr.type, id: hi.reg.id, refObjId: hi.reg.refObjId };
}

/**
 * process_dynptr_func for argument `argIdx` (register regno): with `uninit`,
 * initializes a dynptr of `type` there (returning it); otherwise requires an
 * initialized one (of `expect` when given) and returns it.
 */
export function processDynptrArg(
  v: Verifier, regno: number, argIdx: number, uninit: boolean, type: DynptrType | undefined, expect?: DynptrType,
  rdonly = true,
): DynptrInfo {
  const reg = v.regs[regno]!;
  if (reg.type === RegType.CONST_PTR_TO_DYNPTR) {
    // a callback's dynptr (bpf_user_ringbuf_drain): always initialized, never owned nor mutable
    if (uninit) fail('Dynptr has to be an uninitialized dynptr', EINVAL);
    if (!rdonly) fail('cannot pass pointer to const bpf_dynptr, the helper mutates it', EINVAL);
    const t = reg.dynptr!.type;
    if (expect && t !== expect) fail(`Expected a dynptr of type ${expect} as arg #${argIdx}`, EINVAL);
    return { type: t, id: reg.id, refObjId: 0 };
  }
  if (reg.type !== RegType.PTR_TO_STACK) fail(`arg#${argIdx} expected pointer to stack or const struct bpf_dynptr`, EINVAL);
  const { frame, slot } = dynptrSlot(v, reg, regno);
  if (!uninit) {
    const d = readDynptr(v, frame, slot);
    if (!d) fail(`Expected an initialized dynptr as arg #${argIdx}`, EINVAL);
    if (expect && d!.type !== expect) fail(`Expected a dynptr of type ${expect} as arg #${argIdx}`, EINVAL);
    return d!;
  }
  const f = v.cur.frames[frame]!;
  const old = readDynptr(v, frame, slot);
  if (old && old.refObjId) fail('Dynptr has to be an uninitialized dynptr', EINVAL);
  // both slots are written (check_mem_access of two BPF_DW stores), then marked
  v.checkMemAccess(regno, 0, 8, 'write', scalarUnknown());
  v.checkMemAccess(regno, 8, 8, 'write', scalarUnknown());
  const d: DynptrInfo = { type: type!, id: ++v.idGen, refObjId: 0 };
  for (const [s, first] of [[slot, false], [slot + 1, true]] as const) {
    const r = notInit();
    r.id = d.id;
    r.dynptr = { type: d.type, first };
    f.spills[s] = { reg: r, size: 8 };
    for (let b = s * 8; b < s * 8 + 8; b++) f.stype[b] = Stk.DYNPTR;
  }
  return d;
}

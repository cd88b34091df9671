// Reference tracking (the kernel's acquire_reference / release_reference /
// check_reference_leak): every acquired object is a RefState in the verifier
// state until a release call consumes it; pointers carrying a released
// ref_obj_id become unusable; a path that ends holding one is refused.
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { Verifier } from './check.js';
import { type RegState, scalarUnknown } from './reg_state.js';
import type { VState } from './state.js';

/** acquire_reference: a new reference id, owned by the current path. */
export function acquireReference(v: Verifier, insnIdx: number): number {
  const id = ++v.idGen;
  v.cur.refs.push({ id, insn: insnIdx });
  return id;
}

/** release_reference_nomark: drop the reference; false when the path does not hold it. */
export function releaseReferenceNomark(st: VState, refObjId: number): boolean {
  const i = st.refs.findIndex((r) => r.id === refObjId);
  if (i < 0) return false;
  st.refs.splice(i, 1);
  return true;
}

/**
 * release_reference: drop the reference and invalidate every register and
 * spilled register carrying it (mark_reg_invalid: an unknown scalar for a
 * privileged loader), in every frame.
 */
export function releaseReference(v: Verifier, refObjId: number): boolean {
  if (!releaseReferenceNomark(v.cur, refObjId)) return false;
  const fix = (r: RegState): RegState => (r.refObjId === refObjId ? scalarUnknown() : r);
  for (const f of v.cur.frames) {
    f.regs = f.regs.map(fix);
    f.spills = f.spills.map((sp) => (sp ? { reg: fix(sp.reg), size: sp.size } : undefined));
  }
  return true;
}

/**
 * check_reference_leak (inside check_resource_leak): at the main program's
 * exit, or a tail call, every reference must have been released; each one
 * still held is reported, then "<prefix> would lead to reference leak".
 */
export function checkReferenceLeak(v: Verifier, prefix: string): void {
  if (v.frame.frameno) return;
  if (!v.cur.refs.length) return;
  for (const r of v.cur.refs) v.log.error(`Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
  throw new CheckError(`${prefix} would lead to reference leak`, EINVAL);
}

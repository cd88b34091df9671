// Verifier state (struct bpf_verifier_state / bpf_func_state) and the
// comparisons used for pruning (states_equal) and loop detection.
import type { MapMeta } from './env.js';
import { MAX_BPF_STACK } from '../isa/opcodes.js';
import { tnumIn } from './tnum.js';
import { type RegState, RegType, copyReg, notInit, ptrReg, scalarUnknown } from './reg_state.js';

/** Byte kinds of a stack slot (enum bpf_stack_slot_type). */
export const enum Stk { INVALID = 0, MISC = 1, ZERO = 2, SPILL = 3, DYNPTR = 4 }

export interface Spill { reg: RegState; size: number }

export interface FuncState {
  regs: RegState[];
  /** one kind per stack byte; index = MAX_BPF_STACK + offset from fp */
  stype: Uint8Array;
  /** spilled registers by 8-byte slot; index = (MAX_BPF_STACK + off) / 8 */
  spills: (Spill | undefined)[];
  frameno: number;
  subprog: number;
  /** insn index of the call that created this frame (-1 for a root) */
  callsite: number;
  inCallbackFn: boolean;
  inAsyncCallbackFn: boolean;
  /** allowed R0 range at callback return */
  cbRet?: [bigint, bigint];
  /** callback_depth: bpf_loop callback iterations this frame has queued since its last other call */
  callbackDepth: number;
}

export interface LockState { map: MapMeta; mapUid: number; id: number }

/**
 * An acquired reference (struct bpf_reference_state, REF_TYPE_PTR): a socket
 * from bpf_sk_lookup_*, a ring buffer record, a kfunc's KF_ACQUIRE result.
 * The program must release each before it exits.
 */
export interface RefState {
  /** the ref_obj_id the registers holding it carry */
  id: number;
  /** insn_idx of the acquiring call ("alloc_insn=" in the leak report) */
  insn: number;
}

export interface VState {
  frames: FuncState[];
  lock: LockState | null;
  /** acquired references, in acquisition order (the kernel's refs[]) */
  refs: RefState[];
  /** inside a bpf_rcu_read_lock() region (active_rcu_lock) */
  rcuLock: boolean;
  /** the newest checkpoint on this path (for branch counting and loop detection) */
  cp: Checkpoint | null;
  /**
   * the instructions this path executed since `cp` (the kernel's jmp_history,
   * kept for every insn): the first is cp's insn, the last the current one
   */
  hist: HistEntry[];
  /** entries the kernel's jmp_history would hold since `cp` (a checkpoint is forced past 40) */
  jmpCnt: number;
  /** may_goto fall-throughs taken on this path (may_goto_depth) */
  mayGotoDepth?: number;
  /** callback_unroll_depth: synchronous callback iterations queued on this path */
  cbUnrollDepth?: number;
}

/** One executed instruction, for precision backtracking. */
export interface HistEntry {
  idx: number;
  /** call depth (frames.length - 1) the insn ran in */
  depth: number;
  /** HIST_* flags */
  flags: number;
  /** fixed-offset stack access: the frame and 8-byte slot (spi) touched */
  stackFrame?: number;
  stackSpi?: number;
  /** a conditional jump that refined linked scalars: [frame, reg (0-10) or 11 + spi] */
  linked?: number[];
}

export const HIST_STACK = 1;
/** an EXIT that returned from a callback run by a helper (R0 does not flow back) */
export const HIST_CB_EXIT = 2;
/** counted in VState.jmpCnt */
export const HIST_COUNTED = 4;

export interface Checkpoint {
  insn: number;
  state: VState;
  /** live paths still exploring below this checkpoint */
  branches: number;
  parent: Checkpoint | null;
  /** every scalar of the state was marked precise (Verifier.requestPrecision) */
  allPrecise?: boolean;
  /** the path from parent's insn up to (not including) this insn */
  hist: HistEntry[];
  /** prunings by this state and comparisons it failed (eviction heuristic) */
  hitCnt?: number;
  missCnt?: number;
}

/**
 * Stack-kind arrays are views carved from shared 8 KiB buffers: a 512-byte
 * Uint8Array of its own is an off-heap allocation (~0.5 µs, and GC work) at
 * every frame copy, a large part of verifying a small program.
 */
const STYPE_CHUNK = 16 * MAX_BPF_STACK;
let stypeBuf = new ArrayBuffer(STYPE_CHUNK);
let stypeOff = 0;
function allocStype(): Uint8Array {
  if (stypeOff === STYPE_CHUNK) { stypeBuf = new ArrayBuffer(STYPE_CHUNK); stypeOff = 0; }
  const a = new Uint8Array(stypeBuf, stypeOff, MAX_BPF_STACK);
  stypeOff += MAX_BPF_STACK;
  return a;
}
const NO_SPILLS: readonly (Spill | undefined)[] = new Array<Spill | undefined>(MAX_BPF_STACK / 8).fill(undefined);

export function newFrame(frameno: number, subprog: number, callsite: number): FuncState {
  const regs: RegState[] = [];
  for (let i = 0; i < 11; i++) regs.push(notInit());
  regs[10] = ptrReg(RegType.PTR_TO_STACK, { frameno });
  return {
    regs, stype: allocStype(), spills: NO_SPILLS.slice(),
    frameno, subprog, callsite, inCallbackFn: false, inAsyncCallbackFn: false, callbackDepth: 0,
  };
}

export function copyFrame(f: FuncState): FuncState {
  const stype = allocStype();
  stype.set(f.stype);
  const spills = f.spills.slice();
  for (let i = 0; i < spills.length; i++) {
    const s = spills[i];
    if (s) spills[i] = { reg: copyReg(s.reg), size: s.size };
  }
  return { ...f, regs: f.regs.map(copyReg), stype, spills };
}

export function copyState(s: VState): VState {
  return {
    frames: s.frames.map(copyFrame), lock: s.lock ? { ...s.lock } : null, refs: s.refs.map((r) => ({ ...r })), rcuLock: s.rcuLock,
    cp: s.cp, hist: s.hist.slice(), jmpCnt: s.jmpCnt, mayGotoDepth: s.mayGotoDepth, cbUnrollDepth: s.cbUnrollDepth,
  };
}

/** id flags of a scalar linked to others with a constant delta in `off` (BPF_ADD_CONST: the 64- and 32-bit ones) */
const ADD_CONST = (1 << 30) | (1 << 29);

/** clear_singular_ids: a scalar id nothing else shares links nothing; drop it */
export function clearSingularIds(st: VState): void {
  const cnt = new Map<number, number>();
  const each = (fn: (r: RegState) => void): void => {
    for (const f of st.frames) {
      for (const r of f.regs) if (r.type === RegType.SCALAR_VALUE && r.id) fn(r);
      for (const sp of f.spills) if (sp && sp.reg.type === RegType.SCALAR_VALUE && sp.reg.id) fn(sp.reg);
    }
  };
  each((r) => { const b = r.id & ~ADD_CONST; cnt.set(b, (cnt.get(b) ?? 0) + 1); });
  each((r) => { if (cnt.get(r.id & ~ADD_CONST) === 1) { r.id = 0; r.off = 0; } });
}

/**
 * check_ids: a consistent mapping of old ids onto current ids. Pairs in two
 * arrays scanned linearly, as the kernel's idmap is (a comparison sees a
 * handful of ids); one instance, reset per comparison, so pruning allocates nothing.
 */
class IdMap {
  tmp = 1 << 31;
  private readonly olds: number[] = [];
  private readonly curs: number[] = [];
  private n = 0;
  reset(): this { this.n = 0; this.tmp = 1 << 31; return this; }
  ok(oldId: number, curId: number): boolean {
    if (!oldId && !curId) return true;
    if (!oldId || !curId) return false;
    for (let i = 0; i < this.n; i++) {
      const a = this.olds[i]!, b = this.curs[i]!;
      if (a === oldId) return b === curId;
      if (b === curId) return false;
    }
    this.olds[this.n] = oldId; this.curs[this.n] = curId; this.n++;
    return true;
  }
}
const idMap = new IdMap();

function rangeWithin(o: RegState, c: RegState): boolean {
  return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax
    && o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max
    && tnumIn(o.varOff, c.varOff);
}

/** regsafe: every behaviour of `cur` was already covered by `old`. */
function regsafe(o: RegState, c: RegState, ids: IdMap, rangeWithinAll = false): boolean {
  if (o.type === RegType.NOT_INIT) return true;
  if (o.type !== c.type) return false;
  switch (o.type) {
    case RegType.SCALAR_VALUE:
      // an imprecise scalar's value never mattered below the old state (NOT_EXACT;
      // RANGE_WITHIN, against a state still being explored, compares them all)
      if (!o.precise && !rangeWithinAll) return true;
      // check_scalar_ids: linked scalars must be linked the same way (an unlinked one gets a fresh id)
      if ((o.id & ADD_CONST) !== (c.id & ADD_CONST)) return false;
      if (o.id & ADD_CONST && o.off !== c.off) return false;
      return ids.ok(o.id ? o.id & ~ADD_CONST : ++ids.tmp, c.id ? c.id & ~ADD_CONST : ++ids.tmp) && rangeWithin(o, c);
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
      // AT_PKT_END / BEYOND_PKT_END (negative ranges) only match themselves
      return o.off === c.off && (o.range < 0 || c.range < 0 ? o.range === c.range : o.range <= c.range)
        && rangeWithin(o, c) && ids.ok(o.id, c.id);
    default:
      return o.off === c.off && o.map === c.map && o.mapUid === c.mapUid && o.frameno === c.frameno
        && o.subprog === c.subprog && o.memSize === c.memSize && o.btf === c.btf && rangeWithin(o, c) && ids.ok(o.id, c.id)
        && ids.ok(o.refObjId, c.refObjId);
  }
}

/** a Uint32Array over the whole of each stack-kind buffer (allocStype's chunks), for firstUsed */
const stypeWords = new WeakMap<ArrayBufferLike, Uint32Array>();
function wordsOf(a: Uint8Array): Uint32Array {
  let w = stypeWords.get(a.buffer);
  if (!w) stypeWords.set(a.buffer, w = new Uint32Array(a.buffer, 0, a.buffer.byteLength >> 2));
  return w;
}

/** index of the first byte that is not STACK_INVALID in a or b (the stack is used from the top down) */
function firstUsed(a: Uint8Array, b: Uint8Array): number {
  // four bytes at a time (allocStype's views start on a 512-byte boundary)
  if (((a.byteOffset | b.byteOffset | a.length) & 3) !== 0 || a.length !== b.length) return 0;
  const aw = wordsOf(a), bw = wordsOf(b);
  const a0 = a.byteOffset >> 2, b0 = b.byteOffset >> 2, n = a.length >> 2;
  let k = 0;
  while (k < n && (aw[a0 + k]! | bw[b0 + k]!) === 0) k++;
  return k * 4;
}

function stypeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (((a.byteOffset | b.byteOffset | a.length) & 3) !== 0) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const aw = wordsOf(a), bw = wordsOf(b);
  const a0 = a.byteOffset >> 2, b0 = b.byteOffset >> 2, n = a.length >> 2;
  for (let k = 0; k < n; k++) if (aw[a0 + k] !== bw[b0 + k]) return false;
  return true;
}

function stacksafe(o: FuncState, c: FuncState, ids: IdMap, rangeWithinAll = false, liveLo = 0xffffffff, liveHi = 0xffffffff): boolean {
  // both STACK_INVALID below the first used byte: nothing to compare there
  for (let i = firstUsed(o.stype, c.stype); i < o.stype.length; i++) {
    const slot = i >> 3;
    // a dead slot of the old state is as if invalid (clean_func_state)
    const ot = ((slot < 32 ? liveLo >>> slot : liveHi >>> (slot - 32)) & 1) ? o.stype[i]! : Stk.INVALID;
    const ct = c.stype[i]!;
    // uninitialized stack is readable for a privileged loader, so INVALID ~ MISC
    if (ot === Stk.INVALID || ot === Stk.MISC) {
      if (ct === Stk.SPILL) {
        const sp = c.spills[i >> 3];
        if (!sp || sp.reg.type !== RegType.SCALAR_VALUE) return false;
      }
      continue;
    }
    if (ot === Stk.ZERO) {
      if (ct === Stk.ZERO) continue;
      if (ct === Stk.SPILL) {
        const sp = c.spills[i >> 3];
        if (sp && sp.reg.type === RegType.SCALAR_VALUE && sp.reg.varOff.mask === 0n && sp.reg.varOff.value === 0n) continue;
      }
      return false;
    }
    if (ot === Stk.DYNPTR) {
      // a dynptr matches one of the same type and half holding the same reference (its id is not compared)
      if (ct !== Stk.DYNPTR) return false;
      if ((i & 7) !== 0) continue;
      const od = o.spills[i >> 3]?.reg, cd = c.spills[i >> 3]?.reg;
      if (!od || !cd || od.dynptr?.type !== cd.dynptr?.type || od.dynptr?.first !== cd.dynptr?.first || !ids.ok(od.refObjId, cd.refObjId)) return false;
      continue;
    }
    // old spilled register
    if (ct !== Stk.SPILL) return false;
    if ((i & 7) !== 0 && o.stype[i & ~7] === Stk.SPILL) continue; // compared at the slot base
    const os = o.spills[i >> 3], cs = c.spills[i >> 3];
    if (!os || !cs || os.size !== cs.size || !regsafe(os.reg, cs.reg, ids, rangeWithinAll)) return false;
  }
  return true;
}

/**
 * states_equal: old state subsumes the current one. NOT_EXACT (the default)
 * skips imprecise scalars; `rangeWithinAll` is the kernel's RANGE_WITHIN, used
 * against a checkpoint whose exploration is not finished (may_goto loops).
 * `liveStack` (at insn `at`) marks the innermost frame's live slots: give it only
 * for a fully explored old state, the one the kernel cleans.
 */
export function statesEqual(old: VState, cur: VState, liveRegs = 0x7ff, rangeWithinAll = false, liveStack?: Uint32Array, at = 0): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  if (!!old.lock !== !!cur.lock) return false;
  if (old.lock && cur.lock && (old.lock.map !== cur.lock.map || old.lock.mapUid !== cur.lock.mapUid)) return false;
  const ids = idMap.reset();
  if (!refsafe(old, cur, ids)) return false;
  for (let f = 0; f < old.frames.length; f++) {
    const of = old.frames[f]!, cf = cur.frames[f]!;
    if (of.callsite !== cf.callsite || of.subprog !== cf.subprog) return false;
    // func_states_equal: an old state that had queued more callback iterations covers nothing
    if (of.callbackDepth > cf.callbackDepth) return false;
    // registers dead at the instruction (compute_live_registers) are not compared in the innermost frame
    const live = f === old.frames.length - 1 ? liveRegs | 0x400 : 0x7ff;
    for (let r = 0; r < 11; r++) if (live & (1 << r) && !regsafe(of.regs[r]!, cf.regs[r]!, ids, rangeWithinAll)) return false;
    // stack slots dead at the instruction (live_stack.ts) are not compared in the innermost frame
    const top = f === old.frames.length - 1 && liveStack !== undefined;
    if (!stacksafe(of, cf, ids, rangeWithinAll, top ? liveStack[2 * at]! : 0xffffffff, top ? liveStack[2 * at + 1]! : 0xffffffff)) return false;
  }
  return true;
}

/** refsafe: the same references, their ids mapped consistently with the registers' */
function refsafe(old: VState, cur: VState, ids: IdMap): boolean {
  if (old.refs.length !== cur.refs.length || old.rcuLock !== cur.rcuLock) return false;
  for (let i = 0; i < old.refs.length; i++) if (!ids.ok(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  return true;
}

function regExact(a: RegState, b: RegState): boolean {
  return a.type === b.type && a.off === b.off && a.varOff.value === b.varOff.value && a.varOff.mask === b.varOff.mask
    && a.umin === b.umin && a.umax === b.umax && a.smin === b.smin && a.smax === b.smax
    && a.u32min === b.u32min && a.u32max === b.u32max && a.s32min === b.s32min && a.s32max === b.s32max
    && a.map === b.map && a.mapUid === b.mapUid && a.range === b.range && a.frameno === b.frameno
    && a.subprog === b.subprog && a.memSize === b.memSize && a.refObjId === b.refObjId && a.btf === b.btf;
}

/**
 * widen_imprecise_scalars: scalars (registers and spills) that are neither
 * precise nor unchanged since `old` become unknown in `cur`.
 */
export function widenImpreciseScalars(old: VState, cur: VState): void {
  const widen = (o: RegState, c: RegState): RegState => {
    if (o.type !== RegType.SCALAR_VALUE || c.type !== RegType.SCALAR_VALUE || o.precise || c.precise) return c;
    if (regExact(o, c) && o.id === c.id) return c;
    return scalarUnknown();
  };
  for (let fr = Math.min(old.frames.length, cur.frames.length) - 1; fr >= 0; fr--) {
    const fo = old.frames[fr]!, fc = cur.frames[fr]!;
    fc.regs = fc.regs.map((r, i) => widen(fo.regs[i]!, r));
    fc.spills = fc.spills.map((sp, slot) => {
      const op = fo.spills[slot];
      return sp && op ? { reg: widen(op.reg, sp.reg), size: sp.size } : sp;
    });
  }
}

/** The same state again: a loop that makes no progress. */
export function statesExact(a: VState, b: VState): boolean {
  if (a.frames.length !== b.frames.length || !!a.lock !== !!b.lock) return false;
  if ((a.mayGotoDepth ?? 0) !== (b.mayGotoDepth ?? 0) || (a.cbUnrollDepth ?? 0) !== (b.cbUnrollDepth ?? 0)) return false;
  if (a.rcuLock !== b.rcuLock || a.refs.length !== b.refs.length || a.refs.some((r, i) => r.id !== b.refs[i]!.id)) return false;
  for (let f = 0; f < a.frames.length; f++) {
    const x = a.frames[f]!, y = b.frames[f]!;
    if (x.callsite !== y.callsite || x.callbackDepth > y.callbackDepth) return false;
    for (let r = 0; r < 11; r++) if (!regExact(x.regs[r]!, y.regs[r]!)) return false;
    if (!stypeEqual(x.stype, y.stype)) return false;
    for (let s = 0; s < x.spills.length; s++) {
      const p = x.spills[s], q = y.spills[s];
      if (!p !== !q) return false;
      if (p && q && (p.size !== q.size || !regExact(p.reg, q.reg))) return false;
    }
  }
  return true;
}

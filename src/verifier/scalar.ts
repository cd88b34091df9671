// Scalar ALU and conditional-jump bounds (adjust_scalar_min_max_vals,
// is_branch_taken, reg_set_min_max). Each is computed on a "view" of a
// register at 32 or 64 bits: a tnum plus signed and unsigned ranges.
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE,
  BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_OR, BPF_RSH,
  BPF_SUB, BPF_XOR,
} from '../isa/opcodes.js';
import {
  type Tnum, tnum, tnumAdd, tnumAnd, tnumArshift, tnumConst, tnumIntersect, tnumIsConst,
  tnumLshift, tnumMul, tnumOr, tnumRange, tnumRshift, tnumSub, tnumSubreg, tnumWithSubreg, tnumXor,
  U32_MAX, U64_MAX,
} from './tnum.js';
import { type RegState, S32_MAX, S32_MIN, S64_MAX, S64_MIN, markUnbounded, syncBounds } from './reg_state.js';

export interface View {
  bits: 32 | 64;
  t: Tnum;
  umin: bigint; umax: bigint; smin: bigint; smax: bigint;
}

const umaxOf = (bits: number): bigint => (bits === 32 ? U32_MAX : U64_MAX);
const sminOf = (bits: number): bigint => (bits === 32 ? S32_MIN : S64_MIN);
const smaxOf = (bits: number): bigint => (bits === 32 ? S32_MAX : S64_MAX);
const toS = (bits: number, x: bigint): bigint => BigInt.asIntN(bits, x);
const toU = (bits: number, x: bigint): bigint => BigInt.asUintN(bits, x);

export function viewOf(r: RegState, bits: 32 | 64): View {
  if (bits === 64) return { bits, t: r.varOff, umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax };
  return { bits, t: tnumSubreg(r.varOff), umin: r.u32min, umax: r.u32max, smin: r.s32min, smax: r.s32max };
}

function unboundedView(bits: 32 | 64, t: Tnum): View {
  return { bits, t, umin: 0n, umax: umaxOf(bits), smin: sminOf(bits), smax: smaxOf(bits) };
}

/** Writes an ALU result view back: 64-bit sets everything; 32-bit zero-extends. */
export function writeView(r: RegState, v: View): void {
  markUnbounded(r);
  if (v.bits === 64) {
    r.varOff = v.t;
    r.umin = v.umin; r.umax = v.umax; r.smin = v.smin; r.smax = v.smax;
  } else {
    r.varOff = tnumSubreg(v.t);
    r.u32min = v.umin; r.u32max = v.umax; r.s32min = v.smin; r.s32max = v.smax;
    r.umin = v.umin; r.umax = v.umax; r.smin = v.umin; r.smax = v.umax;
  }
  syncBounds(r);
}

/** A 64-bit result with the 32-bit bounds computed beside it (scalar32_min_max_* and scalar_min_max_*). */
export function writeNeg64(r: RegState, v64: View | undefined, v32: View | undefined): void {
  markUnbounded(r);
  if (v64) {
    r.varOff = v64.t;
    r.umin = v64.umin; r.umax = v64.umax; r.smin = v64.smin; r.smax = v64.smax;
  }
  if (v32) { r.u32min = v32.umin; r.u32max = v32.umax; r.s32min = v32.smin; r.s32max = v32.smax; }
  syncBounds(r);
}

/** Writes a refined comparison view back into a register, keeping the other half. */
export function refineWith(r: RegState, v: View): void {
  if (v.bits === 64) {
    r.varOff = v.t;
    r.umin = v.umin; r.umax = v.umax; r.smin = v.smin; r.smax = v.smax;
  } else {
    r.varOff = tnumWithSubreg(r.varOff, v.t);
    r.u32min = v.umin; r.u32max = v.umax; r.s32min = v.smin; r.s32max = v.smax;
  }
  syncBounds(r);
}

/**
 * Can this op be computed from a non-constant source (is_safe_to_compute_dst_reg_range)?
 * `umax64` is the source register's 64-bit umax: the kernel bounds a shift
 * amount by it even for a 32-bit shift, so `w9 <<= w9` with r9 =
 * 0xd4f748dd0000000f leaves w9 unknown although its low half is 15.
 */
export function safeToCompute(op: number, src: View, umax64: bigint): boolean {
  switch (op) {
    case BPF_ADD: case BPF_SUB: case BPF_AND: case BPF_XOR: case BPF_OR: case BPF_MUL:
      return true;
    case BPF_LSH: case BPF_RSH: case BPF_ARSH:
      return tnumIsConst(src.t) && src.umin === src.umax && src.smin === src.smax && umax64 < BigInt(src.bits);
    default:
      return false;
  }
}

/** dst OP src on views; undefined means "unknown scalar". */
export function aluView(op: number, d: View, s: View): View {
  const bits = d.bits;
  const M = umaxOf(bits);
  const cut = (t: Tnum): Tnum => (bits === 32 ? tnumSubreg(t) : t);
  switch (op) {
    case BPF_ADD: {
      const t = cut(tnumAdd(d.t, s.t));
      const r = unboundedView(bits, t);
      // scalar(32)_min_max_add (6.18): the unsigned range survives when no sum
      // wraps or every sum does (then shifted down by 2^bits)
      const ulo = d.umin + s.umin, uhi = d.umax + s.umax;
      if (uhi <= M) { r.umin = ulo; r.umax = uhi; } else if (ulo > M) { r.umin = ulo - M - 1n; r.umax = uhi - M - 1n; }
      const lo = d.smin + s.smin, hi = d.smax + s.smax;
      if (lo >= sminOf(bits) && hi <= smaxOf(bits)) { r.smin = lo; r.smax = hi; }
      return r;
    }
    case BPF_SUB: {
      const t = cut(tnumSub(d.t, s.t));
      const r = unboundedView(bits, t);
      // likewise when no difference or every difference wraps below zero
      if (d.umin >= s.umax) { r.umin = d.umin - s.umax; r.umax = d.umax - s.umin; } else if (d.umax < s.umin) { r.umin = d.umin - s.umax + M + 1n; r.umax = d.umax - s.umin + M + 1n; }
      const lo = d.smin - s.smax, hi = d.smax - s.smin;
      if (lo >= sminOf(bits) && hi <= smaxOf(bits)) { r.smin = lo; r.smax = hi; }
      return r;
    }
    case BPF_MUL: {
      const t = cut(tnumMul(d.t, s.t));
      const r = unboundedView(bits, t);
      if (d.umax * s.umax <= M) { r.umin = d.umin * s.umin; r.umax = d.umax * s.umax; }
      const c = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
      const lo = c.reduce((a, b) => (a < b ? a : b)), hi = c.reduce((a, b) => (a > b ? a : b));
      if (lo >= sminOf(bits) && hi <= smaxOf(bits)) { r.smin = lo; r.smax = hi; }
      return r;
    }
    case BPF_AND: {
      const t = tnumAnd(d.t, s.t);
      const r = unboundedView(bits, t);
      r.umin = t.value;
      r.umax = d.umax < s.umax ? d.umax : s.umax;
      if (d.smin >= 0n && s.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case BPF_OR: {
      const t = tnumOr(d.t, s.t);
      const r = unboundedView(bits, t);
      r.umin = d.umin > s.umin ? d.umin : s.umin;
      r.umax = t.value | t.mask;
      if (d.smin >= 0n && s.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case BPF_XOR: {
      const t = tnumXor(d.t, s.t);
      const r = unboundedView(bits, t);
      r.umin = t.value;
      r.umax = t.value | t.mask;
      if (d.smin >= 0n && s.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case BPF_LSH: {
      const sh = Number(s.umin);
      const t = cut(tnumLshift(d.t, sh));
      const r = unboundedView(bits, t);
      if (d.umax << BigInt(sh) <= M) { r.umin = d.umin << BigInt(sh); r.umax = d.umax << BigInt(sh); }
      return r;
    }
    case BPF_RSH: {
      const sh = Number(s.umin);
      const t = tnumRshift(d.t, sh);
      const r = unboundedView(bits, t);
      r.umin = d.umin >> BigInt(sh); r.umax = d.umax >> BigInt(sh);
      return r;
    }
    case BPF_ARSH: {
      const sh = Number(s.umin);
      const t = tnumArshift(d.t, sh, bits);
      const r = unboundedView(bits, t);
      r.smin = d.smin >> BigInt(sh); r.smax = d.smax >> BigInt(sh);
      return r;
    }
    default:
      return unboundedView(bits, bits === 32 ? tnum(0n, U32_MAX) : tnum(0n, U64_MAX));
  }
}

export const isDivMod = (op: number): boolean => op === BPF_DIV || op === BPF_MOD;

/** every bound and bit unknown (what __mark_reg_unknown leaves) */
function fullyUnknown(r: RegState): boolean {
  return r.varOff.mask === U64_MAX && r.varOff.value === 0n && r.umin === 0n && r.umax === U64_MAX
    && r.smin === S64_MIN && r.smax === S64_MAX && r.u32min === 0n && r.u32max === U32_MAX
    && r.s32min === S32_MIN && r.s32max === S32_MAX;
}

/** a constant whose every bound is that constant (what __mark_reg_known leaves) */
function knownConst(r: RegState): boolean {
  const v = r.varOff.value;
  return r.varOff.mask === 0n && r.umin === v && r.umax === v && r.smin === r.smax && r.smin === BigInt.asIntN(64, v)
    && r.u32min === r.u32max && r.u32min === (v & U32_MAX) && r.s32min === r.s32max && r.s32min === BigInt.asIntN(32, v);
}

/**
 * The result of dst OP src where aluView + writeView need not run, or
 * undefined. 'unknown': a 64-bit add, sub or xor with a fully unknown operand
 * is fully unknown (its tnum has every bit unknown and both ranges overflow
 * unless the other operand is 0, which leaves them full too; an add or sub
 * only when the other operand's ranges are not empty). A bigint: two
 * known constants give a known constant (the ranges aluView computes always
 * contain it, so reg_bounds_sync's constant shortcut makes every bound that
 * value). Only a shortcut: the general path computes the same.
 */
export function aluFast(op: number, d: RegState, s: RegState, bits: 32 | 64): bigint | 'unknown' | undefined {
  if (bits === 64 && (op === BPF_ADD || op === BPF_SUB || op === BPF_XOR) && (fullyUnknown(d) || fullyUnknown(s))
    // (an add or sub needs the other's ranges non-empty: an impossible one can narrow the sum)
    && (op === BPF_XOR || (d.umin <= d.umax && d.smin <= d.smax && s.umin <= s.umax && s.smin <= s.smax))) return 'unknown';
  if (!knownConst(d) || !knownConst(s)) return undefined;
  const M = umaxOf(bits);
  const a = d.varOff.value & M, b = s.varOff.value & M;
  switch (op) {
    case BPF_ADD: return (a + b) & M;
    case BPF_SUB: return BigInt.asUintN(bits, a - b);
    case BPF_MUL: return (a * b) & M;
    case BPF_AND: return a & b;
    case BPF_OR: return a | b;
    case BPF_XOR: return a ^ b;
    // shift amounts: the source's 64-bit umax must be below the width (see safeToCompute)
    case BPF_LSH: return s.umax < BigInt(bits) ? (a << b) & M : undefined;
    case BPF_RSH: return s.umax < BigInt(bits) ? a >> b : undefined;
    case BPF_ARSH: return s.umax < BigInt(bits) ? BigInt.asUintN(bits, BigInt.asIntN(bits, a) >> b) : undefined;
    default: return undefined;
  }
}

/**
 * is_branch_taken for scalars: 1 always taken, 0 never, -1 unknown.
 */
export function branchTaken(a: View, b: View, op: number): 1 | 0 | -1 {
  switch (op) {
    case BPF_JEQ: {
      if (tnumIsConst(a.t) && tnumIsConst(b.t)) return a.t.value === b.t.value ? 1 : 0;
      if (a.umin > b.umax || a.umax < b.umin) return 0;
      if (a.smin > b.smax || a.smax < b.smin) return 0;
      if ((a.t.value ^ b.t.value) & ~(a.t.mask | b.t.mask) & umaxOf(a.bits)) return 0;
      return -1;
    }
    case BPF_JNE: {
      const r = branchTaken(a, b, BPF_JEQ);
      return r === -1 ? -1 : r === 1 ? 0 : 1;
    }
    case BPF_JSET: {
      // decided only against a constant (is_scalar_branch_taken): `if w8 & w8`
      // with known bits set is still explored both ways, as the kernel does
      const [x, y] = tnumIsConst(b.t) ? [a, b] : [b, a];
      if (!tnumIsConst(y.t)) return -1;
      if (~x.t.mask & x.t.value & y.t.value) return 1;
      if (((x.t.mask | x.t.value) & y.t.value) === 0n) return 0;
      return -1;
    }
    case BPF_JGT: return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
    case BPF_JGE: return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
    case BPF_JLT: return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
    case BPF_JLE: return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
    case BPF_JSGT: return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
    case BPF_JSGE: return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
    case BPF_JSLT: return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
    case BPF_JSLE: return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
    default: return -1;
  }
}

/** The op that holds on the fall-through branch (rev_opcode). */
export function negateOp(op: number): number {
  switch (op) {
    case BPF_JEQ: return BPF_JNE;
    case BPF_JNE: return BPF_JEQ;
    case BPF_JGT: return BPF_JLE;
    case BPF_JGE: return BPF_JLT;
    case BPF_JLT: return BPF_JGE;
    case BPF_JLE: return BPF_JGT;
    case BPF_JSGT: return BPF_JSLE;
    case BPF_JSGE: return BPF_JSLT;
    case BPF_JSLT: return BPF_JSGE;
    case BPF_JSLE: return BPF_JSGT;
    default: return -1; // JSET's negation is handled as "jset false"
  }
}

/** The op with operands swapped (flip_opcode). */
export function flipOp(op: number): number {
  switch (op) {
    case BPF_JGT: return BPF_JLT;
    case BPF_JGE: return BPF_JLE;
    case BPF_JLT: return BPF_JGT;
    case BPF_JLE: return BPF_JGE;
    case BPF_JSGT: return BPF_JSLT;
    case BPF_JSGE: return BPF_JSLE;
    case BPF_JSLT: return BPF_JSGT;
    case BPF_JSLE: return BPF_JSGE;
    default: return op;
  }
}

const mx = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const mn = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * regs_refine_cond_op: narrows a and b (in place) assuming `a op b` holds.
 * `jsetFalse` selects the not-taken side of JSET.
 */
export function refineCond(a: View, b: View, op: number, jsetFalse = false): void {
  const bits = a.bits;
  switch (op) {
    case BPF_JEQ: {
      a.umin = b.umin = mx(a.umin, b.umin);
      a.umax = b.umax = mn(a.umax, b.umax);
      a.smin = b.smin = mx(a.smin, b.smin);
      a.smax = b.smax = mn(a.smax, b.smax);
      a.t = b.t = tnumIntersect(a.t, b.t);
      break;
    }
    case BPF_JNE: {
      // only a constant on one side can shave an end off the other's range
      for (const [x, y] of [[a, b], [b, a]] as const) {
        if (!tnumIsConst(y.t)) continue;
        const v = y.t.value;
        if (x.umin === v) x.umin++;
        else if (x.umax === v) x.umax--;
        const sv = toS(bits, v);
        if (x.smin === sv) x.smin++;
        else if (x.smax === sv) x.smax--;
      }
      break;
    }
    case BPF_JSET: {
      // the constant side refines the other (regs_refine_cond_op swaps them);
      // on the false side the caller has already forgotten that register's ranges
      const [x, y] = tnumIsConst(b.t) ? [a, b] : [b, a];
      if (!tnumIsConst(y.t)) break;
      const v = y.t.value;
      if (jsetFalse) x.t = tnumAnd(x.t, tnumConst(~v & umaxOf(bits)));
      else if (v && (v & (v - 1n)) === 0n) x.t = tnumOr(x.t, tnumConst(v));
      break;
    }
    case BPF_JGT: a.umin = mx(a.umin, b.umin + 1n); b.umax = mn(b.umax, a.umax - 1n); break;
    case BPF_JGE: a.umin = mx(a.umin, b.umin); b.umax = mn(b.umax, a.umax); break;
    case BPF_JLT: a.umax = mn(a.umax, b.umax - 1n); b.umin = mx(b.umin, a.umin + 1n); break;
    case BPF_JLE: a.umax = mn(a.umax, b.umax); b.umin = mx(b.umin, a.umin); break;
    case BPF_JSGT: a.smin = mx(a.smin, b.smin + 1n); b.smax = mn(b.smax, a.smax - 1n); break;
    case BPF_JSGE: a.smin = mx(a.smin, b.smin); b.smax = mn(b.smax, a.smax); break;
    case BPF_JSLT: a.smax = mn(a.smax, b.smax - 1n); b.smin = mx(b.smin, a.smin + 1n); break;
    case BPF_JSLE: a.smax = mn(a.smax, b.smax); b.smin = mx(b.smin, a.smin); break;
  }
  // no tnum update here for the range ops (as regs_refine_cond_op): reg_bounds_sync
  // derives var_off from the ranges only after its three deduction rounds, and
  // an earlier intersection would let the 32-bit pass see bounds the kernel's does not
  void toU;
}

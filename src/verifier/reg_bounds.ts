// reg_bounds_sync (__update_reg_bounds, __reg_deduce_bounds,
// __reg_bound_offset) on 32-bit halves held in plain numbers. RegState keeps
// its bounds as bigints; every ALU result and branch refinement syncs them,
// and doing that in bigint arithmetic (an allocation per operation) was most
// of the verifier's time on arithmetic-heavy programs. Here the state is read
// into number pairs once, worked on without allocating, and only the bounds
// that changed are written back.
//
// A 64-bit quantity is a pair (h, l) of uint32 numbers: the same bits whether
// the bigint was signed (smin/smax) or unsigned (umin/umax), so the kernel's
// (s64)/(u64)/(u32)/(s32) casts cost nothing; only comparisons differ.
//
// When the result is an impossible state (some min > max), the caller redoes
// the sync with the bigint code (syncBoundsBig in reg_state.ts): what an
// invalid state holds afterwards follows its bigint arithmetic, which the
// pair form does not reproduce (e.g. a negative bigint in umax).
import type { RegState } from './reg_state.js';
import { type Tnum, U32_MAX, U64_MAX } from './tnum.js';

const TWO32 = 4294967296;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;

/**
 * the scalar's bounds and var_off as uint32 halves (32-bit bounds: s32 as
 * int32, u32 as uint32), in a Float64Array: numbers past 2^30 kept in object
 * fields or module variables would each be boxed on the heap
 */
const SMIN_H = 0;
const SMIN_L = 1;
const SMAX_H = 2;
const SMAX_L = 3;
const UMIN_H = 4;
const UMIN_L = 5;
const UMAX_H = 6;
const UMAX_L = 7;
const TV_H = 8;
const TV_L = 9;
const TM_H = 10;
const TM_L = 11;
const S32MIN = 12;
const S32MAX = 13;
const U32MIN = 14;
const U32MAX = 15;
const B = new Float64Array(16);
/** B as loaded, to write back only what changed */
const I = new Float64Array(16);
/** split()'s result: high, low */
const O = new Float64Array(2);
/** tnumRange()'s result: value high, value low, mask high, mask low */
const R = new Float64Array(4);

// bigint -> halves without allocating for the usual values (|x| < 2^53, one
// float conversion, no bigint comparison); anything else takes the bigint
// shifts. False: x is outside the type the field holds (s64 or u64).
function split(x: bigint, signed: boolean): boolean {
  // the unbounded ends first: converting them to a float would box it on the heap
  if (x === U64_MAX) { if (signed) return false; O[0] = 0xffff_ffff; O[1] = 0xffff_ffff; return true; }
  if (x === S64_MIN) { if (!signed) return false; O[0] = 0x8000_0000; O[1] = 0; return true; }
  if (x === S64_MAX) { O[0] = 0x7fff_ffff; O[1] = 0xffff_ffff; return true; }
  const n = Number(x);
  if (n >= -0x1f_ffff_ffff_ffff && n <= 0x1f_ffff_ffff_ffff) {
    if (!signed && n < 0) return false;
    O[1] = n >>> 0;
    O[0] = Math.floor(n / TWO32) >>> 0;
    return true;
  }
  if (signed ? x < S64_MIN || x > S64_MAX : x < 0n || x > U64_MAX) return false;
  O[1] = Number(BigInt.asUintN(32, x));
  O[0] = Number(BigInt.asUintN(32, x >> 32n));
  return true;
}

function joinU(h: number, l: number): bigint {
  if (h < 0x20_0000) return BigInt(h * TWO32 + l);
  if (h === 0xffff_ffff && l === 0xffff_ffff) return U64_MAX;
  return (BigInt(h) << 32n) | BigInt(l);
}

function joinS(h: number, l: number): bigint {
  const sh = h | 0;
  if (sh >= -0x20_0000 && sh < 0x20_0000) return BigInt(sh * TWO32 + l);
  if (h === 0x8000_0000 && l === 0) return S64_MIN;
  if (h === 0x7fff_ffff && l === 0xffff_ffff) return S64_MAX;
  return BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(l));
}

/** unsigned (ah:al) < (bh:bl) */
const ult = (ah: number, al: number, bh: number, bl: number): boolean => ah < bh || (ah === bh && al < bl);
/** signed (ah:al) < (bh:bl) */
const slt = (ah: number, al: number, bh: number, bl: number): boolean => (ah | 0) < (bh | 0) || (ah === bh && al < bl);

/** reads r into b (and inp); false when a bound is outside its type */
function load(r: RegState, t: Tnum): boolean {
  if (!split(r.smin, true)) return false;
  B[SMIN_H] = O[0]; B[SMIN_L] = O[1];
  if (!split(r.smax, true)) return false;
  B[SMAX_H] = O[0]; B[SMAX_L] = O[1];
  if (!split(r.umin, false)) return false;
  B[UMIN_H] = O[0]; B[UMIN_L] = O[1];
  if (!split(r.umax, false)) return false;
  B[UMAX_H] = O[0]; B[UMAX_L] = O[1];
  if (!split(t.value, false)) return false;
  B[TV_H] = O[0]; B[TV_L] = O[1];
  if (!split(t.mask, false)) return false;
  B[TM_H] = O[0]; B[TM_L] = O[1];
  // the 32-bit bounds are small: a float holds them exactly, and anything out of range fails the checks
  const s0 = r.s32min === S32_MIN ? -0x8000_0000 : Number(r.s32min), s1 = r.s32max === S32_MAX ? 0x7fff_ffff : Number(r.s32max);
  const u0 = Number(r.u32min), u1 = r.u32max === U32_MAX ? 0xffff_ffff : Number(r.u32max);
  if (!(s0 >= -0x8000_0000 && s0 <= 0x7fff_ffff && s1 >= -0x8000_0000 && s1 <= 0x7fff_ffff
    && u0 >= 0 && u0 <= 0xffff_ffff && u1 >= 0 && u1 <= 0xffff_ffff)) return false;
  B[S32MIN] = s0; B[S32MAX] = s1; B[U32MIN] = u0; B[U32MAX] = u1;
  I[SMIN_H] = B[SMIN_H]; I[SMIN_L] = B[SMIN_L]; I[SMAX_H] = B[SMAX_H]; I[SMAX_L] = B[SMAX_L];
  I[UMIN_H] = B[UMIN_H]; I[UMIN_L] = B[UMIN_L]; I[UMAX_H] = B[UMAX_H]; I[UMAX_L] = B[UMAX_L];
  I[TV_H] = B[TV_H]; I[TV_L] = B[TV_L]; I[TM_H] = B[TM_H]; I[TM_L] = B[TM_L];
  I[S32MIN] = s0; I[S32MAX] = s1; I[U32MIN] = u0; I[U32MAX] = u1;
  return true;
}

/** __update_reg_bounds */
function updateBounds(): void {
  // smin = max(smin, value | (mask & S64_MIN)); smax = min(smax, value | (mask & S64_MAX))
  let h = (B[TV_H] | (B[TM_H] & 0x8000_0000)) >>> 0, l = B[TV_L];
  if (slt(B[SMIN_H], B[SMIN_L], h, l)) { B[SMIN_H] = h; B[SMIN_L] = l; }
  h = (B[TV_H] | (B[TM_H] & 0x7fff_ffff)) >>> 0; l = (B[TV_L] | B[TM_L]) >>> 0;
  if (slt(h, l, B[SMAX_H], B[SMAX_L])) { B[SMAX_H] = h; B[SMAX_L] = l; }
  if (ult(B[UMIN_H], B[UMIN_L], B[TV_H], B[TV_L])) { B[UMIN_H] = B[TV_H]; B[UMIN_L] = B[TV_L]; }
  h = (B[TV_H] | B[TM_H]) >>> 0;
  if (ult(h, l, B[UMAX_H], B[UMAX_L])) { B[UMAX_H] = h; B[UMAX_L] = l; }
  // the subregister
  const s0 = (B[TV_L] | (B[TM_L] & 0x8000_0000)) | 0, s1 = (B[TV_L] | (B[TM_L] & 0x7fff_ffff)) | 0;
  if (s0 > B[S32MIN]) B[S32MIN] = s0;
  if (s1 < B[S32MAX]) B[S32MAX] = s1;
  if (B[TV_L] > B[U32MIN]) B[U32MIN] = B[TV_L];
  const u1 = (B[TV_L] | B[TM_L]) >>> 0;
  if (u1 < B[U32MAX]) B[U32MAX] = u1;
}

/** upper halves two consecutive numbers, lower halves a signed range across zero */
function crossZero(loH: number, loL: number, hiH: number, hiL: number): void {
  if (((loH + 1) >>> 0) === hiH && (loL | 0) < 0 && (hiL | 0) >= 0) {
    if ((loL | 0) > B[S32MIN]) B[S32MIN] = loL | 0;
    if ((hiL | 0) < B[S32MAX]) B[S32MAX] = hiL | 0;
  }
}

/** fls64(chi) > 63 or a tnum_range's mask: writes tnum_range(min, max) into rv/rm */
function tnumRange(minH: number, minL: number, maxH: number, maxL: number): void {
  const cH = (minH ^ maxH) >>> 0, cL = (minL ^ maxL) >>> 0;
  if (cH === 0 && cL === 0) { R[0] = minH; R[1] = minL; R[2] = 0; R[3] = 0; return; }
  const bits = cH !== 0 ? 64 - Math.clz32(cH) : 32 - Math.clz32(cL);
  if (bits > 63) { R[0] = 0; R[1] = 0; R[2] = 0xffff_ffff; R[3] = 0xffff_ffff; return; }
  // delta = (1 << bits) - 1
  if (bits >= 32) { R[3] = 0xffff_ffff; R[2] = bits === 32 ? 0 : (0xffff_ffff >>> (64 - bits)); }
  else { R[2] = 0; R[3] = 0xffff_ffff >>> (32 - bits); }
  R[0] = (minH & ~R[2]) >>> 0; R[1] = (minL & ~R[3]) >>> 0;
}

/** the u32 bounds from the s32 ones, or the s32 range crossing the sign bit cut by the u32 one (__reg32_deduce_bounds' tail) */
function s32ToU32(): void {
  const a = B[S32MIN] >>> 0, b = B[S32MAX] >>> 0;
  if (a <= b) {
    if (a > B[U32MIN]) B[U32MIN] = a;
    if (b < B[U32MAX]) B[U32MAX] = b;
  } else if (B[U32MAX] < a) {
    B[S32MIN] = B[U32MIN] | 0;
    if (b < B[U32MAX]) B[U32MAX] = b;
  } else if (b < B[U32MIN]) {
    B[S32MAX] = B[U32MAX] | 0;
    if (a > B[U32MIN]) B[U32MIN] = a;
  }
}

/** __reg32_deduce_bounds: the subregister from the 64-bit ranges, then s32 <-> u32 */
function deduce32(): void {
  // upper halves equal: the low halves bound the subreg
  if (B[UMIN_H] === B[UMAX_H]) {
    if (B[UMIN_L] > B[U32MIN]) B[U32MIN] = B[UMIN_L];
    if (B[UMAX_L] < B[U32MAX]) B[U32MAX] = B[UMAX_L];
    if ((B[UMIN_L] | 0) <= (B[UMAX_L] | 0)) {
      if ((B[UMIN_L] | 0) > B[S32MIN]) B[S32MIN] = B[UMIN_L] | 0;
      if ((B[UMAX_L] | 0) < B[S32MAX]) B[S32MAX] = B[UMAX_L] | 0;
    }
  }
  if (B[SMIN_H] === B[SMAX_H]) {
    const lo = B[SMIN_L], hi = B[SMAX_L];
    if (lo <= hi) {
      if (lo > B[U32MIN]) B[U32MIN] = lo;
      if (hi < B[U32MAX]) B[U32MAX] = hi;
    }
    if ((lo | 0) <= (hi | 0)) {
      if ((lo | 0) > B[S32MIN]) B[S32MIN] = lo | 0;
      if ((hi | 0) < B[S32MAX]) B[S32MAX] = hi | 0;
    }
  }
  crossZero(B[UMIN_H], B[UMIN_L], B[UMAX_H], B[UMAX_L]);
  crossZero(B[SMIN_H], B[SMIN_L], B[SMAX_H], B[SMAX_L]);
  // 32-bit signed/unsigned agree when the unsigned range does not cross the sign bit
  if ((B[U32MIN] | 0) <= (B[U32MAX] | 0)) {
    if ((B[U32MIN] | 0) > B[S32MIN]) B[S32MIN] = B[U32MIN] | 0;
    if ((B[U32MAX] | 0) < B[S32MAX]) B[S32MAX] = B[U32MAX] | 0;
  }
  s32ToU32();
}

/** __reg64_deduce_bounds: s64 <-> u64, and an s64 range crossing the sign bit cut by the u64 one */
function deduce64(): void {
  if (!slt(B[UMAX_H], B[UMAX_L], B[UMIN_H], B[UMIN_L])) {
    if (slt(B[SMIN_H], B[SMIN_L], B[UMIN_H], B[UMIN_L])) { B[SMIN_H] = B[UMIN_H]; B[SMIN_L] = B[UMIN_L]; }
    if (slt(B[UMAX_H], B[UMAX_L], B[SMAX_H], B[SMAX_L])) { B[SMAX_H] = B[UMAX_H]; B[SMAX_L] = B[UMAX_L]; }
  }
  if (!ult(B[SMAX_H], B[SMAX_L], B[SMIN_H], B[SMIN_L])) {
    if (ult(B[UMIN_H], B[UMIN_L], B[SMIN_H], B[SMIN_L])) { B[UMIN_H] = B[SMIN_H]; B[UMIN_L] = B[SMIN_L]; }
    if (ult(B[SMAX_H], B[SMAX_L], B[UMAX_H], B[UMAX_L])) { B[UMAX_H] = B[SMAX_H]; B[UMAX_L] = B[SMAX_L]; }
  } else if (ult(B[UMAX_H], B[UMAX_L], B[SMIN_H], B[SMIN_L])) {
    // the u64 range lies in the non-negative part of the s64 one
    B[SMIN_H] = B[UMIN_H]; B[SMIN_L] = B[UMIN_L];
    if (ult(B[SMAX_H], B[SMAX_L], B[UMAX_H], B[UMAX_L])) { B[UMAX_H] = B[SMAX_H]; B[UMAX_L] = B[SMAX_L]; }
  } else if (ult(B[SMAX_H], B[SMAX_L], B[UMIN_H], B[UMIN_L])) {
    // ... in the negative part
    B[SMAX_H] = B[UMAX_H]; B[SMAX_L] = B[UMAX_L];
    if (ult(B[UMIN_H], B[UMIN_L], B[SMIN_H], B[SMIN_L])) { B[UMIN_H] = B[SMIN_H]; B[UMIN_L] = B[SMIN_L]; }
  }
}

/** 64-bit ends whose low halves take the 32-bit bounds lo..hi (unsigned) */
function lowHalvesFrom32(lo: number, hi: number): void {
  if (ult(B[UMIN_H], B[UMIN_L], B[UMIN_H], lo)) B[UMIN_L] = lo;
  if (ult(B[UMAX_H], hi, B[UMAX_H], B[UMAX_L])) B[UMAX_L] = hi;
  if (slt(B[SMIN_H], B[SMIN_L], B[SMIN_H], lo)) B[SMIN_L] = lo;
  if (slt(B[SMAX_H], hi, B[SMAX_H], B[SMAX_L])) B[SMAX_L] = hi;
}

/** __reg_deduce_mixed_bounds: 32 -> 64 */
function deduceMixed(): void {
  lowHalvesFrom32(B[U32MIN], B[U32MAX]);
  if ((B[S32MIN] >>> 0) <= (B[S32MAX] >>> 0)) lowHalvesFrom32(B[S32MIN] >>> 0, B[S32MAX] >>> 0);
  // s32min >= 0 && smin >= S32_MIN && smax <= S32_MAX: the 64-bit bounds become the 32-bit ones
  // (an assignment, not an intersection: the kernel can widen smax here)
  if (B[S32MIN] >= 0 && !slt(B[SMIN_H], B[SMIN_L], 0xffff_ffff, 0x8000_0000) && !slt(0, 0x7fff_ffff, B[SMAX_H], B[SMAX_L])) {
    // (s32max < 0 here is an impossible state: the caller redoes it in bigints)
    B[SMIN_H] = 0; B[SMIN_L] = B[S32MIN] >>> 0;
    B[SMAX_H] = B[S32MAX] < 0 ? 0xffff_ffff : 0; B[SMAX_L] = B[S32MAX] >>> 0;
    B[UMIN_H] = B[SMIN_H]; B[UMIN_L] = B[SMIN_L]; B[UMAX_H] = B[SMAX_H]; B[UMAX_L] = B[SMAX_L];
    tnumRange(B[SMIN_H], B[SMIN_L], B[SMAX_H], B[SMAX_L]);
    // tnum_intersect
    const vH = (B[TV_H] | R[0]) >>> 0, vL = (B[TV_L] | R[1]) >>> 0;
    B[TM_H] = (B[TM_H] & R[2]) >>> 0; B[TM_L] = (B[TM_L] & R[3]) >>> 0;
    B[TV_H] = (vH & ~B[TM_H]) >>> 0; B[TV_L] = (vL & ~B[TM_L]) >>> 0;
  }
}

/** __reg_deduce_bounds, in the kernel's order: 32, 64, then 32 -> 64 */
function deduceBounds(): void {
  deduce32();
  deduce64();
  deduceMixed();
}

/** some bound is empty or var_off has a bit both known and unknown */
function invalid(): boolean {
  return ult(B[UMAX_H], B[UMAX_L], B[UMIN_H], B[UMIN_L]) || slt(B[SMAX_H], B[SMAX_L], B[SMIN_H], B[SMIN_L])
    || B[U32MAX] < B[U32MIN] || B[S32MAX] < B[S32MIN] || (B[TV_H] & B[TM_H]) !== 0 || (B[TV_L] & B[TM_L]) !== 0;
}

/**
 * reg_bounds_sync past its constant shortcut. False (r untouched) when the
 * bounds are out of their types or the result is an impossible state: the
 * caller then syncs with the bigint code.
 */
export function syncBoundsHalves(r: RegState): boolean {
  if (!load(r, r.varOff)) return false;
  updateBounds();
  // three rounds, as reg_bounds_sync
  deduceBounds();
  deduceBounds();
  deduceBounds();
  // __reg_bound_offset: the ranges can sharpen var_off too
  tnumRange(B[UMIN_H], B[UMIN_L], B[UMAX_H], B[UMAX_L]);
  let vH = (B[TV_H] | R[0]) >>> 0, vL = (B[TV_L] | R[1]) >>> 0;
  const mH = (B[TM_H] & R[2]) >>> 0, mL = (B[TM_L] & R[3]) >>> 0;
  const t64vH = (vH & ~mH) >>> 0, t64vL = (vL & ~mL) >>> 0;
  tnumRange(0, B[U32MIN], 0, B[U32MAX]);
  vL = (t64vL | R[1]) >>> 0;
  const m32 = (mL & R[3]) >>> 0;
  const t32v = (vL & ~m32) >>> 0;
  // tnum_with_subreg: tnum_or(high half of t64, low half of t32)
  vH = t64vH;
  B[TV_H] = vH; B[TM_H] = (mH & ~vH) >>> 0;
  B[TV_L] = t32v; B[TM_L] = (m32 & ~t32v) >>> 0;
  updateBounds();
  if (invalid()) return false;
  // write back what changed
  if (B[SMIN_H] !== I[SMIN_H] || B[SMIN_L] !== I[SMIN_L]) r.smin = joinS(B[SMIN_H], B[SMIN_L]);
  if (B[SMAX_H] !== I[SMAX_H] || B[SMAX_L] !== I[SMAX_L]) r.smax = joinS(B[SMAX_H], B[SMAX_L]);
  if (B[UMIN_H] !== I[UMIN_H] || B[UMIN_L] !== I[UMIN_L]) r.umin = joinU(B[UMIN_H], B[UMIN_L]);
  if (B[UMAX_H] !== I[UMAX_H] || B[UMAX_L] !== I[UMAX_L]) r.umax = joinU(B[UMAX_H], B[UMAX_L]);
  if (B[S32MIN] !== I[S32MIN]) r.s32min = BigInt(B[S32MIN]);
  if (B[S32MAX] !== I[S32MAX]) r.s32max = BigInt(B[S32MAX]);
  if (B[U32MIN] !== I[U32MIN]) r.u32min = BigInt(B[U32MIN]);
  if (B[U32MAX] !== I[U32MAX]) r.u32max = BigInt(B[U32MAX]);
  if (B[TV_H] !== I[TV_H] || B[TV_L] !== I[TV_L] || B[TM_H] !== I[TM_H] || B[TM_L] !== I[TM_L]) {
    r.varOff = { value: joinU(B[TV_H], B[TV_L]), mask: joinU(B[TM_H], B[TM_L]) };
  }
  return true;
}

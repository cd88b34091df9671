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

/** the scalar's bounds and var_off as uint32 halves (32-bit bounds: s32 as int32, u32 as uint32) */
class Halves {
  sminH = 0; sminL = 0; smaxH = 0; smaxL = 0;
  uminH = 0; uminL = 0; umaxH = 0; umaxL = 0;
  tvH = 0; tvL = 0; tmH = 0; tmL = 0;
  s32min = 0; s32max = 0; u32min = 0; u32max = 0;
}
const b = new Halves();
const inp = new Halves();

// bigint -> halves without allocating for the usual values (|x| < 2^53, one
// float conversion, no bigint comparison); anything else takes the bigint
// shifts. False: x is outside the type the field holds (s64 or u64).
let outH = 0, outL = 0;
function split(x: bigint, signed: boolean): boolean {
  const n = Number(x);
  if (n >= -0x1f_ffff_ffff_ffff && n <= 0x1f_ffff_ffff_ffff) {
    if (!signed && n < 0) return false;
    outL = n >>> 0;
    outH = Math.floor(n / TWO32) >>> 0;
    return true;
  }
  if (signed ? x < S64_MIN || x > S64_MAX : x < 0n || x > U64_MAX) return false;
  outL = Number(BigInt.asUintN(32, x));
  outH = Number(BigInt.asUintN(32, x >> 32n));
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
  b.sminH = outH; b.sminL = outL;
  if (!split(r.smax, true)) return false;
  b.smaxH = outH; b.smaxL = outL;
  if (!split(r.umin, false)) return false;
  b.uminH = outH; b.uminL = outL;
  if (!split(r.umax, false)) return false;
  b.umaxH = outH; b.umaxL = outL;
  if (!split(t.value, false)) return false;
  b.tvH = outH; b.tvL = outL;
  if (!split(t.mask, false)) return false;
  b.tmH = outH; b.tmL = outL;
  // the 32-bit bounds are small: a float holds them exactly, and anything out of range fails the checks
  const s0 = Number(r.s32min), s1 = Number(r.s32max), u0 = Number(r.u32min), u1 = Number(r.u32max);
  if (!(s0 >= -0x8000_0000 && s0 <= 0x7fff_ffff && s1 >= -0x8000_0000 && s1 <= 0x7fff_ffff
    && u0 >= 0 && u0 <= 0xffff_ffff && u1 >= 0 && u1 <= 0xffff_ffff)) return false;
  b.s32min = s0; b.s32max = s1; b.u32min = u0; b.u32max = u1;
  inp.sminH = b.sminH; inp.sminL = b.sminL; inp.smaxH = b.smaxH; inp.smaxL = b.smaxL;
  inp.uminH = b.uminH; inp.uminL = b.uminL; inp.umaxH = b.umaxH; inp.umaxL = b.umaxL;
  inp.tvH = b.tvH; inp.tvL = b.tvL; inp.tmH = b.tmH; inp.tmL = b.tmL;
  inp.s32min = s0; inp.s32max = s1; inp.u32min = u0; inp.u32max = u1;
  return true;
}

/** __update_reg_bounds */
function updateBounds(): void {
  // smin = max(smin, value | (mask & S64_MIN)); smax = min(smax, value | (mask & S64_MAX))
  let h = (b.tvH | (b.tmH & 0x8000_0000)) >>> 0, l = b.tvL;
  if (slt(b.sminH, b.sminL, h, l)) { b.sminH = h; b.sminL = l; }
  h = (b.tvH | (b.tmH & 0x7fff_ffff)) >>> 0; l = (b.tvL | b.tmL) >>> 0;
  if (slt(h, l, b.smaxH, b.smaxL)) { b.smaxH = h; b.smaxL = l; }
  if (ult(b.uminH, b.uminL, b.tvH, b.tvL)) { b.uminH = b.tvH; b.uminL = b.tvL; }
  h = (b.tvH | b.tmH) >>> 0;
  if (ult(h, l, b.umaxH, b.umaxL)) { b.umaxH = h; b.umaxL = l; }
  // the subregister
  const s0 = (b.tvL | (b.tmL & 0x8000_0000)) | 0, s1 = (b.tvL | (b.tmL & 0x7fff_ffff)) | 0;
  if (s0 > b.s32min) b.s32min = s0;
  if (s1 < b.s32max) b.s32max = s1;
  if (b.tvL > b.u32min) b.u32min = b.tvL;
  const u1 = (b.tvL | b.tmL) >>> 0;
  if (u1 < b.u32max) b.u32max = u1;
}

/** upper halves two consecutive numbers, lower halves a signed range across zero */
function crossZero(loH: number, loL: number, hiH: number, hiL: number): void {
  if (((loH + 1) >>> 0) === hiH && (loL | 0) < 0 && (hiL | 0) >= 0) {
    if ((loL | 0) > b.s32min) b.s32min = loL | 0;
    if ((hiL | 0) < b.s32max) b.s32max = hiL | 0;
  }
}

/** fls64(chi) > 63 or a tnum_range's mask: writes tnum_range(min, max) into rv/rm */
let rvH = 0, rvL = 0, rmH = 0, rmL = 0;
function tnumRange(minH: number, minL: number, maxH: number, maxL: number): void {
  const cH = (minH ^ maxH) >>> 0, cL = (minL ^ maxL) >>> 0;
  if (cH === 0 && cL === 0) { rvH = minH; rvL = minL; rmH = 0; rmL = 0; return; }
  const bits = cH !== 0 ? 64 - Math.clz32(cH) : 32 - Math.clz32(cL);
  if (bits > 63) { rvH = 0; rvL = 0; rmH = 0xffff_ffff; rmL = 0xffff_ffff; return; }
  // delta = (1 << bits) - 1
  if (bits >= 32) { rmL = 0xffff_ffff; rmH = bits === 32 ? 0 : (0xffff_ffff >>> (64 - bits)); }
  else { rmH = 0; rmL = 0xffff_ffff >>> (32 - bits); }
  rvH = (minH & ~rmH) >>> 0; rvL = (minL & ~rmL) >>> 0;
}

/** __reg_deduce_bounds */
function deduceBounds(): void {
  // 32-bit signed/unsigned agree when the unsigned range does not cross the sign bit
  if ((b.u32min | 0) <= (b.u32max | 0)) {
    if ((b.u32min | 0) > b.s32min) b.s32min = b.u32min | 0;
    if ((b.u32max | 0) < b.s32max) b.s32max = b.u32max | 0;
  }
  if ((b.s32min >>> 0) <= (b.s32max >>> 0)) {
    if ((b.s32min >>> 0) > b.u32min) b.u32min = b.s32min >>> 0;
    if ((b.s32max >>> 0) < b.u32max) b.u32max = b.s32max >>> 0;
  }
  // 64 -> 32: when the upper halves agree, the low halves bound the subreg
  if (b.uminH === b.umaxH) {
    if (b.uminL > b.u32min) b.u32min = b.uminL;
    if (b.umaxL < b.u32max) b.u32max = b.umaxL;
    if ((b.uminL | 0) <= (b.umaxL | 0)) {
      if ((b.uminL | 0) > b.s32min) b.s32min = b.uminL | 0;
      if ((b.umaxL | 0) < b.s32max) b.s32max = b.umaxL | 0;
    }
  }
  crossZero(b.uminH, b.uminL, b.umaxH, b.umaxL);
  crossZero(b.sminH, b.sminL, b.smaxH, b.smaxL);
  if (b.sminH === b.smaxH) {
    const lo = b.sminL, hi = b.smaxL;
    if (lo <= hi) {
      if (lo > b.u32min) b.u32min = lo;
      if (hi < b.u32max) b.u32max = hi;
    }
    if ((lo | 0) <= (hi | 0)) {
      if ((lo | 0) > b.s32min) b.s32min = lo | 0;
      if ((hi | 0) < b.s32max) b.s32max = hi | 0;
    }
  }
  // 32 -> 64: the low halves of the 64-bit ends can take the 32-bit bounds (__reg_deduce_mixed_bounds)
  if (ult(b.uminH, b.uminL, b.uminH, b.u32min)) b.uminL = b.u32min;
  if (ult(b.umaxH, b.u32max, b.umaxH, b.umaxL)) b.umaxL = b.u32max;
  if (slt(b.sminH, b.sminL, b.sminH, b.u32min)) b.sminL = b.u32min;
  if (slt(b.smaxH, b.u32max, b.smaxH, b.smaxL)) b.smaxL = b.u32max;
  // s32min >= 0 && smin >= S32_MIN && smax <= S32_MAX
  if (b.s32min >= 0 && !slt(b.sminH, b.sminL, 0xffff_ffff, 0x8000_0000) && !slt(0, 0x7fff_ffff, b.smaxH, b.smaxL)) {
    // (s32max < 0 here is an impossible state: the caller redoes it in bigints)
    b.sminH = 0; b.sminL = b.s32min >>> 0;
    b.smaxH = b.s32max < 0 ? 0xffff_ffff : 0; b.smaxL = b.s32max >>> 0;
    b.uminH = b.sminH; b.uminL = b.sminL; b.umaxH = b.smaxH; b.umaxL = b.smaxL;
    tnumRange(b.sminH, b.sminL, b.smaxH, b.smaxL);
    // tnum_intersect
    const vH = (b.tvH | rvH) >>> 0, vL = (b.tvL | rvL) >>> 0;
    b.tmH = (b.tmH & rmH) >>> 0; b.tmL = (b.tmL & rmL) >>> 0;
    b.tvH = (vH & ~b.tmH) >>> 0; b.tvL = (vL & ~b.tmL) >>> 0;
  }
  // 64-bit signed/unsigned
  if (!slt(b.umaxH, b.umaxL, b.uminH, b.uminL)) {
    if (slt(b.sminH, b.sminL, b.uminH, b.uminL)) { b.sminH = b.uminH; b.sminL = b.uminL; }
    if (slt(b.umaxH, b.umaxL, b.smaxH, b.smaxL)) { b.smaxH = b.umaxH; b.smaxL = b.umaxL; }
  }
  if (!ult(b.smaxH, b.smaxL, b.sminH, b.sminL)) {
    if (ult(b.uminH, b.uminL, b.sminH, b.sminL)) { b.uminH = b.sminH; b.uminL = b.sminL; }
    if (ult(b.smaxH, b.smaxL, b.umaxH, b.umaxL)) { b.umaxH = b.smaxH; b.umaxL = b.smaxL; }
  }
}

/** some bound is empty or var_off has a bit both known and unknown */
function invalid(): boolean {
  return ult(b.umaxH, b.umaxL, b.uminH, b.uminL) || slt(b.smaxH, b.smaxL, b.sminH, b.sminL)
    || b.u32max < b.u32min || b.s32max < b.s32min || (b.tvH & b.tmH) !== 0 || (b.tvL & b.tmL) !== 0;
}

/**
 * reg_bounds_sync past its constant shortcut. False (r untouched) when the
 * bounds are out of their types or the result is an impossible state: the
 * caller then syncs with the bigint code.
 */
export function syncBoundsHalves(r: RegState): boolean {
  if (!load(r, r.varOff)) return false;
  updateBounds();
  deduceBounds();
  deduceBounds();
  // __reg_bound_offset: the ranges can sharpen var_off too
  tnumRange(b.uminH, b.uminL, b.umaxH, b.umaxL);
  let vH = (b.tvH | rvH) >>> 0, vL = (b.tvL | rvL) >>> 0;
  const mH = (b.tmH & rmH) >>> 0, mL = (b.tmL & rmL) >>> 0;
  const t64vH = (vH & ~mH) >>> 0, t64vL = (vL & ~mL) >>> 0;
  tnumRange(0, b.u32min, 0, b.u32max);
  vL = (t64vL | rvL) >>> 0;
  const m32 = (mL & rmL) >>> 0;
  const t32v = (vL & ~m32) >>> 0;
  // tnum_with_subreg: tnum_or(high half of t64, low half of t32)
  vH = t64vH;
  b.tvH = vH; b.tmH = (mH & ~vH) >>> 0;
  b.tvL = t32v; b.tmL = (m32 & ~t32v) >>> 0;
  updateBounds();
  if (invalid()) return false;
  // write back what changed
  if (b.sminH !== inp.sminH || b.sminL !== inp.sminL) r.smin = joinS(b.sminH, b.sminL);
  if (b.smaxH !== inp.smaxH || b.smaxL !== inp.smaxL) r.smax = joinS(b.smaxH, b.smaxL);
  if (b.uminH !== inp.uminH || b.uminL !== inp.uminL) r.umin = joinU(b.uminH, b.uminL);
  if (b.umaxH !== inp.umaxH || b.umaxL !== inp.umaxL) r.umax = joinU(b.umaxH, b.umaxL);
  if (b.s32min !== inp.s32min) r.s32min = BigInt(b.s32min);
  if (b.s32max !== inp.s32max) r.s32max = BigInt(b.s32max);
  if (b.u32min !== inp.u32min) r.u32min = BigInt(b.u32min);
  if (b.u32max !== inp.u32max) r.u32max = BigInt(b.u32max);
  if (b.tvH !== inp.tvH || b.tvL !== inp.tvL || b.tmH !== inp.tmH || b.tmL !== inp.tmL) {
    r.varOff = { value: joinU(b.tvH, b.tvL), mask: joinU(b.tmH, b.tmL) };
  }
  return true;
}

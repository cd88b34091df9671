// Tristate numbers (kernel/bpf/tnum.c): a 64-bit value where each bit is
// known 0, known 1, or unknown. `value` holds the known-1 bits, `mask` the
// unknown ones; a bit set in both is invalid. Both are unsigned 64-bit bigints.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const U32_MAX = 0xffff_ffffn;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export const tnum = (value: bigint, mask: bigint): Tnum => ({ value: u64(value), mask: u64(mask) });
export const tnumConst = (v: bigint): Tnum => tnum(v, 0n);
export const tnumUnknown: Tnum = tnum(0n, U64_MAX);

/** The tnum covering every value in [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  if (chi === 0n) return tnumConst(min);
  const bits = chi.toString(2).length; // fls64
  if (bits > 63) return tnumUnknown;
  const delta = (1n << BigInt(bits)) - 1n;
  return tnum(min & ~delta, delta);
}

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumEqualsConst = (a: Tnum, b: bigint): boolean => a.mask === 0n && a.value === u64(b);
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64_MAX;

export const tnumLshift = (a: Tnum, s: number): Tnum => tnum(a.value << BigInt(s), a.mask << BigInt(s));
export const tnumRshift = (a: Tnum, s: number): Tnum => tnum(a.value >> BigInt(s), a.mask >> BigInt(s));

/** Arithmetic right shift of the low `insnBitness` bits. */
export function tnumArshift(a: Tnum, s: number, insnBitness: 32 | 64): Tnum {
  const sv = (x: bigint): bigint => (insnBitness === 32 ? BigInt.asIntN(32, x) : BigInt.asIntN(64, x));
  const r = tnum(sv(a.value) >> BigInt(s), sv(a.mask) >> BigInt(s));
  return insnBitness === 32 ? tnumSubreg(r) : r;
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return tnum(sv & ~mu, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return tnum(dv & ~mu, mu);
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tnumConst(0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return tnum(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return tnum(v, mu & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return tnum(v & ~mu, mu);
}

/**
 * Multiplication as in tnum.c: accumulate the partial products bit by bit.
 * The loop runs on 32-bit halves held in plain numbers (no BigInt per bit:
 * this was the verifier's hottest function on multiply-heavy programs).
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  // two constants: the loop below adds only zero masks (the common case, cheap here)
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value * b.value);
  let avh = hi32(a.value), avl = lo32(a.value), amh = hi32(a.mask), aml = lo32(a.mask);
  let bvh = hi32(b.value), bvl = lo32(b.value), bmh = hi32(b.mask), bml = lo32(b.mask);
  // acc_m = tnum_add(acc_m, TNUM(0, x)) for each bit of a that may be 1
  let mvh = 0, mvl = 0, mmh = 0, mml = 0;
  while ((avh | avl | amh | aml) !== 0) {
    let xh = -1, xl = 0;
    if (avl & 1) { xh = bmh; xl = bml; } else if (aml & 1) { xh = (bvh | bmh) >>> 0; xl = (bvl | bml) >>> 0; }
    if (xh >= 0) {
      // sm = mm + x; t = sm + mv; mu = (t ^ mv) | mm | x
      let sl = mml + xl;
      const sh = (mmh + xh + (sl > 0xffff_ffff ? 1 : 0)) >>> 0;
      sl >>>= 0;
      let tl = sl + mvl;
      const th = (sh + mvh + (tl > 0xffff_ffff ? 1 : 0)) >>> 0;
      tl >>>= 0;
      const muh = ((th ^ mvh) | mmh | xh) >>> 0, mul = ((tl ^ mvl) | mml | xl) >>> 0;
      mvh = (mvh & ~muh) >>> 0; mvl = (mvl & ~mul) >>> 0;
      mmh = muh; mml = mul;
    }
    avl = ((avl >>> 1) | (avh << 31)) >>> 0; avh >>>= 1;
    aml = ((aml >>> 1) | (amh << 31)) >>> 0; amh >>>= 1;
    bvh = ((bvh << 1) | (bvl >>> 31)) >>> 0; bvl = (bvl << 1) >>> 0;
    bmh = ((bmh << 1) | (bml >>> 31)) >>> 0; bml = (bml << 1) >>> 0;
  }
  return tnumAdd(tnumConst(a.value * b.value), tnum(join64(mvh, mvl), join64(mmh, mml)));
}

const hi32 = (x: bigint): number => Number(x >> 32n);
const lo32 = (x: bigint): number => Number(x & U32_MAX);
const join64 = (h: number, l: number): bigint => (BigInt(h) << 32n) | BigInt(l);

/** Bits known in both a and b where they agree; the rest unknown. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return tnum(v & ~mu, mu);
}

/** The least tnum containing both a and b. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask | (a.value ^ b.value);
  return tnum(a.value & ~mu, mu);
}

export const tnumCast = (a: Tnum, size: number): Tnum => {
  const m = (1n << BigInt(size * 8)) - 1n;
  return tnum(a.value & m, a.mask & m);
};

/** True if every value b can take, a can take too. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
export const tnumWithSubreg = (reg: Tnum, subreg: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
export const tnumConstSubreg = (a: Tnum, v: bigint): Tnum => tnumWithSubreg(a, tnumConst(v & U32_MAX));

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** The kernel's tnum_strn: "(0x0; 0xff)" style, used in logs as var_off=. */
export function tnumStr(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

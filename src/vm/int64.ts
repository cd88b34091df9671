// 64-bit integer arithmetic on (lo, hi) pairs of int32, the interpreter's
// register representation (see bench/RESULTS.md for why not bigint).
// The register ops take the register file and write dst in place, which
// avoids allocating a pair per operation.

/** register file: r_i = (hi[i] << 32) | (lo[i] >>> 0) */
type Regs = Int32Array;

/** high word left by split64 */
export let hi64 = 0;


/** high 32 bits of the unsigned 32x32 product */
function umulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function mul64(lo: Regs, hi: Regs, d: number, blo: number, bhi: number): void {
  const alo = lo[d]!;
  hi[d] = (umulhi(alo, blo) + Math.imul(alo, bhi) + Math.imul(hi[d]!, blo)) | 0;
  lo[d] = Math.imul(alo, blo);
}

export function lsh64(lo: Regs, hi: Regs, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const l = lo[d]!;
  if (n < 32) { hi[d] = (hi[d]! << n) | (l >>> (32 - n)); lo[d] = l << n; }
  else { hi[d] = l << (n - 32); lo[d] = 0; }
}

export function rsh64(lo: Regs, hi: Regs, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const h = hi[d]!;
  if (n < 32) { lo[d] = (lo[d]! >>> n) | (h << (32 - n)); hi[d] = h >>> n; }
  else { lo[d] = h >>> (n - 32); hi[d] = 0; }
}

export function arsh64(lo: Regs, hi: Regs, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const h = hi[d]!;
  if (n < 32) { lo[d] = (lo[d]! >>> n) | (h << (32 - n)); hi[d] = h >> n; }
  else { lo[d] = h >> (n - 32); hi[d] = h >> 31; }
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  hi64 = Number(u >> 32n) | 0;
  return Number(u & 0xffffffffn) | 0;
}

function setBig(lo: Regs, hi: Regs, d: number, v: bigint): void {
  lo[d] = fromBig(v);
  hi[d] = hi64;
}

/** unsigned division; divisor 0 gives 0 (kernel semantics) */
export function udiv64(lo: Regs, hi: Regs, d: number, blo: number, bhi: number): void {
  const alo = lo[d]!;
  const ahi = hi[d]!;
  if (blo === 0 && bhi === 0) { lo[d] = 0; hi[d] = 0; }
  else if (ahi === 0 && bhi === 0) { lo[d] = ((alo >>> 0) / (blo >>> 0)) >>> 0; hi[d] = 0; }
  else setBig(lo, hi, d, toBig(alo, ahi) / toBig(blo, bhi));
}

/** unsigned modulo; modulo by 0 leaves the dividend */
export function umod64(lo: Regs, hi: Regs, d: number, blo: number, bhi: number): void {
  const alo = lo[d]!;
  const ahi = hi[d]!;
  if (blo === 0 && bhi === 0) return;
  if (ahi === 0 && bhi === 0) { lo[d] = (alo >>> 0) % (blo >>> 0); hi[d] = 0; }
  else setBig(lo, hi, d, toBig(alo, ahi) % toBig(blo, bhi));
}

/** signed division; by 0 gives 0, INT64_MIN / -1 gives INT64_MIN (as the kernel's fixup) */
export function sdiv64(lo: Regs, hi: Regs, d: number, blo: number, bhi: number): void {
  const alo = lo[d]!;
  const ahi = hi[d]!;
  if (blo === 0 && bhi === 0) { lo[d] = 0; hi[d] = 0; }
  else if (ahi === alo >> 31 && bhi === blo >> 31) {
    // both fit in int32: the double quotient is exact
    const q = Math.trunc(alo / blo);
    lo[d] = q | 0;
    hi[d] = q < 0 ? -1 : 0;
  } else setBig(lo, hi, d, BigInt.asIntN(64, toBig(alo, ahi)) / BigInt.asIntN(64, toBig(blo, bhi)));
}

/** signed modulo (sign of the dividend); by 0 leaves the dividend, by -1 gives 0 */
export function smod64(lo: Regs, hi: Regs, d: number, blo: number, bhi: number): void {
  const alo = lo[d]!;
  const ahi = hi[d]!;
  if (blo === 0 && bhi === 0) return;
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    const r = (alo % blo) | 0; // -0 becomes 0
    lo[d] = r;
    hi[d] = r >> 31;
  } else setBig(lo, hi, d, BigInt.asIntN(64, toBig(alo, ahi)) % BigInt.asIntN(64, toBig(blo, bhi)));
}

export function bswap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** 64-bit value of a (lo, hi) pair as an unsigned bigint */
export function u64(lo: number, hi: number): bigint {
  return hi === 0 ? BigInt(lo >>> 0) : toBig(lo, hi);
}

/** low word of an unsigned/signed bigint; high word in hi64 */
export function split64(v: bigint): number {
  return fromBig(v);
}


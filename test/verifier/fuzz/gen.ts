// Program generators for the verifier fuzz test (issue #5).
//
// Everything here is deterministic in a seed: Rng is splitmix32, so a
// (seed, index) pair printed by a failing run reproduces the program exactly.
//
// Two sources of programs:
//  (a) genProgram: random structured programs from a small grammar biased to
//      what the verifier has to get right: scalars of unknown value (packet
//      bytes, map values, helper results) run through ALU ops and bounds
//      checks of every jump flavour (signed/unsigned, 32/64-bit), then used
//      as offsets into the stack, a map value or the packet, with offsets
//      and bounds picked near the edge so that both sides of "just fits" are
//      generated; plus null checks, spills, loops, bpf-to-bpf calls and
//      bpf_loop callbacks.
//  (b) mutate: small edits of a real program (a corpus record or a generated
//      one): an immediate, offset, register, opcode or jump target changed,
//      adjacent instructions swapped, one deleted or duplicated.
//
// Programs are in the verifier's input form: ld_imm64 src=1 imm = map index,
// src=4 imm = relative callback offset, call src=1 imm = relative callee offset.

import type { Insn } from '../../../src/isa/insn.js';
import type { MapMeta } from '../../../src/verifier/index.js';

export const PROG_XDP = 6;
export const PROG_SYSCALL = 31;
export const MAP_HASH = 1;
export const MAP_ARRAY = 2;

/** splitmix32: small, fast, and good enough to drive a fuzzer. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** integer in [0, n) */
  int(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }
  /** integer in [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** a 32-bit value biased to the edges integer arithmetic gets wrong */
  interesting(): number {
    switch (this.int(8)) {
      case 0: return this.pick([0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 63, 64]);
      case 1: return this.pick([0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000]);
      case 2: return this.pick([0x7fffffff, -0x80000000, 0x3fffffff, -0x40000000, 0x40000000]);
      case 3: return -this.range(1, 600);
      case 4: return this.range(0, 600);
      case 5: return this.u32() | 0;
      default: return this.range(-16, 64);
    }
  }
  /** a derived generator: the i-th program's stream, independent of the others */
  static forIndex(seed: number, stream: number, index: number): Rng {
    const r = new Rng((seed ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0);
    const z = new Rng((r.u32() ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    z.u32();
    return z;
  }
}

export interface FuzzProgram {
  insns: Insn[];
  progType: number;
  maps: MapMeta[];
  /** where it came from, for the reproducer */
  origin: string;
}

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm: imm | 0 });

// opcode pieces
const ALU64 = 0x07, ALU32 = 0x04, JMP = 0x05, JMP32 = 0x06, K = 0x00, X = 0x08;
const SIZES = [0x00, 0x08, 0x10, 0x18] as const; // W H B DW
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
const LDX = (sz: number) => 0x61 | sz;
const STX = (sz: number) => 0x63 | sz;
const ST = (sz: number) => 0x62 | sz;
const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0] as const;
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0] as const;

export function mapMeta(name: string, type: number, keySize: number, valueSize: number, maxEntries: number, flags = 0): MapMeta {
  return { type, keySize, valueSize, maxEntries, flags, timerOff: -1, spinLockOff: -1, name };
}

/**
 * A program under construction: instructions with symbolic jump targets,
 * resolved by finish(). Subprograms are appended after the main body.
 */
class Builder {
  readonly out: Insn[] = [];
  /** pending fixups: slot index -> label, for jumps (off) and calls / ld_imm64 func (imm) */
  private readonly fix: { at: number; label: string; field: 'off' | 'imm' }[] = [];
  private readonly labels = new Map<string, number>();
  private n = 0;

  label(): string {
    return `L${this.n++}`;
  }
  here(l: string): void {
    this.labels.set(l, this.out.length);
  }
  emit(...xs: Insn[]): void {
    this.out.push(...xs);
  }
  jmp(code: number, dst: number, src: number, imm: number, l: string): void {
    this.fix.push({ at: this.out.length, label: l, field: 'off' });
    this.out.push(I(code, dst, src, 0, imm));
  }
  call(l: string): void {
    this.fix.push({ at: this.out.length, label: l, field: 'imm' });
    this.out.push(I(0x85, 0, 1, 0, 0));
  }
  ldFunc(dst: number, l: string): void {
    this.fix.push({ at: this.out.length, label: l, field: 'imm' });
    this.out.push(I(0x18, dst, 4, 0, 0), I(0, 0, 0, 0, 0));
  }
  ldMap(dst: number, idx: number): void {
    this.out.push(I(0x18, dst, 1, 0, idx), I(0, 0, 0, 0, 0));
  }
  ldImm64(dst: number, lo: number, hi: number): void {
    this.out.push(I(0x18, dst, 0, 0, lo), I(0, 0, 0, 0, hi));
  }
  finish(): Insn[] {
    for (const f of this.fix) {
      const t = this.labels.get(f.label);
      if (t === undefined) throw new Error(`fuzz gen: unbound label ${f.label}`);
      const rel = t - f.at - 1;
      if (f.field === 'off') this.out[f.at]!.off = rel;
      else this.out[f.at]!.imm = rel;
    }
    return this.out;
  }
}

/** What a generated block may touch. */
interface Ctx {
  rng: Rng;
  b: Builder;
  progType: number;
  maps: MapMeta[];
  /** callee-saved registers holding scalars (r7..r9 minus reserved loop counters) */
  scalars: number[];
  /** nesting depth, to bound recursion */
  depth: number;
  /** subprograms to append after the main body */
  subprogs: ((c: Ctx) => void)[];
  /** inside a subprogram: r6 is not the context */
  inSub: boolean;
  /**
   * this block may be wrong on purpose (an offset one past the end, a missing
   * check, a signed-only bound): most blocks are careful, so that whole
   * programs still pass, and the edgy ones probe the verifier's limits
   */
  edge: boolean;
}

const pickScalar = (c: Ctx): number => c.rng.pick(c.scalars);

/** a jump condition on a scalar register, biased to bounds checks */
function jmpCode(rng: Rng): number {
  return (rng.chance(0.25) ? JMP32 : JMP) | rng.pick(JMP_OPS);
}

// ---- blocks ----------------------------------------------------------------------

function aluBlock(c: Ctx): void {
  const { rng, b } = c;
  const d = pickScalar(c);
  const is64 = rng.chance(0.7);
  const op = rng.pick(ALU_OPS);
  if (op === 0xd0) {
    b.emit(I((is64 ? ALU64 : ALU32) | 0xd0 | (!is64 || c.edge ? (rng.chance(0.5) ? X : K) : K), d, 0, 0, rng.pick([16, 32, 64])));
    return;
  }
  if (op === 0x80) { b.emit(I((is64 ? ALU64 : ALU32) | 0x80, d)); return; }
  const cls = is64 ? ALU64 : ALU32;
  // signed div/mod (off 1) and movsx (off 8/16/32)
  let off = 0;
  if ((op === 0x30 || op === 0x90) && rng.chance(0.3)) off = 1;
  if (op === 0xb0 && rng.chance(0.2)) off = rng.pick(is64 ? [8, 16, 32] : [8, 16]);
  if (rng.chance(0.5) || off === 8 || off === 16 || off === 32) {
    b.emit(I(cls | X | op, d, pickScalar(c), off, 0));
  } else {
    let imm = rng.interesting();
    if (op === 0x60 || op === 0x70 || op === 0xc0) imm = !c.edge || rng.chance(0.8) ? rng.int(is64 ? 64 : 32) : imm;
    if ((op === 0x30 || op === 0x90) && imm === 0 && !c.edge) imm = 3;
    b.emit(I(cls | K | op, d, 0, off, imm));
  }
}

function setScalarBlock(c: Ctx): void {
  const { rng, b } = c;
  const d = pickScalar(c);
  if (rng.chance(0.2)) b.ldImm64(d, rng.interesting(), rng.pick([0, -1, 1, rng.interesting()]));
  else b.emit(I(rng.chance(0.7) ? 0xb7 : 0xb4, d, 0, 0, rng.interesting()));
}

function helperScalarBlock(c: Ctx): void {
  const { rng, b } = c;
  const id = rng.pick(c.edge ? [5, 7, 8, 125, 160] : [5, 7, 8, 125]); // ktime, prandom, smp id, boot_ns, coarse_ns
  b.emit(I(0x85, 0, 0, 0, id));
  b.emit(I(0xbf, pickScalar(c), 0));
}

/** r0 = map value pointer (not null) or jump to `skip`; uses r1, r2 and a stack slot. */
function lookup(c: Ctx, mapIdx: number, skip: string): void {
  const { rng, b } = c;
  const m = c.maps[mapIdx]!;
  const slot = -8 * rng.range(1, 4);
  // key: a small constant, or a scalar (possibly out of range: lookup returns NULL)
  if (rng.chance(0.6)) b.emit(I(0x7a, 10, 0, slot, rng.chance(0.8) ? rng.int(m.maxEntries + 1) : rng.interesting()));
  else b.emit(I(0x7b, 10, pickScalar(c), slot, 0));
  b.emit(I(0xbf, 2, 10));
  b.emit(I(0x07, 2, 0, 0, slot));
  b.ldMap(1, mapIdx);
  b.emit(I(0x85, 0, 0, 0, 1));
  if (!c.edge || !rng.chance(0.1)) b.jmp(JMP | 0x10, 0, 0, 0, skip); // the null check, rarely forgotten
}

/** size, and an offset near the end of a region of `len` bytes (in or just out) */
function edgeAccess(rng: Rng, len: number, edge = true): { sz: number; bytes: number; off: number } {
  let sz = rng.pick(SIZES);
  while (SIZE_BYTES[sz]! > len) sz = rng.pick(SIZES);
  const bytes = SIZE_BYTES[sz]!;
  let off: number;
  switch (edge ? rng.int(5) : rng.pick([0, 3, 4])) {
    case 0: off = len - bytes; break;
    case 1: off = len - bytes + rng.range(1, 4); break; // just out
    case 2: off = rng.range(-4, -1); break;
    case 3: off = rng.int(Math.max(1, len - bytes + 1)); break;
    default: off = rng.int(Math.max(1, len)) & ~(bytes - 1); break;
  }
  return { sz, bytes, off };
}

function mapValueBlock(c: Ctx): void {
  const { rng, b } = c;
  const mi = rng.int(c.maps.length);
  const m = c.maps[mi]!;
  const skip = b.label();
  lookup(c, mi, skip);
  const a = edgeAccess(rng, m.valueSize, c.edge);
  switch (rng.int(4)) {
    case 0: b.emit(I(LDX(a.sz), pickScalar(c), 0, a.off)); break;
    case 1: b.emit(I(STX(a.sz), 0, pickScalar(c), a.off)); break;
    case 2: b.emit(I(ST(a.sz), 0, 0, a.off, rng.interesting())); break;
    default: { // atomic add / fetch / xchg / cmpxchg on the value
      const dw = rng.chance(0.5) && m.valueSize >= 8;
      const off = dw ? (rng.chance(0.8) ? (m.valueSize - 8) & ~7 : m.valueSize - 4) : (m.valueSize - 4) & ~3;
      b.emit(I(0x7b, 10, pickScalar(c), -16));
      b.emit(I(0x79, 1, 10, -16));
      b.emit(I(dw ? 0xdb : 0xc3, 0, 1, off, rng.pick([0x00, 0x01, 0x40, 0x51, 0xa0, 0xe1, 0xf1])));
      break;
    }
  }
  b.here(skip);
}

/**
 * A bounds-checked variable offset: copies a scalar to `r`, bounds it with one
 * or two conditional jumps to `skip` (every flavour) or with an AND mask.
 * Returns the bound it meant to establish (the program may be wrong about it).
 */
function boundScalar(c: Ctx, r: number, limit: number, skip: string, align = 1): void {
  const { rng, b } = c;
  b.emit(I(rng.chance(0.8) ? 0xbf : 0xbc, r, pickScalar(c)));
  const k = c.edge ? limit + rng.pick([0, 0, 0, -1, 1, 2, -2, 7]) : limit;
  let mask = 1;
  while (mask * 2 - 1 <= k) mask *= 2;
  switch (c.edge ? rng.int(7) : rng.pick([0, 1, 2, 3, 6])) {
    case 0: b.emit(I(0x57, r, 0, 0, !c.edge || rng.chance(0.7) ? mask - 1 : rng.interesting())); break; // r &= mask
    case 1: b.jmp(JMP | 0x20, r, 0, k, skip); break; // if r > k
    case 2: b.jmp(JMP | 0x30, r, 0, k, skip); break; // if r >= k
    case 3: b.jmp(JMP | 0x60, r, 0, k, skip); b.jmp(JMP | 0xc0, r, 0, 0, skip); break; // signed both ways
    case 4: b.jmp(JMP32 | 0x20, r, 0, k, skip); break; // 32-bit check only
    case 5: b.jmp(JMP | 0x60, r, 0, k, skip); break; // signed upper only (negatives pass)
    default: { // bound via another register (reg compare)
      b.emit(I(0xb7, 5, 0, 0, k));
      b.jmp(rng.pick(c.edge ? [JMP | X | 0x20, JMP | X | 0x30, JMP32 | X | 0x20, JMP | X | 0x60] : [JMP | X | 0x20, JMP | X | 0x30]), r, 5, 0, skip);
      break;
    }
  }
  if (c.edge && rng.chance(0.5)) { // extra ops after the check: the verifier must follow the bounds through them
    for (let n = rng.range(1, 2); n > 0; n--) {
      switch (rng.int(4)) {
        case 0: b.emit(I(rng.pick([0x67, 0x77, 0x07, 0x27, 0xc7, 0x57, 0x47, 0xa7, 0x17]), r, 0, 0, rng.pick([1, 2, 3, -1, 8]))); break;
        case 1: b.emit(I(rng.pick([0x04, 0x14, 0x24, 0x54, 0x64, 0x74, 0xc4, 0xa4, 0x44]), r, 0, 0, rng.pick([1, 2, 3, -1, 0xff]))); break;
        case 2: b.emit(rng.pick([I(0x87, r), I(0x84, r), I(0xbf, r, r, 8), I(0xbf, r, r, 16), I(0xbc, r, r, 8), I(0xd4, r, 0, 0, 16), I(0xdc, r, 0, 0, 16)])); break;
        default: b.emit(I(rng.pick([0x0f, 0x1f, 0x2f, 0x4f, 0x5f, 0xaf, 0x0c, 0x1c]), r, pickScalar(c))); break;
      }
    }
  } else if (!c.edge && rng.chance(0.3)) { // ops that keep a bound: shift right, and, 32-bit move
    b.emit(rng.pick([I(0x77, r, 0, 0, rng.pick([1, 2, 3])), I(0x57, r, 0, 0, rng.pick([0xff, 0x7fffffff])), I(0xbc, r, r)]));
  }
  if (rng.chance(0.25)) { // through the stack: spill the bounded scalar, fill it back (maybe narrower)
    const slot = -8 * rng.range(5, 12);
    b.emit(I(0x7b, 10, r, slot));
    if (c.edge && rng.chance(0.3)) b.emit(I(0x72, 10, 0, slot + rng.pick([0, 1, 4, 7]), rng.interesting())); // clobber a byte
    const fill = rng.pick(c.edge ? [0x79, 0x61, 0x69, 0x71, 0x81, 0x89, 0x91] : [0x79, 0x79, 0x61]);
    const foff = c.edge && rng.chance(0.3) ? slot + rng.pick([4, 2, 1]) : slot;
    b.emit(I(fill, r, 10, fill === 0x79 ? slot : foff));
  }
  if (align > 1 && (!c.edge || rng.chance(0.7))) b.emit(I(0x57, r, 0, 0, -align)); // r &= ~(align-1)
}

function varStackBlock(c: Ctx): void {
  const { rng, b } = c;
  const skip = b.label();
  const span = rng.pick(c.edge ? [8, 16, 32, 64, 256, 512] : [8, 16, 32, 64, 128, 256]);
  const sz = rng.pick(SIZES);
  const bytes = SIZE_BYTES[sz]!;
  // ptr = fp - span + r3 + off; careful: r3 <= span - bytes, off = 0
  boundScalar(c, 3, span - bytes, skip, bytes);
  b.emit(I(0xbf, 1, 10));
  b.emit(I(0x07, 1, 0, 0, -span));
  b.emit(!c.edge || rng.chance(0.9) ? I(0x0f, 1, 3) : I(0x1f, 1, 3));
  const off = c.edge ? rng.pick([0, 0, -bytes, -1, 1, 8 - bytes]) : 0;
  if (rng.chance(0.5)) b.emit(I(ST(sz), 1, 0, off, rng.interesting()));
  else b.emit(I(STX(sz), 1, pickScalar(c), off));
  if (rng.chance(0.5)) b.emit(I(LDX(sz), pickScalar(c), 1, off));
  b.here(skip);
}

function varMapBlock(c: Ctx): void {
  const { rng, b } = c;
  const mi = rng.int(c.maps.length);
  const m = c.maps[mi]!;
  const skip = b.label();
  lookup(c, mi, skip);
  let sz = rng.pick(SIZES);
  while (SIZE_BYTES[sz]! > m.valueSize) sz = rng.pick(SIZES);
  boundScalar(c, 3, m.valueSize - SIZE_BYTES[sz]!, skip);
  b.emit(!c.edge || rng.chance(0.9) ? I(0x0f, 0, 3) : I(0x0c, 0, 3));
  const off = c.edge ? rng.pick([0, 0, -SIZE_BYTES[sz]!, 1, -1]) : 0;
  if (rng.chance(0.6)) b.emit(I(LDX(sz), pickScalar(c), 0, off));
  else b.emit(I(STX(sz), 0, pickScalar(c), off));
  b.here(skip);
}

/** r2 = data, r3 = data_end, r4 = data + n; if r4 > r3 goto skip (xdp) */
function packetCheck(c: Ctx, n: number, skip: string): void {
  const { rng, b } = c;
  b.emit(I(0x61, 2, 6, 0));
  b.emit(I(0x61, 3, 6, 4));
  b.emit(I(0xbf, 4, 2));
  b.emit(I(0x07, 4, 0, 0, n));
  switch (rng.int(4)) {
    case 0: b.jmp(JMP | X | 0x20, 4, 3, 0, skip); break; // if r4 > r3
    case 1: b.jmp(JMP | X | 0xb0, 3, 4, 0, skip); break; // if r3 <= r4 (off by one: stricter)
    case 2: b.jmp(JMP | X | 0xa0, 3, 4, 0, skip); break; // if r3 < r4
    default: b.jmp(JMP | X | 0x30, 4, 3, 0, skip); break; // if r4 >= r3 (stricter)
  }
}

function packetBlock(c: Ctx): void {
  if (c.progType !== PROG_XDP || c.inSub) { helperScalarBlock(c); return; }
  const { rng, b } = c;
  const skip = b.label();
  const n = rng.pick([1, 2, 4, 8, 14, 20, 34, 54, 64]);
  packetCheck(c, n, skip);
  const a = edgeAccess(rng, n, c.edge);
  if (rng.chance(0.6)) b.emit(I(LDX(a.sz), pickScalar(c), 2, a.off));
  else b.emit(I(STX(a.sz), 2, pickScalar(c), a.off));
  b.here(skip);
}

/** a variable packet offset: r2 += bounded scalar, then the range check, then an access */
function varPacketBlock(c: Ctx): void {
  if (c.progType !== PROG_XDP || c.inSub) { varStackBlock(c); return; }
  const { rng, b } = c;
  const skip = b.label();
  boundScalar(c, 5, rng.pick(c.edge ? [16, 64, 255, 1500, 0xffff, 0x10000] : [16, 64, 255, 1500]), skip);
  b.emit(I(0x61, 2, 6, 0));
  b.emit(I(0x0f, 2, 5));
  const n = rng.pick([1, 2, 4, 8]);
  b.emit(I(0x61, 3, 6, 4));
  b.emit(I(0xbf, 4, 2));
  b.emit(I(0x07, 4, 0, 0, n));
  b.jmp(JMP | X | 0x20, 4, 3, 0, skip);
  const a = edgeAccess(rng, n, c.edge);
  b.emit(I(LDX(a.sz), pickScalar(c), 2, a.off));
  b.here(skip);
}

function stackBlock(c: Ctx): void {
  const { rng, b } = c;
  const sz = rng.pick(SIZES);
  const bytes = SIZE_BYTES[sz]!;
  // (careful offsets stay in the top 256 bytes: a callee's frame must fit in the 512 left)
  const off = !c.edge || rng.chance(0.7) ? -bytes * rng.range(1, (c.edge ? 512 : 256) / bytes) : rng.pick([0, -513, -520, 8, -3]);
  const s = pickScalar(c);
  switch (c.edge ? rng.int(4) : rng.int(3)) {
    case 0: b.emit(I(STX(sz), 10, s, off)); if (rng.chance(0.8)) b.emit(I(LDX(sz), pickScalar(c), 10, off)); break;
    case 1: b.emit(I(ST(sz), 10, 0, off, rng.interesting())); b.emit(I(LDX(sz), pickScalar(c), 10, off)); break;
    case 2: { // spill / fill a pointer, then use it
      const slot = -8 * rng.range(1, 32);
      const r = c.inSub ? 10 : rng.pick([6, 10]);
      b.emit(I(0x7b, 10, r, slot));
      if (c.edge && rng.chance(0.5)) b.emit(I(STX(rng.pick(SIZES)), 10, s, slot + rng.pick([0, 4]))); // partial overwrite
      b.emit(I(0x79, 1, 10, slot));
      if (r === 6 && c.progType === PROG_XDP) b.emit(I(0x61, pickScalar(c), 1, c.edge ? rng.pick([0, 4, 8, 12, 16, 20, 24, 2]) : rng.pick([12, 16])));
      else if (r === 6) b.emit(I(LDX(0x18), pickScalar(c), 1, rng.pick([0, 8, 16, 64])));
      else b.emit(I(0x79, pickScalar(c), 1, -8 * rng.range(1, 32)));
      break;
    }
    default: // read possibly uninitialised stack
      b.emit(I(LDX(sz), pickScalar(c), 10, off));
      break;
  }
}

function ctxBlock(c: Ctx): void {
  if (c.inSub) { aluBlock(c); return; }
  const { rng, b } = c;
  const sz = !c.edge || rng.chance(0.8) ? 0x00 : rng.pick(SIZES);
  if (c.progType === PROG_XDP) {
    b.emit(I(LDX(sz), pickScalar(c), 6, c.edge ? rng.pick([12, 16, 20, 24, 3, -4]) : rng.pick([12, 16])));
  } else {
    const off = !c.edge || rng.chance(0.8) ? rng.int(64) & ~(SIZE_BYTES[sz]! - 1) : rng.interesting();
    if (rng.chance(0.5)) b.emit(I(LDX(sz), pickScalar(c), 6, off));
    else b.emit(I(STX(sz), 6, pickScalar(c), off));
  }
}

function updateBlock(c: Ctx): void {
  const { rng, b } = c;
  const mi = rng.int(c.maps.length);
  const m = c.maps[mi]!;
  // key at fp-8, value below it
  const vlen = (m.valueSize + 7) & ~7;
  b.emit(I(0x7a, 10, 0, -8, rng.chance(0.8) ? rng.int(m.maxEntries + 1) : rng.interesting()));
  for (let o = 8; o < 8 + vlen; o += 8) b.emit(I(0x7b, 10, pickScalar(c), -8 - o));
  if (c.edge && rng.chance(0.5)) b.emit(I(0x7b, 10, pickScalar(c), -8 - 8 * rng.range(1, vlen / 8 + 1)));
  b.ldMap(1, mi);
  b.emit(I(0xbf, 2, 10), I(0x07, 2, 0, 0, -8));
  b.emit(I(0xbf, 3, 10), I(0x07, 3, 0, 0, -8 - vlen + (c.edge ? rng.pick([0, 8, -8]) : 0)));
  b.emit(I(0xb7, 4, 0, 0, !c.edge || rng.chance(0.8) ? rng.int(3) : rng.interesting()));
  b.emit(I(0x85, 0, 0, 0, rng.chance(0.85) ? 2 : 3)); // update, or delete
}

function condBlock(c: Ctx): void {
  const { rng, b } = c;
  const skip = b.label();
  const code = jmpCode(rng);
  if (rng.chance(0.5)) b.jmp(code | K, pickScalar(c), 0, rng.interesting(), skip);
  else b.jmp(code | X, pickScalar(c), pickScalar(c), 0, skip);
  blocks(c, rng.range(1, 3));
  if (rng.chance(0.3)) { // if/else
    const end = b.label();
    b.jmp(JMP, 0, 0, 0, end);
    b.here(skip);
    blocks(c, rng.range(1, 2));
    b.here(end);
  } else {
    b.here(skip);
  }
}

function loopBlock(c: Ctx): void {
  const { rng, b } = c;
  if (c.scalars.length < 2 || c.depth > 1) { aluBlock(c); return; }
  const ctr = c.scalars[c.scalars.length - 1]!;
  const saved = c.scalars;
  c.scalars = saved.slice(0, -1);
  const n = rng.pick([1, 2, 3, 5, 8, 17]);
  b.emit(I(0xb7, ctr, 0, 0, 0));
  const head = b.label();
  b.here(head);
  blocks(c, rng.range(1, 2));
  b.emit(I(0x07, ctr, 0, 0, 1));
  b.jmp(rng.chance(0.8) ? JMP | 0xa0 : JMP32 | 0xa0, ctr, 0, n, head);
  c.scalars = saved;
}

function subprogCallBlock(c: Ctx): void {
  const { rng, b } = c;
  if (c.subprogs.length >= 3 || c.inSub) { aluBlock(c); return; }
  const l = b.label();
  const passStack = rng.chance(0.5);
  const slotOff = -8 * rng.range(1, 8);
  if (passStack) {
    b.emit(I(0x7b, 10, pickScalar(c), slotOff));
    b.emit(I(0xbf, 1, 10), I(0x07, 1, 0, 0, slotOff));
  } else {
    b.emit(I(0xbf, 1, pickScalar(c)));
  }
  b.emit(I(0xbf, 2, pickScalar(c)));
  b.call(l);
  b.emit(I(0xbf, pickScalar(c), 0));
  c.subprogs.push((sc) => {
    sc.b.here(l);
    // the callee: r1 = pointer into the caller's stack or a scalar, r2 = a scalar
    sc.b.emit(I(0xbf, 7, 2), I(0xbf, 8, 2), I(0xbf, 9, 2));
    if (passStack) {
      const a = edgeAccess(sc.rng, 8, sc.edge);
      if (sc.rng.chance(0.5)) sc.b.emit(I(LDX(a.sz), 7, 1, a.off));
      else sc.b.emit(I(STX(a.sz), 1, 8, a.off));
      if (sc.rng.chance(0.3)) { // variable offset into the caller's stack
        const skip = sc.b.label();
        boundScalar(sc, 3, 8, skip);
        sc.b.emit(I(0x0f, 1, 3), I(0x71, 8, 1, 0));
        sc.b.here(skip);
      }
    } else {
      sc.b.emit(I(0xbf, 7, 1));
    }
    blocks(sc, sc.rng.range(0, 3));
    sc.b.emit(I(0xbf, 0, sc.rng.pick([7, 8, 9])), I(0x95));
  });
}

function bpfLoopBlock(c: Ctx): void {
  const { rng, b } = c;
  if (c.subprogs.length >= 3 || c.inSub) { aluBlock(c); return; }
  const l = b.label();
  const useCtx = rng.chance(0.6);
  const ctxOff = -8 * rng.range(1, 4);
  b.emit(I(0xb7, 1, 0, 0, rng.pick([0, 1, 4, 16])));
  b.ldFunc(2, l);
  if (useCtx) {
    b.emit(I(0x7b, 10, pickScalar(c), ctxOff));
    b.emit(I(0xbf, 3, 10), I(0x07, 3, 0, 0, ctxOff));
  } else {
    b.emit(I(0xb7, 3, 0, 0, 0));
  }
  b.emit(I(0xb7, 4, 0, 0, 0));
  b.emit(I(0x85, 0, 0, 0, 181));
  b.emit(I(0xbf, pickScalar(c), 0));
  c.subprogs.push((sc) => {
    sc.b.here(l);
    // callback(u64 index, void *ctx): r1 = index, r2 = ctx pointer or NULL
    sc.b.emit(I(0xbf, 7, 1), I(0xbf, 8, 1), I(0xbf, 9, 1));
    if (useCtx) {
      const a = edgeAccess(sc.rng, 8, sc.edge);
      if (sc.rng.chance(0.5)) sc.b.emit(I(LDX(a.sz), 7, 2, a.off));
      else sc.b.emit(I(STX(a.sz), 2, 8, a.off));
    }
    blocks(sc, sc.rng.range(0, 2));
    sc.b.emit(I(0xb7, 0, 0, 0, !sc.edge || sc.rng.chance(0.7) ? sc.rng.int(2) : sc.rng.interesting()), I(0x95));
  });
}

const BLOCKS: [number, (c: Ctx) => void][] = [
  [6, aluBlock],
  [3, setScalarBlock],
  [2, helperScalarBlock],
  [5, mapValueBlock],
  [5, varStackBlock],
  [5, varMapBlock],
  [4, packetBlock],
  [4, varPacketBlock],
  [4, stackBlock],
  [2, ctxBlock],
  [2, updateBlock],
  [3, condBlock],
  [1, loopBlock],
  [1, subprogCallBlock],
  [1, bpfLoopBlock],
];
const TOTAL_WEIGHT = BLOCKS.reduce((s, [w]) => s + w, 0);
/** the share of blocks that may be wrong on purpose */
const EDGE_RATE = 0.2;

function blocks(c: Ctx, n: number): void {
  if (c.depth > 3) n = Math.min(n, 1);
  c.depth++;
  for (let i = 0; i < n; i++) {
    let r = c.rng.int(TOTAL_WEIGHT);
    let f = BLOCKS[0]![1];
    for (const [w, g] of BLOCKS) {
      if (r < w) { f = g; break; }
      r -= w;
    }
    if (c.depth > 3 && (f === condBlock || f === loopBlock)) f = aluBlock;
    const outer = c.edge;
    c.edge = c.rng.chance(EDGE_RATE);
    f(c);
    c.edge = outer;
  }
  c.depth--;
}

/** The maps of a generated program: one or two, array and/or hash, BTF-less. */
export function genMaps(rng: Rng): MapMeta[] {
  const vs = () => rng.pick([4, 8, 12, 16, 24, 48, 64]);
  const maps = [mapMeta('arr', MAP_ARRAY, 4, vs(), rng.pick([1, 2, 4, 16]))];
  if (rng.chance(0.6)) maps.push(mapMeta('hash', MAP_HASH, rng.pick([4, 8]), vs(), rng.pick([4, 16])));
  if (rng.chance(0.3)) maps.reverse();
  return maps;
}

/** (a) a random structured program */
export function genProgram(rng: Rng): FuzzProgram {
  const progType = rng.chance(0.75) ? PROG_XDP : PROG_SYSCALL;
  const maps = genMaps(rng);
  const b = new Builder();
  const c: Ctx = { rng, b, progType, maps, scalars: [7, 8, 9], depth: 0, subprogs: [], inSub: false, edge: false };
  // prologue: r6 = ctx; r7..r9 = scalars (constants, or unknown values)
  b.emit(I(0xbf, 6, 1));
  for (const r of [7, 8, 9]) {
    if (rng.chance(0.3)) {
      b.emit(I(0x85, 0, 0, 0, 7), I(0xbf, r, 0)); // get_prandom_u32
    } else {
      b.emit(I(0xb7, r, 0, 0, rng.interesting()));
    }
  }
  blocks(c, rng.range(2, 8));
  b.emit(I(0xb7, 0, 0, 0, rng.chance(0.9) ? 2 : rng.interesting()), I(0x95));
  // subprograms (they may add more while being generated: bounded by the count check)
  for (let i = 0; i < c.subprogs.length; i++) {
    const sub: Ctx = { rng, b, progType, maps, scalars: [7, 8, 9], depth: 2, subprogs: c.subprogs, inSub: true, edge: rng.chance(EDGE_RATE) };
    c.subprogs[i]!(sub);
  }
  return { insns: b.finish(), progType, maps, origin: 'gen' };
}

// ---- mutation ----------------------------------------------------------------------

const isLdImm64 = (x: Insn | undefined): boolean => x !== undefined && x.code === 0x18;

/** Indexes of instruction starts (the second slot of ld_imm64 is not one). */
function starts(insns: readonly Insn[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < insns.length; i++) {
    out.push(i);
    if (isLdImm64(insns[i])) i++;
  }
  return out;
}

function width(insns: readonly Insn[], i: number): number {
  return isLdImm64(insns[i]) ? 2 : 1;
}

/** (b) applies 1..3 random edits to a copy of `p`. */
export function mutate(rng: Rng, p: FuzzProgram): FuzzProgram {
  let insns = p.insns.map((x) => ({ ...x }));
  const edits: string[] = [];
  const n = rng.pick([1, 1, 1, 2, 2, 3]);
  for (let e = 0; e < n && insns.length > 0; e++) {
    const st = starts(insns);
    const i = rng.pick(st);
    const x = insns[i]!;
    const kind = rng.int(12);
    switch (kind) {
      case 0: case 1: { // immediate
        const old = x.imm;
        x.imm = rng.chance(0.5) ? (x.imm + rng.pick([1, -1, 2, -2, 4, -4, 8, -8])) | 0 : rng.interesting();
        edits.push(`imm@${i} ${old}->${x.imm}`);
        break;
      }
      case 2: case 3: { // offset
        const old = x.off;
        x.off = rng.chance(0.6) ? ((x.off + rng.pick([1, -1, 2, -2, 4, -4, 8, -8])) << 16) >> 16 : (rng.interesting() << 16) >> 16;
        edits.push(`off@${i} ${old}->${x.off}`);
        break;
      }
      case 4: { // a register the instruction uses (rarely one it does not)
        const cls = x.code & 7;
        const usesSrc = cls === 1 || cls === 3 || ((cls === ALU64 || cls === ALU32 || cls === JMP || cls === JMP32) && (x.code & X) !== 0);
        const usesDst = !((cls === JMP || cls === JMP32) && ((x.code & 0xf0) === 0x80 || (x.code & 0xf0) === 0x90 || (x.code & 0xf0) === 0x00));
        const wild = rng.chance(0.1);
        if ((usesDst || wild) && (!usesSrc || rng.chance(0.5))) { edits.push(`dst@${i} ${x.dst}->`); x.dst = rng.int(11); }
        else if (usesSrc || wild) { edits.push(`src@${i} ${x.src}->`); x.src = x.code === 0x18 ? x.src : rng.int(11); }
        break;
      }
      case 5: case 6: { // opcode: same class with another op or size, or anything
        const old = x.code;
        if (isLdImm64(x)) break;
        const cls = x.code & 7;
        if (rng.chance(0.05)) x.code = rng.int(256);
        else if (cls === ALU64 || cls === ALU32) x.code = (x.code & 0x0f) | rng.pick(ALU_OPS);
        else if (cls === JMP || cls === JMP32) {
          if ((x.code & 0xf0) !== 0x80 && (x.code & 0xf0) !== 0x90 && (x.code & 0xf0) !== 0x00) {
            x.code = (rng.chance(0.3) ? (x.code ^ 0x03) : x.code) & 0x0f | rng.pick(JMP_OPS);
          }
        } else if (cls === 1 || cls === 2 || cls === 3) x.code = (x.code & ~0x18) | rng.pick(SIZES);
        else x.code = (x.code & 0x0f) | rng.pick(ALU_OPS);
        edits.push(`code@${i} ${old.toString(16)}->${x.code.toString(16)}`);
        break;
      }
      case 7: { // class flip ALU64 <-> ALU32 / JMP <-> JMP32 / ldx <-> ldxs
        const cls = x.code & 7;
        const old = x.code;
        if (cls === ALU64 || cls === ALU32) x.code ^= 0x03;
        else if (cls === JMP || cls === JMP32) { if ((x.code & 0xf0) !== 0x80 && (x.code & 0xf0) !== 0x90) x.code ^= 0x03; }
        else if ((x.code & 0xe0) === 0x60 && cls === 1) x.code = (x.code & 0x1f) | 0x80;
        edits.push(`class@${i} ${old.toString(16)}->${x.code.toString(16)}`);
        break;
      }
      case 8: { // jump offset
        const cls = x.code & 7;
        if (cls === JMP || cls === JMP32) {
          if (x.code === 0x85 && x.src === 1) x.imm += rng.pick([1, -1]);
          else x.off += rng.pick([1, -1, 2, -2]);
          edits.push(`jmp@${i}`);
        }
        break;
      }
      case 9: { // swap with the next instruction
        const j = i + width(insns, i);
        if (j >= insns.length) break;
        const a = insns.slice(i, j);
        const bb = insns.slice(j, j + width(insns, j));
        insns.splice(i, a.length + bb.length, ...bb, ...a);
        edits.push(`swap@${i}`);
        break;
      }
      case 10: { // delete
        if (insns.length <= 2) break;
        insns.splice(i, width(insns, i));
        edits.push(`del@${i}`);
        break;
      }
      default: { // duplicate
        insns.splice(i, 0, ...insns.slice(i, i + width(insns, i)).map((y) => ({ ...y })));
        edits.push(`dup@${i}`);
        break;
      }
    }
  }
  insns = insns.filter((x) => x !== undefined);
  return { insns, progType: p.progType, maps: p.maps, origin: `${p.origin} mutated: ${edits.join(', ')}` };
}

// reg_bounds_sync on 32-bit halves (src/verifier/reg_bounds.ts) against the
// bigint code it replaces on the hot path (syncBoundsBig): the same bounds and
// var_off for every state, valid or not, and the bigint code for impossible ones.
// Likewise the ALU shortcuts (aluFast) against aluView + writeView.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type RegState, S32_MAX, S32_MIN, S64_MAX, S64_MIN, copyReg, markUnbounded, scalarConst, scalarUnknown, setKnown, syncBounds, syncBoundsBig } from '../../src/verifier/reg_state.js';
import { aluFast, aluView, viewOf, writeView } from '../../src/verifier/scalar.js';
import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_LSH, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../src/isa/opcodes.js';
import { syncBoundsHalves } from '../../src/verifier/reg_bounds.js';
import { U32_MAX, U64_MAX, tnumRange, tnumUnknown } from '../../src/verifier/tnum.js';

let seed = 0x1234_5678;
const rnd32 = (): bigint => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b_3c6d) + 0x6d2b_79f5) >>> 0;
  seed = (seed ^ (seed >>> 13)) >>> 0;
  return BigInt(seed);
};
const pick = <T>(xs: readonly T[]): T => xs[Number(rnd32() % BigInt(xs.length))]!;
const EDGES64 = [0n, 1n, 7n, 0xffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x1_0000_0001n,
  0x1f_ffff_ffff_ffffn, 0x20_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_0000_0000n,
  0xffff_ffff_7fff_ffffn, 0xffff_ffff_8000_0000n, 0xffff_ffff_ffff_fffen, U64_MAX];

/** a u64: an edge, an edge +- a little, or random bits of random width */
function u64(): bigint {
  switch (Number(rnd32() % 4n)) {
    case 0: return pick(EDGES64);
    case 1: return BigInt.asUintN(64, pick(EDGES64) + (rnd32() % 9n) - 4n);
    case 2: return rnd32() & ((1n << (rnd32() % 33n)) - 1n);
    default: return ((rnd32() << 32n) | rnd32()) >> (rnd32() % 64n);
  }
}
const ordered = (a: bigint, b: bigint): [bigint, bigint] => (a <= b ? [a, b] : [b, a]);

function randomReg(): RegState {
  const r = scalarUnknown();
  const kind = Number(rnd32() % 3n);
  if (kind === 0) {
    // a consistent state: bounds and var_off around values a register could hold
    const [lo, hi] = ordered(u64(), u64());
    r.umin = lo; r.umax = hi; r.varOff = tnumRange(lo, hi);
    const [slo, shi] = ordered(BigInt.asIntN(64, u64()), BigInt.asIntN(64, u64()));
    if (rnd32() & 1n) { r.smin = slo; r.smax = shi; }
    if (rnd32() & 1n) { const [a, b] = ordered(u64() & U32_MAX, u64() & U32_MAX); r.u32min = a; r.u32max = b; }
    if (rnd32() & 1n) { const [a, b] = ordered(BigInt.asIntN(32, u64()), BigInt.asIntN(32, u64())); r.s32min = a; r.s32max = b; }
  } else {
    // anything inside the types, often an impossible state
    r.umin = u64(); r.umax = u64(); r.smin = BigInt.asIntN(64, u64()); r.smax = BigInt.asIntN(64, u64());
    r.u32min = u64() & U32_MAX; r.u32max = u64() & U32_MAX;
    r.s32min = BigInt.asIntN(32, u64()); r.s32max = BigInt.asIntN(32, u64());
    const mask = u64();
    r.varOff = { value: kind === 1 ? u64() & ~mask & U64_MAX : u64(), mask };
  }
  return r;
}

const fields = (r: RegState) => [r.smin, r.smax, r.umin, r.umax, r.s32min, r.s32max, r.u32min, r.u32max, r.varOff.value, r.varOff.mask];

test('reg_bounds_sync on 32-bit halves equals the bigint reg_bounds_sync on 100k random states', () => {
  let fast = 0, fallback = 0;
  for (let i = 0; i < 100_000; i++) {
    const r = randomReg();
    const a = copyReg(r), b = copyReg(r);
    syncBoundsBig(b);
    if (syncBoundsHalves(a)) {
      fast++;
      assert.deepEqual(fields(a), fields(b), `state ${fields(r).join(',')}`);
    } else {
      fallback++;
      // refused: the register is untouched and the bigint result is impossible
      assert.deepEqual(fields(a), fields(r));
    }
  }
  // both sides are exercised
  assert.ok(fast > 25_000 && fallback > 5_000, `fast ${fast}, fallback ${fallback}`);
});

test('syncBounds keeps the bounds of out-of-type values (a refinement past U64_MAX or below 0) in bigints', () => {
  const r = scalarUnknown();
  r.umin = 5n; r.umax = -1n; // what JGT against 0 leaves before the state is found impossible
  const ref = copyReg(r);
  syncBounds(r);
  syncBoundsBig(ref);
  assert.deepEqual(fields(r), fields(ref));
  assert.ok(r.umin > r.umax);
  // every field just outside its type: the halves refuse, the bigint code decides
  const outside: [keyof RegState, bigint][] = [['umax', U64_MAX + 1n], ['umin', -1n], ['smin', S64_MIN - 1n], ['smax', S64_MAX + 1n],
    ['s32min', S32_MIN - 1n], ['s32max', S32_MAX + 1n], ['u32min', -1n], ['u32max', U32_MAX + 1n]];
  for (const [k, v] of outside) {
    const x = scalarUnknown();
    (x as unknown as Record<string, bigint>)[k] = v;
    assert.equal(syncBoundsHalves(copyReg(x)), false, k);
    const y = copyReg(x);
    syncBounds(x);
    syncBoundsBig(y);
    assert.deepEqual(fields(x), fields(y), k);
  }
  const full = scalarUnknown();
  syncBounds(full);
  assert.deepEqual(fields(full), [S64_MIN, S64_MAX, 0n, U64_MAX, S32_MIN, S32_MAX, 0n, U32_MAX, 0n, U64_MAX]);
});

test('ALU shortcuts (fully unknown operand, two constants) give what aluView + writeView give', () => {
  const ops = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH];
  const operand = (): RegState => {
    switch (Number(rnd32() % 3n)) {
      case 0: return scalarUnknown();
      case 1: return scalarConst(Number(rnd32() % 4n) === 0 ? rnd32() % 70n : u64());
      default: return randomReg();
    }
  };
  let unknowns = 0, consts = 0;
  for (let i = 0; i < 40_000; i++) {
    const d = operand(), s = operand(), op = pick(ops), bits = pick([32, 64] as const);
    const fast = aluFast(op, d, s, bits);
    if (fast === undefined) continue;
    if (fast === 'unknown') unknowns++; else consts++;
    const viaView = copyReg(d);
    writeView(viaView, aluView(op, viewOf(d, bits), viewOf(s, bits)));
    const viaFast = copyReg(d);
    if (fast === 'unknown') { viaFast.varOff = tnumUnknown; markUnbounded(viaFast); } else setKnown(viaFast, fast);
    assert.deepEqual(fields(viaFast), fields(viaView), `op ${op} bits ${bits} d ${fields(d).join(',')} s ${fields(s).join(',')}`);
  }
  assert.ok(unknowns > 1000 && consts > 1000, `shortcuts: ${unknowns} unknown, ${consts} constant`);
});

// scalar(32)_min_max_add/sub as the running 6.18 kernel: the unsigned range
// survives when no result wraps or every result does (kernel-checked in
// test/verifier/fuzz_kernel_regressions.json and by the live campaign)
test('add/sub keep the unsigned range when every result wraps, and only then', () => {
  const view = (bits: 32 | 64, lo: bigint, hi: bigint) => {
    const r = scalarUnknown();
    if (bits === 64) { r.umin = lo; r.umax = hi; r.varOff = tnumRange(lo, hi); } else { r.u32min = lo; r.u32max = hi; r.varOff = tnumRange(lo, hi); r.umin = lo; r.umax = hi; }
    syncBounds(r);
    return viewOf(r, bits);
  };
  const k = (bits: 32 | 64, v: bigint) => viewOf(scalarConst(bits === 64 ? v : BigInt.asUintN(32, v)), bits);
  const M64 = U64_MAX, M32 = U32_MAX;
  const cases: [32 | 64, number, bigint, bigint, bigint, [bigint, bigint]][] = [
    [64, BPF_ADD, M64 - 5n, M64 - 2n, 10n, [4n, 7n]], // every sum wraps
    [64, BPF_ADD, 14n, M64, -4n, [10n, M64 - 4n]], // every sum wraps (the kernel's "umin=10,umax=0xfffffffffffffffb")
    [64, BPF_ADD, 1n, M64, 5n, [0n, M64]], // some wrap
    [64, BPF_SUB, 2n, 5n, 10n, [M64 - 7n, M64 - 4n]], // every difference wraps below 0
    [64, BPF_SUB, 14n, 20n, 20n, [0n, M64]], // some do
    [32, BPF_ADD, M32 - 5n, M32 - 2n, 10n, [4n, 7n]],
    [32, BPF_SUB, 2n, 5n, 10n, [M32 - 7n, M32 - 4n]],
    [32, BPF_ADD, 101n, M32, 7n, [0n, M32]],
  ];
  for (const [bits, op, lo, hi, c, want] of cases) {
    const v = aluView(op, view(bits, lo, hi), k(bits, c));
    assert.deepEqual([v.umin, v.umax], want, `${bits}-bit [${lo}, ${hi}] ${op === BPF_ADD ? '+' : '-'} ${c}`);
    // sound: every concrete result of the ends is in range
    const m = bits === 64 ? M64 : M32;
    for (const x of [lo, hi, (lo + hi) / 2n]) {
      const res = BigInt.asUintN(bits, op === BPF_ADD ? x + BigInt.asUintN(bits, c) : x - BigInt.asUintN(bits, c));
      assert.ok(res >= v.umin && res <= v.umax && v.umax <= m, `${res} in [${v.umin}, ${v.umax}]`);
    }
  }
});

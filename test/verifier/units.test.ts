// Unit checks of the verifier's building blocks and of hand-written bytecode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tnum, tnumAdd, tnumAnd, tnumConst, tnumIn, tnumMul, tnumRange, tnumUnknown } from '../../src/verifier/tnum.js';
import { verify, VerifierError } from '../../src/verifier/index.js';
import { assemble } from '../../src/isa/asm.js';
import { BPF_PROG_TYPE_XDP } from '../../src/uapi/bpf_func.js';
import { EACCES, EINVAL } from '../../src/uapi/errno.js';

test('tnum arithmetic follows tnum.c', () => {
  assert.deepEqual(tnumRange(0n, 7n), { value: 0n, mask: 7n });
  assert.deepEqual(tnumAdd(tnumConst(3n), tnumConst(4n)), tnumConst(7n));
  assert.deepEqual(tnumAnd(tnumUnknown, tnumConst(0xf0n)), { value: 0n, mask: 0xf0n });
  assert.deepEqual(tnumMul(tnumConst(6n), tnumConst(7n)), tnumConst(42n));
  assert.ok(tnumIn(tnumRange(0n, 15n), tnumConst(9n)));
  assert.ok(!tnumIn(tnumConst(9n), tnumRange(0n, 15n)));
});

/** tnum.c's tnum_mul on 64-bit bigints, bit by bit: the reference for the 32-bit-halves loop */
function tnumMulRef(a: Tnum, b: Tnum): Tnum {
  const u = (x: bigint): bigint => BigInt.asUintN(64, x);
  let accM = tnumConst(0n);
  let av = a.value, am = a.mask, bv = b.value, bm = b.mask;
  while (av || am) {
    if (av & 1n) accM = tnumAdd(accM, { value: 0n, mask: bm });
    else if (am & 1n) accM = tnumAdd(accM, { value: 0n, mask: bv | bm });
    av >>= 1n; am >>= 1n; bv = u(bv << 1n); bm = u(bm << 1n);
  }
  return tnumAdd(tnumConst(u(a.value * b.value)), accM);
}

test('tnum_mul on 32-bit halves equals the bit-by-bit bigint loop (carries across bit 31/32, sign bits, unknowns)', () => {
  let seed = 0x9e3779b9;
  const rnd32 = (): bigint => { seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return BigInt(seed); };
  const shapes = [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0x7fff_ffffn];
  const rndTnum = (): Tnum => {
    const pick = (): bigint => {
      const k = Number(rnd32() % 4n);
      if (k === 0) return shapes[Number(rnd32() % BigInt(shapes.length))]!;
      if (k === 1) return rnd32() & 0xffn;
      return (rnd32() << 32n) | rnd32();
    };
    const mask = pick(), value = pick() & ~mask & 0xffff_ffff_ffff_ffffn;
    return { value, mask };
  };
  for (let i = 0; i < 5000; i++) {
    const a = rndTnum(), b = rndTnum();
    assert.deepEqual(tnumMul(a, b), tnumMulRef(a, b), `tnum_mul(${a.value}/${a.mask}, ${b.value}/${b.mask})`);
  }
  assert.deepEqual(tnumMul(tnumRange(0n, 0xffn), tnumConst(0x1_0000_0001n)), tnumMulRef(tnumRange(0n, 0xffn), tnumConst(0x1_0000_0001n)));
});

const run = (src: string) => verify({ insns: assemble(src), progType: BPF_PROG_TYPE_XDP, gpl: true, maps: [] });
const rejects = (src: string, msg: string, errno: number) => {
  assert.throws(() => run(src), (e: unknown) => e instanceof VerifierError && e.message === msg && e.errno === -errno);
};

test('checkCfg: jump out of range, unreachable, last insn', () => {
  rejects('mov %r0, 0\nja +5\nexit', 'jump out of range from insn 1 to 7', EINVAL);
  rejects('mov %r0, 0\nexit\nmov %r0, 1\nexit', 'unreachable insn 2', EINVAL);
  rejects('mov %r0, 0', 'last insn is not an exit or jmp', EINVAL);
});

test('bounds from a branch make a bounded stack access safe', () => {
  const ok = run(`
    mov %r2, %r10
    add %r2, -8
    stdw [%r10-8], 0
    ldxw %r1, [%r1+12]
    jgt %r1, 7, out
    add %r2, %r1
    ldxb %r0, [%r2+0]
    exit
out:
    mov %r0, 0
    exit`);
  assert.match(ok.log, /processed \d+ insns \(limit 1000000\)/);
  rejects(`
    mov %r2, %r10
    add %r2, -8
    ldxw %r1, [%r1+12]
    jgt %r1, 8, out
    add %r2, %r1
    ldxb %r0, [%r2+0]
    exit
out:
    mov %r0, 0
    exit`, 'invalid variable-offset read from stack R2 var_off=(0x0; 0xf) off=-8 size=1', EINVAL); // the end past fp: EINVAL (corpus stack_var_off_past_top)
});

test('a bounded loop is simulated; a non-terminating one hits the infinite-loop check', () => {
  run(`
    mov %r0, 0
    mov %r1, 0
top:
    add %r0, %r1
    add %r1, 1
    jlt %r1, 10, top
    exit`);
  rejects('mov %r0, 0\ntop:\nmov %r0, 0\nja top', 'infinite loop detected at insn 1', EINVAL);
});

// Precision backtracking (mark_chain_precision): a checkpoint at `join` is
// reached with R7 = 1 first, then with R7 = 0. Only the scalars a decided
// branch depended on become precise there; an imprecise one prunes as equal.
const JOIN_PREFIX = `
    ldxw %r6, [%r1+0]
    mov %r7, 0
    mov %r0, 0
    mov %r0, 0
    mov %r0, 0
    ja +0
    mov %r0, 0
    jgt %r6, 10, join
    mov %r7, 1
join:`;

test('precision: a scalar no decision depended on does not stop pruning', () => {
  const v = run(`${JOIN_PREFIX}
    mov %r8, 5
    jgt %r8, 3, +1
    mov %r0, 1
    mov %r0, %r7
    exit`);
  // the second path is pruned at join (13 + 1 insns; marking R7 precise too would take 17)
  assert.equal(v.stats.processedInsns, 14);
});

test('precision: a decision on a copy of the scalar keeps its checkpoint exact', () => {
  rejects(`${JOIN_PREFIX}
    mov %r8, %r7
    jgt %r8, 0, +1
    mov %r0, %r5
    mov %r0, 0
    exit`, 'R5 !read_ok', EACCES);
});

test('precision: backtracking follows a spill and fill through the stack', () => {
  rejects(`${JOIN_PREFIX}
    stxdw [%r10-8], %r7
    mov %r7, 0
    ldxdw %r8, [%r10-8]
    add %r8, 0
    jgt %r8, 0, +1
    mov %r0, %r5
    mov %r0, 0
    exit`, 'R5 !read_ok', EACCES);
  // paths that differ only in a spilled constant: the slot must be precise at join
  rejects(`
    ldxw %r6, [%r1+0]
    mov %r0, 0
    mov %r0, 0
    mov %r0, 0
    ja +0
    mov %r0, 0
    jgt %r6, 10, +2
    stdw [%r10-8], 1
    ja join
    stdw [%r10-8], 0
join:
    ldxdw %r8, [%r10-8]
    jgt %r8, 0, +1
    mov %r0, %r5
    mov %r0, 0
    exit`, 'R5 !read_ok', EACCES);
});

test('precision: linked scalars prune only against equally linked ones (check_scalar_ids)', () => {
  // R3 is a copy of R2 on the first path (the bound on R2 bounds it), an
  // independent value on the second: join must not prune the second
  assert.throws(() => run(`
    stdw [%r10-8], 0
    ldxw %r6, [%r1+0]
    ldxw %r2, [%r1+12]
    mov %r0, 0
    mov %r0, 0
    ja +0
    mov %r0, 0
    jgt %r6, 10, +2
    mov %r3, %r2
    ja join
    ldxw %r3, [%r1+16]
join:
    jgt %r2, 7, out
    mov %r4, %r10
    add %r4, -8
    add %r4, %r3
    ldxb %r0, [%r4+0]
    exit
out:
    mov %r0, 0
    exit`), (e: unknown) => e instanceof VerifierError && e.message === 'invalid unbounded variable-offset read from stack R4');
});

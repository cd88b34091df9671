// Unit checks of the verifier's building blocks and of hand-written bytecode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tnumAdd, tnumAnd, tnumConst, tnumIn, tnumMul, tnumRange, tnumUnknown } from '../../src/verifier/tnum.js';
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

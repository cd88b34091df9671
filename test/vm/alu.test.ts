// ALU/ALU64 semantics against the kernel's (core.c plus the verifier's
// division fixups), one program per edge case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.js';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

const cases: [string, string, bigint][] = [
  ['add64 carries into the high word', 'lddw %r0, 0xffffffff\nadd %r0, 1\nexit', 0x1_0000_0000n],
  ['add64 imm is sign-extended', 'mov %r0, 0\nadd %r0, -1\nexit', U64(-1n)],
  ['sub64 borrows', 'lddw %r0, 0x100000000\nsub %r0, 1\nexit', 0xffffffffn],
  ['add32 wraps and zero-extends', 'lddw %r0, 0xffffffffffffffff\nadd32 %r0, 2\nexit', 1n],
  ['mul64 full 64-bit product', 'lddw %r0, 0xff51afd7ed558ccd\nlddw %r1, 0x9e3779b97f4a7c15\nmul %r0, %r1\nexit',
    U64(0xff51afd7ed558ccdn * 0x9e3779b97f4a7c15n)],
  ['mul64 by negative imm', 'mov %r0, 3\nmul %r0, -2\nexit', U64(-6n)],
  ['mul32 truncates', 'mov %r0, 0x10000\nmul32 %r0, 0x10001\nexit', 0x10000n],
  ['div64 by zero register gives 0', 'mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit', 0n],
  ['div64 unsigned, imm sign-extended', 'lddw %r0, 0xffffffffffffffff\ndiv %r0, -1\nexit', 1n],
  ['div64 large unsigned', 'lddw %r0, 0xfffffffffffffffe\nmov %r1, 3\ndiv %r0, %r1\nexit', 0xfffffffffffffffen / 3n],
  ['mod64 by zero leaves the dividend', 'lddw %r0, 0x123456789\nmov %r1, 0\nmod %r0, %r1\nexit', 0x123456789n],
  ['mod32 by zero zero-extends the dividend', 'lddw %r0, 0xffffffff00000005\nmov %r1, 0\nmod32 %r0, %r1\nexit', 5n],
  ['div32 by zero gives 0', 'lddw %r0, 0xffffffff00000005\nmov %r1, 0\ndiv32 %r0, %r1\nexit', 0n],
  ['div32 is unsigned', 'mov32 %r0, -2\ndiv32 %r0, 2\nexit', 0x7fffffffn],
  ['sdiv64 INT64_MIN / -1 = INT64_MIN', 'lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit', 0x8000000000000000n],
  ['sdiv64 truncates toward zero', 'mov %r0, -7\nsdiv %r0, 2\nexit', U64(-3n)],
  ['sdiv64 beyond 32 bits', 'lddw %r0, -0x100000000\nmov %r1, 3\nsdiv %r0, %r1\nexit', U64(-0x100000000n / 3n)],
  ['smod64 INT64_MIN % -1 = 0', 'lddw %r0, 0x8000000000000000\nsmod %r0, -1\nexit', 0n],
  ['smod64 sign follows the dividend', 'mov %r0, -7\nsmod %r0, 3\nexit', U64(-1n)],
  ['smod64 by zero leaves the dividend', 'mov %r0, -7\nmov %r1, 0\nsmod %r0, %r1\nexit', U64(-7n)],
  ['sdiv32 INT32_MIN / -1', 'mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit', 0x80000000n],
  ['smod32 by zero zero-extends', 'mov %r0, -7\nmov %r1, 0\nsmod32 %r0, %r1\nexit', 0xfffffff9n],
  ['lsh64 masks the count to 63', 'mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1\nexit', 2n],
  ['lsh64 across words', 'mov %r0, 3\nlsh %r0, 31\nexit', 3n << 31n],
  ['rsh64 is logical', 'mov %r0, -1\nrsh %r0, 60\nexit', 0xfn],
  ['arsh64 is arithmetic', 'mov %r0, -16\narsh %r0, 2\nexit', U64(-4n)],
  ['arsh64 by 40', 'lddw %r0, 0x8000000000000000\narsh %r0, 40\nexit', U64(-(1n << 23n))],
  ['lsh32 masks the count to 31', 'mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1\nexit', 2n],
  ['arsh32 then zero-extends', 'mov32 %r0, 0x80000000\narsh32 %r0, 4\nexit', 0xf8000000n],
  ['neg64', 'mov %r0, 5\nneg %r0\nexit', U64(-5n)],
  ['neg64 of 0', 'mov %r0, 0\nneg %r0\nexit', 0n],
  ['neg32 zero-extends', 'mov %r0, 5\nneg32 %r0\nexit', 0xfffffffbn],
  ['mov32 zero-extends', 'mov %r0, -1\nmov32 %r0, %r0\nexit', 0xffffffffn],
  ['mov64 imm sign-extends', 'mov %r0, -1\nexit', U64(-1n)],
  ['movsx864', 'mov %r1, 0x80\nmovsx864 %r0, %r1\nexit', U64(-128n)],
  ['movsx1664', 'mov %r1, 0x8000\nmovsx1664 %r0, %r1\nexit', U64(-32768n)],
  ['movsx3264', 'mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit', U64(-0x80000000n)],
  ['movsx832 zero-extends the 32-bit result', 'mov %r1, 0xff\nmovsx832 %r0, %r1\nexit', 0xffffffffn],
  ['be16 swaps and truncates', 'lddw %r0, 0x1122334455667788\nbe16 %r0\nexit', 0x8877n],
  ['be32', 'lddw %r0, 0x1122334455667788\nbe32 %r0\nexit', 0x88776655n],
  ['be64', 'lddw %r0, 0x1122334455667788\nbe64 %r0\nexit', 0x8877665544332211n],
  ['le16 truncates', 'lddw %r0, 0x1122334455667788\nle16 %r0\nexit', 0x7788n],
  ['le32 truncates', 'lddw %r0, 0x1122334455667788\nle32 %r0\nexit', 0x55667788n],
  ['le64 is a no-op', 'lddw %r0, 0x1122334455667788\nle64 %r0\nexit', 0x1122334455667788n],
  ['bswap16 (ALU64)', 'lddw %r0, 0x1122334455667788\nswap16 %r0\nexit', 0x8877n],
  ['bswap64 (ALU64)', 'lddw %r0, 0x1122334455667788\nswap64 %r0\nexit', 0x8877665544332211n],
  ['or/and/xor with negative imm', 'mov %r0, 0\nor %r0, -2\nand %r0, -4\nxor %r0, 1\nexit', U64(-3n)],
];

for (const [name, src, want] of cases) {
  test(name, () => {
    assert.equal(run(src), want);
  });
}

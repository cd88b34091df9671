import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { AsmError, assemble, assembleProgram, asmSection } from '../../src/isa/asm.js';
import { encode, imm64At } from '../../src/isa/insn.js';
import { conformanceFiles, readConformance } from './conformance-files.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// [our syntax, llvm-mc syntax, encoding recorded from `llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding`]
const ENCODINGS: [string, string, string][] = [
  ['mov %r0, 1', 'r0 = 1', 'b700000001000000'],
  ['add32 %r0, -3', 'w0 += -3', '04000000fdffffff'],
  ['ldxw %r0, [%r1+4]', 'r0 = *(u32 *)(r1 + 4)', '6110040000000000'],
  ['stxdw [%r10-8], %r0', '*(u64 *)(r10 - 8) = r0', '7b0af8ff00000000'],
  ['stb [%r1+2], 7', '*(u8 *)(r1 + 2) = 7', '7201020007000000'],
  ['lddw %r0, 0x123456789abcdef0', 'r0 = 0x123456789abcdef0 ll', '18000000f0debc9a0000000078563412'],
  ['ldxsb %r0, [%r1]', 'r0 = *(s8 *)(r1 + 0)', '9110000000000000'],
  ['ldxsw %r3, [%r2-6]', 'r3 = *(s32 *)(r2 - 6)', '8123faff00000000'],
  ['movsx1632 %r1, %r2', 'w1 = (s16)w2', 'bc21100000000000'],
  ['movsx3264 %r1, %r2', 'r1 = (s32)r2', 'bf21200000000000'],
  ['movsx864 %r1, %r2', 'r1 = (s8)r2', 'bf21080000000000'],
  ['be16 %r0', 'r0 = be16 r0', 'dc00000010000000'],
  ['le32 %r0', 'r0 = le32 r0', 'd400000020000000'],
  ['bswap64 %r0', 'r0 = bswap64 r0', 'd700000040000000'],
  ['swap16 %r0', 'r0 = bswap16 r0', 'd700000010000000'],
  ['neg %r1', 'r1 = -r1', '8701000000000000'],
  ['neg32 %r1', 'w1 = -w1', '8401000000000000'],
  ['jne %r0, %r1, +3', 'if r0 != r1 goto +3', '5d10030000000000'],
  ['jsgt32 %r0, -1, -2', 'if w0 s> -1 goto -2', '6600feffffffffff'],
  ['ja +2', 'goto +2', '0500020000000000'],
  ['ja32 +5', 'gotol +5', '0600000005000000'],
  ['call 5', 'call 5', '8500000005000000'],
  ['callx %r1', 'callx r1', '8d01000000000000'],
  ['lock add [%r10-8], %r1', 'lock *(u64 *)(r10 - 8) += r1', 'db1af8ff00000000'],
  ['lock fetch add [%r10-8], %r1', 'r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)', 'db1af8ff01000000'],
  ['lock fetch xor32 [%r10-8], %r1', 'w1 = atomic_fetch_xor((u32 *)(r10 - 8), w1)', 'c31af8ffa1000000'],
  ['lock and32 [%r10-4], %r1', 'lock *(u32 *)(r10 - 4) &= w1', 'c31afcff50000000'],
  ['lock xchg [%r10-8], %r1', 'r1 = xchg_64(r10 - 8, r1)', 'db1af8ffe1000000'],
  ['lock xchg32 [%r10-8], %r1', 'w1 = xchg32_32(r10 - 8, w1)', 'c31af8ffe1000000'],
  ['lock cmpxchg [%r10-8], %r1', 'r0 = cmpxchg_64(r10 - 8, r0, r1)', 'db1af8fff1000000'],
  ['lock cmpxchg32 [%r10-8], %r1', 'w0 = cmpxchg32_32(r10 - 8, w0, w1)', 'c31af8fff1000000'],
  ['sdiv %r0, 3', 'r0 s/= 3', '3700010003000000'],
  ['smod32 %r0, %r1', 'w0 s%= w1', '9c10010000000000'],
  ['mod %r2, %r3', 'r2 %= r3', '9f32000000000000'],
  ['arsh32 %r4, 7', 'w4 s>>= 7', 'c404000007000000'],
  ['exit', 'exit', '9500000000000000'],
];

test('assembler encodings match llvm-mc (recorded)', () => {
  for (const [src, , want] of ENCODINGS) {
    assert.equal(hex(encode(assemble(src))), want, src);
  }
});

test('recorded encodings still match llvm-mc-19 on this machine', (t) => {
  if (spawnSync('llvm-mc-19', ['--version']).status !== 0) {
    t.skip('llvm-mc-19 not installed');
    return;
  }
  const out = execFileSync('llvm-mc-19', ['-triple', 'bpfel', '-mcpu=v4', '-show-encoding'], {
    input: ENCODINGS.map((e) => e[1]).join('\n') + '\n',
  }).toString();
  const got = [...out.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) => m[1]!.split(',').map((b) => b.slice(2)).join(''));
  assert.deepEqual(got, ENCODINGS.map((e) => e[2]));
});

test('lddw matches the -- raw section of lddw.data', (t) => {
  const files = conformanceFiles();
  if (!files) { t.skip('conformance suite not found'); return; }
  const text = readConformance('lddw.data');
  const raw = /-- raw\n([\s\S]*?)\n--/.exec(text)![1]!.trim().split('\n').map((l) => BigInt(l.trim()));
  const insns = assemble(asmSection(text)!);
  const bytes = encode(insns);
  const dv = new DataView(bytes.buffer);
  assert.deepEqual(raw, insns.map((_, i) => dv.getBigUint64(i * 8, true)));
});

test('labels resolve to relative offsets (off, and imm for ja32 / call local)', () => {
  const p = assembleProgram(`
    mov %r0, 0   # comment
    jeq %r0, 0, out
    call local f
    lddw %r1, 1
  back: ja32 out
    ja back
  out:
    exit
  f:
    mov %r0, 7
    exit
  `);
  const i = p.insns;
  assert.equal(i[1]!.off, 7 - 1 - 1, 'jeq -> out');
  assert.equal(i[2]!.src, 1);
  assert.equal(i[2]!.imm, 8 - 2 - 1, 'call local f');
  assert.equal(i[5]!.imm, 7 - 5 - 1, 'ja32 -> out');
  assert.equal(i[5]!.off, 0);
  assert.equal(i[6]!.off, -2, 'ja back');
  assert.equal(imm64At(i, 3), 1n);
  assert.equal(p.labels.get('f'), 8);
  assert.deepEqual(p.lines.slice(3, 5), [5, 5], 'both lddw slots carry the source line');
});

test("a jump to 'exit' with no such label goes to the first exit (bpf_conformance rule)", () => {
  const i = assemble('ja exit\nmov %r0, 1\nexit\nexit');
  assert.equal(i[0]!.off, 1);
  const j = assemble('ja exit\nexit\nexit:\nexit');
  assert.equal(j[0]!.off, 1, 'an explicit label wins');
});

test('numbers: hex, negative, unsigned 32-bit, 64-bit lddw', () => {
  assert.equal(assemble('mov32 %r1, 0x87654321')[0]!.imm, 0x87654321 | 0);
  assert.equal(assemble('mov %r1, -2147483648')[0]!.imm, -2147483648);
  assert.equal(imm64At(assemble('lddw %r0, -1'), 0), 0xffffffffffffffffn);
  assert.equal(imm64At(assemble('lddw %r0, 0xFFFFFFFFFFFFFFFF'), 0), 0xffffffffffffffffn);
});

test('bad input gives AsmError with line number and text', () => {
  const cases: [string, number, RegExp][] = [
    ['mov %r0, 1\nfrob %r1', 2, /unknown mnemonic 'frob'/],
    ['mov %r16, 1', 1, /register/],
    ['mov %r0', 1, /takes 2 operands/],
    ['mov %r0, 0x100000000', 1, /32 bits/],
    ['lddw %r0, 0x10000000000000000', 1, /64 bits/],
    ['ldxw %r0, %r1', 1, /memory operand/],
    ['ldxw %r0, [%r1+40000]', 1, /16 bits/],
    ['\n\nja nowhere', 3, /undefined label 'nowhere'/],
    ['a:\na:\nexit', 2, /duplicate label/],
    ['lock frob [%r1], %r2', 1, /atomic operation/],
    ['call local', 1, /call/],
    ['ja +40000', 1, /16 bits/],
    ['ldxsdw %r0, [%r1]', 1, /unknown mnemonic/],
    ['mov %r0, 1,', 1, /empty operand/],
    ['add %r0, abc', 1, /immediate/],
  ];
  for (const [src, line, re] of cases) {
    assert.throws(() => assemble(src), (e: unknown) => {
      assert.ok(e instanceof AsmError, `${src}: ${String(e)}`);
      assert.equal(e.line, line, src);
      assert.match(e.message, re);
      assert.ok(e.message.includes(`'${src.split('\n')[line - 1]!.trim()}'`), e.message);
      return true;
    });
  }
});

test('every conformance asm section assembles', (t) => {
  const files = conformanceFiles();
  if (!files) { t.skip('conformance suite not found'); return; }
  assert.ok(files.length >= 300, `found ${files.length} files`);
  for (const f of files) {
    const src = asmSection(readConformance(f));
    assert.ok(src !== undefined, `${f} has an asm section`);
    const insns = assemble(src);
    assert.ok(insns.length > 0, f);
  }
});

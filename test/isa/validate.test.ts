import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, asmSection } from '../../src/isa/asm.js';
import { decode, encode, insn, ldImm64, InsnError, type Insn } from '../../src/isa/insn.js';
import { insnTarget, knownOpcodes, opcodeInfo, validateProgram } from '../../src/isa/validate.js';
import { conformanceFiles, readConformance } from './conformance-files.js';

const FIX = fileURLToPath(new URL('../../../test/isa/fixtures/', import.meta.url));
const RET0 = [insn(0xb7, 0, 0, 0, 0), insn(0x95)];

// [name, program, index of the offending slot, message pattern]
const BAD: [string, Insn[], number, RegExp][] = [
  ['empty program', [], -1, /empty program/],
  ['unknown opcode (alu64 op 0xf0)', [insn(0xff, 0), ...RET0], 0, /unknown opcode ff/],
  ['unknown opcode (jmp32 call)', [insn(0x86, 0, 0, 0, 1), ...RET0], 0, /unknown opcode 86/],
  ['unknown opcode (alu64 neg|x)', [insn(0x8f, 0, 1), ...RET0], 0, /unknown opcode 8f/],
  ['unknown opcode (alu64 end|x)', [insn(0xdf, 0, 0, 0, 16), ...RET0], 0, /unknown opcode df/],
  ['reserved src in mov imm', [insn(0xb7, 0, 1, 0, 0), insn(0x95)], 0, /reserved fields: src_reg 1/],
  ['reserved off in add', [insn(0xb7, 0, 0, 0, 0), insn(0x07, 0, 0, 1, 1), insn(0x95)], 1, /reserved fields: off 1/],
  ['reserved imm in add reg', [insn(0xb7, 0, 0, 0, 0), insn(0x0f, 0, 0, 0, 1), insn(0x95)], 1, /reserved fields: imm 1/],
  ['reserved imm in exit', [insn(0xb7, 0), insn(0x95, 0, 0, 0, 1)], 1, /reserved fields: imm 1/],
  ['reserved dst in ja', [insn(0x05, 1, 0, 0, 0), ...RET0], 0, /reserved fields: dst_reg 1/],
  ['reserved imm in ja', [insn(0x05, 0, 0, 0, 1), ...RET0], 0, /reserved fields: imm 1/],
  ['reserved off in gotol', [insn(0x06, 0, 0, 1, 0), ...RET0], 0, /reserved fields: off 1/],
  ['reserved off in helper call', [insn(0x85, 0, 0, 1, 5), ...RET0], 0, /reserved fields: off 1/],
  ['bad call src', [insn(0x85, 0, 3, 0, 5), ...RET0], 0, /src_reg 3/],
  ['dst register 11', [insn(0xb7, 11, 0, 0, 0), ...RET0], 0, /R11 is invalid/],
  ['src register 12', [insn(0xbf, 0, 12), ...RET0], 0, /R12 is invalid/],
  ['write to r10 (mov)', [insn(0xb7, 10, 0, 0, 0), ...RET0], 0, /frame pointer is read only/],
  ['write to r10 (ldx)', [insn(0x79, 10, 10, -8, 0), ...RET0], 0, /frame pointer is read only/],
  ['write to r10 (lddw)', [...ldImm64(10, 1n), ...RET0], 0, /frame pointer is read only/],
  ['write to r10 (atomic fetch src)', [insn(0x7a, 10, 0, -8, 0), insn(0xdb, 10, 10, -8, 0x01), ...RET0], 1, /frame pointer is read only/],
  ['lddw missing second slot', [...RET0, insn(0x18, 0, 0, 0, 1)], 2, /second slot missing/],
  ['lddw second slot nonzero code', [insn(0x18, 0, 0, 0, 1), insn(0x95), insn(0x95)], 1, /second slot must have code/],
  ['lddw second slot nonzero off', [insn(0x18, 0, 0, 0, 1), insn(0, 0, 0, 1, 0), insn(0x95)], 1, /second slot/],
  ['lddw bad pseudo src', [...ldImm64(0, 1n, 7), insn(0x95)], 0, /unknown pseudo src_reg 7/],
  ['jump past the end', [insn(0x05, 0, 0, 5), ...RET0], 0, /jump out of range from insn 0 to 6/],
  ['jump before the start', [...RET0.slice(0, 1), insn(0x15, 0, 0, -3, 0), insn(0x95)], 1, /jump out of range from insn 1 to -1/],
  ['jump into lddw second slot', [insn(0x05, 0, 0, 1), ...ldImm64(0, 1n), insn(0x95)], 0, /middle of ld_imm64/],
  ['gotol out of range', [insn(0x06, 0, 0, 0, 100), ...RET0], 0, /jump out of range from insn 0 to 101/],
  ['call local out of range', [insn(0x85, 0, 1, 0, 10), ...RET0], 0, /jump out of range from insn 0 to 11/],
  ['fall through the end', [insn(0xb7, 0, 0, 0, 0)], 0, /last insn is not an exit or jmp/],
  ['conditional jump last', [insn(0xb7, 0, 0, 0, 0), insn(0x15, 0, 0, -2, 0)], 1, /last insn is not an exit or jmp/],
  ['lddw last', [insn(0xb7, 0, 0, 0, 0), ...ldImm64(1, 5n)], 1, /last insn is not an exit or jmp/],
  ['subprogram falls through', [insn(0x85, 0, 1, 0, 2), ...RET0, insn(0xb7, 0, 0, 0, 1)], 3, /last insn is not an exit or jmp/],
  ['main falls into a subprogram', [insn(0x85, 0, 1, 0, 1), insn(0xb7, 0, 0, 0, 0), ...RET0], 1, /last insn is not an exit or jmp/],
  ['jump across a subprogram boundary', [insn(0x85, 0, 1, 0, 2), insn(0x05, 0, 0, 2), insn(0x95), ...RET0], 1, /jump out of range from insn 1 to 4/],
  ['atomic sub is not an atomic op', [insn(0x7a, 10, 0, -8, 0), insn(0xdb, 10, 1, -8, 0x10), ...RET0], 1, /invalid atomic opcode 10/],
  ['atomic add on u8', [insn(0x7a, 10, 0, -8, 0), insn(0xd3, 10, 1, -8, 0x00), ...RET0], 1, /invalid atomic opcode 00/],
  ['cmpxchg without fetch', [insn(0x7a, 10, 0, -8, 0), insn(0xdb, 10, 1, -8, 0xf0), ...RET0], 1, /invalid atomic opcode f0/],
  ['sdiv with off 2', [insn(0xb7, 0, 0, 0, 1), insn(0x37, 0, 0, 2, 3), insn(0x95)], 1, /off 2 not allowed for div/],
  ['smod32 reg with off 3', [insn(0xb7, 0, 0, 0, 1), insn(0x9c, 0, 0, 3, 0), insn(0x95)], 1, /off 3 not allowed for mod32/],
  ['movsx with off 7', [insn(0xb7, 1, 0, 0, 1), insn(0xbf, 0, 1, 7), insn(0x95)], 1, /off 7 not allowed for mov/],
  ['movsx32 from s32', [insn(0xb7, 1, 0, 0, 1), insn(0xbc, 0, 1, 32), insn(0x95)], 1, /off 32 not allowed for mov32/],
  ['movsx with an immediate', [insn(0xb7, 0, 0, 8, 1), insn(0x95)], 0, /off 8 not allowed for mov/],
  ['bswap width 8', [insn(0xb7, 0, 0, 0, 1), insn(0xd7, 0, 0, 0, 8), insn(0x95)], 1, /imm 8 not allowed for bswap/],
  ['be with off', [insn(0xb7, 0, 0, 0, 1), insn(0xdc, 0, 0, 1, 16), insn(0x95)], 1, /off 1 not allowed for be/],
  ['malformed field', [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 ** 40 }, insn(0x95)], 0, /malformed/],
];

test('validateProgram rejects each error class with the instruction index', () => {
  for (const [name, prog, idx, re] of BAD) {
    assert.throws(() => validateProgram(prog), (e: unknown) => {
      assert.ok(e instanceof InsnError, `${name}: ${String(e)}`);
      assert.equal(e.insnIndex, idx < 0 ? undefined : idx, `${name}: ${e.message}`);
      if (idx >= 0) assert.ok(e.message.startsWith(`insn ${idx}: `), `${name}: ${e.message}`);
      assert.match(e.message, re, name);
      return true;
    }, name);
  }
});

test('validateProgram accepts every conformance program and the kernel-accepted fixtures', (t) => {
  for (const bin of ['kinds.bin', 'clang-kinds.bin', 'extra.bin']) {
    validateProgram(decode(new Uint8Array(readFileSync(FIX + bin))));
  }
  const files = conformanceFiles();
  if (!files) { t.skip('conformance suite not found'); return; }
  for (const f of files) validateProgram(assemble(asmSection(readConformance(f))!));
});

test('valid corner cases', () => {
  validateProgram([insn(0x05, 0, 0, -1)]); // an infinite loop is structurally fine
  validateProgram([insn(0x06, 0, 0, 0, -1)]); // gotol
  validateProgram([...ldImm64(1, 0n, 4), insn(0x95), insn(0x95)].map((x, i) => (i === 0 ? { ...x, imm: 2 } : x))); // callback at 3
  validateProgram(assemble('lsh32 %r0, 60\ndiv %r0, 0\nexit')); // value rules belong to the verifier
  validateProgram([insn(0x8d, 1), ...RET0]); // callx with the target in dst
  validateProgram([insn(0x85, 0, 2, 1, 1234), ...RET0]); // kfunc with module BTF in off
});

test('opcodeInfo table', () => {
  assert.equal(opcodeInfo(0xb7)?.name, 'mov');
  assert.equal(opcodeInfo(0xbc)?.is32, true);
  assert.equal(opcodeInfo(0x61)?.size, 4);
  assert.equal(opcodeInfo(0x18)?.kind, 'lddw');
  assert.equal(opcodeInfo(0x8f), undefined);
  assert.equal(opcodeInfo(0x00), undefined);
  const codes = knownOpcodes().map((o) => o.code);
  assert.equal(new Set(codes).size, codes.length);
  // every mnemonic the assembler emits has a row
  for (const src of ['mov %r0, 1', 'ldxsw %r0, [%r1]', 'lock fetch xor32 [%r1], %r2', 'ja32 +0', 'call local +0', 'be64 %r1', 'ldindh %r1, 2']) {
    assert.ok(opcodeInfo(assemble(src)[0]!.code), src);
  }
  const p = assemble('ja +1\nexit\njeq %r0, 1, -3\ncall local -2\nexit');
  assert.deepEqual([0, 1, 2, 3].map((i) => insnTarget(p, i)), [2, undefined, 0, 2]);
});

test('the kernel rejects every program validateProgram rejects', (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root for bpf()'); return; }
  if (spawnSync('gcc', ['--version']).status !== 0) { t.skip('needs gcc to build the raw loader'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-isa-'));
  const loader = join(dir, 'loadraw');
  execFileSync('gcc', ['-O2', '-o', loader, FIX + 'loadraw.c']);
  const ok = spawnSync(loader, [FIX + 'kinds.bin', '1']);
  if (ok.status !== 0) { t.skip(`bpf() is not usable here: ${ok.stdout.toString().split('\n').at(-2)}`); return; }
  for (const [name, prog] of BAD) {
    if (name === 'malformed field') continue; // not encodable
    const file = join(dir, 'p.bin');
    writeFileSync(file, encode(prog));
    const r = spawnSync(loader, [file, '1']);
    assert.equal(r.status, 1, `${name}: kernel accepted it\n${r.stdout.toString()}`);
  }
});

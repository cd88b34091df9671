import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsmError, assemble } from '../../src/isa/asm.js';
import { decode, InsnError } from '../../src/isa/insn.js';
import { disassemble } from '../../src/isa/disasm.js';
import { validateProgram } from '../../src/isa/validate.js';

// xorshift32, so failures reproduce
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

test('random bytecode: validate/disassemble throw only InsnError', () => {
  const r = rng(0x5eed);
  for (let n = 0; n < 3000; n++) {
    const bytes = new Uint8Array(8 * (1 + (r() % 6)));
    for (let i = 0; i < bytes.length; i++) bytes[i] = r() & 0xff;
    // bias toward real opcodes sometimes
    if (n % 2) for (let i = 0; i < bytes.length; i += 8) bytes[i] = [0x18, 0xb7, 0x95, 0x05, 0x85, 0xdb, 0x61, 0x15][r() % 8]!;
    const insns = decode(bytes);
    for (const f of [() => validateProgram(insns), () => disassemble(insns)]) {
      try { f(); } catch (e) { assert.ok(e instanceof InsnError, String(e)); }
    }
  }
});

test('random source text: assemble throws only AsmError', () => {
  const r = rng(42);
  const words = ['mov', 'add32', 'ldxw', 'stxdw', 'lock', 'fetch', 'call', 'local', 'ja', 'ja32', 'jne', 'lddw', 'exit', '%r1', '%r10',
    '%r99', '[%r1+4]', '[%r1', ']', ',', '+', '-', '0x', '123', '-9999999999', 'label:', 'label', '#', ':', 'be16', 'movsx832', '\t'];
  for (let n = 0; n < 5000; n++) {
    const k = 1 + (r() % 6);
    const line = Array.from({ length: k }, () => words[r() % words.length]).join(r() % 2 ? ' ' : ', ');
    try { assemble(line + '\nexit'); } catch (e) { assert.ok(e instanceof AsmError, `${JSON.stringify(line)}: ${String(e)}`); }
  }
});

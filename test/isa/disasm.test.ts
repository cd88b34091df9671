import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assemble, asmSection } from '../../src/isa/asm.js';
import { decode, encode, insn, ldImm64, InsnError, type Insn } from '../../src/isa/insn.js';
import { disassemble, formatInsn } from '../../src/isa/disasm.js';
import { conformanceFiles, readConformance } from './conformance-files.js';

// Source fixtures (not copied to dist): dist/test/isa -> test/isa/fixtures
const FIX = fileURLToPath(new URL('../../../test/isa/fixtures/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(FIX + name);

interface KernelLine { idx: number; code: string; text: string }

/**
 * Instruction lines of a recorded verifier log (log_level 2): the
 * "Live regs before insn" listing (every insn once) and the walk
 * (`N: (code) text   ; state`), both in kernel/bpf/disasm.c's format.
 */
function kernelLines(log: string): { live: KernelLine[]; walk: KernelLine[] } {
  const live: KernelLine[] = [];
  const walk: KernelLine[] = [];
  for (const l of log.split('\n')) {
    let m = /^\s+(\d+): [0-9.]{10} \(([0-9a-f]{2})\) (.*)$/.exec(l);
    if (m) { live.push({ idx: Number(m[1]), code: m[2]!, text: m[3]! }); continue; }
    m = /^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+; .*)?$/.exec(l);
    if (m) walk.push({ idx: Number(m[1]), code: m[2]!, text: m[3]!.trimEnd() });
  }
  return { live, walk };
}

function checkAgainstKernel(binName: string, logName: string): void {
  const insns = decode(new Uint8Array(fixture(binName)));
  const log = fixture(logName).toString();
  assert.doesNotMatch(log, /BPF_PROG_LOAD: /, `${logName}: the kernel rejected the program when it was recorded`);
  const ours = new Map(disassemble(insns).map((l) => [Number(l.slice(0, l.indexOf(':'))), l]));
  const { live, walk } = kernelLines(log);
  assert.equal(live.length, ours.size, `${logName}: the live-regs listing covers every instruction`);
  assert.ok(walk.length >= ours.size / 2, `${logName}: parsed the verifier walk (${walk.length} lines)`);
  for (const k of [...live, ...walk]) {
    assert.equal(ours.get(k.idx), `${k.idx}: (${k.code}) ${k.text}`, `${logName} insn ${k.idx}`);
  }
}

test('disassembly matches the kernel verifier log: assembled kinds.s', () => {
  const bin = fixture('kinds.bin');
  assert.deepEqual(Buffer.from(encode(assemble(fixture('kinds.s').toString()))), bin, 'kinds.bin is what the assembler makes of kinds.s');
  checkAgainstKernel('kinds.bin', 'kinds.log');
});

test('disassembly matches the kernel verifier log: clang -mcpu=v4 program', () => {
  checkAgainstKernel('clang-kinds.bin', 'clang-kinds.log');
});

test('disassembly matches the kernel verifier log: load-acquire, store-release, may_goto', () => {
  checkAgainstKernel('extra.bin', 'extra.log');
});

test('formatInsn: kernel forms for calls, lddw, jumps, atomics', () => {
  const p: Insn[] = [
    insn(0x85, 0, 0, 0, 1),
    insn(0x85, 0, 1, 0, 5),
    insn(0x85, 0, 1, 0, -3),
    insn(0x85, 0, 2, 0, 12345),
    insn(0x85, 0, 0, 0, 9999),
    ...ldImm64(1, 0x123456789abcdef0n),
    ...ldImm64(2, 7n, 1),
    insn(0x25, 1, 0, 3, 5),
    insn(0x06, 0, 0, 0, -70000),
    insn(0xdb, 1, 0, 0, 0x01),
    insn(0x8d, 3),
    insn(0xbf, 1, 2, 1, 0x10001),
    insn(0xe7, 1, 0, 0, 0),
  ];
  const f = (i: number, o = {}): string => formatInsn(p, i, o);
  assert.equal(f(0), 'call bpf_map_lookup_elem#1');
  assert.equal(f(0, { helperName: (id: number) => (id === 1 ? 'my_lookup' : undefined) }), 'call my_lookup#1');
  assert.equal(f(1), 'call pc+5');
  assert.equal(f(2), 'call pc-3');
  assert.equal(f(3), 'call kernel-function#12345');
  assert.equal(f(3, { kfuncName: () => 'bpf_obj_new_impl' }), 'call bpf_obj_new_impl#12345');
  assert.equal(f(4), 'call unknown#9999');
  assert.equal(f(5), 'r1 = 0x123456789abcdef0');
  assert.equal(f(7), 'r2 = 0x7');
  assert.equal(f(7, { allowPtrLeaks: false }), 'r2 = 0x0');
  assert.equal(f(7, { immName: (_x: Insn, v: bigint) => `map[id:${v}]` }), 'r2 = map[id:7]');
  assert.equal(f(9), 'if r1 > 0x5 goto pc+3');
  assert.equal(f(10), 'gotol pc-70000');
  assert.equal(f(11), 'r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)');
  assert.equal(f(12), 'callx r3');
  assert.equal(f(13), 'r1 = addr_space_cast(r2, 1, 1)');
  assert.equal(f(14), 'BUG_alu_e7');
  assert.deepEqual(disassemble(p.slice(5, 9)), ['0: (18) r1 = 0x123456789abcdef0', '2: (18) r2 = 0x7']);
});

test('formatInsn: bad index and truncated lddw are InsnError', () => {
  assert.throws(() => formatInsn([], 0), InsnError);
  assert.throws(() => disassemble([insn(0x18, 1)]), InsnError);
});

test('round trip over the conformance suite: assemble -> encode -> decode -> disassemble', (t) => {
  const files = conformanceFiles();
  if (!files) { t.skip('conformance suite not found'); return; }
  for (const f of files) {
    const insns = assemble(asmSection(readConformance(f))!);
    const bytes = encode(insns);
    const back = decode(bytes);
    assert.deepEqual(back, insns, `${f}: decode(encode(x)) == x`);
    assert.deepEqual(encode(back), bytes);
    const lines = disassemble(back);
    const slots = back.length - back.filter((x) => x.code === 0x18).length;
    assert.equal(lines.length, slots, f);
    for (const l of lines) {
      assert.match(l, /^\d+: \([0-9a-f]{2}\) \S/, `${f}: ${l}`);
      assert.doesNotMatch(l, /BUG|undefined|NaN/, `${f}: ${l}`);
    }
  }
});

// Malformed bytecode fails cleanly, naming the slot: through validateProgram
// before a run, and in the interpreter itself when it runs unvalidated code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, InsnError, type Insn } from '../../src/isa/insn.js';
import { validateProgram } from '../../src/isa/validate.js';
import { VmError } from '../../src/vm/errors.js';
import { setup } from './helpers.js';

const EXIT = insn(0x95);
const MOV0 = insn(0xb7, 0, 0, 0, 1);

const bad: [string, Insn[], number, RegExp][] = [
  ['unknown opcode', [MOV0, insn(0xff), EXIT], 1, /unknown opcode/],
  ['bad dst register', [insn(0xb7, 11, 0, 0, 1), EXIT], 0, /invalid register/],
  ['bad src register', [insn(0xbf, 0, 12), EXIT], 0, /invalid register/],
  ['write to r10', [insn(0xb7, 10, 0, 0, 1), EXIT], 0, /read-only/],
  ['truncated lddw', [MOV0, insn(0x18, 0, 0, 0, 1)], 1, /truncated lddw/],
  ['jump out of range', [MOV0, insn(0x05, 0, 0, 5), EXIT], 1, /out of range/],
  ['jump backwards before 0', [insn(0x05, 0, 0, -3), EXIT], 0, /out of range/],
  ['call to a bad local target', [insn(0x85, 0, 1, 0, 100), EXIT], 0, /out of range/],
  ['jump into an lddw', [insn(0x05, 0, 0, 1), insn(0x18, 0, 0, 0, 1), insn(0), EXIT], 0, /out of range|middle/],
  ['bad byte swap width', [insn(0xdc, 0, 0, 0, 24), EXIT], 0, /byte swap width/],
  ['bad atomic op', [insn(0xdb, 10, 1, -8, 0x33), EXIT], 0, /atomic/],
];

// Valid for the kernel (socket filters) but not implemented by this engine:
// the interpreter refuses it cleanly.
const unsupported: [string, Insn[], number, RegExp][] = [
  ['kfunc call (src=2)', [insn(0x85, 0, 2, 0, 1), EXIT], 0, /kfunc/],
];
for (const [name, prog, at, msg] of unsupported) {
  test(`interpreter: ${name} -> VmError at insn ${at}`, () => {
    assert.throws(() => setup(prog).vm.run(0),
      (e: unknown) => e instanceof VmError && e.kind === 'invalid-insn' && e.pc === at && msg.test(e.message));
  });
}

// a legacy packet load runs (test/verifier/ld_abs.test.ts); without an skb in R6 it faults, it never reads garbage
test('interpreter: legacy packet load (BPF_LD | BPF_ABS) with no skb in R6 -> memory VmError at insn 0', () => {
  assert.throws(() => setup([insn(0x20, 0, 0, 0, 0), EXIT]).vm.run(0),
    (e: unknown) => e instanceof VmError && e.kind === 'memory' && e.pc === 0);
});

for (const [name, prog, at, msg] of bad) {
  test(`interpreter: ${name} -> VmError at insn ${at}`, () => {
    const s = setup(prog);
    let err: unknown;
    try { s.vm.run(0); } catch (e) { err = e; }
    assert.ok(err instanceof VmError, `got ${String(err)}`);
    assert.equal(err.kind, 'invalid-insn');
    assert.equal(err.pc, at);
    assert.match(err.message, msg);
  });
  test(`validateProgram: ${name} -> InsnError`, () => {
    assert.throws(() => validateProgram(prog), (e: unknown) => e instanceof InsnError && e.insnIndex !== undefined);
  });
}

test('falling off the end fails at the slot past the last one', () => {
  const s = setup([MOV0, insn(0x07, 0, 0, 0, 1)]);
  assert.throws(() => s.vm.run(0), (e: unknown) => e instanceof VmError && e.kind === 'invalid-insn' && e.pc === 2
    && /fell through/.test(e.message));
  assert.throws(() => validateProgram([MOV0, insn(0x07, 0, 0, 0, 1)]), InsnError);
});

test('a bad slot that is never reached does not stop the run', () => {
  assert.equal(setup([MOV0, EXIT, insn(0xff)]).vm.run(0), 1n);
});

test('bad run() arguments are typed errors', () => {
  const s = setup([MOV0, EXIT]);
  assert.throws(() => s.vm.run(5), (e: unknown) => e instanceof VmError && e.kind === 'entry');
  assert.throws(() => s.vm.run(-1), (e: unknown) => e instanceof VmError && e.kind === 'entry');
  assert.throws(() => s.vm.run(0, [1n, 2n, 3n, 4n, 5n, 6n]), (e: unknown) => e instanceof VmError && e.kind === 'entry');
  assert.throws(() => s.vm.run(0, [1 as unknown as bigint]), (e: unknown) => e instanceof VmError && e.kind === 'entry');
  assert.throws(() => setup([]).vm.run(0), (e: unknown) => e instanceof VmError && e.kind === 'entry');
});

test('callx with a register that is not a helper id fails cleanly', () => {
  const s = setup([insn(0xb7, 2, 0, 0, -1), insn(0x8d, 2), EXIT]);
  assert.throws(() => s.vm.run(0), (e: unknown) => e instanceof VmError && e.kind === 'helper' && e.pc === 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.js';

// Each program returns 1 when the branch is taken, 0 when not.
const br = (setup: string, cond: string): string => `${setup}\n${cond}, yes\nmov %r0, 0\nexit\nyes:\nmov %r0, 1\nexit`;

const cases: [string, string, string, bigint][] = [
  ['jgt is unsigned', 'mov %r1, -1', 'jgt %r1, 1', 1n],
  ['jsgt is signed', 'mov %r1, -1', 'jsgt %r1, 1', 0n],
  ['jlt imm is sign-extended to 64 bits', 'mov %r1, 5', 'jlt %r1, -1', 1n],
  ['jslt', 'mov %r1, -5', 'jslt %r1, -4', 1n],
  ['jsle equal', 'mov %r1, -4', 'jsle %r1, -4', 1n],
  ['jge high words', 'lddw %r1, 0x100000000', 'jge %r1, 0x7fffffff', 1n],
  ['jeq compares 64 bits', 'lddw %r1, 0x100000001', 'jeq %r1, 1', 0n],
  ['jeq32 compares the low word', 'lddw %r1, 0x100000001', 'jeq32 %r1, 1', 1n],
  ['jset', 'lddw %r1, 0x100000000', 'jset %r1, 1', 0n],
  ['jset reg high word', 'lddw %r1, 0x100000000\nlddw %r2, 0x300000000', 'jset %r1, %r2', 1n],
  ['jne reg', 'mov %r1, 1\nmov %r2, 2', 'jne %r1, %r2', 1n],
  ['jgt32 unsigned', 'mov32 %r1, -1', 'jgt32 %r1, 1', 1n],
  ['jsgt32 signed', 'mov32 %r1, -1', 'jsgt32 %r1, 1', 0n],
  ['jslt32 ignores the high word', 'lddw %r1, 0x7fffffffffffffff', 'jslt32 %r1, 0', 1n],
  ['jle32 reg', 'mov %r1, 3\nmov %r2, 3', 'jle32 %r1, %r2', 1n],
];

for (const [name, setup, cond, want] of cases) {
  test(name, () => {
    assert.equal(run(br(setup, cond)), want);
  });
}

test('gotol (ja32) takes a 32-bit displacement', () => {
  assert.equal(run('mov %r0, 1\nja32 end\nmov %r0, 2\nend:\nexit'), 1n);
});

test('backward jumps loop', () => {
  assert.equal(run('mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit'), 55n);
});

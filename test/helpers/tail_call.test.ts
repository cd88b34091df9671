import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/asm.js';
import type { Insn } from '../../src/isa/insn.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY } from '../../src/uapi/bpf.js';
import { ENOENT } from '../../src/uapi/errno.js';
import { call, errno, faults, fixture, ldMap } from './fixture.js';

const caller = (pa: { ptr: number }, index: string) => `
    mov %r6, 100
    ${ldMap(2, pa as never)}
    ${index}
    call 12
    add %r0, %r6
    exit`;

test('tail_call jumps to the slot program with the same registers and does not return', () => {
  const f = fixture();
  const pa = f.map({ type: BPF_MAP_TYPE_PROG_ARRAY, valueSize: 4 });
  f.progArrays.set(pa, new Map<number, readonly Insn[]>([[1, assemble('mov %r0, %r6\nadd %r0, 5\nexit')]]));
  assert.equal(f.load(caller(pa, 'mov %r3, 1')).run(0), 105n);
});

test('a failed tail_call falls through: empty slot, index >= max_entries, index is a u32', () => {
  const f = fixture();
  const pa = f.map({ type: BPF_MAP_TYPE_PROG_ARRAY, valueSize: 4, maxEntries: 2 });
  f.progArrays.set(pa, new Map<number, readonly Insn[]>([[1, assemble('mov %r0, 7\nexit')]]));
  assert.equal(f.load(caller(pa, 'mov %r3, 0')).run(0), 100n + errno(ENOENT) & 0xffffffffffffffffn);
  assert.equal(f.load(caller(pa, 'mov %r3, 2')).run(0), 100n + errno(ENOENT) & 0xffffffffffffffffn);
  assert.equal(f.load(caller(pa, 'lddw %r3, 0x100000001')).run(0), 7n); // index 1
  assert.equal(call(f, 12, [0, pa.ptr, 0]), errno(ENOENT));
});

test('tail_call stops after MAX_TAIL_CALL_CNT (33) chained calls', () => {
  const f = fixture();
  const pa = f.map({ type: BPF_MAP_TYPE_PROG_ARRAY, valueSize: 4 });
  // slot 0 counts in r6 and tail-calls itself; the 34th tail call fails and it returns 33
  const self = assemble(`
    add %r6, 1
    ${ldMap(2, pa)}
    mov %r3, 0
    call 12
    mov %r0, %r6
    exit`);
  f.progArrays.set(pa, new Map([[0, self]]));
  assert.equal(f.load(`mov %r6, 0\n${ldMap(2, pa)}\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit`).run(0), 33n);
});

test('tail_call on a map that is not a prog array faults', () => {
  const f = fixture();
  const a = f.map({ type: BPF_MAP_TYPE_ARRAY });
  faults(() => call(f, 12, [0, a.ptr, 0]), /not a prog array/);
  faults(() => call(f, 12, [0, a.ptr + 8, 0]), /not a map pointer/);
});

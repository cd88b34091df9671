import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BPF_MAP_TYPE_ARRAY } from '../../src/uapi/bpf.js';
import { fixture, ldMap, vmError } from './fixture.js';

const setup = () => {
  const f = fixture();
  const m = f.map({ type: BPF_MAP_TYPE_ARRAY, valueSize: 16, specialFields: { timers: [], spinLock: 0 } });
  return { f, m };
};

const lookup = (m: { ptr: number }) => `
    stw [%r10-4], 0
    ${ldMap(1, m as never)}
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r6, %r0`;

test('spin_lock / spin_unlock around an update: the lock word is 1 while held, 0 after', () => {
  const { f, m } = setup();
  const vm = f.load(`${lookup(m)}
    mov %r1, %r6
    call 93
    ldxw %r7, [%r6]
    ldxdw %r0, [%r6+8]
    add %r0, 1
    stxdw [%r6+8], %r0
    mov %r1, %r6
    call 94
    ldxw %r8, [%r6]
    lsh %r7, 8
    or %r7, %r8
    mov %r0, %r7
  out:
    exit`);
  assert.equal(vm.run(0), 0x100n);
  assert.equal(vm.run(0), 0x100n);
  const v = m.lookup(new Uint8Array(4));
  assert.equal(new DataView(v.buffer).getBigUint64(8, true), 2n);
  assert.equal(new DataView(v.buffer).getUint32(0, true), 0); // user space never sees the lock
});

test('a double lock and an unlock of a free lock are VmErrors at the call', () => {
  const { f, m } = setup();
  const e = vmError(() => f.load(`${lookup(m)}
    mov %r1, %r6
    call 93
    mov %r1, %r6
    call 93
  out:
    exit`).run(0));
  assert.equal(e.kind, 'helper');
  assert.equal(e.pc, 11);
  assert.match(e.message, /already held/);
  const { f: f2, m: m2 } = setup();
  const e2 = vmError(() => f2.load(`${lookup(m2)}
    mov %r1, %r6
    call 94
  out:
    exit`).run(0));
  assert.match(e2.message, /not held/);
  // a pointer outside any block is a fault too
  assert.match(vmError(() => f2.load('mov %r1, 8\ncall 93\nexit').run(0)).message, /bpf_spin_lock/);
});

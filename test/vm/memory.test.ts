import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARENA_ACCESS_NONE, ARENA_ACCESS_READ } from '../../src/memory/arena.js';
import { VmError } from '../../src/vm/errors.js';
import { place, run, setup } from './helpers.js';

function fault(fn: () => unknown, kind: string, pc: number, addr?: bigint): VmError {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof VmError, `expected VmError, got ${String(err)}`);
  assert.equal(err.kind, kind);
  assert.equal(err.pc, pc);
  if (addr !== undefined) assert.equal(err.addr, addr);
  assert.match(err.message, new RegExp(`^insn ${pc}: `));
  return err;
}

test('loads of every width, little-endian, zero- and sign-extending', () => {
  const s = setup(`
    ldxb %r2, [%r1+7]
    ldxh %r3, [%r1+6]
    ldxw %r4, [%r1+4]
    ldxdw %r5, [%r1]
    ldxsb %r6, [%r1+7]
    ldxsh %r7, [%r1+6]
    ldxsw %r8, [%r1+4]
    mov %r0, %r2
    add %r0, %r3
    add %r0, %r4
    add %r0, %r5
    add %r0, %r6
    add %r0, %r7
    add %r0, %r8
    exit`);
  const p = place(s, [1, 2, 3, 4, 5, 6, 7, 0x88]);
  const want = 0x88n + 0x8807n + 0x88070605n + 0x8807060504030201n
    + BigInt.asUintN(64, -0x78n) + BigInt.asUintN(64, -0x77f9n) + BigInt.asUintN(64, -0x77f8f9fbn);
  assert.equal(s.vm.run(0, [BigInt(p)]), BigInt.asUintN(64, want));
});

test('stores of every width and st with imm; stdw sign-extends imm', () => {
  const s = setup(`
    stdw [%r1+0], -2
    stw [%r1+8], 0x11223344
    sth [%r1+12], 0x5566
    stb [%r1+14], 0x77
    mov %r2, 0x99
    stxb [%r1+15], %r2
    exit`);
  const p = place(s, new Uint8Array(16));
  s.vm.run(0, [BigInt(p)]);
  assert.deepEqual([...s.arena.u8.subarray(p, p + 16)],
    [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x77, 0x99]);
});

test('the stack: 512 bytes below r10, r10+0 faults', () => {
  assert.equal(run('stdw [%r10-512], 9\nldxdw %r0, [%r10-512]\nexit'), 9n);
  fault(() => run('mov %r0, 0\nstb [%r10+0], 1\nexit'), 'memory', 1);
  fault(() => run('ldxb %r0, [%r10-513]\nexit'), 'memory', 0);
});

test('NULL and out-of-block accesses fault with the address', () => {
  fault(() => run('mov %r1, 0\nldxw %r0, [%r1+16]\nexit'), 'memory', 1, 16n);
  const s = setup('ldxw %r0, [%r1+6]\nexit');
  const p = place(s, new Uint8Array(8));
  fault(() => s.vm.run(0, [BigInt(p)]), 'memory', 0, BigInt(p + 6));
  // a pointer with high bits set never aliases the arena
  fault(() => run('lddw %r1, 0x100001000\nldxb %r0, [%r1]\nexit'), 'memory', 2, 0x100001000n);
  // wrap-around of base + negative offset
  fault(() => run('mov %r1, 0\nldxb %r0, [%r1-1]\nexit'), 'memory', 1, 0xffffffffffffffffn);
});

test('block access rights are enforced', () => {
  const s = setup('ldxb %r0, [%r1]\nstb [%r2], 1\nexit');
  const ro = s.arena.alloc(8, ARENA_ACCESS_READ);
  const none = s.arena.alloc(8, ARENA_ACCESS_NONE);
  fault(() => s.vm.run(0, [BigInt(ro), BigInt(ro)]), 'memory', 1);
  fault(() => s.vm.run(0, [BigInt(none), BigInt(ro)]), 'memory', 0);
});

test('atomics: add/or/and/xor with and without fetch, xchg, cmpxchg, 32 and 64 bit', () => {
  const s = setup(`
    mov %r2, 5
    lock add [%r1+0], %r2
    mov %r3, 3
    lock fetch add [%r1+0], %r3
    mov %r4, 0x100
    lock or [%r1+0], %r4
    mov %r5, 0x0f
    lock fetch and [%r1+0], %r5
    mov %r6, 0xff
    lock fetch xor [%r1+0], %r6
    mov %r7, 77
    lock xchg [%r1+8], %r7
    mov %r0, 123
    mov %r8, 9
    lock cmpxchg [%r1+8], %r8
    mov %r9, -1
    lock fetch add32 [%r1+16], %r9
    stxdw [%r1+24], %r3
    stxdw [%r1+32], %r5
    stxdw [%r1+40], %r6
    stxdw [%r1+48], %r7
    stxdw [%r1+56], %r9
    exit`);
  const mem = new Uint8Array(64);
  mem[8] = 123; // cmpxchg will find 77 (after xchg), not 123: no swap
  mem[16] = 1;
  mem[20] = 0xaa; // beyond the 32-bit atomic
  const p = place(s, mem);
  const r0 = s.vm.run(0, [BigInt(p)]);
  const dv = s.arena.dv;
  const q = (o: number): bigint => dv.getBigUint64(p + o, true);
  // mem[0]: 0 +5 =5, fetch add 3 -> r3=5, 8; or 0x100 -> 0x108; fetch and 0xf -> r5=0x108, 8; fetch xor 0xff -> r6=8, 0xf7
  assert.equal(q(0), 0xf7n);
  assert.equal(q(24), 5n);
  assert.equal(q(32), 0x108n);
  assert.equal(q(40), 8n);
  // xchg: old 123 into r7, 77 stored; cmpxchg r0=123 vs 77: no store, r0 = 77
  assert.equal(q(48), 123n);
  assert.equal(r0, 77n);
  assert.equal(q(8), 77n);
  // 32-bit fetch add: 1 + 0xffffffff = 0 (no carry into byte 4), r9 = old value zero-extended
  assert.equal(dv.getUint32(p + 16, true), 0);
  assert.equal(mem[20], 0xaa);
  assert.equal(s.arena.u8[p + 20], 0xaa);
  assert.equal(q(56), 1n);
});

test('cmpxchg32 compares the low word of r0 and zero-extends the old value', () => {
  const s = setup(`
    lddw %r0, 0xffffffff00000007
    mov %r2, 42
    lock cmpxchg32 [%r1+0], %r2
    exit`);
  const p = place(s, [7, 0, 0, 0, 0xee, 0, 0, 0]);
  assert.equal(s.vm.run(0, [BigInt(p)]), 7n);
  assert.equal(s.arena.dv.getUint32(p, true), 42);
  assert.equal(s.arena.u8[p + 4], 0xee);
});

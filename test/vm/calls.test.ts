import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/asm.js';
import { insn } from '../../src/isa/insn.js';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL } from '../../src/isa/opcodes.js';
import { ARENA_ACCESS_RW } from '../../src/memory/arena.js';
import { VmError } from '../../src/vm/errors.js';
import { setup, place } from './helpers.js';

function vmError(fn: () => unknown): VmError {
  try { fn(); } catch (e) { if (e instanceof VmError) return e; throw e; }
  assert.fail('expected a VmError');
}

test('helpers get unsigned 64-bit args and their result lands in r0', () => {
  const s = setup('mov %r1, -1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 7\nexit');
  let seen: bigint[] = [];
  s.helpers.set(7, (_vm, a, b, c, d, e) => { seen = [a, b, c, d, e]; return -2n; });
  assert.equal(s.vm.run(0, []), 0xfffffffffffffffen);
  assert.deepEqual(seen, [0xffffffffffffffffn, 2n, 3n, 4n, 5n]);
});

test('unknown helper and a throwing helper give VmError kind helper', () => {
  const s = setup('mov %r0, 0\ncall 99\nexit');
  const e = vmError(() => s.vm.run(0));
  assert.equal(e.kind, 'helper');
  assert.equal(e.pc, 1);
  assert.match(e.message, /unknown helper 99/);
  s.helpers.set(99, () => { throw new RangeError('boom'); });
  const e2 = vmError(() => s.vm.run(0));
  assert.equal(e2.kind, 'helper');
  assert.match(e2.message, /boom/);
});

test('the helper sees the CPU number', () => {
  const s = setup('call 8\nexit', { cpu: 3 });
  s.helpers.set(8, (vm) => BigInt(vm.cpu));
  assert.equal(s.vm.run(0), 3n);
  s.vm.cpu = 1;
  assert.equal(s.vm.run(0), 1n);
});

test('bpf-to-bpf call: args in r1-r5, r6-r9 preserved, callee gets a fresh frame', () => {
  const s = setup(`
    mov %r6, 6
    mov %r9, 9
    stdw [%r10-8], 111
    mov %r1, 40
    mov %r2, %r10
    call local f
    ldxdw %r3, [%r10-8]
    add %r0, %r3
    add %r0, %r6
    add %r0, %r9
    exit
  f:
    mov %r6, 0
    mov %r9, 0
    stdw [%r10-8], 222
    ldxdw %r0, [%r2-8]
    add %r0, %r1
    exit`);
  // callee reads 111 through the caller's frame pointer, writes its own frame
  assert.equal(s.vm.run(0), 111n + 40n + 111n + 6n + 9n);
});

test('recursion past 8 frames fails with call-depth', () => {
  const s = setup('call local f\nexit\nf:\ncall local f\nexit');
  const e = vmError(() => s.vm.run(0));
  assert.equal(e.kind, 'call-depth');
  assert.equal(e.pc, 2); // the recursive call in f
});

test('exactly 8 frames are allowed', () => {
  // main + 7 nested calls = 8 frames
  const src = ['mov %r0, 0', 'call local f1', 'exit'];
  for (let i = 1; i <= 7; i++) {
    src.push(`f${i}:`, 'add %r0, 1', i < 7 ? `call local f${i + 1}` : 'mov %r1, 0', 'exit');
  }
  assert.equal(setup(src.join('\n')).vm.run(0), 7n);
});

test('run() can start at a subprogram (a timer callback)', () => {
  const s = setup('mov %r0, 1\nexit\ncb:\nmov %r0, %r2\nadd %r0, %r1\nexit');
  assert.equal(s.vm.run(2, [5n, 6n]), 11n);
  assert.equal(s.vm.run(0), 1n);
});

test('callFunction from a helper runs a callback re-entrantly (bpf_loop shape)', () => {
  // helper 181 (bpf_loop-like): calls the callback at insn r2 r1 times with (i, r3)
  const s = setup(`
    mov %r6, 1000
    stdw [%r10-8], 0
    mov %r1, 4
    mov %r2, 0
    mov %r3, %r10
    add %r3, -8
    call 181
    ldxdw %r0, [%r10-8]
    add %r0, %r6
    exit
  cb:
    ldxdw %r3, [%r2+0]
    add %r3, %r1
    stxdw [%r2+0], %r3
    mov %r6, 0
    mov %r0, 0
    exit`);
  s.helpers.set(181, (vm, n, _fn, ctx) => {
    for (let i = 0n; i < n; i++) vm.callFunction(10, [i, ctx]);
    return n;
  });
  // callback sums 0+1+2+3 into the caller's stack; caller's r6 is untouched
  assert.equal(s.vm.run(0), 6n + 1000n);
});

test('instruction budget ends an endless loop', () => {
  const s = setup('mov %r0, 0\nloop:\nadd %r0, 1\nja loop', { maxInsns: 1000 });
  const e = vmError(() => s.vm.run(0));
  assert.equal(e.kind, 'budget');
  assert.match(e.message, /budget of 1000/);
  // the interpreter is reusable afterwards
  const ok = setup('mov %r0, 5\nexit', { maxInsns: 1000 });
  assert.equal(ok.vm.run(0), 5n);
});

test('the watchdog ends a runaway run with a typed error; without a cap, 20 M instructions run to the end', () => {
  const s = setup('mov %r0, 0\nloop:\nadd %r0, 1\nja loop', { timeoutMs: 50 });
  const t0 = performance.now();
  const e = vmError(() => s.vm.run(0));
  assert.equal(e.kind, 'timeout');
  assert.match(e.message, /watchdog after 50 ms/);
  assert.ok(performance.now() - t0 < 5000, 'stopped soon after the limit');
  // more than the old 100M-style budget slices: counts past several refills exactly
  const n = 20_000_000;
  const ok = setup(`mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, ${n}, loop\nexit`);
  assert.equal(ok.vm.run(0), BigInt(n));
  assert.equal(ok.vm.insnCount, 1 + 2 * n + 1);
});

test('tail calls: same frame and r1, at most 33, failure falls through', () => {
  // each run counts itself in *(u64 *)r1 then tail-calls itself via helper 12
  const prog = `
    ldxdw %r2, [%r1+0]
    add %r2, 1
    stxdw [%r1+0], %r2
    mov %r6, %r1
    mov %r2, 0
    call 12
    mov %r0, %r0
    exit`;
  const s = setup(prog);
  // target 0 resolves to this same program (assembled again)
  s.env.tailTargets.set(0n, assemble(prog));
  s.helpers.set(12, (vm, _ctx, _map, idx) => (vm.tailCall(idx) ? 0n : BigInt.asUintN(64, -2n)));
  const p = place(s, new Uint8Array(8));
  const r0 = s.vm.run(0, [BigInt(p)]);
  assert.equal(s.arena.dv.getBigUint64(p, true), 34n); // the first run + 33 tail calls
  assert.equal(r0, BigInt.asUintN(64, -2n)); // the 34th call failed and fell through
  // a fresh run gets a fresh count
  s.vm.run(0, [BigInt(p)]);
  assert.equal(s.arena.dv.getBigUint64(p, true), 68n);
});

test('helpers that grow the arena do not break later accesses', () => {
  let block = 0;
  const s2 = setup('mov %r6, %r1\nstdw [%r10-8], 7\ncall 1\nldxdw %r0, [%r10-8]\nstxdw [%r6+0], %r0\nexit');
  s2.helpers.set(1, (vm) => { block = vm.arena.alloc(4 << 20, ARENA_ACCESS_RW); return 0n; });
  const p2 = place(s2, new Uint8Array(8));
  const g0 = s2.arena.generation;
  assert.equal(s2.vm.run(0, [BigInt(p2)]), 7n);
  assert.ok(s2.arena.generation > g0, 'the arena grew');
  assert.equal(s2.arena.dv.getBigUint64(p2, true), 7n);
  assert.ok(block > 0);
});

test('local call instruction encodes src=1 and a relative imm', () => {
  const s = setup([insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), insn(0x95), insn(0xb7, 0, 0, 0, 42), insn(0x95)]);
  assert.equal(s.vm.run(0), 42n);
});


import { test } from 'node:test';
import assert from 'node:assert/strict';
import { E2BIG, EINVAL } from '../../src/uapi/errno.js';
import { errno, fixture, resolveLabels } from './fixture.js';

// sum of i over the iterations, into a u64 on the stack passed as ctx;
// the callback stops (returns 1) when i == r7's stop value stored in ctx+8
const prog = (nr: string, stop: number, flags = '0') => resolveLabels(`
    stdw [%r10-16], 0
    stdw [%r10-8], ${stop}
    ${nr}
    lddw %r2, @cb
    mov %r3, %r10
    add %r3, -16
    ${flags === '0' ? 'mov %r4, 0' : `lddw %r4, ${flags}`}
    call 181
    mov %r6, %r0
    ldxdw %r7, [%r10-16]
    lsh %r7, 32
    mov32 %r0, %r0
    or %r0, %r7
    exit
  cb:
    ldxdw %r3, [%r2]
    add %r3, %r1
    stxdw [%r2], %r3
    ldxdw %r4, [%r2+8]
    mov %r0, 0
    jne %r1, %r4, out
    mov %r0, 1
  out:
    exit`);

const run = (nr: string, stop: number, flags = '0'): [bigint, bigint] => {
  const f = fixture();
  const r = f.load(prog(nr, stop, flags)).run(0);
  return [BigInt.asIntN(32, r & 0xffffffffn), r >> 32n];
};

test('bpf_loop runs nr_loops iterations with (i, ctx) and returns the count', () => {
  assert.deepEqual(run('mov %r1, 10', 100), [10n, 45n]);
  assert.deepEqual(run('mov %r1, 0', 100), [0n, 0n]);
});

test('bpf_loop stops when the callback returns 1 and counts that iteration', () => {
  assert.deepEqual(run('mov %r1, 10', 3), [4n, 6n]); // i = 0..3
  assert.deepEqual(run('mov %r1, 10', 0), [1n, 0n]);
});

test('bpf_loop: flags != 0 is -EINVAL, nr_loops > 1<<23 is -E2BIG, nr_loops is a u32', () => {
  assert.deepEqual(run('mov %r1, 10', 100, '1'), [BigInt.asIntN(32, errno(EINVAL)), 0n]);
  assert.deepEqual(run('mov %r1, 10', 100, '0x100000000'), [BigInt.asIntN(32, errno(EINVAL)), 0n]);
  assert.deepEqual(run('lddw %r1, 0x800001', 100), [BigInt.asIntN(32, errno(E2BIG)), 0n]);
  // the high half of r1 is ignored: 2^32 + 2 runs twice
  assert.deepEqual(run('lddw %r1, 0x100000002', 100), [2n, 1n]);
  // exactly BPF_MAX_LOOPS is allowed
  const f = fixture();
  const src = resolveLabels(`
    lddw %r1, 0x800000
    lddw %r2, @cb
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
  cb:
    mov %r0, 0
    jlt %r1, 5, out
    mov %r0, 1
  out:
    exit`);
  assert.equal(f.load(src).run(0), 6n);
});

test('inlined bpf_loop (optimize_bpf_loop): -E2BIG is a u32, the bound is the whole 64-bit r1', async () => {
  const { BPF_FUNC_loop_inlined, bpf_loop_inlined } = await import('../../src/helpers/loop.js');
  const runInlined = (nr: string, stop: number): bigint => {
    const f = fixture();
    f.helpers.set(BPF_FUNC_loop_inlined, bpf_loop_inlined);
    return f.load(prog(nr, stop).replace('call 181', `call ${BPF_FUNC_loop_inlined}`)).run(0);
  };
  // the count and the early stop are the helper's
  assert.equal(runInlined('mov %r1, 10', 100), (45n << 32n) | 10n);
  assert.equal(runInlined('mov %r1, 10', 3), (6n << 32n) | 4n);
  assert.equal(runInlined('mov %r1, 0', 100), 0n);
  // BPF_MOV32_IMM(r0, -E2BIG): zero-extended
  const f = fixture();
  f.helpers.set(BPF_FUNC_loop_inlined, bpf_loop_inlined);
  const e2big = (nr: string) => f.load(resolveLabels(`
    ${nr}
    lddw %r2, @cb
    mov %r3, 0
    mov %r4, 0
    call ${BPF_FUNC_loop_inlined}
    exit
  cb:
    mov %r0, 0
    exit`)).run(0);
  assert.equal(e2big('lddw %r1, 0x800001'), 0xffffffffn - BigInt(E2BIG) + 1n);
  // no u32 truncation of nr_loops: 2^32 + 2 is past BPF_MAX_LOOPS
  assert.equal(e2big('lddw %r1, 0x100000002'), 0xffffffffn - BigInt(E2BIG) + 1n);
});

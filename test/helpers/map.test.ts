import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_ANY, BPF_EXIST, BPF_NOEXIST,
} from '../../src/uapi/bpf.js';
import { E2BIG, EEXIST, EINVAL, ENOENT } from '../../src/uapi/errno.js';
import { call, errno, faults, fixture, ldMap, vmError } from './fixture.js';

const u32le = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const u64le = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

test('a program updates a hash map, looks the value up and reads it', () => {
  const f = fixture();
  const m = f.map({ type: BPF_MAP_TYPE_HASH });
  const vm = f.load(`
    stw [%r10-4], 7
    stdw [%r10-16], 1234
    ${ldMap(1, m)}
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    call 2
    jne %r0, 0, fail
    ${ldMap(1, m)}
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, fail
    ldxdw %r0, [%r0]
    exit
  fail:
    mov %r0, -1
    exit`);
  assert.equal(vm.run(0), 1234n);
  assert.deepEqual(m.lookup(new Uint8Array(u32le(7))), u64le(1234n));
});

test('map_lookup_elem returns NULL for a missing key, the value address otherwise', () => {
  const f = fixture();
  const m = f.map({ type: BPF_MAP_TYPE_HASH });
  const k = f.place(u32le(1));
  assert.equal(call(f, 1, [m.ptr, k]), 0n);
  m.update(new Uint8Array(u32le(1)), u64le(99n));
  const p = call(f, 1, [m.ptr, k]);
  assert.notEqual(p, 0n);
  assert.equal(f.arena.dv.getBigUint64(Number(p), true), 99n);
});

test('map_update_elem errno: -EEXIST, -ENOENT, -E2BIG, -EINVAL for flags', () => {
  const f = fixture();
  const h = f.map({ type: BPF_MAP_TYPE_HASH, maxEntries: 1 });
  const k1 = f.place(u32le(1));
  const k2 = f.place(u32le(2));
  const v = f.place(u64le(5n));
  assert.equal(call(f, 2, [h.ptr, k1, v, BPF_EXIST]), errno(ENOENT));
  assert.equal(call(f, 2, [h.ptr, k1, v, BPF_NOEXIST]), 0n);
  assert.equal(call(f, 2, [h.ptr, k1, v, BPF_NOEXIST]), errno(EEXIST));
  assert.equal(call(f, 2, [h.ptr, k2, v, BPF_ANY]), errno(E2BIG)); // full
  assert.equal(call(f, 2, [h.ptr, k1, v, 3]), errno(EINVAL));
  // flags past 31 bits: the kernel compares them as u64
  assert.equal(call(f, 2, [h.ptr, k1, v, 0x80000000]), errno(EINVAL));
  assert.equal(call(f, 2, [h.ptr, k1, v, 1n << 32n]), errno(EINVAL));
  const a = f.map({ type: BPF_MAP_TYPE_ARRAY, maxEntries: 2 });
  assert.equal(call(f, 2, [a.ptr, f.place(u32le(2)), v, BPF_ANY]), errno(E2BIG));
  assert.equal(call(f, 2, [a.ptr, k1, v, BPF_NOEXIST]), errno(EEXIST));
  assert.equal(call(f, 2, [a.ptr, k1, v, BPF_ANY]), 0n);
  assert.deepEqual(a.lookup(new Uint8Array(u32le(1))), u64le(5n));
});

test('map_delete_elem: 0, -ENOENT for a missing key, -EINVAL on an array', () => {
  const f = fixture();
  const h = f.map({ type: BPF_MAP_TYPE_HASH });
  h.update(new Uint8Array(u32le(3)), u64le(1n));
  const k = f.place(u32le(3));
  assert.equal(call(f, 3, [h.ptr, k]), 0n);
  assert.equal(h.elemCount, 0);
  assert.equal(call(f, 3, [h.ptr, k]), errno(ENOENT));
  const a = f.map({ type: BPF_MAP_TYPE_ARRAY });
  assert.equal(call(f, 3, [a.ptr, k]), errno(EINVAL));
});

test('queue push/pop/peek from a program: FIFO, -ENOENT when empty, -E2BIG when full', () => {
  const f = fixture();
  const q = f.map({ type: BPF_MAP_TYPE_QUEUE, keySize: 0, maxEntries: 2 });
  const out = f.place(new Uint8Array(8).fill(0xaa));
  assert.equal(call(f, 88, [q.ptr, out]), errno(ENOENT));
  assert.deepEqual(f.arena.u8.slice(out, out + 8), new Uint8Array(8)); // zeroed on error
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(1n)), 0]), 0n);
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(2n)), 0]), 0n);
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(3n)), 0]), errno(E2BIG));
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(3n)), BPF_NOEXIST]), errno(EINVAL));
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(3n)), 1n << 40n]), errno(EINVAL));
  assert.equal(call(f, 87, [q.ptr, f.place(u64le(3n)), BPF_EXIST]), 0n); // drops the oldest (1)
  assert.equal(call(f, 89, [q.ptr, out]), 0n);
  assert.equal(f.arena.dv.getBigUint64(out, true), 2n);
  assert.equal(call(f, 88, [q.ptr, out]), 0n);
  assert.equal(f.arena.dv.getBigUint64(out, true), 2n);
  assert.equal(call(f, 88, [q.ptr, out]), 0n);
  assert.equal(f.arena.dv.getBigUint64(out, true), 3n);
  assert.equal(call(f, 89, [q.ptr, out]), errno(ENOENT));
});

test('stack pop through the interpreter is LIFO', () => {
  const f = fixture();
  const s = f.map({ type: BPF_MAP_TYPE_STACK, keySize: 0 });
  s.push(u64le(10n));
  s.push(u64le(20n));
  const vm = f.load(`
    ${ldMap(1, s)}
    mov %r2, %r10
    add %r2, -8
    call 88
    jne %r0, 0, out
    ldxdw %r0, [%r10-8]
  out:
    exit`);
  assert.equal(vm.run(0), 20n);
  assert.equal(vm.run(0), 10n);
  assert.equal(vm.run(0), errno(ENOENT));
});

test('per-CPU maps: lookup_elem follows vm.cpu; lookup_percpu_elem picks a CPU, NULL past nr_cpus', () => {
  const f = fixture(3);
  for (const type of [BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH]) {
    const m = f.map({ type });
    const vals = new Uint8Array(24);
    const dv = new DataView(vals.buffer);
    [100n, 101n, 102n].forEach((v, i) => dv.setBigUint64(i * 8, v, true));
    m.update(new Uint8Array(u32le(0)), vals);
    const vm = f.load(`
      stw [%r10-4], 0
      ${ldMap(1, m)}
      mov %r2, %r10
      add %r2, -4
      call 1
      jeq %r0, 0, out
      ldxdw %r0, [%r0]
    out:
      exit`, 2);
    assert.equal(vm.run(0), 102n);
    vm.cpu = 1;
    assert.equal(vm.run(0), 101n);
    const k = f.place(u32le(0));
    const p = call(f, 195, [m.ptr, k, 0]);
    assert.equal(f.arena.dv.getBigUint64(Number(p), true), 100n);
    assert.equal(call(f, 195, [m.ptr, k, 3]), 0n);
    // cpu is a u32: 2^32 + 1 is CPU 1
    const p1 = call(f, 195, [m.ptr, k, (1n << 32n) + 1n]);
    assert.equal(f.arena.dv.getBigUint64(Number(p1), true), 101n);
    assert.equal(call(f, 195, [m.ptr, f.place(u32le(9)), 0]), 0n);
  }
});

test('a bad map pointer or key pointer faults (the verifier would reject it)', () => {
  const f = fixture();
  const m = f.map({ type: BPF_MAP_TYPE_HASH });
  faults(() => call(f, 1, [12345, f.place(u32le(0))]), /not a map pointer/);
  faults(() => call(f, 1, [m.ptr, 0]), /key/);
  faults(() => call(f, 2, [m.ptr, f.place(u32le(0)), 8, 0]), /value/);
  faults(() => call(f, 88, [m.ptr, m.ptr]), /value/); // map header is not writable
  const vm = f.load('mov %r1, 0\nmov %r2, 0\ncall 1\nexit');
  const e = vmError(() => vm.run(0));
  assert.equal(e.kind, 'helper');
  assert.equal(e.pc, 2);
});

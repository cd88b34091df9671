import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH } from '../../src/uapi/bpf.js';
import { EBUSY, EDEADLK, EINVAL, EPERM } from '../../src/uapi/errno.js';
import { call, errno, faults, fixture, ldMap, resolveLabels, type Fixture } from './fixture.js';
import type { BpfMap } from '../../src/maps/map.js';

// value: { u64 count; struct bpf_timer t; } -> timer at offset 8
const timerMap = (f: Fixture, type = BPF_MAP_TYPE_ARRAY): BpfMap =>
  f.map({ type, valueSize: 24, specialFields: { timers: [8] } });

// init + set_callback + start(r9 ns), returning the three results packed in bytes
const armProg = (m: BpfMap, clock = 1, flags = 0) => resolveLabels(`
    stw [%r10-4], 0
    ${ldMap(1, m)}
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    add %r6, 8
    mov %r1, %r6
    ${ldMap(2, m)}
    mov %r3, ${clock}
    call 169
    mov %r7, %r0
    and %r7, 0xff
    mov %r1, %r6
    lddw %r2, @cb
    call 170
    and %r0, 0xff
    lsh %r0, 8
    or %r7, %r0
    mov %r1, %r6
    mov %r2, 1000
    mov %r3, ${flags}
    call 171
    and %r0, 0xff
    lsh %r0, 16
    or %r7, %r0
    mov %r0, %r7
  out:
    exit
  cb:
    ldxdw %r0, [%r3]
    add %r0, 1
    stxdw [%r3], %r0
    call 8
    stxdw [%r3+16], %r0
    mov %r0, 0
    exit`);

const bytes = (r: bigint): number[] => [Number(r & 0xffn), Number((r >> 8n) & 0xffn), Number((r >> 16n) & 0xffn)];
const e8 = (e: number): number => (256 - e) & 0xff;

test('a program arms a timer; it fires after 1000 ns on the arming CPU with (map, key, value)', () => {
  const f = fixture(4);
  const m = timerMap(f);
  const vm = f.load(armProg(m), 2);
  assert.deepEqual(bytes(vm.run(0)), [0, 0, 0]);
  assert.equal(f.timers.stats().armed, 1);
  assert.equal(f.prog.refs, 1); // set_callback took a program reference
  f.clock.advance(999n);
  assert.equal(f.fired.length, 0);
  f.clock.advance(1n);
  assert.equal(f.fired.length, 1);
  const [value, key, , cpu] = f.fired[0]!;
  assert.equal(cpu, 2);
  assert.equal(f.arena.dv.getUint32(key, true), 0);
  assert.equal(f.arena.dv.getBigUint64(value, true), 1n);
  assert.equal(f.arena.dv.getBigUint64(value + 16, true), 2n); // bpf_get_smp_processor_id in the callback
  // a second run: init is -EBUSY, set_callback and start succeed
  assert.deepEqual(bytes(vm.run(0)), [e8(EBUSY), 0, 0]);
  f.clock.advance(1000n);
  assert.equal(f.arena.dv.getBigUint64(value, true), 2n);
});

test('timer_init: -EINVAL for a bad clock or flags, -EPERM without user references', () => {
  const f = fixture();
  const m = timerMap(f);
  const v = Number(call(f, 1, [m.ptr, f.place([0, 0, 0, 0])]));
  for (const flags of [2, 3, 11, 16, 1n << 32n]) assert.equal(call(f, 169, [v + 8, m.ptr, flags]), errno(EINVAL));
  f.urefs.set(m, false);
  assert.equal(call(f, 169, [v + 8, m.ptr, 1]), errno(EPERM));
  f.urefs.set(m, true);
  assert.equal(call(f, 169, [v + 8, m.ptr, 7]), 0n); // CLOCK_BOOTTIME
  assert.equal(f.timers.lookup(v + 8)?.value, v);
  assert.equal(call(f, 169, [v + 8, m.ptr, 0]), errno(EBUSY));
});

test('set_callback / start / cancel on an uninitialized timer are -EINVAL; start needs a callback', () => {
  const f = fixture();
  const m = timerMap(f, BPF_MAP_TYPE_HASH);
  m.update(new Uint8Array([5, 0, 0, 0]), new Uint8Array(24));
  const v = Number(call(f, 1, [m.ptr, f.place([5, 0, 0, 0])]));
  assert.notEqual(v, 0);
  const t = v + 8;
  assert.equal(call(f, 170, [t, 0]), errno(EINVAL));
  assert.equal(call(f, 171, [t, 10, 0]), errno(EINVAL));
  assert.equal(call(f, 172, [t]), errno(EINVAL));
  assert.equal(call(f, 169, [t, m.ptr, 1]), 0n);
  assert.equal(call(f, 171, [t, 10, 0]), errno(EINVAL)); // no callback yet
  assert.equal(call(f, 170, [t, 0]), 0n);
  assert.equal(call(f, 171, [t, 10, 4]), errno(EINVAL)); // unknown flag
  assert.equal(call(f, 171, [t, 10, 0]), 0n);
  assert.equal(call(f, 172, [t]), 1n); // was armed
  assert.equal(call(f, 172, [t]), 0n);
  assert.equal(f.prog.refs, 0); // cancel drops the callback's program reference (6.18)
  f.urefs.set(m, false);
  assert.equal(call(f, 170, [t, 0]), errno(EPERM));
});

test('timer_start with BPF_F_TIMER_ABS; cancel from its own callback is -EDEADLK', () => {
  const f = fixture();
  const m = timerMap(f);
  const v = Number(call(f, 1, [m.ptr, f.place([0, 0, 0, 0])]));
  // the callback cancels its own timer and stores the result in the value's count
  const vm = f.load(`
    mov %r1, %r3
    add %r1, 8
    mov %r6, %r3
    call 172
    stxdw [%r6], %r0
    mov %r0, 0
    exit`);
  assert.equal(call(f, 169, [v + 8, m.ptr, 1], vm), 0n);
  assert.equal(call(f, 170, [v + 8, 0], vm), 0n);
  f.clock.advance(100n);
  assert.equal(call(f, 171, [v + 8, 500, 1], vm), 0n); // absolute: fires at t=500
  f.clock.advance(399n);
  assert.equal(f.fired.length, 0);
  f.clock.advance(1n);
  assert.equal(f.fired.length, 1);
  assert.equal(f.arena.dv.getBigUint64(v, true), errno(EDEADLK));
});

test('timer helpers fault on a pointer that is no timer field or a map without one', () => {
  const f = fixture();
  const m = timerMap(f);
  const plain = f.map({ type: BPF_MAP_TYPE_ARRAY });
  const v = Number(call(f, 1, [m.ptr, f.place([0, 0, 0, 0])]));
  faults(() => call(f, 169, [v + 8, plain.ptr, 1]), /no bpf_timer/);
  faults(() => call(f, 169, [8, m.ptr, 1]), /struct bpf_timer/);
  faults(() => call(f, 171, [v + 12, 1, 0]), /struct bpf_timer/);
  faults(() => call(f, 172, [1n << 40n]), /struct bpf_timer/);
});

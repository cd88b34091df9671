// Helpers the JIT compiles inline (src/jit/inline.ts): bpf_map_lookup_elem on
// an array map becomes `index < max_entries ? base + index * elem_size : 0`
// in the wasm code. Each case runs under both engines and must agree with the
// interpreter (which always calls the helper); the JIT cases also prove the
// helper was not called (the map's lookupElem is never reached).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/asm.js';
import { decodeProgram } from '../../src/vm/decode.js';
import { compileProgram } from '../../src/jit/compile.js';
import { constR1 } from '../../src/jit/inline.js';
import { basicBlocks } from '../../src/jit/blocks.js';
import { ArrayMap } from '../../src/maps/arraymap.js';
import { createMap } from '../../src/maps/map.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_HASH_OF_MAPS } from '../../src/uapi/bpf.js';
import { Runtime } from '../../src/runtime/runtime.js';
import type { HelperFn } from '../../src/vm/env.js';
import { VmError } from '../../src/vm/errors.js';
import type { EngineKind } from '../../src/jit/index.js';

const XDP = 6;
const key = (i: number): Uint8Array => new Uint8Array(new Uint32Array([i]).buffer);

interface Setup { rt: Runtime; map: ArrayMap; calls: () => number }

function setup(engine: EngineKind, type = BPF_MAP_TYPE_ARRAY, valueSize = 12, maxEntries = 5): Setup {
  const rt = new Runtime({ engine });
  rt.unref();
  const map = createMap(rt.mapEnv, { type, keySize: 4, valueSize, maxEntries, flags: 0, name: 'arr' }) as ArrayMap;
  rt.registerMap(map);
  for (let i = 0; i < maxEntries; i++) {
    const v = new Uint8Array(type === BPF_MAP_TYPE_PERCPU_ARRAY ? map.userValueSize : valueSize);
    v[0] = 10 + i;
    map.update(key(i), v, 0);
  }
  let n = 0;
  const orig = map.lookupElem.bind(map);
  map.lookupElem = (k: number): number => { n++; return orig(k); };
  return { rt, map, calls: () => n };
}

/** r0 = sum over keys 0..6 of (value[0] or 100 when the lookup gives NULL); the key on the stack */
const sumProg = (ptr: number): string => `
  mov %r6, 0
  mov %r7, 0
loop:
  stxw [%r10-4], %r6
  mov %r2, %r10
  add %r2, -4
  lddw %r1, ${ptr}
  call 1
  jeq %r0, 0, miss
  ldxb %r3, [%r0+0]
  add %r7, %r3
  ja next
miss:
  add %r7, 100
next:
  add %r6, 1
  jlt %r6, 7, loop
  mov %r0, %r7
  exit`;

function run(s: Setup, src: string): bigint | string {
  const p = s.rt.createProg('p', XDP, assemble(src), []);
  try {
    return p.callAt(0, [], 0);
  } catch (e) {
    if (e instanceof VmError) return `${e.kind}: ${e.message}`;
    throw e;
  }
}

test('array lookup inline: same results as the helper (in range, out of range), and the helper is not called', () => {
  const out: Record<string, bigint | string> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const s = setup(engine);
    out[engine] = run(s, sumProg(s.map.ptr));
    assert.equal(s.calls(), engine === 'interp' ? 7 : 0, `${engine}: lookupElem calls`);
  }
  assert.equal(out['interp'], 10n + 11n + 12n + 13n + 14n + 200n);
  assert.equal(out['jit'], out['interp']);
});

test('array lookup inline: the returned pointer is the element (writes through it land in the map)', () => {
  const src = (ptr: number): string => `
    mov %r6, 3
    stxw [%r10-8], %r6
    mov %r2, %r10
    add %r2, -8
    lddw %r1, ${ptr}
    call 1
    jeq %r0, 0, out
    stw [%r0+8], 0x1234
    mov %r0, 1
  out:
    exit`;
  for (const engine of ['interp', 'jit'] as const) {
    const s = setup(engine);
    assert.equal(run(s, src(s.map.ptr)), 1n);
    const v = s.map.lookup(key(3));
    assert.equal(v[0], 13);
    assert.equal(new DataView(v.buffer, v.byteOffset).getUint32(8, true), 0x1234, engine);
  }
});

test('array lookup inline: a key outside the frame and the block caches goes through the helper, with its errors', () => {
  // key = a map value (readable, but not cached: no load touched it) -> the helper; key = 8 -> the helper's fault
  const viaValue = (ptr: number, valueAddr: number): string => `
    lddw %r2, ${valueAddr}
    lddw %r1, ${ptr}
    call 1
    jeq %r0, 0, out
    ldxb %r0, [%r0+0]
  out:
    exit`;
  const bad = (ptr: number): string => `mov %r2, 8\nlddw %r1, ${ptr}\ncall 1\nexit`;
  const res: Record<string, (bigint | string)[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const s = setup(engine);
    // element 1 holds 11 in its first byte, so the key read from it is 11: out of range (5 entries)
    const a = run(s, viaValue(s.map.ptr, s.map.elemPtr(1)));
    const b = run(s, bad(s.map.ptr));
    res[engine] = [a, b];
    // both engines reach lookupElem for the uncached key only (checkMem stops the other)
    assert.equal(s.calls(), 1, engine);
  }
  assert.equal(res['interp']![0], 0n);
  assert.match(String(res['interp']![1]), /bpf_map_lookup_elem key/);
  assert.deepEqual(res['jit'], res['interp']);
});

test('array lookup inline: only a constant r1 of the same block, only the runtime\'s own helper', () => {
  // the results with other map types (a per-CPU array, a hash map: inlined too) and 4 entries
  for (const type of [BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH]) {
    const rt = new Runtime({ engine: 'jit' });
    rt.unref();
    const m = createMap(rt.mapEnv, { type, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, name: 'm' });
    rt.registerMap(m);
    const p = rt.createProg('p', XDP, assemble(sumProg(m.ptr)), []);
    assert.equal(p.callAt(0, [], 0), type === BPF_MAP_TYPE_HASH ? 700n : 300n);
  }
  // r1 set in another block, or changed after the ld_imm64: no constant
  const other = decodeProgram(assemble('lddw %r1, 4096\nja l\nl:\ncall 1\nexit'));
  const blocks = basicBlocks(other, []);
  const callBlock = blocks.find((b) => b.slots.includes(3))!;
  assert.equal(constR1(other, callBlock.slots, 3), undefined);
  const moved = decodeProgram(assemble('lddw %r1, 4096\nadd %r1, 8\ncall 1\nexit'));
  assert.equal(constR1(moved, basicBlocks(moved, [])[0]!.slots, 3), undefined);
  const stored = decodeProgram(assemble('lddw %r1, 4096\nstxw [%r10-4], %r1\nmov %r2, %r10\ncall 1\nexit'));
  assert.equal(constR1(stored, basicBlocks(stored, [])[0]!.slots, 4), 4096);
  // a compile without a layout source inlines nothing
  assert.deepEqual(compileProgram(stored).inlined, []);
  // a runtime whose lookup helper is wrapped (an observer) calls the helper every time
  const s = setup('jit');
  const table = (s.rt as unknown as { helperTable: Map<number, HelperFn> }).helperTable;
  const fn = table.get(1)!;
  let seen = 0;
  table.set(1, (vm, a, b, c, d, e) => { seen++; return fn(vm, a, b, c, d, e); });
  assert.equal(run(s, sumProg(s.map.ptr)), 10n + 11n + 12n + 13n + 14n + 200n);
  assert.equal(seen, 7);
  assert.equal(s.calls(), 7);
});

/** r0 = sum over i in 0..n-1 of (value byte 0 or 1000 on a miss), the key's words i*7 + j on the stack */
function hashSumProg(ptr: number, keySize: number, n: number): string {
  const words = keySize / 4;
  let stores = '';
  for (let j = 0; j < words; j++) stores += `mov %r3, %r6\nmul %r3, 7\nadd %r3, ${j}\nstxw [%r10-${keySize - 4 * j}], %r3\n`;
  return `
  mov %r6, 0
  mov %r7, 0
loop:
  ${stores}
  mov %r2, %r10
  add %r2, -${keySize}
  lddw %r1, ${ptr}
  call 1
  jeq %r0, 0, miss
  ldxb %r3, [%r0+0]
  add %r7, %r3
  ja next
miss:
  add %r7, 1000
next:
  add %r6, 1
  jlt %r6, ${n}, loop
  mov %r0, %r7
  exit`;
}

function hashKey(i: number, keySize: number): Uint8Array {
  const k = new Uint32Array(keySize / 4);
  for (let j = 0; j < k.length; j++) k[j] = i * 7 + j;
  return new Uint8Array(k.buffer);
}

test('hash lookup inline: every key size the jhash2 unrolling has a shape for agrees with the helper, through deletes and replacing updates', () => {
  for (const keySize of [4, 8, 12, 16, 24, 64]) {
    const results: Record<string, bigint[]> = {};
    for (const engine of ['interp', 'jit'] as const) {
      const rt = new Runtime({ engine });
      rt.unref();
      // 8 buckets for 40 keys: chains of several elements
      const map = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_HASH, keySize, valueSize: 8, maxEntries: 8, flags: 0, name: 'h' });
      rt.registerMap(map);
      let calls = 0;
      const orig = map.lookupElem.bind(map);
      map.lookupElem = (k: number): number => { calls++; return orig(k); };
      const v = (x: number): Uint8Array => new Uint8Array([x, 0, 0, 0, 0, 0, 0, 0]);
      for (let i = 0; i < 6; i++) map.update(hashKey(i, keySize), v(i + 1), 0);
      const p = rt.createProg('p', XDP, assemble(hashSumProg(map.ptr, keySize, 10)), []);
      const out: bigint[] = [];
      out.push(p.callAt(0, [], 0));
      // changes after the program was compiled: the arena mirror follows them
      map.delete(hashKey(2, keySize));
      map.update(hashKey(4, keySize), v(40), 0); // an existing key: the value moves to a spare element
      map.update(hashKey(7, keySize), v(70), 0);
      out.push(p.callAt(0, [], 0));
      for (let i = 0; i < 8; i++) try { map.delete(hashKey(i, keySize)); } catch { /* absent */ }
      out.push(p.callAt(0, [], 0));
      results[engine] = out;
      assert.equal(calls, engine === 'interp' ? 30 : 0, `key size ${keySize}, ${engine}: lookupElem calls`);
    }
    assert.deepEqual(results['interp'], [1n + 2n + 3n + 4n + 5n + 6n + 4000n, 1n + 2n + 4n + 40n + 6n + 70n + 4000n, 10000n], `key size ${keySize}`);
    assert.deepEqual(results['jit'], results['interp'], `key size ${keySize}`);
  }
});

test('per-CPU array lookup inline: each CPU gets its own copy (the current CPU read from the map env\'s arena word)', () => {
  const src = (ptr: number): string => `
    stw [%r10-4], 2
    mov %r2, %r10
    add %r2, -4
    lddw %r1, ${ptr}
    call 1
    jeq %r0, 0, out
    ldxdw %r0, [%r0+0]
  out:
    exit`;
  const res: Record<string, bigint[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine, cpus: 3 });
    rt.unref();
    const m = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, name: 'pc' }) as ArrayMap;
    rt.registerMap(m);
    // element 2: 100 + cpu on each CPU (user layout: the CPUs' copies one after the other)
    const v = new Uint8Array(m.userValueSize);
    for (let cpu = 0; cpu < 3; cpu++) v[cpu * 8] = 100 + cpu;
    m.update(key(2), v, 0);
    let calls = 0;
    const orig = m.lookupElem.bind(m);
    m.lookupElem = (k: number): number => { calls++; return orig(k); };
    const p = rt.createProg('p', XDP, assemble(src(m.ptr)), []);
    res[engine] = [p.callAt(0, [], 1), p.callAt(0, [], 0), p.callAt(0, [], 2), p.callAt(0, [], 1)];
    assert.equal(calls, engine === 'interp' ? 4 : 0, engine);
  }
  assert.deepEqual(res['interp'], [101n, 100n, 102n, 101n]);
  assert.deepEqual(res['jit'], res['interp']);
});

test('hash lookup inline: not for no-prealloc maps or keys that are not whole words', () => {
  const layouts: Record<string, unknown> = {};
  const rt = new Runtime({ engine: 'jit' });
  rt.unref();
  for (const [name, type, flags, keySize] of [['lru', 9, 0, 4], ['percpu', 5, 0, 4], ['noprealloc', 1, 1, 4], ['odd key', 1, 0, 6], ['long key', 1, 0, 68], ['plain', 1, 0, 4]] as const) {
    const m = createMap(rt.mapEnv, { type, keySize, valueSize: 8, maxEntries: 4, flags, name: 'm' });
    layouts[name] = m.inlineLayout()?.kind;
  }
  assert.deepEqual(layouts, { lru: 'hash', percpu: 'hash', noprealloc: undefined, 'odd key': undefined, 'long key': undefined, plain: 'hash' });
});

test('per-CPU hash lookup inline: the running CPU\'s copy, through inserts and deletes after compilation', () => {
  const src = (ptr: number): string => `
    mov %r6, 0
    mov %r7, 0
  loop:
    stxw [%r10-4], %r6
    mov %r2, %r10
    add %r2, -4
    lddw %r1, ${ptr}
    call 1
    mov %r3, 1000
    jeq %r0, 0, add
    ldxdw %r3, [%r0+0]
    stdw [%r0+8], 5
  add:
    mul %r7, 31
    add %r7, %r3
    add %r6, 1
    jlt %r6, 6, loop
    mov %r0, %r7
    exit`;
  const res: Record<string, unknown[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine, cpus: 3 });
    rt.unref();
    const m = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_PERCPU_HASH, keySize: 4, valueSize: 16, maxEntries: 4, flags: 0, name: 'ph' });
    rt.registerMap(m);
    const put = (k: number): void => {
      const v = new Uint8Array(m.userValueSize);
      for (let cpu = 0; cpu < 3; cpu++) v[cpu * 16] = 10 * k + cpu;
      m.update(key(k), v, 0);
    };
    put(1); put(3);
    let calls = 0;
    const orig = m.lookupElem.bind(m);
    m.lookupElem = (k: number): number => { calls++; return orig(k); };
    const p = rt.createProg('p', XDP, assemble(src(m.ptr)), []);
    const out: unknown[] = [p.callAt(0, [], 1), p.callAt(0, [], 2)];
    m.delete(key(1)); put(4); put(5);
    out.push(p.callAt(0, [], 0), p.callAt(0, [], 2), [...m.keys()].map((k) => [k[0], [...m.lookup(k)]]));
    res[engine] = out;
    assert.equal(calls, engine === 'interp' ? 24 : 0, engine);
  }
  assert.deepEqual(res['jit'], res['interp']);
});

test('bpf_ktime_get_ns on the virtual clock is a load of the word the clock keeps; the real clock keeps the call', () => {
  // r0 = the time, if both reads agree (time stands still during a run), else 0
  const src = 'call 5\nmov %r6, %r0\ncall 5\njne %r0, %r6, bad\nexit\nbad:\nmov %r0, 0\nexit';
  const res: Record<string, bigint[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine, clock: 'virtual' });
    rt.unref();
    const clock = rt.virtualClock;
    let calls = 0;
    const orig = clock.ktime_get_ns.bind(clock);
    clock.ktime_get_ns = (): bigint => { calls++; return orig(); };
    const p = rt.createProg('p', XDP, assemble(src), []);
    const out = [p.callAt(0, [], 0)];
    clock.advance(1234n);
    out.push(p.callAt(0, [], 0));
    clock.advanceTo(1n << 40n);
    out.push(p.callAt(0, [], 0));
    res[engine] = out;
    assert.equal(calls, engine === 'interp' ? 6 : 0, engine);
  }
  const [t0, t1, t2] = res['interp']!;
  assert.ok(t0! > 0n);
  assert.equal(t1! - t0!, 1234n);
  assert.equal(t2, 1n << 40n);
  assert.deepEqual(res['jit'], res['interp']);
  const rt = new Runtime({ engine: 'jit', clock: 'real' });
  rt.unref();
  let calls = 0;
  const clock = rt.clock as unknown as { ktime_get_ns(): bigint };
  const orig = clock.ktime_get_ns.bind(clock);
  clock.ktime_get_ns = (): bigint => { calls++; return orig(); };
  const p = rt.createProg('p', XDP, assemble(src), []);
  p.callAt(0, [], 0);
  assert.equal(calls, 2);
});

// ---- bpf_map_update_elem / bpf_map_delete_elem on plain preallocated hash maps (emitHashUpdate/emitHashDelete) ----

type Op = readonly ['u', number, number, number] | readonly ['d', number] | readonly ['stale', number, number];

/**
 * One program running `ops` on the hash map (4-byte keys, 12-byte values: the
 * value's words v, v + 1 and the key), writing each op's r0 to out[i]
 * (an array value of 8 * ops.length bytes). 'stale': look k up, update k to v,
 * then read the first word through the pointer the lookup gave (the old
 * element: the kernel's update moves the key to the CPU's spare element).
 */
function opsProg(map: number, out: number, ops: readonly Op[]): string {
  let s = `stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${out}\ncall 1\njne %r0, 0, go\nexit\ngo:\nmov %r9, %r0\n`;
  const update = (k: number, v: number, f: number): string =>
    `stw [%r10-4], ${k}\nstw [%r10-16], ${v}\nstw [%r10-12], ${v + 1}\nstw [%r10-8], ${k}\n` +
    `mov %r2, %r10\nadd %r2, -4\nmov %r3, %r10\nadd %r3, -16\nmov %r4, ${f}\nlddw %r1, ${map}\ncall 2\n`;
  ops.forEach((op, i) => {
    if (op[0] === 'u') s += update(op[1], op[2], op[3]);
    else if (op[0] === 'd') s += `stw [%r10-4], ${op[1]}\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map}\ncall 3\n`;
    else {
      s += `stw [%r10-4], ${op[1]}\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map}\ncall 1\nmov %r8, %r0\n`;
      s += update(op[1], op[2], 0);
      s += `mov %r0, 77\njeq %r8, 0, st${i}\nldxw %r0, [%r8+0]\nst${i}:\n`;
    }
    s += `stxdw [%r9+${8 * i}], %r0\n`;
  });
  return s + 'mov %r0, 0\nexit';
}

interface HashRun { results: bigint[][]; keys: number[]; values: number[][]; count: number; calls: number }

function runOps(engine: EngineKind, ops: readonly Op[], cpus: readonly number[], between?: (m: ReturnType<typeof createMap>) => void, maxEntries = 4): HashRun {
  const rt = new Runtime({ engine, cpus: 2 });
  rt.unref();
  const map = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 12, maxEntries, flags: 0, name: 'h' });
  const out = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8 * ops.length, maxEntries: 1, flags: 0, name: 'out' });
  rt.registerMap(map);
  rt.registerMap(out);
  let calls = 0;
  const upd = map.updateElem.bind(map), del = map.deleteElem.bind(map);
  map.updateElem = (k: number, v: number, f: number): number => { calls++; return upd(k, v, f); };
  map.deleteElem = (k: number): number => { calls++; return del(k); };
  const p = rt.createProg('p', XDP, assemble(opsProg(map.ptr, out.ptr, ops)), []);
  const results: bigint[][] = [];
  for (const cpu of cpus) {
    assert.equal(p.callAt(0, [], cpu), 0n);
    const o = out.lookup(key(0));
    const dv = new DataView(o.buffer, o.byteOffset);
    results.push(ops.map((_, i) => dv.getBigInt64(8 * i, true)));
    between?.(map);
  }
  const keys = [...map.keys()].map((k) => new DataView(k.buffer, k.byteOffset).getUint32(0, true));
  const values = [...map.keys()].map((k) => { const v = map.lookup(k); const dv = new DataView(v.buffer, v.byteOffset); return [0, 4, 8].map((o) => dv.getUint32(o, true)); });
  return { results, keys, values, count: map.elemCount, calls };
}

const EEXIST = -17n, ENOENT = -2n, EINVAL = -22n, E2BIG = -7n;

test('hash update/delete inline: flags, errors, inserts, replacing updates, deletes, a full map and stale pointers agree with the helper', () => {
  const ops: Op[] = [
    ['u', 1, 10, 0], ['u', 2, 20, 0], ['u', 1, 11, 0], ['u', 1, 12, 2], ['u', 3, 30, 2], ['u', 2, 21, 1],
    ['u', 1, 13, 4], ['u', 1, 14, 8], ['u', 1, 15, 3], ['d', 2], ['d', 2], ['u', 3, 31, 0], ['u', 4, 40, 0], ['u', 5, 50, 0],
    ['u', 6, 60, 0], ['u', 4, 41, 0], ['d', 3], ['u', 6, 61, 1], ['stale', 1, 16], ['u', 5, 51, 2], ['d', 1],
    ['u', 9, 90, 0], ['u', 9, 91, 0], ['stale', 9, 92],
  ];
  // runs on CPU 0, 1, 0, 1 (each CPU its own spare element); between runs the user side deletes key 4 and adds 7
  const between = (m: ReturnType<typeof createMap>): void => {
    try { m.delete(key(4)); } catch { /* absent */ }
    const v = new Uint8Array(12); v[0] = 7;
    try { m.update(key(7), v, 0); } catch { /* full */ }
  };
  const res: Record<string, HashRun> = {};
  for (const engine of ['interp', 'jit'] as const) res[engine] = runOps(engine, ops, [0, 1, 0, 1], between);
  const first = res['interp']!.results[0]!;
  assert.deepEqual(first.slice(0, 11), [0n, 0n, 0n, 0n, ENOENT, EEXIST, EINVAL, EINVAL, EINVAL, 0n, ENOENT]);
  assert.deepEqual(first.slice(11, 16), [0n, 0n, 0n, E2BIG, 0n]); // 1, 3, 4, 5: the map is full
  assert.equal(first[18], 12n); // the stale pointer still reads key 1's old element (its value word before the update to 16)
  const { calls, ...interp } = res['interp']!;
  const { calls: jitCalls, ...jit } = res['jit']!;
  assert.deepEqual(jit, interp);
  // the JIT reached the map's update/delete only for what the inline path leaves to the helper
  assert.ok(jitCalls < calls - 30, `jit ${jitCalls} calls, interp ${calls}`);
});

test('hash update/delete inline: more changes than the log holds in one run, on two CPUs, with the user side reading between', () => {
  // 600 replacing updates over 3 keys and deletes/re-inserts: the log (256 entries) fills, the helper replays it
  const loop = (map: number): string => `
    mov %r6, 0
  loop:
    mov %r3, %r6
    mod %r3, 3
    stxw [%r10-4], %r3
    stxw [%r10-16], %r6
    stxw [%r10-12], %r6
    stxw [%r10-8], %r6
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    lddw %r1, ${map}
    call 2
    jne %r0, 0, bad
    mov %r3, %r6
    and %r3, 63
    jne %r3, 5, next
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, ${map}
    call 3
  next:
    add %r6, 1
    jlt %r6, 600, loop
    mov %r0, 0
    exit
  bad:
    exit`;
  const res: Record<string, unknown[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine, cpus: 2 });
    rt.unref();
    const map = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 12, maxEntries: 8, flags: 0, name: 'h' });
    rt.registerMap(map);
    let calls = 0;
    const upd = map.updateElem.bind(map);
    map.updateElem = (k: number, v: number, f: number): number => { calls++; return upd(k, v, f); };
    const p = rt.createProg('p', XDP, assemble(loop(map.ptr)), []);
    const out: unknown[] = [];
    for (const cpu of [0, 1, 1]) {
      out.push(p.callAt(0, [], cpu));
      out.push(map.elemCount, [...map.keys()].map((k) => [k[0], [...map.lookup(k)]]));
    }
    res[engine] = out;
    // the interpreter calls the map 1 800 times; the JIT for the 3 first inserts, key 1's re-inserts and a full log
    if (engine === 'interp') assert.equal(calls, 1800);
    else assert.ok(calls < 60, `jit: ${calls} updateElem calls`);
  }
  assert.deepEqual(res['jit'], res['interp']);
});

test('hash update/delete inline: only maps without special fields the program may write, values up to 64 bytes', () => {
  const rt = new Runtime({ engine: 'jit' });
  rt.unref();
  const log: Record<string, boolean> = {};
  for (const [name, flags, valueSize] of [['plain', 0, 8], ['rdonly_prog', 0x80, 8], ['value 72', 0, 72], ['value 64', 0, 64]] as const) {
    const m = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize, maxEntries: 4, flags, name: 'm' });
    const l = m.inlineLayout();
    log[name] = l?.kind === 'hash' && l.log !== undefined;
  }
  assert.deepEqual(log, { plain: true, rdonly_prog: false, 'value 72': false, 'value 64': true });
});

test('LRU hash lookup inline: the lookup sets the element\'s ref bit, so eviction keeps the keys the program looked up, as the helper does', () => {
  // r0 = sum of the first bytes of the values of keys 1, 3, 5, 6 (a miss adds 100)
  const src = (ptr: number): string => `
    mov %r7, 0
    ${[1, 3, 5, 6].map((k) => `stw [%r10-4], ${k}\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${ptr}\ncall 1\nmov %r3, 100\njeq %r0, 0, m${k}\nldxb %r3, [%r0+0]\nm${k}:\nadd %r7, %r3`).join('\n')}
    mov %r0, %r7
    exit`;
  for (const type of [BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH]) {
    const res: Record<string, unknown[]> = {};
    for (const [name, engine, look] of [['interp', 'interp', true], ['jit', 'jit', true], ['none', 'jit', false]] as const) {
      const rt = new Runtime({ engine, cpus: 2 });
      rt.unref();
      const m = createMap(rt.mapEnv, { type, keySize: 4, valueSize: 8, maxEntries: 16, flags: 0, name: 'lru' });
      rt.registerMap(m);
      let calls = 0;
      const orig = m.lookupElem.bind(m);
      m.lookupElem = (k: number): number => { calls++; return orig(k); };
      const p = rt.createProg('p', XDP, assemble(src(m.ptr)), []);
      const put = (k: number): void => { const v = new Uint8Array(m.userValueSize); v[0] = k; m.update(key(k), v, 0); };
      const out: unknown[] = [];
      for (let k = 0; k < 16; k++) put(k);
      if (look) out.push(p.callAt(0, [], 0), p.callAt(0, [], 1));
      // 24 more keys through a full map: each insert evicts, second chance for referenced elements
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < 8; k++) put(100 + 8 * round + k);
        if (look) out.push(p.callAt(0, [], round & 1));
      }
      out.push([...m.keys()].map((k) => k[0]).sort((a, b) => a! - b!));
      res[name] = out;
      if (look) assert.equal(calls, engine === 'interp' ? 20 : 0, `${type} ${name}`);
    }
    assert.deepEqual(res['jit'], res['interp'], `type ${type}`);
    // the lookups changed what was evicted (else this test could not see a ref bit going missing)
    assert.notDeepEqual(res['none']!.at(-1), res['interp']!.at(-1), `type ${type}`);
  }
});

test('hash of maps lookup inline: the inner map pointer from the outer table (htab_of_map_lookup_elem), through replacements and deletes after compilation', () => {
  // r0 = sum over outer keys 0..5 of (the inner array's value at key 0, or 100 when the outer lookup gives NULL)
  const src = (ptr: number): string => `
    mov %r7, 0
    mov %r6, 0
  loop:
    stxw [%r10-4], %r6
    mov %r2, %r10
    add %r2, -4
    lddw %r1, ${ptr}
    call 1
    jne %r0, 0, hit
    add %r7, 100
    ja next
  hit:
    mov %r1, %r0
    stw [%r10-8], 0
    mov %r2, %r10
    add %r2, -8
    call 1
    jeq %r0, 0, next
    ldxdw %r3, [%r0+0]
    add %r7, %r3
  next:
    add %r6, 1
    jlt %r6, 6, loop
    mov %r0, %r7
    exit`;
  const res: Record<string, unknown[]> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine });
    rt.unref();
    const innerSpec = { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, name: 'in' };
    const outer = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0, name: 'hom', inner: innerSpec });
    rt.registerMap(outer);
    const inners = [1, 2, 3, 4].map((v) => {
      const m = createMap(rt.mapEnv, innerSpec);
      rt.registerMap(m);
      m.update(key(0), new Uint8Array(new BigUint64Array([BigInt(v)]).buffer), 0);
      return m;
    });
    let calls = 0;
    const orig = outer.lookupElem.bind(outer);
    outer.lookupElem = (k: number): number => { calls++; return orig(k); };
    const p = rt.createProg('p', XDP, assemble(src(outer.ptr)), []);
    const out: unknown[] = [];
    out.push(p.callAt(0, [], 0));
    for (let k = 0; k < 4; k++) outer.update(key(k), key(inners[k]!.id), 0);
    out.push(p.callAt(0, [], 0));
    outer.update(key(1), key(inners[3]!.id), 0); // replaced: the spare element takes it
    outer.delete(key(2));
    outer.update(key(5), key(inners[0]!.id), 0);
    out.push(p.callAt(0, [], 0));
    res[engine] = out;
    assert.equal(calls, engine === 'jit' ? 0 : 18, engine);
  }
  assert.deepEqual(res['jit'], [600n, 10n + 200n, 1n + 4n + 4n + 100n + 100n + 1n]);
  assert.deepEqual(res['jit'], res['interp']);
});

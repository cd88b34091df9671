// bpf_map_update_elem / bpf_map_delete_elem on an LRU hash compiled inline
// (src/jit/inline.ts emitLruUpdate/emitLruDelete over the arena copy of the
// CPUs' local free lists, replayed into the JS LRU by HashMap.syncLru).
// Differential: random sequences of updates (every flag), lookups (which set
// ref bits), deletes and stale-pointer reads from one BPF program, run on two
// CPUs with the user side changing the map between runs, must give the JIT
// exactly what the interpreter (the JS helper, tsbpf's reference LRU) gives:
// every return value, the map's contents in iteration order, its count, and
// which keys later evictions pick (the LRU lists' state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/asm.js';
import { createMap, type BpfMap } from '../../src/maps/map.js';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU } from '../../src/uapi/bpf.js';
import { Runtime } from '../../src/runtime/runtime.js';
import type { EngineKind } from '../../src/jit/index.js';
import { join } from 'node:path';
import { repoRoot } from '../kernel/kernel.js';

const XDP = 6;
const key = (i: number): Uint8Array => new Uint8Array(new Uint32Array([i]).buffer);

/** u: update k to (v, v + 1, k) with flags f; d: delete k; l: lookup k (its first word, or 77); s: lookup k, update k to v, read the old pointer */
type Op = readonly ['u', number, number, number] | readonly ['d', number] | readonly ['l', number] | readonly ['s', number, number];

function opsProg(map: number, out: number, ops: readonly Op[]): string {
  let s = `stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${out}\ncall 1\njne %r0, 0, go\nexit\ngo:\nmov %r9, %r0\n`;
  const update = (k: number, v: number, f: number): string =>
    `stw [%r10-4], ${k}\nstw [%r10-16], ${v}\nstw [%r10-12], ${v + 1}\nstw [%r10-8], ${k}\n` +
    `mov %r2, %r10\nadd %r2, -4\nmov %r3, %r10\nadd %r3, -16\nmov %r4, ${f}\nlddw %r1, ${map}\ncall 2\n`;
  const lookup = (k: number): string => `stw [%r10-4], ${k}\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map}\ncall 1\n`;
  ops.forEach((op, i) => {
    if (op[0] === 'u') s += update(op[1], op[2], op[3]);
    else if (op[0] === 'd') s += `stw [%r10-4], ${op[1]}\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map}\ncall 3\n`;
    else if (op[0] === 'l') s += lookup(op[1]) + `mov %r8, %r0\nmov %r0, 77\njeq %r8, 0, st${i}\nldxw %r0, [%r8+0]\nst${i}:\n`;
    else s += lookup(op[1]) + `mov %r8, %r0\n` + update(op[1], op[2], 0) + `mov %r0, 77\njeq %r8, 0, st${i}\nldxw %r0, [%r8+0]\nst${i}:\n`;
    s += `stxdw [%r9+${8 * i}], %r0\n`;
  });
  return s + 'mov %r0, 0\nexit';
}

/** mulberry32 */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomOps(r: () => number, n: number, keys: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * keys), v = Math.floor(r() * 1000), x = r();
    if (x < 0.45) ops.push(['u', k, v, x < 0.3 ? 0 : x < 0.37 ? 1 : x < 0.44 ? 2 : 4]);
    else if (x < 0.6) ops.push(['d', k]);
    else if (x < 0.9) ops.push(['l', k]);
    else ops.push(['s', k, v]);
  }
  return ops;
}

interface LruRun { out: unknown[]; calls: number }

function words(m: BpfMap, k: Uint8Array): number[] {
  const v = m.lookup(k);
  const dv = new DataView(v.buffer, v.byteOffset);
  return [0, 4, 8].map((o) => dv.getUint32(o, true));
}

function snapshot(m: BpfMap): unknown[] {
  const keys = [...m.keys()];
  return [m.elemCount, keys.map((k) => [new DataView(k.buffer, k.byteOffset).getUint32(0, true), ...words(m, k)])];
}

function runLru(engine: EngineKind, progs: readonly Op[][], cpus: readonly number[], maxEntries: number, flags = 0, type = BPF_MAP_TYPE_LRU_HASH, prefill = 0): LruRun {
  const rt = new Runtime({ engine, cpus: 2 });
  rt.unref();
  const map = createMap(rt.mapEnv, { type, keySize: 4, valueSize: 12, maxEntries, flags, name: 'lru' });
  const maxOps = Math.max(...progs.map((p) => p.length));
  const out = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8 * maxOps, maxEntries: 1, flags: 0, name: 'out' });
  rt.registerMap(map);
  rt.registerMap(out);
  let calls = 0;
  const upd = map.updateElem.bind(map), del = map.deleteElem.bind(map);
  map.updateElem = (k: number, v: number, f: number): number => { calls++; return upd(k, v, f); };
  map.deleteElem = (k: number): number => { calls++; return del(k); };
  const user = new Uint8Array(map.userValueSize);
  // before the JIT compiles (and the map moves its free lists into the arena): local free and pending lists in use
  // (the keys the programs use: their updates and deletes meet elements on the pending and global lists)
  for (let k = 0; k < prefill; k++) {
    user[0] = k;
    map.update(key(k), user, 0);
    if (k % 4 === 1) map.lookup(key(k - 1));
    if (k % 5 === 4) map.delete(key(k - 1));
  }
  const ps = progs.map((ops) => rt.createProg('p', XDP, assemble(opsProg(map.ptr, out.ptr, ops)), []));
  const res: unknown[] = [];
  cpus.forEach((cpu, i) => {
    const p = ps[i % ps.length]!, n = progs[i % ps.length]!.length;
    assert.equal(p.callAt(0, [], cpu), 0n);
    const o = out.lookup(key(0));
    const dv = new DataView(o.buffer, o.byteOffset);
    res.push(Array.from({ length: n }, (_, j) => dv.getBigInt64(8 * j, true)));
    res.push(snapshot(map));
    // the user side between runs: a delete and an insert (each may evict)
    try { map.delete(key(i % 5)); } catch { /* absent */ }
    user[0] = 200 + i;
    map.update(key(100 + i), user, 0);
  });
  // the lists' state: push 3 x max_entries new keys through the map from the user side, then what is left
  for (let k = 0; k < 3 * maxEntries; k++) {
    user[0] = k;
    map.update(key(1000 + k), user, 0);
    if (k % 3 === 0) try { map.lookup(key(1000 + k - 1)); } catch { /* evicted */ }
  }
  res.push(snapshot(map));
  return { out: res, calls };
}

test('LRU update/delete inline: random update/lookup/delete sequences on two CPUs agree with the helper (returns, contents, order, evictions)', () => {
  let inlined = 0, viaHelper = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const maxEntries = [4, 8, 16, 64][seed % 4]!;
    const keys = Math.max(6, Math.round(maxEntries * (1 + r())));
    const progs = [randomOps(r, 40 + Math.floor(r() * 40), keys), randomOps(r, 30, keys)];
    const cpus = [0, 1, 0, 1, 1, 0];
    // every other seed: the map filled past max_entries from the user side before the programs are compiled
    const prefill = seed % 2 === 0 ? maxEntries + 3 : 0;
    // then first a delete and an update of the newest keys: elements still on CPU 0's pending list
    if (prefill) progs[0]!.unshift(['d', prefill - 2], ['u', prefill - 1, 7, 0]);
    const interp = runLru('interp', progs, cpus, maxEntries, 0, BPF_MAP_TYPE_LRU_HASH, prefill);
    const jit = runLru('jit', progs, cpus, maxEntries, 0, BPF_MAP_TYPE_LRU_HASH, prefill);
    assert.deepEqual(jit.out, interp.out, `seed ${seed}`);
    inlined += interp.calls - jit.calls;
    viaHelper += jit.calls;
  }
  // most calls ran inline (the rest: refills of an empty local free list, invalid flags)
  assert.ok(inlined > 2 * viaHelper, `inline ${inlined}, helper ${viaHelper}`);
});

test('LRU update inline: more changes than the log holds, replacing updates of old elements (global lists) and of pending ones', () => {
  // 600 updates over 40 keys on a 32-entry map: evictions, a full log, elements replaced on both kinds of list
  const loop = (map: number): string => `
    mov %r6, 0
  loop:
    mov %r3, %r6
    mul %r3, 7
    mod %r3, 40
    stxw [%r10-4], %r3
    stxw [%r10-16], %r6
    stxw [%r10-12], %r6
    stxw [%r10-8], %r3
    mov %r2, %r10
    add %r2, -4
    lddw %r1, ${map}
    call 1
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    lddw %r1, ${map}
    call 2
    jne %r0, 0, bad
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
    const map = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 12, maxEntries: 32, flags: 0, name: 'lru' });
    rt.registerMap(map);
    let calls = 0;
    const upd = map.updateElem.bind(map);
    map.updateElem = (k: number, v: number, f: number): number => { calls++; return upd(k, v, f); };
    const p = rt.createProg('p', XDP, assemble(loop(map.ptr)), []);
    const out: unknown[] = [];
    for (const cpu of [0, 1, 1, 0]) out.push(p.callAt(0, [], cpu), snapshot(map));
    res[engine] = out;
    if (engine === 'interp') assert.equal(calls, 2400);
    else assert.ok(calls < 600, `jit: ${calls} updateElem calls`);
  }
  assert.deepEqual(res['jit'], res['interp']);
});

test('LRU update/delete inline: only the common LRU of LRU_HASH (per-CPU lists and LRU_PERCPU_HASH keep the helper)', () => {
  const rt = new Runtime({ engine: 'jit', cpus: 2 });
  rt.unref();
  const got: Record<string, boolean> = {};
  for (const [name, type, flags] of [['common', BPF_MAP_TYPE_LRU_HASH, 0], ['no_common', BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU],
    ['percpu', BPF_MAP_TYPE_LRU_PERCPU_HASH, 0], ['rdonly_prog', BPF_MAP_TYPE_LRU_HASH, 0x80]] as const) {
    const l = createMap(rt.mapEnv, { type, keySize: 4, valueSize: 8, maxEntries: 8, flags, name: 'm' }).inlineLayout();
    got[name] = l?.kind === 'hash' && l.lfree !== undefined;
  }
  assert.deepEqual(got, { common: true, no_common: false, percpu: false, rdonly_prog: false });
  // and the helper's results still agree where it runs (BPF_F_NO_COMMON_LRU)
  const progs = [randomOps(rng(99), 50, 12)];
  assert.deepEqual(runLru('jit', progs, [0, 1, 0], 8, BPF_F_NO_COMMON_LRU).out, runLru('interp', progs, [0, 1, 0], 8, BPF_F_NO_COMMON_LRU).out);
});

test('LRU update inline: the kernel-recorded scenario (test/isolation/lru_update) runs its updates and deletes inline on the JIT', async () => {
  // the golden itself is replayed on both engines by test/runtime/differential.test.ts; this checks it exercises the inline path
  const calls: Record<string, number> = {};
  const dumps: Record<string, unknown> = {};
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine });
    rt.unref();
    const obj = await rt.loadObject(join(repoRoot, 'test/isolation/lru_update.bpf.o'));
    const m = obj.map('lru').object.map;
    let n = 0;
    const upd = m.updateElem.bind(m), del = m.deleteElem.bind(m);
    m.updateElem = (k: number, v: number, f: number): number => { n++; return upd(k, v, f); };
    m.deleteElem = (k: number): number => { n++; return del(k); };
    assert.equal(obj.program('ops').run().retval, 0);
    calls[engine] = n;
    dumps[engine] = [...obj.map('.bss').lookup(0)!, ...obj.map('.data').lookup(0)!];
    obj.close();
  }
  assert.deepEqual(dumps['jit'], dumps['interp']);
  // 1 441 calls on the interpreter; on the JIT only the refills of the local free list (every 128th insert) and the bad flags
  assert.ok(calls['interp']! > 1000 && calls['jit']! < calls['interp']! / 10, JSON.stringify(calls));
});

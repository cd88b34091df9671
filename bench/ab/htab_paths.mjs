// What the hash paths that keep the helper cost next to the inline ones (bench/RESULTS.md 9k):
//   node bench/ab/htab_paths.mjs [DIST]      (DIST: a built dist/ folder, default this repo's)
// One program of 256 x (bpf_map_update_elem BPF_ANY over 256 existing u32 keys, u64 values) on a
// preallocated (inline on the JIT) and a BPF_F_NO_PREALLOC hash (the helper), the same with a delete
// before each update (BPF_NOEXIST), and 256 lookups on a plain hash (inline) and a hash of maps (the
// helper); both engines, best of 5 x 300 runs, ns per run.
const D = process.argv[2] ?? new URL('../../dist', import.meta.url).pathname;
const { Runtime } = await import(D + '/src/index.js');
const { assemble } = await import(D + '/src/isa/asm.js');
const { createMap } = await import(D + '/src/maps/map.js');
const U = (i) => new Uint8Array(new Uint32Array([i]).buffer);
const loop = (ptr, call) => `
  mov %r6, 0
loop:
  mov %r3, %r6
  mul %r3, 37
  and %r3, 255
  stxw [%r10-4], %r3
  stxdw [%r10-16], %r6
  mov %r2, %r10
  add %r2, -4
  mov %r3, %r10
  add %r3, -16
  mov %r4, 0
  lddw %r1, ${ptr}
  call ${call}
  add %r6, 1
  jlt %r6, 256, loop
  mov %r0, 0
  exit`;
for (const engine of ['jit', 'interp']) {
  for (const [name, type, flags, call] of [['update prealloc', 1, 0, 2], ['update no_prealloc', 1, 1, 2], ['delete+insert no_prealloc', 1, 1, 3], ['lookup hash', 1, 0, 1], ['lookup hash_of_maps', 13, 0, 1]]) {
    const rt = new Runtime({ engine, maxRepeat: 1 << 30 }); rt.unref();
    const spec = { type, keySize: 4, valueSize: type === 13 ? 4 : 8, maxEntries: 1024, flags, name: 'm' };
    if (type === 13) spec.inner = { type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, name: 'in' };
    const m = createMap(rt.mapEnv, spec);
    rt.registerMap(m);
    const inner = type === 13 ? createMap(rt.mapEnv, { type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, name: 'in' }) : undefined;
    if (inner) rt.registerMap(inner);
    for (let k = 0; k < 256; k++) {
      if (inner) { m.update(U(k), U(inner.id), 0); } else m.update(U(k), new Uint8Array(8), 0);
    }
    let src = loop(m.ptr, call);
    if (call === 3) src = src.replace(`call 3\n`, `call 3\n  mov %r2, %r10\n  add %r2, -4\n  mov %r3, %r10\n  add %r3, -16\n  mov %r4, 1\n  lddw %r1, ${m.ptr}\n  call 2\n`);
    const p = rt.createProg('p', 6, assemble(src), []);
    for (let i = 0; i < 200; i++) p.callAt(0, [], 0);
    const best = [];
    for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < 300; i++) p.callAt(0, [], 0); best.push(Number(process.hrtime.bigint() - t) / 300); }
    console.log(engine, name, Math.min(...best).toFixed(0), 'ns/run (best of 5 x 300)');
  }
}

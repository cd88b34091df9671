// A/B of two builds in one process (issue 13 section 9c of bench/RESULTS.md):
//   node bench/ab/ab.mjs BENCH [REPS] [ENGINE] DIST_BEFORE DIST_AFTER   (a DIST is a built dist/ folder, e.g. a copy of this one)
// A/B in one process: the base build and the new build, alternating rep by rep
const [,, which = 'hashmap_lookup_inc', reps = '7', engine = 'jit', ...dists] = process.argv;
const D = dists.length ? dists : ['dist'].map((d) => new URL('../../' + d, import.meta.url).pathname);
const cases = {
  hashmap_lookup_inc: ['hashmap.bpf.o', 'hashmap_lookup_inc'], hashmap_update: ['hashmap.bpf.o', 'hashmap_update'],
  timers_lookup: ['timers_arm.bpf.o', 'timers_lookup', 'timers_setup'], timers_arm_cancel: ['timers_arm.bpf.o', 'timers_arm_cancel', 'timers_setup'],
  timers_set_callback: ['timers_arm.bpf.o', 'timers_set_callback', 'timers_setup'], timers_rearm: ['timers_arm.bpf.o', 'timers_rearm', 'timers_setup'],
  nop: ['nop.bpf.o', 'nop'],
  // this repo's bench/maps.bpf.c
  hash_delete_insert: ['@maps.bpf.o', 'hash_delete_insert'], lru_lookup_inc: ['@maps.bpf.o', 'lru_lookup_inc'],
  lru_update: ['@maps.bpf.o', 'lru_update'], percpu_lookup_inc: ['@maps.bpf.o', 'percpu_lookup_inc'],
};
const [obj, prog, setup] = cases[which];
const progs = [];
for (const d of D) {
  const { Runtime } = await import(d + '/src/index.js');
  const rt = new Runtime({ engine, maxRepeat: 1 << 30 }); rt.unref();
  const o = await rt.loadObject(obj.startsWith('@') ? new URL('../' + obj.slice(1), import.meta.url).pathname
    : (process.env.TSBPF_BENCH_DIR ?? '../shared/bench') + '/' + obj);
  const data = new Uint8Array(64);
  if (setup) o.program(setup).run({ data });
  const p = o.program(prog);
  p.run({ data, repeat: 100 });
  progs.push((n) => { const t = process.hrtime.bigint(); p.run({ data, repeat: n }); return Number(process.hrtime.bigint() - t) / n; });
}
const res = D.map(() => []);
for (let r = 0; r < Number(reps); r++) for (let i = 0; i < D.length; i++) res[i].push(progs[i](200));
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`${which} ${engine} load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}: ` + D.map((d, i) => `${d} median ${med(res[i]).toFixed(0)} min ${Math.min(...res[i]).toFixed(0)} ns/run`).join(' | '));

// Timer callbacks per second, two builds in one process: node bench/ab/fire.mjs [MS] [ENGINE] [ROUNDS] DIST_BEFORE DIST_AFTER
// fire rate A/B in one process: 64 self-re-arming timers, delay 1 us, virtual clock, advance(100 us) per step
const [,, ms = '1000', engine = 'jit', rounds = '3', ...dists] = process.argv;
const D = dists.length ? dists : ['dist'].map((d) => new URL('../../' + d, import.meta.url).pathname);
function setGlobal(obj, name, v) {
  const g = obj.globals().find((x) => x.name === name);
  const h = obj.map(g.section); const cur = h.lookup(0);
  const dv = new DataView(cur.buffer, cur.byteOffset, cur.byteLength);
  const big = BigInt.asUintN(g.size * 8, BigInt(v));
  if (g.size === 8) dv.setBigUint64(g.offset, big, true); else dv.setUint32(g.offset, Number(big), true);
  h.update(0, cur);
}
const S = [];
for (const d of D) {
  const { Runtime } = await import(d + '/src/index.js');
  const rt = new Runtime({ clock: 'virtual', engine }); rt.unref();
  const obj = await rt.loadObject((process.env.TSBPF_BENCH_DIR ?? '../shared/bench') + '/timers_fire.bpf.o');
  setGlobal(obj, 'cfg_nr', 64); setGlobal(obj, 'cfg_delay_ns', 1000); setGlobal(obj, 'cfg_duration_ns', 10n ** 18n);
  const r = obj.program('fire_arm').run({ data: new Uint8Array(64) });
  if (r.retval !== 2) throw new Error('fire_arm');
  const clock = rt.virtualClock;
  S.push({ d, run(msx) { let n = 0; const t0 = performance.now(); let t = t0; while (t - t0 < msx) { for (let i = 0; i < 4; i++) n += clock.advance(100_000n); t = performance.now(); } return n / (t - t0) * 1000; } });
}
for (const s of S) s.run(200);
const res = S.map(() => []);
for (let r = 0; r < Number(rounds); r++) S.forEach((s, i) => res[i].push(s.run(Number(ms))));
console.log(`fire 64x1us ${engine} load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}: ` + S.map((s, i) => `${s.d} ${res[i].map((x) => (x / 1000).toFixed(0) + 'k').join(' ')} cb/s`).join(' | '));

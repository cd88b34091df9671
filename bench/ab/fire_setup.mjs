// The fire benches' common setup: a build's Runtime on the virtual clock with
// timers_fire.bpf.o loaded and 64 self-re-arming timers (delay 1 us) armed.
// Returns the virtual clock: each advance(100us) fires ~6 400 callbacks.
function setGlobal(obj, name, v) {
  const g = obj.globals().find((x) => x.name === name);
  const h = obj.map(g.section); const cur = h.lookup(0);
  const dv = new DataView(cur.buffer, cur.byteOffset, cur.byteLength);
  const big = BigInt.asUintN(g.size * 8, BigInt(v));
  if (g.size === 8) dv.setBigUint64(g.offset, big, true); else dv.setUint32(g.offset, Number(big), true);
  h.update(0, cur);
}

export async function armFire(dist, engine) {
  const { Runtime } = await import(dist + '/src/index.js');
  const rt = new Runtime({ clock: 'virtual', engine }); rt.unref();
  const obj = await rt.loadObject((process.env.TSBPF_BENCH_DIR ?? '../shared/bench') + '/timers_fire.bpf.o');
  setGlobal(obj, 'cfg_nr', 64); setGlobal(obj, 'cfg_delay_ns', 1000); setGlobal(obj, 'cfg_duration_ns', 10n ** 18n);
  if (obj.program('fire_arm').run({ data: new Uint8Array(64) }).retval !== 2) throw new Error('fire_arm');
  return rt.virtualClock;
}

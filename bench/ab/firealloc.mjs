// Allocation per timer callback: node --expose-gc bench/ab/firealloc.mjs [ENGINE] [N] [DIST...]
// 64 self-re-arming timers (timers_fire.bpf.o, delay 1 us) on the virtual clock driven by advance(100us);
// after a warm-up, N callbacks (default 1 M) are run and what the heap did meanwhile is counted: young-generation
// collections (PerformanceObserver 'gc' entries) and the heap bytes allocated (v8's new-space and old-space use,
// measured without a collection in between by running in slices that fit the young generation).
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { armFire } from './fire_setup.mjs';
const [,, engine = 'jit', nArg = '1000000', ...dists] = process.argv;
const N = Number(nArg);
const D = dists.length ? dists : ['dist'].map((d) => new URL('../../' + d, import.meta.url).pathname);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
let gcs = 0;
new PerformanceObserver((list) => { gcs += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
const used = () => v8.getHeapSpaceStatistics().reduce((s, x) => s + x.space_used_size, 0);
for (const d of D) {
  const clock = await armFire(d, engine);
  for (let i = 0; i < 2000; i++) clock.advance(100_000n); // warm-up: 128 000 callbacks, JIT-compiled JS
  // slices of 6 400 callbacks, the heap measured around each without a collection inside
  globalThis.gc(); await new Promise((r) => setTimeout(r, 10));
  const g0 = gcs;
  let n = 0, bytes = 0, slices = 0, t = 0;
  const c0 = process.cpuUsage();
  while (n < N) {
    const before = used(); const gBefore = gcs;
    const t0 = process.hrtime.bigint();
    n += clock.advance(100_000n);
    t += Number(process.hrtime.bigint() - t0);
    const after = used();
    // a collection inside the slice makes the difference meaningless: count the slice's allocation as unknown
    if (gcs === gBefore && after >= before) { bytes += after - before; slices++; }
  }
  const c1 = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 10));
  console.log(`${engine} ${d}: ${n} callbacks, ${gcs - g0} GCs, ${(bytes / (slices * 6400)).toFixed(1)} heap bytes per callback (${slices} slices measured), ${(n / t * 1e9 / 1e6).toFixed(2)} M callbacks/s while measured, ${((c1.user + c1.system) * 1000 / n).toFixed(0)} CPU ns per callback (measurement included)`);
}

// Timer callbacks per second, two builds in one process: node bench/ab/fire.mjs [MS] [ENGINE] [ROUNDS] DIST_BEFORE DIST_AFTER
// fire rate A/B in one process: 64 self-re-arming timers, delay 1 us, virtual clock, advance(100 us) per step
import { armFire } from './fire_setup.mjs';
const [,, ms = '1000', engine = 'jit', rounds = '3', ...dists] = process.argv;
const D = dists.length ? dists : ['dist'].map((d) => new URL('../../' + d, import.meta.url).pathname);
const S = [];
for (const d of D) {
  const clock = await armFire(d, engine);
  S.push({ d, run(msx) { let n = 0; const t0 = performance.now(); let t = t0; while (t - t0 < msx) { for (let i = 0; i < 4; i++) n += clock.advance(100_000n); t = performance.now(); } return n / (t - t0) * 1000; } });
}
for (const s of S) s.run(200);
const res = S.map(() => []);
for (let r = 0; r < Number(rounds); r++) S.forEach((s, i) => res[i].push(s.run(Number(ms))));
console.log(`fire 64x1us ${engine} load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}: ` + S.map((s, i) => `${s.d} ${res[i].map((x) => (x / 1000).toFixed(0) + 'k').join(' ')} cb/s`).join(' | '));

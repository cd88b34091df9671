// A/B of the verifier of two builds in one process (bench/RESULTS.md 10c):
//   node bench/ab/verify.mjs [--shared] [--max-insns 20] [--max-processed 40] [--rounds 12] [--passes 30] [--only NAME,...] [--level 0] DIST_BEFORE DIST_AFTER
// Each build verifies the corpus programs (test/verifier/corpus, as this
// checkout's dist/ toInput reads them) of at most
// --max-insns instructions (and at most --max-processed processed by the kernel), --passes times per round; the builds alternate round
// by round, in ABBA order. Printed: CPU time per load (process.cpuUsage, so another process
// on the machine does not count), median and best round, and the load average.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); if (i < 0) return d; const v = args[i + 1]; args.splice(i, 2); return v; };
const maxInsns = Number(opt('--max-insns', '20'));
const maxProcessed = Number(opt('--max-processed', '40'));
const rounds = Number(opt('--rounds', '12'));
const passes = Number(opt('--passes', '30'));
const level = Number(opt('--level', '0'));
const only = opt('--only', '');
// --shared: the shared benchmark objects (bench/verify-shared.kernel.json) instead of the corpus
const shared = args.includes('--shared');
if (shared) args.splice(args.indexOf('--shared'), 1);
import { resolve } from 'node:path';
const dists = (args.length ? args : ['dist']).map((d) => resolve(d));

// the records and their inputs come from this checkout's build (a frozen dist/ may have no corpus beside it)
const { loadRecords, toInput } = await import(new URL('../../dist/test/verifier/corpus.js', import.meta.url).href);
const builds = [];
for (const d of dists) {
  // the entry the loader's level-0 load calls: verifyOrReject where the build has it
  const m = await import(d + '/src/verifier/index.js');
  const verify = m.verifyOrReject ?? m.verify;
  let recs = shared
    ? Object.entries(JSON.parse(readFileSync(new URL('../verify-shared.kernel.json', import.meta.url), 'utf8'))).flatMap(([file, rs]) => rs.map((r) => ({ ...r, file })))
    : loadRecords();
  recs = recs.filter((r) => r.insns.length <= maxInsns && Number(/processed (\d+) insns/.exec(r.log)?.[1] ?? 0) <= maxProcessed);
  if (only) { const want = new Set(only.split(',')); recs = recs.filter((r) => want.has(r.name)); }
  const inputs = recs.map((r) => toInput(r, level));
  const outcome = inputs.map((inp) => {
    try { const v = verify(inp); return v.rejected ? `err ${v.message} ${v.log}` : 'ok ' + v.stats.processedInsns; } catch (e) { return `err ${e.message} ${e.log}`; }
  });
  builds.push({ d, verify, inputs, outcome, us: [] });
}
if (builds.length === 2) {
  const [a, b] = builds;
  let diff = 0;
  for (let i = 0; i < Math.min(a.outcome.length, b.outcome.length); i++) if (a.outcome[i] !== b.outcome[i]) diff++;
  if (a.outcome.length !== b.outcome.length || diff) console.log(`note: outcomes differ on ${diff} programs (${a.outcome.length} vs ${b.outcome.length} programs)`);
}
const pass = (b) => {
  for (const inp of b.inputs) { try { b.verify(inp); } catch { /* a refusal is an outcome */ } }
};
for (const b of builds) for (let i = 0; i < 5; i++) pass(b); // warm-up
// ABBA: the order flips every round (the one timed second pays for garbage the first left);
// with --expose-gc, a full collection before each build's turn
const gc = globalThis.gc;
for (let r = 0; r < rounds; r++) {
  for (const b of r & 1 ? [...builds].reverse() : builds) {
    gc?.();
    const c0 = process.cpuUsage();
    for (let p = 0; p < passes; p++) pass(b);
    const c = process.cpuUsage(c0);
    b.us.push((c.user + c.system) / (passes * b.inputs.length));
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`verify A/B, ${shared ? 'shared objects: ' : ''}${builds[0].inputs.length} programs of <= ${maxInsns} insns (kernel: <= ${maxProcessed} processed), log level ${level}, ${rounds} rounds x ${passes} passes, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const b of builds) console.log(`  ${b.d}: CPU per load median ${med(b.us).toFixed(1)} us, best ${Math.min(...b.us).toFixed(1)} us`);

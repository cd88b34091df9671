// The test-run path's fixed cost, A/B of any number of builds in one process (bench/RESULTS.md 9j):
//   node bench/ab/runcost.mjs BENCH ENGINE ROUNDS DIST...          CPU and wall ns per run of BENCH
//   node bench/ab/runcost.mjs --parts ENGINE ROUNDS DIST...        CPU ns of the nop run's parts
// (a DIST is a built dist/ folder, e.g. a copy of this one or a `git worktree` of an older commit
// built with tsc). The builds alternate round by round, the order reversed every other round;
// one round is one `repeat`-batched test run per build, calibrated to ~MS ms (env MS, default 40).
// --parts times, per build: the softirq pass that ends every repetition (runSoftirqs, no timer
// armed), withProg's bookkeeping around an empty function, and the engine's run(0, [r1]) of nop.
import { loadavg } from 'node:os';
const parts = process.argv[2] === '--parts';
const [bench, engine = 'jit', rounds = '20', ...dists] = parts ? ['nop', ...process.argv.slice(3)] : process.argv.slice(2);
const dir = process.env.TSBPF_BENCH_DIR ?? '../shared/bench';
const cases = { nop: ['nop.bpf.o', 64], memory: ['memory.bpf.o', 1500], hashmap_lookup_inc: ['hashmap.bpf.o', 64], alu: ['alu.bpf.o', 64] };
if (!cases[bench]) throw new Error(`unknown benchmark ${bench} (${Object.keys(cases).join(', ')})`);
const [obj, pkt] = cases[bench];
const packet = () => { const d = new Uint8Array(pkt); for (let i = 0; i < d.length; i++) d[i] = (i * 131 + 7) & 0xff; return d; };
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const builds = [];
for (const d of dists) {
  const { Runtime } = await import(d + '/src/index.js');
  const rt = new Runtime({ engine, maxRepeat: 1 << 30 }); rt.unref();
  const p = (await rt.loadObject(dir + '/' + obj)).program(bench);
  p.run({ data: packet(), repeat: 2000 });
  builds.push({ d, rt, p });
}

if (parts) {
  const N = 2_000_000;
  const none = () => 0n;
  for (const b of builds) {
    const po = b.p.object; const vm = po.vm; const rt = b.rt;
    b.parts = {
      softirq: () => { for (let i = 0; i < N; i++) rt.runSoftirqs(); },
      withProg: () => { for (let i = 0; i < N; i++) rt.withProg(po, 0, undefined, none); },
      'vm.run': () => { const a = [0n]; for (let i = 0; i < N; i++) vm.run(0, a); },
    };
    b.res = {};
  }
  for (let r = 0; r < Number(rounds); r++) {
    for (const b of r % 2 ? [...builds].reverse() : builds) {
      for (const [k, f] of Object.entries(b.parts)) { const c = cpuNs(); f(); (b.res[k] ??= []).push((cpuNs() - c) / N); }
    }
  }
  console.log(`parts of a nop run, ${engine}, ${rounds} rounds, CPU ns per call median [min], load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const b of builds) console.log(b.d.padEnd(28) + Object.entries(b.res).map(([k, v]) => `${k} ${med(v).toFixed(1)} [${Math.min(...v).toFixed(1)}]`).join('  '));
} else {
  let n = 100;
  for (;;) { const t = performance.now(); builds[0].p.run({ data: packet(), repeat: n }); if (performance.now() - t > Number(process.env.MS ?? 40)) break; n *= 2; }
  const cpu = builds.map(() => []), wall = builds.map(() => []);
  for (let r = 0; r < Number(rounds); r++) {
    const order = builds.map((_, i) => i); if (r % 2) order.reverse();
    for (const i of order) {
      const data = packet();
      const c = cpuNs(); const t = process.hrtime.bigint();
      builds[i].p.run({ data, repeat: n });
      wall[i].push(Number(process.hrtime.bigint() - t) / n);
      cpu[i].push((cpuNs() - c) / n);
    }
  }
  console.log(`${bench} ${engine}: repeat ${n}, ${rounds} rounds, ns per run median [min], load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  builds.forEach((b, i) => console.log(`${b.d.padEnd(28)} CPU ${med(cpu[i]).toFixed(1)} [${Math.min(...cpu[i]).toFixed(1)}]  wall ${med(wall[i]).toFixed(1)} [${Math.min(...wall[i]).toFixed(1)}]`));
}

// Real-clock timers beside an HTTP server in the same process (issue 12.2).
//
//   node dist/bench/realclock.js [--arm 20000] [--storm 5000] [--period-ms 1] [--seconds 5]
//
// 1. arming: an HTTP server listens on 127.0.0.1 (loopback only) and a client
//    in the same process sends requests back to back; then `--arm` periodic
//    timers (period --period-ms) are armed by BPF_PROG_TEST_RUN of
//    bench/realclock.bpf.o in one synchronous loop. Reported: the loop's
//    duration (the time the event loop was blocked), callbacks run during it,
//    and the event loop's longest delay (perf_hooks.monitorEventLoopDelay).
// 2. storm: a fresh runtime arms `--storm` periodic timers, then the client
//    measures request latency for --seconds while they run: p50/p99/max,
//    callbacks per second, and how often each timer really fired.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Runtime, type BpfObject } from '../src/index.js';

const OBJ = fileURLToPath(new URL('../../bench/realclock.bpf.o', import.meta.url));

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const out = (s: string): void => void process.stdout.write(s + '\n');
const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function armArgs(idx: number, periodNs: bigint): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, idx, true);
  dv.setBigUint64(8, periodNs, true);
  return b;
}

/** A client that sends GET / back to back over one keep-alive connection, recording latencies (ms). */
function startClient(port: number): { stop(): Promise<number[]> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lat: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
      lat.push(performance.now() - t0);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return lat;
    },
  };
}

function arm(obj: BpfObject, n: number, periodNs: bigint): void {
  const p = obj.program('arm');
  for (let i = 0; i < n; i++) {
    const r = p.run({ ctx: armArgs(i, periodNs) });
    if (r.retval !== 0) throw new Error(`arm ${i}: retval ${r.retval}`);
  }
}

async function main(): Promise<void> {
  const nArm = arg('--arm', 20000);
  const nStorm = arg('--storm', 5000);
  const periodNs = BigInt(Math.round(arg('--period-ms', 1) * 1e6));
  const seconds = arg('--seconds', 5);
  const server = http.createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  // baseline latency
  let client = startClient(port);
  await sleep(1000);
  const base = (await client.stop()).sort((a, b) => a - b);
  out(`baseline (no timers): ${base.length} requests, p50 ${pct(base, 50).toFixed(3)} ms, p99 ${pct(base, 99).toFixed(3)} ms`);

  // 1. arming
  {
    const rt = new Runtime({ clock: 'real' });
    const obj = await rt.loadObject(OBJ);
    client = startClient(port);
    await sleep(200);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    arm(obj, nArm, periodNs);
    const blocked = performance.now() - t0;
    const firedDuring = Number(obj.global('fired_total'));
    await sleep(2000);
    h.disable();
    const lat = (await client.stop()).sort((a, b) => a - b);
    const fired = Number(obj.global('fired_total'));
    out(`arming ${nArm} periodic ${Number(periodNs) / 1e6} ms timers: event loop blocked ${blocked.toFixed(0)} ms ` +
      `(${(blocked * 1000 / nArm).toFixed(1)} us per arm), ${firedDuring} callbacks during the arming loop; ` +
      `next 2 s: ${fired - firedDuring} callbacks, requests p99 ${pct(lat, 99).toFixed(2)} ms (incl. the blocked one: max ${lat[lat.length - 1]?.toFixed(0)} ms), ` +
      `event-loop delay max ${(h.max / 1e6).toFixed(0)} ms`);
    obj.close();
    rt.unref();
    await sleep(100);
  }

  // 2. storm
  {
    const rt = new Runtime({ clock: 'real' });
    const obj = await rt.loadObject(OBJ);
    const t0 = performance.now();
    arm(obj, nStorm, periodNs);
    const armMs = performance.now() - t0;
    await sleep(500); // settle
    const f0 = Number(obj.global('fired_total'));
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    client = startClient(port);
    const s0 = performance.now();
    await sleep(seconds * 1000);
    const lat = (await client.stop()).sort((a, b) => a - b);
    const secs = (performance.now() - s0) / 1000;
    h.disable();
    const fired = Number(obj.global('fired_total')) - f0;
    out(`storm: ${nStorm} periodic ${Number(periodNs) / 1e6} ms timers (armed in ${armMs.toFixed(0)} ms), ${secs.toFixed(1)} s: ` +
      `${lat.length} requests, p50 ${pct(lat, 50).toFixed(3)} ms, p99 ${pct(lat, 99).toFixed(3)} ms, max ${lat[lat.length - 1]?.toFixed(2)} ms; ` +
      `${Math.round(fired / secs)} callbacks/s (each timer every ${((nStorm * secs * 1000) / fired).toFixed(1)} ms, asked ${Number(periodNs) / 1e6} ms); ` +
      `event-loop delay p99 ${(h.percentile(99) / 1e6).toFixed(2)} ms`);
    obj.close();
    rt.unref();
  }
  server.close();
}

await main();

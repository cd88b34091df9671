// Reliability suite (issue 12.8), part 3: a real-clock timer storm beside an
// HTTP server in the same process (127.0.0.1 only), bounded in time. Arming
// runs O(N) callbacks, the server keeps answering while the timers run,
// every request succeeds, and closing the object leaves nothing armed.
// Latency goals are measured by bench/realclock.ts, not asserted here (CI
// machines are shared); the bound below only catches a blocked event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../src/index.js';

const OBJ = fileURLToPath(new URL('../../../bench/realclock.bpf.o', import.meta.url));
export const STORM_TIMERS = 2000;

test(`real-clock storm: ${STORM_TIMERS} periodic 1 ms timers beside an in-process HTTP server on 127.0.0.1`, { timeout: 120_000 }, async () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<number> => new Promise((resolve, reject) => {
    const t0 = performance.now();
    http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    }).on('error', reject);
  });
  const rt = new Runtime({ clock: 'real' });
  const base = rt.stats();
  const obj = await rt.loadObject(OBJ);
  try {
    const arm = obj.program('arm');
    const args = new Uint8Array(16);
    const dv = new DataView(args.buffer);
    dv.setBigUint64(8, 1_000_000n, true);
    const t0 = performance.now();
    for (let i = 0; i < STORM_TIMERS; i++) {
      dv.setUint32(0, i, true);
      assert.equal(arm.run({ ctx: args }).retval, 0);
    }
    const armMs = performance.now() - t0;
    const during = Number(obj.global('fired_total'));
    assert.ok(during <= STORM_TIMERS, `arming ran ${during} callbacks`);
    // one second of requests while the storm runs
    const lat: number[] = [];
    const until = performance.now() + 1000;
    while (performance.now() < until) lat.push(await get());
    const fired = Number(obj.global('fired_total')) - during;
    lat.sort((a, b) => a - b);
    console.log(`storm: armed ${STORM_TIMERS} in ${armMs.toFixed(0)} ms (${during} callbacks meanwhile); 1 s: ${lat.length} requests, ` +
      `p50 ${lat[lat.length >> 1]!.toFixed(2)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms; ${fired} callbacks`);
    // generous: a shared CI machine can be slow, but not seconds-blocked
    assert.ok(lat.length >= 3, `only ${lat.length} requests answered in 1 s`);
    assert.ok(lat[lat.length - 1]! < 3000, 'a request waited 3 s: the event loop was blocked');
    assert.ok(fired > STORM_TIMERS, 'the timers fired, and again');
    assert.equal(rt.stats().armedTimers, STORM_TIMERS);
  } finally {
    obj.close();
    rt.unref();
    agent.destroy();
    await new Promise((r) => server.close(r));
  }
  const s = rt.stats();
  assert.equal(s.armedTimers, 0);
  assert.equal(s.timers, base.timers);
  assert.equal(s.maps, base.maps);
  assert.equal(s.programs, base.programs);
});

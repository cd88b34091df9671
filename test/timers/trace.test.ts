// The timer trace: every init/set_callback/start/cancel/fire/free with its
// map, key and reason; the live-timer list; the timeline built from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../src/index.js';
import type { TimerEvent } from '../../src/timers/trace.js';
import { formatTimerEvent } from '../../src/timers/trace.js';
import { renderTimelineHtml, renderTimelineSvg, timelineModel } from '../../src/timeline/render.js';

const obj = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
// times relative to where the runtime's virtual clock starts (1000 s)
const T0 = 1_000_000_000_000n;
const brief = (e: TimerEvent): string => `${e.type}${e.reason ? `:${e.reason}` : ''}${e.ret !== undefined ? `=${e.ret}` : ''}@${e.time - T0}`;

test('the rate limiter: init, set_callback, start, then a fire and re-start every 50 ms, freed when the map loses its last user', async () => {
  const rt = new Runtime();
  const events: TimerEvent[] = [];
  const off = rt.on('timer', (e) => events.push(e));
  const o = await rt.loadObject(obj('examples/ratelimit/ratelimit.bpf.o'));
  o.program('setup').run({});
  assert.deepEqual(events.map(brief), ['init=0@0', 'set_callback=0@0', 'start=0@0']);
  const start = events[2]!;
  assert.equal(start.map, 'bucket');
  assert.deepEqual([...start.key], [0, 0, 0, 0]);
  assert.equal(start.nsecs, 50_000_000n);
  assert.equal(start.expires, T0 + 50_000_000n);
  assert.equal(start.clock, 'monotonic');

  const live = rt.liveTimers();
  assert.equal(live.length, 1);
  assert.equal(live[0]!.state, 'armed');
  assert.equal(live[0]!.expires, T0 + 50_000_000n);
  assert.equal(live[0]!.prog, 'setup');
  assert.equal(live[0]!.map, 'bucket');

  rt.virtualClock.advance('120ms');
  assert.deepEqual(events.slice(3).map(brief), ['fire@50000000', 'start=0@50000000', 'fire@100000000', 'start=0@100000000']);
  assert.equal(events[3]!.prog, 'setup');
  assert.equal(events[3]!.lateness, 0n);
  o.close();
  assert.deepEqual(events.slice(7).map(brief), ['free:uref@120000000']);
  assert.deepEqual(rt.liveTimers(), []);
  off();
  assert.match(formatTimerEvent(events[2]!), /^1000\.000000000s start timer=1 map=bucket key=00000000 nsecs=50000000 flags=0 expires=1000\.050000000s cpu=0 ret=0$/);
});

test('free reasons: delete, update over an existing key, LRU eviction', async () => {
  const reasons = async (file: string, progs: string[]): Promise<string[]> => {
    const rt = new Runtime();
    const frees: string[] = [];
    rt.on('timer', (e) => { if (e.type === 'free') frees.push(`${e.map}:${e.reason}`); });
    const o = await rt.loadObject(obj(file));
    for (const p of progs) {
      const prog = o.program(p);
      prog.run(prog.hasPacket ? { data: new Uint8Array(64) } : {});
    }
    o.close();
    return frees;
  };
  // delete_cancels: the hash element is deleted (its timer freed); the array's delete is -EINVAL
  const del = await reasons('test/timers-diff/delete_cancels.bpf.o', ['arm', 'del']);
  assert.equal(del[0]?.endsWith(':delete'), true, del.join());
  // hash_update: the update frees the old element's timer
  const upd = await reasons('test/timers-diff/hash_update.bpf.o', ['arm', 'upd']);
  assert.equal(upd[0]?.endsWith(':update'), true, upd.join());
  // lru_evict: flooding the LRU map evicts the element with the timer
  const ev = await reasons('test/timers-diff/lru_evict.bpf.o', ['arm', 'flood']);
  assert.equal(ev[0]?.endsWith(':evict'), true, ev.join());
});

test('recordTimers keeps program runs and timer events; the timeline draws a lane per timer', async () => {
  const rt = new Runtime();
  const rec = rt.recordTimers();
  const o = await rt.loadObject(obj('examples/ratelimit/ratelimit.bpf.o'));
  o.program('setup').run({});
  for (let i = 0; i < 4; i++) o.program('limit').run({ data: new Uint8Array(64) });
  rt.virtualClock.advance('70ms');
  o.program('limit').run({ data: new Uint8Array(64) });
  rec.stop();
  o.close();
  const runs = rec.events.filter((e) => e.type === 'run');
  assert.deepEqual(runs.map((r) => `${r.prog}=${r.retval}`), ['setup=0', 'limit=2', 'limit=2', 'limit=2', 'limit=1', 'limit=2']);
  const model = timelineModel(rec.events);
  assert.equal(model.lanes.length, 1);
  assert.equal(model.lanes[0]!.name, 'bucket[00000000]');
  assert.deepEqual(model.lanes[0]!.spans.map((s) => `${s.from - T0}-${s.to - T0}:${s.end}`), ['0-50000000:fire', '50000000-100000000:pending']);
  assert.deepEqual(model.lanes[0]!.fires, [T0 + 50_000_000n]);
  assert.equal(model.runs.length, 6);
  const svg = renderTimelineSvg(rec.events, { title: 'rate limiter' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/class="span /g) ?? []).length, 2);
  assert.equal((svg.match(/class="fire"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="run"/g) ?? []).length, 6);
  assert.match(renderTimelineHtml(rec.events), /<script>[\s\S]*tsbpfTimeline/);
});

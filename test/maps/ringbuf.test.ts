// The ring buffer map and its TypeScript consumer/producer APIs, on the
// committed test/maps/progs/ringbuf.bpf.o (whose kernel behaviour the goldens
// beside it record): record layout, wake-up rules, consume/poll/iterator,
// BTF-typed records, user ring buffer producer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime, MapError } from '../../src/index.js';
import { RingBufMap, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT } from '../../src/maps/index.js';
import { Arena } from '../../src/memory/arena.js';
import { MapEnv, createMap } from '../../src/maps/map.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = readFileSync(join(repoRoot, 'test/maps/progs/ringbuf.bpf.o'));

async function load() {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ, { name: 'ringbuf.bpf.o' });
  return { rt, obj };
}

test('obj.ringbuf: consume() returns what bpf_ringbuf_output wrote, in order; typed via BTF', async () => {
  const { obj } = await load();
  const rb = obj.ringbuf('events', { type: 'struct event' });
  assert.deepEqual(rb.consume(), []);
  assert.equal(obj.program('typed').run().retval, 0);
  assert.equal(rb.available, 64);
  const recs = rb.consume();
  assert.equal(recs.length, 2);
  assert.deepEqual(recs[0]!.value, { pid: 4242, kind: 7, flags: 0x8001, ts: '1234605616436508552', comm: 'tsbpf' } as never);
  assert.equal((recs[1]!.value as { pid: number }).pid, 4243);
  assert.equal(rb.available, 0);
  assert.deepEqual(rb.stats, { consumerPos: 64, producerPos: 64, size: 8192, wakeups: 1 });
  assert.throws(() => obj.ringbuf('events', { type: 'struct nosuch' }), MapError);
  assert.throws(() => obj.ringbuf('scratch'), /not a BPF_MAP_TYPE_RINGBUF/);
  rb.close();
  assert.throws(() => rb.consume(), /closed/);
});

test('wake-ups follow bpf_ringbuf_commit: only when the consumer is caught up, unless NO_WAKEUP / FORCE_WAKEUP', async () => {
  const { obj } = await load();
  const rb = obj.ringbuf('events');
  obj.program('out').run();
  // out: records 0 (none, consumer at it: wake), 1 (NO_WAKEUP), 2 (FORCE), 3, 4 (consumer behind: none), 6 (NO|FORCE: force)
  assert.equal(rb.stats.wakeups, 3);
  assert.equal(rb.consume().length, 6);
});

test('poll() waits for a wake-up; the async iterator yields records as programs submit them', async () => {
  const { obj } = await load();
  const rb = obj.ringbuf('events');
  assert.deepEqual(await rb.poll(0), []);
  assert.deepEqual(await rb.poll(5), []);
  const waiting = rb.poll();
  setTimeout(() => obj.program('typed').run(), 1);
  const got = await waiting;
  assert.equal(got.length, 2);
  const it = rb[Symbol.asyncIterator]();
  setTimeout(() => obj.program('typed').run(), 1);
  const first = await it.next();
  assert.equal(first.value!.data.length, 24);
  rb.close();
});

test('record header: length with BUSY while reserved, DISCARD skipped by the consumer, pg_off, wrap-around', () => {
  const env = new MapEnv({ arena: new Arena() });
  const rb = createMap(env, { type: 27, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0, name: 'rb' }) as RingBufMap;
  const a = rb.reserve(5);
  assert.ok(a);
  assert.equal(rb.headerAt(0).len, (5 | BPF_RINGBUF_BUSY_BIT) >>> 0);
  assert.equal(rb.headerAt(0).pgOff, 3);
  const b = rb.reserve(3);
  rb.commit(b, 0, false);
  assert.deepEqual(rb.consume(), [], 'a busy record blocks those behind it');
  rb.commit(a, 0, true);
  assert.equal(rb.headerAt(0).len, (5 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
  const recs = rb.consume();
  assert.equal(recs.length, 1, 'the discarded record is skipped');
  assert.equal(recs[0]!.data.length, 3);
  // fill to the end and wrap: a 2000-byte sample at 4016 spans the end of the data area
  assert.equal(rb.output(new Uint8Array(4000), 0), 0);
  rb.consume();
  const bytes = Uint8Array.from({ length: 2000 }, (_, i) => i & 0xff);
  assert.equal(rb.output(bytes, 0), 0);
  assert.equal(rb.headerAt(4040).pgOff, 3);
  assert.deepEqual(rb.consume()[0]!.data, bytes);
  assert.equal(rb.reserve(4096), 0, 'never fits');
  assert.equal(rb.output(new Uint8Array(1), 8), -22);
});

test('user ring buffer: producer API, -ENOSPC when full, discard', () => {
  const env = new MapEnv({ arena: new Arena() });
  const rb = createMap(env, { type: 31, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0, name: 'u' }) as RingBufMap;
  rb.produce(Uint8Array.of(1, 2, 3));
  const pos = rb.userReserve(100);
  rb.userCommit(pos, true);
  rb.produce(Uint8Array.of(9));
  const seen: number[][] = [];
  const n = rb.drain(0n, (addr, size) => {
    seen.push([...env.arena.u8.subarray(addr, addr + size)]);
    return 0n;
  });
  assert.equal(n, 2);
  assert.deepEqual(seen, [[1, 2, 3], [9]]);
  assert.throws(() => rb.userReserve(4096), (e: unknown) => e instanceof MapError && e.errno === -7);
  rb.userReserve(4000);
  assert.throws(() => rb.userReserve(100), (e: unknown) => e instanceof MapError && e.errno === -28);
  assert.equal(rb.drain(4n, () => 0n), -22);
});

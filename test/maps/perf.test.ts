// The perf buffer consumer API on the committed test/maps/progs/perf.bpf.o
// (whose kernel behaviour perf.output.kernel.out records).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = readFileSync(join(repoRoot, 'test/maps/progs/perf.bpf.o'));
const pkt = { data: new Uint8Array(64) };

test('obj.perfBuffer: samples per CPU, lost counts, poll, and no buffer after close (-ENOENT)', async () => {
  const rt = new Runtime({ cpus: 2 });
  const obj = await rt.loadObject(OBJ, { name: 'perf.bpf.o' });
  const flood = obj.program('flood');
  // no consumer: every output finds an empty slot
  flood.run(pkt);
  assert.equal(Number(obj.global('flood_err')), -2);
  const pb = obj.perfBuffer('events', { pages: 1 });
  assert.deepEqual(pb.consume(), []);
  flood.run(pkt);
  assert.equal(Number(obj.global('flood_n')), 4);
  assert.equal(Number(obj.global('flood_err')), -28);
  assert.deepEqual(pb.lost, [1, 0]);
  const recs = pb.consume();
  assert.equal(recs.length, 4);
  assert.deepEqual(recs.map((r) => r.cpu), [0, 0, 0, 0]);
  const waiting = pb.poll();
  setTimeout(() => flood.run({ ...pkt, cpu: 1 }), 1);
  const more = await waiting;
  assert.ok(more.length >= 1 && more.every((r) => r.cpu === 1), 'a run on CPU 1 writes CPU 1\'s ring');
  pb.close();
  flood.run(pkt);
  assert.equal(Number(obj.global('flood_err')), -2, 'perf_buffer__free took the rings out of the map');
  assert.throws(() => obj.perfBuffer('scratch'), /not a BPF_MAP_TYPE_PERF_EVENT_ARRAY/);
  assert.throws(() => obj.perfBuffer('events', { pages: 3 }), /power of 2/);
});

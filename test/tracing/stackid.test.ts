// bpf_get_stackid over the stacks a test sets (rt.task.kernelStack /
// userStack) and the STACK_TRACE map from user space: a stored trace is read
// back by its id (zero-padded to value_size), deleted, iterated. The kernel
// comparison of the id rules is test/kernel/scenarios/stackid.basic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { Arena } from '../../src/memory/arena.js';
import { MapEnv, StackTraceMap, createMap } from '../../src/maps/index.js';
import { BPF_MAP_TYPE_STACK_TRACE } from '../../src/uapi/bpf.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = join(repoRoot, 'test/kernel/scenarios/stackid.bpf.o');
const key = (id: number): Uint8Array => new Uint8Array(new Uint32Array([id]).buffer);
const frames = (b: Uint8Array): bigint[] => Array.from({ length: b.length / 8 }, (_, i) => new DataView(b.buffer, b.byteOffset).getBigUint64(8 * i, true));

test('get_stackid: the trace is stored under its id and read back from user space', async () => {
  const rt = new Runtime();
  rt.setTask({ kernelStack: [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n], userStack: [0x401000n, 0x402000n] });
  const obj = await rt.loadObject(OBJ);
  obj.program('stackid').run();
  const one = obj.map('one');
  assert.deepEqual(frames(one.lookup(key(0))!), [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n, ...Array(13).fill(0n)]);
  assert.deepEqual(one.keys().map((k) => new DataView(k.buffer).getUint32(0, true)), [0]);
  assert.throws(() => one.update(key(0), new Uint8Array(128)), /EINVAL/);
  one.delete(key(0));
  assert.equal(one.lookup(key(0)), undefined);

  obj.program('user').run();
  const many = obj.map('many');
  const ids = many.keys();
  assert.equal(ids.length, 1);
  assert.deepEqual(frames(many.lookup(ids[0]!)!).slice(0, 3), [0x401000n, 0x402000n, 0n]);
  obj.close();
});

test('stack trace map: jhash2 buckets, -EEXIST, BPF_F_REUSE_STACKID, -ENOMEM past max_entries, depth cut by the caller', () => {
  const env = new MapEnv({ arena: new Arena(), nCpus: 1 });
  const m = createMap(env, { type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 32, maxEntries: 3, flags: 0, name: 's' });
  assert.ok(m instanceof StackTraceMap);
  assert.equal(m.nBuckets, 4);
  // the bucket each trace hashes to (jhash2 of its ips), found with a scratch map of 4 buckets
  const bucketOf = (t: bigint[]): number => {
    const p = createMap(env, { type: BPF_MAP_TYPE_STACK_TRACE, keySize: 4, valueSize: 32, maxEntries: 4, flags: 0, name: 'p' }) as StackTraceMap;
    const b = p.getStackId(t, 0n);
    p.free();
    return b;
  };
  const byBucket = new Map<number, bigint[]>();
  let collider: bigint[] | undefined;
  for (let i = 1n; byBucket.size < 4 || !collider; i++) {
    assert.ok(i < 10_000n, 'no spread of traces over the buckets found');
    const t = [0xffffffff81000000n + i];
    const b = bucketOf(t);
    if (!byBucket.has(b)) byBucket.set(b, t);
    else if (b === bucketOf(byBucket.values().next().value!)) collider ??= t;
  }
  const traces = [...byBucket.values()];
  const id0 = m.getStackId(traces[0]!, 0n);
  assert.equal(id0, bucketOf(traces[0]!));
  assert.equal(m.getStackId(traces[0]!, 0n), id0, 'the same trace finds its id');
  assert.equal(m.getStackId(collider!, 0n), -17, 'a different trace in a taken bucket');
  assert.equal(m.getStackId(collider!, 1n << 10n), id0, 'BPF_F_REUSE_STACKID replaces it (a free element exists)');
  assert.deepEqual(m.trace(id0), collider);
  assert.ok(m.getStackId(traces[1]!, 0n) >= 0);
  assert.ok(m.getStackId(traces[2]!, 0n) >= 0);
  assert.equal(m.elemCount, 3);
  assert.equal(m.getStackId(traces[3]!, 0n), -12, 'max_entries traces stored: -ENOMEM');
  assert.equal(m.getStackId([1n, 2n], 2n), -14, 'skip >= depth: -EFAULT');
  m.free();
});

// Capacity (issue 12.6): map creation time and memory against max_entries.
//
//   node --expose-gc dist/bench/capacity.js [--entries 10000000] [--lru | --arrays]
//
// Creates an LRU hash (u32 key, u64 value) of --entries through the map layer,
// reports creation time and the process's RSS / JS heap growth against the
// element bytes (max_entries * (key + value)), then fills 1 M keys (and evicts
// past max_entries when it is smaller) to show the cost moves to use. Then
// the arena's largest maps: an array of 2 048 x 1 MiB values and 2^28 x 8 B.
import { Runtime } from '../src/index.js';
import { createMap } from '../src/maps/map.js';
import { BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY } from '../src/uapi/bpf.js';

const arg = (n: string, d: number): number => {
  const i = process.argv.indexOf(n);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const out = (s: string): void => void process.stdout.write(s + '\n');
const MB = 1 << 20;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mem = (): { rss: number; heap: number } => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
};

const entries = arg('--entries', 10_000_000);
const only = process.argv.includes('--arrays') ? 'arrays' : process.argv.includes('--lru') ? 'lru' : 'all';
if (only !== 'arrays') {
  const rt = new Runtime();
  const m0 = mem();
  const t0 = performance.now();
  const m = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, valueSize: 8, maxEntries: entries, flags: 0, name: 'lru' });
  const ms = performance.now() - t0;
  const m1 = mem();
  const elemBytes = entries * (4 + 8);
  out(`LRU hash, ${entries} entries (element bytes ${(elemBytes / MB).toFixed(0)} MiB): created in ${ms.toFixed(0)} ms; ` +
    `RSS +${((m1.rss - m0.rss) / MB).toFixed(0)} MiB (${((m1.rss - m0.rss) / elemBytes).toFixed(2)}x element bytes), arena ${(rt.arena.bytesInUse / MB).toFixed(0)} MiB`);
  const k = new Uint8Array(4);
  const v = new Uint8Array(8);
  const kd = new DataView(k.buffer);
  const n = 1_000_000;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    kd.setUint32(0, i, true);
    m.update(k, v);
  }
  const m2 = mem();
  out(`  then ${n} updates in ${(performance.now() - t1).toFixed(0)} ms; RSS +${((m2.rss - m0.rss) / MB).toFixed(0)} MiB, ${m.elemCount} entries`);
  m.free();
}
for (const [n, size] of only === 'lru' ? [] : [[2048, MB], [1 << 28, 8]] as const) {
  const rt = new Runtime();
  const t0 = performance.now();
  try {
    const m = createMap(rt.mapEnv, { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: size, maxEntries: n, flags: 0, name: 'big' });
    out(`array ${n} x ${size} B (${((n * size) / MB).toFixed(0)} MiB): created in ${(performance.now() - t0).toFixed(0)} ms, RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MiB`);
    m.free();
  } catch (e) {
    out(`array ${n} x ${size} B: ${(e as Error).message}`);
  }
}

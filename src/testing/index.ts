// tsbpf/testing: what a test of a BPF program needs besides the runtime —
// load a fixture on a virtual clock, build packets, read maps as plain data.
// Works with node:test and vitest alike (it asserts nothing by itself).

import { Runtime, type RuntimeOptions } from '../runtime/runtime.js';
import type { BpfObject, LoadOptions } from '../runtime/loader.js';
import type { MapHandle } from '../runtime/map.js';
import type { VirtualClock } from '../timers/virtual.js';
import type { TypedValue } from '../btf/codec.js';

export * from './packet.js';

export interface Fixture {
  rt: Runtime;
  obj: BpfObject;
  /** the runtime's virtual clock */
  clock: VirtualClock;
  /** closes the object; returns rt.stats() afterwards so a test can check nothing leaked */
  close(): ReturnType<Runtime['stats']>;
}

/**
 * A runtime on the virtual clock with `path` loaded. Pass `runtime` options
 * (cpus, seed, clock start...) and load options (program types, globals...).
 */
export async function loadFixture(path: string | Uint8Array, opts: { runtime?: RuntimeOptions; load?: LoadOptions } = {}): Promise<Fixture> {
  const rt = new Runtime({ ...opts.runtime, clock: opts.runtime?.clock === 'real' ? 'virtual' : opts.runtime?.clock ?? 'virtual' });
  const obj = await rt.loadObject(path, opts.load);
  return {
    rt,
    obj,
    clock: rt.virtualClock,
    close: () => { obj.close(); return rt.stats(); },
  };
}

/**
 * A map's entries as JSON-friendly data, for snapshots and deep-equal
 * assertions: keys and values decoded by BTF, bigints as decimal strings,
 * Uint8Arrays as hex.
 */
export function mapSnapshot(map: MapHandle): [unknown, unknown][] {
  return map.entries().map(([k, v]) => [plain(k), plain(v)]);
}

/** A typed value with bigints as strings and bytes as hex (JSON.stringify-able). */
export function plain(v: TypedValue | unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

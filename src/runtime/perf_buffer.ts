// The user-space side of BPF_MAP_TYPE_PERF_EVENT_ARRAY, shaped like libbpf's
// perf_buffer: `obj.perfBuffer('events', { pages })` opens one ring per CPU
// (slots 0..cpus-1, as perf_buffer__new does), and consume()/poll() return
// the samples (with their CPU) and PERF_RECORD_LOST counts in ring order,
// CPU after CPU. close() takes the rings out of the map again.

import { toJson } from '../btf/format.js';
import type { Btf } from '../btf/btf.js';
import { MapError } from '../maps/map.js';
import { PerfEventArrayMap, type PerfRing } from '../maps/perf_event_array.js';
import { EBADF, EINVAL } from '../uapi/errno.js';
import type { MapHandle } from './map.js';
import { btfRecordType, type RingbufOptions } from './ringbuf.js';
import type { JsonValue } from '../btf/format.js';

export type PerfSample =
  | { cpu: number; kind: 'sample'; data: Uint8Array; value?: JsonValue }
  | { cpu: number; kind: 'lost'; lost: number };

export interface PerfBufferOptions extends RingbufOptions {
  /** data pages per CPU ring, a power of 2 (libbpf's page_cnt); default 8 */
  pages?: number;
}

export class PerfBuffer {
  private readonly rings: PerfRing[];
  private readonly typeId: number;

  constructor(private readonly handle: MapHandle, private readonly btf: Btf | undefined, opts: PerfBufferOptions = {}) {
    const m = handle.object.map;
    if (!(m instanceof PerfEventArrayMap)) throw new MapError(`map '${handle.name}' is not a BPF_MAP_TYPE_PERF_EVENT_ARRAY`, -EINVAL);
    this.typeId = opts.type === undefined ? 0 : btfRecordType(btf, opts.type);
    this.rings = m.openBuffers(this, opts.pages ?? 8);
  }

  private get map(): PerfEventArrayMap {
    if (this.handle.isClosed) throw new MapError(`perf buffer '${this.handle.name}' is closed`, -EBADF);
    return this.handle.object.map as PerfEventArrayMap;
  }

  /** samples lost on each CPU since the buffer was opened (announced or not yet) */
  get lost(): number[] {
    return this.rings.map((r) => r.totalLost);
  }

  /** perf_buffer__consume: every record of every CPU's ring */
  consume(): PerfSample[] {
    void this.map;
    const out: PerfSample[] = [];
    for (const r of this.rings) {
      for (const rec of r.consume()) {
        if (rec.kind === 'sample' && this.typeId && this.btf) out.push({ ...rec, value: toJson(this.btf, this.typeId, rec.data) });
        else out.push(rec);
      }
    }
    return out;
  }

  /** perf_buffer__poll: what is there now, else waits for an output or timeoutMs (-1: forever, 0: no wait) */
  async poll(timeoutMs = -1): Promise<PerfSample[]> {
    const now = this.consume();
    if (now.length > 0 || timeoutMs === 0) return now;
    const m = this.map;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const off = m.onOutput(() => {
        if (timer) clearTimeout(timer);
        off();
        resolve();
      });
      if (timeoutMs > 0) timer = setTimeout(() => { off(); resolve(); }, timeoutMs);
    });
    return this.handle.isClosed || m.isFreed ? [] : this.consume();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PerfSample> {
    while (!this.handle.isClosed && !this.map.isFreed) {
      for (const s of await this.poll()) yield s;
    }
  }

  /** perf_buffer__free: the rings leave the map (unless BPF_F_PRESERVE_ELEMS), the user reference is dropped */
  close(): void {
    if (this.handle.isClosed) return;
    (this.handle.object.map as PerfEventArrayMap).closeBuffers(this);
    this.handle.close();
  }
}

// The user-space side of ring buffers, shaped like libbpf's ring_buffer__*
// and user_ring_buffer__* APIs: `obj.ringbuf('events')` consumes what
// programs submitted (consume / poll / an async iterator), records decoded
// with the object's BTF when a record type is named; `obj.userRingbuf('x')`
// produces samples for bpf_user_ringbuf_drain.

import type { Btf } from '../btf/btf.js';
import { toJson, type JsonValue } from '../btf/format.js';
import { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF } from '../btf/types.js';
import { MapError } from '../maps/map.js';
import { RingBufMap } from '../maps/ringbuf.js';
import { EBADF, EINVAL } from '../uapi/errno.js';
import type { MapHandle } from './map.js';

/** One consumed record. */
export interface RingbufSample {
  /** the sample bytes */
  data: Uint8Array;
  /** the record decoded with BTF (RingbufOptions.type), absent without one */
  value?: JsonValue;
}

export interface RingbufOptions {
  /**
   * The C type of a record, looked up in the object's BTF ('event',
   * 'struct event' or a typedef name): records are then also decoded.
   */
  type?: string;
}

/** Finds a named struct/union/typedef in BTF: its type id. */
export function btfRecordType(btf: Btf | undefined, name: string): number {
  if (!btf) throw new MapError(`record type '${name}': the object has no BTF`, -EINVAL);
  const bare = name.replace(/^(struct|union)\s+/, '');
  const kinds = name.startsWith('union ') ? [BTF_KIND_UNION] : name.startsWith('struct ') ? [BTF_KIND_STRUCT]
    : [BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF];
  const t = btf.typesByName(bare).find((x) => kinds.includes(x.kind));
  if (!t) throw new MapError(`record type '${name}' is not in the object's BTF`, -EINVAL);
  return t.id;
}

/** A consumer on one BPF_MAP_TYPE_RINGBUF (holds a user reference until close). */
export class RingBuffer {
  private readonly typeId: number;

  constructor(private readonly handle: MapHandle, private readonly btf: Btf | undefined, opts: RingbufOptions = {}) {
    if (!(handle.object.map instanceof RingBufMap) || handle.object.map.user) {
      throw new MapError(`map '${handle.name}' is not a BPF_MAP_TYPE_RINGBUF`, -EINVAL);
    }
    this.typeId = opts.type === undefined ? 0 : btfRecordType(btf, opts.type);
  }

  private get rb(): RingBufMap {
    if (this.handle.isClosed) throw new MapError(`ring buffer '${this.handle.name}' is closed`, -EBADF);
    return this.handle.object.map as RingBufMap;
  }

  get name(): string {
    return this.handle.name;
  }

  /** Bytes produced and not yet consumed (BPF_RB_AVAIL_DATA). */
  get available(): number {
    return this.rb.availData;
  }

  /** consumer / producer positions and the kernel's wake-up count (each irq_work the producers queued) */
  get stats(): { consumerPos: number; producerPos: number; size: number; wakeups: number } {
    const rb = this.rb;
    return { consumerPos: rb.consumerPos, producerPos: rb.producerPos, size: rb.size, wakeups: rb.wakeups };
  }

  private sample(data: Uint8Array): RingbufSample {
    if (!this.typeId || !this.btf) return { data };
    return { data, value: toJson(this.btf, this.typeId, data) };
  }

  /**
   * ring_buffer__consume: every committed record from the consumer position
   * on (discarded ones skipped, stopping at one still reserved), in order;
   * `fn` may return a negative number to stop early.
   */
  consume(fn?: (s: RingbufSample) => number | void): RingbufSample[] {
    const out: RingbufSample[] = [];
    this.rb.consume((r) => {
      const s = this.sample(r.data);
      out.push(s);
      return fn ? fn(s) : undefined;
    });
    return out;
  }

  /**
   * ring_buffer__poll: records available now are consumed at once;
   * otherwise waits for a producer's wake-up (a submit without
   * BPF_RB_NO_WAKEUP that finds the consumer caught up, or
   * BPF_RB_FORCE_WAKEUP) or `timeoutMs` (default: wait forever; 0: do not wait).
   */
  async poll(timeoutMs = -1): Promise<RingbufSample[]> {
    const now = this.consume();
    if (now.length > 0 || timeoutMs === 0) return now;
    const rb = this.rb;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const off = rb.onWakeup(() => {
        if (timer) clearTimeout(timer);
        off();
        resolve();
      });
      if (timeoutMs > 0) timer = setTimeout(() => { off(); resolve(); }, timeoutMs);
    });
    return this.handle.isClosed || rb.isFreed ? [] : this.consume();
  }

  /** Records as they arrive, forever (until close): `for await (const s of obj.ringbuf('events'))`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RingbufSample> {
    while (!this.handle.isClosed && !this.rb.isFreed) {
      for (const s of await this.poll()) yield s;
    }
  }

  /** Drops this consumer's user reference. */
  close(): void {
    this.handle.close();
  }
}

/** A producer on one BPF_MAP_TYPE_USER_RINGBUF (libbpf's user_ring_buffer). */
export class UserRingBuffer {
  constructor(private readonly handle: MapHandle) {
    if (!(handle.object.map instanceof RingBufMap) || !handle.object.map.user) {
      throw new MapError(`map '${handle.name}' is not a BPF_MAP_TYPE_USER_RINGBUF`, -EINVAL);
    }
  }

  private get rb(): RingBufMap {
    if (this.handle.isClosed) throw new MapError(`user ring buffer '${this.handle.name}' is closed`, -EBADF);
    return this.handle.object.map as RingBufMap;
  }

  /** Reserves, writes and submits one sample; MapError -ENOSPC when the ring is full. */
  submit(data: Uint8Array): void {
    this.rb.produce(data);
  }

  /** Reserves a sample to fill in place; submit() or discard() it. */
  reserve(size: number): { write(bytes: Uint8Array, offset?: number): void; submit(): void; discard(): void } {
    const rb = this.rb;
    const pos = rb.userReserve(size);
    let done = false;
    const finish = (discard: boolean): void => {
      if (done) throw new MapError('sample already submitted or discarded', -EINVAL);
      done = true;
      rb.userCommit(pos, discard);
    };
    return {
      write: (bytes, offset = 0) => {
        if (done || offset < 0 || offset + bytes.length > size) throw new MapError('write outside the reserved sample', -EINVAL);
        rb.userWrite(pos, bytes, offset);
      },
      submit: () => finish(false),
      discard: () => finish(true),
    };
  }

  /** Free bytes (ring size minus what the kernel has not drained). */
  get free(): number {
    const rb = this.rb;
    return rb.size - (rb.producerPos - rb.consumerPos);
  }

  close(): void {
    this.handle.close();
  }
}

// BPF_MAP_TYPE_PERF_EVENT_ARRAY (kernel/bpf/arraymap.c's perf event fd
// array + kernel/events/ring_buffer.c): slot i holds a perf event, normally
// a PERF_COUNT_SW_BPF_OUTPUT event of CPU i with its own ring buffer, as
// libbpf's perf_buffer__new installs them. tsbpf has no perf event fds:
// user space opens the buffers through the consumer API (PerfBuffer), which
// puts one per CPU into slots 0..nCpus-1; BPF_MAP_UPDATE_ELEM with an fd is
// -EBADF (no fd is a perf event here).
//
// A sample record is a perf_event_header (8 bytes), a u32 size and the raw
// data padded with zeros so that size + 4 is a multiple of 8; the consumer
// sees the padded size. A record that does not fit (CIRC_SPACE of head and
// tail) is lost: counted, -ENOSPC to the program, and announced by a
// PERF_RECORD_LOST record (24 bytes) in front of the next sample that fits.

import { E2BIG, EINVAL, ENOENT, ENOSPC, EOPNOTSUPP, EBADF, ENOTSUPP } from '../uapi/errno.js';
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_PRESERVE_ELEMS } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';
import { arrayMapAllocCheck } from './arraymap.js';

export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;
export const BPF_F_CTXLEN_MASK = 0xfffffn << 32n;
const PERF_HEADER = 8;
const PERF_LOST_RECORD = 24; // header + id + lost (sample_id_all is off for libbpf's events)
const PERF_RECORD_LOST = 2;
const PERF_RECORD_SAMPLE = 9;
const PERF_RECORD_MISC_KERNEL = 1;

/** fd_array_map_alloc_check + array_map_alloc_check */
function perfArrayAllocCheck(spec: MapSpec): number {
  if (spec.valueSize !== 4) return -EINVAL;
  if (spec.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) return -EINVAL;
  return arrayMapAllocCheck(spec);
}

export type PerfRecord = { cpu: number; kind: 'sample'; data: Uint8Array } | { cpu: number; kind: 'lost'; lost: number };

/** One CPU's perf ring buffer (what perf_event_open + mmap give libbpf), byte for byte. */
export class PerfRing {
  head = 0;
  tail = 0;
  /** lost samples not yet announced by a PERF_RECORD_LOST */
  private pendingLost = 0;
  /** every sample lost since the ring was opened */
  totalLost = 0;
  /**
   * The data pages. A sample's padding is skipped, not written
   * (perf_output_skip), so the consumer sees whatever an older record left
   * there, as on the kernel.
   */
  private readonly ring: Uint8Array;

  constructor(readonly cpu: number, readonly dataSize: number, readonly owner: object) {
    this.ring = new Uint8Array(dataSize);
  }

  private put(pos: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.ring[(pos + i) & (this.dataSize - 1)] = bytes[i]!;
  }

  private get(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.ring[(pos + i) & (this.dataSize - 1)]!;
    return out;
  }

  private header(pos: number, type: number, misc: number, size: number): void {
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, type, true);
    dv.setUint16(4, misc, true);
    dv.setUint16(6, size, true);
    this.put(pos, h);
  }

  /** perf_output_begin + the raw sample: 0 or -ENOSPC (counted as lost) */
  output(raw: Uint8Array): number {
    const padded = Math.ceil((raw.length + 4) / 8) * 8; // the u32 size and the data, to 8 bytes
    let size = PERF_HEADER + padded;
    const haveLost = this.pendingLost > 0;
    if (haveLost) size += PERF_LOST_RECORD;
    // CIRC_SPACE: one byte always stays free
    const space = (this.tail - (this.head + 1)) & (this.dataSize - 1);
    if (space < size) {
      this.pendingLost++;
      this.totalLost++;
      return -ENOSPC;
    }
    if (haveLost) {
      // PERF_RECORD_LOST { header; u64 id; u64 lost }: the event id is the kernel's own counter, 0 here
      this.header(this.head, PERF_RECORD_LOST, 0, PERF_LOST_RECORD);
      const body = new Uint8Array(16);
      new DataView(body.buffer).setBigUint64(8, BigInt(this.pendingLost), true);
      this.put(this.head + 8, body);
      this.head += PERF_LOST_RECORD;
      this.pendingLost = 0;
    }
    // PERF_RECORD_SAMPLE from BPF runs in kernel mode: misc PERF_RECORD_MISC_KERNEL
    this.header(this.head, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, PERF_HEADER + padded);
    const sz = new Uint8Array(4);
    new DataView(sz.buffer).setUint32(0, padded - 4, true);
    this.put(this.head + 8, sz);
    this.put(this.head + 12, raw);
    this.head += PERF_HEADER + padded;
    return 0;
  }

  /** Reads every record up to head and moves the tail there (libbpf's perf_buffer__consume_buffer). */
  consume(): PerfRecord[] {
    const out: PerfRecord[] = [];
    while (this.tail < this.head) {
      const h = new DataView(this.get(this.tail, 8).buffer);
      const type = h.getUint32(0, true);
      const size = h.getUint16(6, true);
      if (type === PERF_RECORD_SAMPLE) {
        const len = new DataView(this.get(this.tail + 8, 4).buffer).getUint32(0, true);
        out.push({ cpu: this.cpu, kind: 'sample', data: this.get(this.tail + 12, len) });
      } else {
        const lost = new DataView(this.get(this.tail + 16, 8).buffer).getBigUint64(0, true);
        out.push({ cpu: this.cpu, kind: 'lost', lost: Number(lost) });
      }
      this.tail += size;
    }
    return out;
  }

  get pending(): number {
    return this.head - this.tail;
  }
}

export class PerfEventArrayMap extends BpfMap {
  private readonly slots: (PerfRing | undefined)[];
  private readonly waiters = new Set<() => void>();

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.slots = new Array(spec.maxEntries);
  }

  get elemCount(): number {
    return this.slots.filter(Boolean).length;
  }

  protected storageBytes(): number {
    return 0;
  }

  protected freeElems(): void {
    this.slots.fill(undefined);
    for (const w of [...this.waiters]) w();
  }

  /** libbpf's perf_buffer__new: a ring of `pages` pages (a power of 2) per CPU in slots 0..nCpus-1 */
  openBuffers(owner: object, pages: number): PerfRing[] {
    if (!Number.isInteger(pages) || pages <= 0 || (pages & (pages - 1)) !== 0) {
      throw new MapError(`perf buffer of ${pages} pages: must be a power of 2`, -EINVAL);
    }
    const rings: PerfRing[] = [];
    for (let cpu = 0; cpu < this.env.nCpus && cpu < this.maxEntries; cpu++) {
      const r = new PerfRing(cpu, pages * 4096, owner);
      this.slots[cpu] = r;
      rings.push(r);
    }
    return rings;
  }

  /** the buffers of `owner` leave the map (its fds closed), unless BPF_F_PRESERVE_ELEMS */
  closeBuffers(owner: object): void {
    if (this.flags & BPF_F_PRESERVE_ELEMS) return;
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i]?.owner === owner) this.slots[i] = undefined;
  }

  onOutput(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  /**
   * bpf_perf_event_output's checks and output on the running CPU: -EINVAL
   * for flags, -E2BIG past max_entries, -ENOENT for an empty slot,
   * -EOPNOTSUPP for another CPU's event, -ENOSPC when the ring is full.
   */
  output(cpu: number, flags: bigint, raw: Uint8Array): number {
    let index = flags & BPF_F_INDEX_MASK;
    if (index === BPF_F_CURRENT_CPU) index = BigInt(cpu);
    if (index >= BigInt(this.maxEntries)) return -E2BIG;
    const ring = this.slots[Number(index)];
    if (!ring) return -ENOENT;
    if (ring.cpu !== cpu) return -EOPNOTSUPP;
    const r = ring.output(raw);
    for (const w of [...this.waiters]) w();
    return r;
  }

  // ---- user side ----

  protected override sysLookup(): Uint8Array {
    // bpf_fd_array_map_lookup_elem: perf event arrays have no map_fd_sys_lookup_elem
    throw new MapError(`lookup not supported by ${this.describe()}`, -ENOTSUPP);
  }

  protected override sysUpdate(key: Uint8Array, _value: Uint8Array, flags: number): number {
    // bpf_fd_array_map_update_elem: flags, then the index, then the fd
    if (flags !== 0) return -EINVAL;
    if (new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) >= this.maxEntries) return -E2BIG;
    return -EBADF; // perf_event_get: the fd is not a perf event (tsbpf has none: use the perf buffer API)
  }

  protected override sysDelete(key: Uint8Array): number {
    const i = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (i >= this.maxEntries) return -E2BIG;
    if (!this.slots[i]) return -ENOENT;
    this.slots[i] = undefined;
    return 0;
  }

  /** array_map_get_next_key */
  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const i = key === undefined ? this.maxEntries : new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    let next = 0;
    if (i < this.maxEntries) {
      if (i === this.maxEntries - 1) return -ENOENT;
      next = i + 1;
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }
}

registerMapType(BPF_MAP_TYPE_PERF_EVENT_ARRAY, {
  allocCheck: (spec: MapSpec) => perfArrayAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new PerfEventArrayMap(env, spec),
});

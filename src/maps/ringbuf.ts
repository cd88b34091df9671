// BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_USER_RINGBUF (kernel/bpf/ringbuf.c):
// one multi-producer single-consumer byte ring shared by programs and user
// space. max_entries is the data size: a power of 2 and a multiple of the
// page size; key and value sizes are 0 and the element ops refuse
// (-ENOTSUPP). Each record is an 8-byte header {u32 len; u32 pg_off} plus
// the sample rounded up to 8 bytes. len carries two flag bits: BUSY while a
// reservation is not yet committed (a consumer stops there), DISCARD when the
// record was thrown away (a consumer skips it).
//
// The kernel maps the data pages twice in a row so a record that wraps past
// the end is contiguous; we have one linear arena, so the data block is
// 2 * size bytes: a record is written where the "virtual" mapping would put
// it, and the part past the end is copied to the start when the record is
// committed (kernel producer) or before a callback sees it (user producer).
// Canonical bytes are data[pos & mask]; readers index modulo size.

import { ARENA_ACCESS_RW } from '../memory/arena.js';
import { E2BIG, EAGAIN, EBUSY, EINVAL, ENODATA, ENOSPC, ENOTSUPP } from '../uapi/errno.js';
import { BPF_F_NUMA_NODE, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';

export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;
/** bpf_ringbuf_output / submit / discard / user_ringbuf_drain flags */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
/** bpf_ringbuf_query flags */
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;
/** BPF_MAX_USER_RINGBUF_SAMPLES: bpf_user_ringbuf_drain's bound per call */
export const BPF_MAX_USER_RINGBUF_SAMPLES = 128 * 1024;
/** RINGBUF_MAX_RECORD_SZ (UINT_MAX/4) */
const RINGBUF_MAX_RECORD_SZ = Math.floor(0xffffffff / 4);
/** DYNPTR_MAX_SIZE: what bpf_dynptr_check_size allows (24 bits) */
const DYNPTR_MAX_SIZE = (1 << 24) - 1;
const PAGE_SIZE = 4096;
/**
 * The data pages start after the kernel's non-mmapable struct page, the
 * consumer page and the producer page (RINGBUF_PGOFF + RINGBUF_POS_PAGES):
 * a header's pg_off is this plus the record's page in the data area.
 */
const RINGBUF_DATA_PGOFF = 3;

const RINGBUF_CREATE_FLAG_MASK = BPF_F_NUMA_NODE;

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

/** ringbuf_map_alloc's checks. (The -E2BIG for more than RINGBUF_MAX_DATA_SZ cannot trigger with a u32 size.) */
function ringbufAllocCheck(spec: MapSpec): number {
  if (spec.flags & ~RINGBUF_CREATE_FLAG_MASK) return -EINVAL;
  if (spec.keySize || spec.valueSize || !isPow2(spec.maxEntries) || spec.maxEntries % PAGE_SIZE) return -EINVAL;
  return 0;
}

/** One record as a consumer sees it. */
export interface RingbufRecord {
  /** the sample's bytes (a copy) */
  data: Uint8Array;
  /** position of the record header (consumer position before it) */
  pos: number;
}

export class RingBufMap extends BpfMap {
  readonly user: boolean;
  readonly size: number;
  readonly mask: number;
  /** arena address of the 2*size data block */
  readonly data: number;
  consumerPos = 0;
  producerPos = 0;
  /** the kernel's irq_work notifications queued (consumer wake-ups) */
  wakeups = 0;
  /** bpf_user_ringbuf_drain's busy bit */
  private busy = false;
  /** waiting consumers (poll / the async iterator), called on each wake-up */
  private readonly waiters = new Set<() => void>();

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.user = spec.type === BPF_MAP_TYPE_USER_RINGBUF;
    this.size = spec.maxEntries;
    this.mask = this.size - 1;
    try {
      // programs write reserved samples of a kernel ring and reach a user ring's
      // samples through bpf_dynptr_data in a bpf_user_ringbuf_drain callback
      this.data = env.arena.alloc(2 * this.size, ARENA_ACCESS_RW);
    } catch (e) {
      this.dropHeader();
      throw e;
    }
  }

  get elemCount(): number {
    return 0;
  }

  protected storageBytes(): number {
    return this.arena.sizeOf(this.data);
  }

  protected freeElems(): void {
    this.arena.free(this.data);
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }

  /** ringbuf_avail_data_sz */
  get availData(): number {
    return this.producerPos - this.consumerPos;
  }

  // ---- byte access modulo the ring ----

  private u32At(pos: number): number {
    return this.arena.dv.getUint32(this.data + (pos & this.mask), true);
  }

  private setU32At(pos: number, v: number): void {
    this.arena.dv.setUint32(this.data + (pos & this.mask), v >>> 0, true);
  }

  /** `len` bytes from ring position pos (wrapping) */
  readRing(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const u8 = this.arena.u8;
    const off = pos & this.mask;
    const first = Math.min(len, this.size - off);
    out.set(u8.subarray(this.data + off, this.data + off + first));
    if (first < len) out.set(u8.subarray(this.data, this.data + len - first), first);
    return out;
  }

  private writeRing(pos: number, bytes: Uint8Array): void {
    const u8 = this.arena.u8;
    const off = pos & this.mask;
    const first = Math.min(bytes.length, this.size - off);
    u8.set(bytes.subarray(0, first), this.data + off);
    if (first < bytes.length) u8.set(bytes.subarray(first), this.data);
  }

  /** The mirror: bytes written past the end of the data area belong at its start. */
  private foldMirror(recStart: number, len: number): void {
    const off = recStart & this.mask;
    const over = off + len - this.size;
    if (over > 0) this.arena.u8.copyWithin(this.data, this.data + this.size, this.data + this.size + over);
  }

  /** The mirror the other way: make a wrapping record contiguous at data + off. */
  private unfoldMirror(recStart: number, len: number): void {
    const off = recStart & this.mask;
    const over = off + len - this.size;
    if (over > 0) this.arena.u8.copyWithin(this.data + this.size, this.data, this.data + over);
  }

  private wake(): void {
    this.wakeups++;
    for (const w of [...this.waiters]) w();
  }

  /** Whether an arena address is a sample of this ring (inside the doubled data block). */
  containsSample(addr: number): boolean {
    return addr >= this.data + BPF_RINGBUF_HDR_SZ && addr < this.data + 2 * this.size;
  }

  // ---- kernel producer (program side) ----

  /** __bpf_ringbuf_reserve: the sample's arena address, or 0 (NULL) */
  reserve(size: number | bigint): number {
    if (this.user) return 0;
    if (BigInt(size) > BigInt(RINGBUF_MAX_RECORD_SZ)) return 0;
    const len = roundUp8(Number(size) + BPF_RINGBUF_HDR_SZ);
    if (len > this.size) return 0;
    const prod = this.producerPos;
    const newProd = prod + len;
    // the producer may run at most size - 1 bytes ahead of the consumer
    if (newProd - this.consumerPos > this.mask) return 0;
    const off = prod & this.mask;
    const hdr = this.data + off;
    this.arena.dv.setUint32(hdr, (Number(size) | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.arena.dv.setUint32(hdr + 4, RINGBUF_DATA_PGOFF + Math.floor(off / PAGE_SIZE), true);
    this.producerPos = newProd;
    return hdr + BPF_RINGBUF_HDR_SZ;
  }

  /** bpf_ringbuf_commit: clear BUSY (and set DISCARD), then wake the consumer as the flags say. */
  commit(sample: number, flags: number, discard: boolean): void {
    const hdr = sample - BPF_RINGBUF_HDR_SZ;
    const dv = this.arena.dv;
    const cur = dv.getUint32(hdr, true);
    let len = (cur ^ BPF_RINGBUF_BUSY_BIT) >>> 0;
    if (discard) len = (len | BPF_RINGBUF_DISCARD_BIT) >>> 0;
    const recPos = hdr - this.data;
    const sampleLen = cur & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    this.foldMirror(recPos, roundUp8(sampleLen + BPF_RINGBUF_HDR_SZ));
    dv.setUint32(this.data + (recPos & this.mask), len, true);
    const consPos = this.consumerPos & this.mask;
    if (flags & BPF_RB_FORCE_WAKEUP) this.wake();
    else if (consPos === (recPos & this.mask) && !(flags & BPF_RB_NO_WAKEUP)) this.wake();
  }

  /** bpf_ringbuf_output: 0, -EINVAL for unknown flags, -EAGAIN when full */
  output(bytes: Uint8Array, flags: number | bigint): number {
    if (BigInt(flags) & ~BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -EINVAL;
    const rec = this.reserve(bytes.length);
    if (!rec) return -EAGAIN;
    this.arena.u8.set(bytes, rec);
    this.commit(rec, Number(flags), false);
    return 0;
  }

  /** bpf_ringbuf_query; unknown flags read 0 */
  query(flags: bigint): bigint {
    switch (flags) {
      case BigInt(BPF_RB_AVAIL_DATA): return BigInt(this.availData);
      case BigInt(BPF_RB_RING_SIZE): return BigInt(this.size);
      case BigInt(BPF_RB_CONS_POS): return BigInt(this.consumerPos);
      case BigInt(BPF_RB_PROD_POS): return BigInt(this.producerPos);
      default: return 0n;
    }
  }

  // ---- user-space consumer (libbpf's ringbuf_process_ring) ----

  /**
   * Consumes committed records from the consumer position on, as libbpf's
   * ring_buffer__consume: stops at a BUSY record, skips DISCARD ones,
   * advances the consumer position past each. `fn` returning a negative
   * number stops after that record (libbpf: the error is returned).
   */
  consume(fn?: (rec: RingbufRecord) => number | void, limit = Infinity): RingbufRecord[] {
    const out: RingbufRecord[] = [];
    if (this.isFreed) return out;
    while (this.consumerPos < this.producerPos && out.length < limit) {
      const pos = this.consumerPos;
      const len = this.u32At(pos);
      if (len & BPF_RINGBUF_BUSY_BIT) break;
      const sampleLen = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
      this.consumerPos = pos + roundUp8(sampleLen + BPF_RINGBUF_HDR_SZ);
      if (len & BPF_RINGBUF_DISCARD_BIT) continue;
      const rec = { data: this.readRing(pos + BPF_RINGBUF_HDR_SZ, sampleLen), pos };
      out.push(rec);
      if (fn) {
        const r = fn(rec);
        if (typeof r === 'number' && r < 0) break;
      }
    }
    return out;
  }

  /** The raw header {len, pg_off} at a ring position (for tests of the record format). */
  headerAt(pos: number): { len: number; pgOff: number } {
    return { len: this.u32At(pos), pgOff: this.u32At(pos + 4) };
  }

  /** Registers a callback for the next wake-up; returns its remover. */
  onWakeup(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  // ---- user-space producer (libbpf's user_ring_buffer__reserve/submit/discard) ----

  /**
   * Reserves a sample of `size` bytes in a user ring buffer; returns its
   * ring position (pass it to userSubmit/userDiscard) or throws -ENOSPC when
   * it does not fit, -E2BIG when it never can.
   */
  userReserve(size: number): number {
    if (!this.user) throw new MapError(`${this.describe()} is not a user ring buffer`, -EINVAL);
    if (!Number.isInteger(size) || size < 0 || size > DYNPTR_MAX_SIZE) throw new MapError(`sample of ${size} bytes`, -E2BIG);
    const total = roundUp8(size + BPF_RINGBUF_HDR_SZ);
    if (total > this.size) throw new MapError(`sample of ${size} bytes in a ring of ${this.size}`, -E2BIG);
    if (this.size - (this.producerPos - this.consumerPos) < total) {
      throw new MapError(`no room for ${size} bytes in ${this.describe()}`, -ENOSPC);
    }
    const pos = this.producerPos;
    this.setU32At(pos, (size | BPF_RINGBUF_BUSY_BIT) >>> 0);
    this.setU32At(pos + 4, 0);
    this.producerPos = pos + total;
    return pos;
  }

  /** Writes a reserved user sample's bytes. */
  userWrite(pos: number, bytes: Uint8Array, offset = 0): void {
    this.writeRing(pos + BPF_RINGBUF_HDR_SZ + offset, bytes);
  }

  userCommit(pos: number, discard: boolean): void {
    const len = this.u32At(pos) & ~BPF_RINGBUF_BUSY_BIT;
    this.setU32At(pos, discard ? (len | BPF_RINGBUF_DISCARD_BIT) >>> 0 : len);
  }

  /** Reserve, write and submit one sample. */
  produce(bytes: Uint8Array): void {
    const pos = this.userReserve(bytes.length);
    this.userWrite(pos, bytes);
    this.userCommit(pos, false);
  }

  // ---- kernel consumer of a user ring (bpf_user_ringbuf_drain) ----

  /** __bpf_user_ringbuf_peek: [arena address, size] of the next sample, or -errno */
  private userPeek(): [number, number] | number {
    const prod = this.producerPos;
    if (prod % 8) return -EINVAL;
    const cons = this.consumerPos;
    if (cons >= prod) return -ENODATA;
    const hdrLen = this.u32At(cons);
    const flags = hdrLen & (BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    const sampleLen = (hdrLen & ~flags) >>> 0;
    const total = roundUp8(sampleLen + BPF_RINGBUF_HDR_SZ);
    if (total > prod - cons) return -EINVAL;
    if (total > this.size) return -E2BIG;
    if (sampleLen > DYNPTR_MAX_SIZE) return -E2BIG;
    if (flags & BPF_RINGBUF_DISCARD_BIT) {
      this.consumerPos = cons + total;
      return -EAGAIN;
    }
    if (flags & BPF_RINGBUF_BUSY_BIT) return -ENODATA;
    this.unfoldMirror(cons, total);
    return [this.data + ((cons + BPF_RINGBUF_HDR_SZ) & this.mask), sampleLen];
  }

  /**
   * bpf_user_ringbuf_drain: calls `cb(sampleAddr, size)` for each committed
   * sample (a non-zero return stops after it); returns the number of samples
   * drained or -errno.
   */
  drain(flags: bigint, cb: (addr: number, size: number) => bigint): number {
    if (flags & ~BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -EINVAL;
    if (this.busy) return -EBUSY;
    this.busy = true;
    let samples = 0;
    let discarded = 0;
    let ret = 0n;
    let result: number | undefined;
    try {
      for (; samples < BPF_MAX_USER_RINGBUF_SAMPLES && ret === 0n; samples++) {
        const p = this.userPeek();
        if (typeof p === 'number') {
          if (p === -ENODATA) break;
          if (p === -EAGAIN) { discarded++; continue; }
          result = p;
          break;
        }
        ret = cb(p[0], p[1]);
        this.consumerPos += roundUp8(p[1] + BPF_RINGBUF_HDR_SZ);
      }
    } finally {
      this.busy = false;
    }
    if (flags & BigInt(BPF_RB_FORCE_WAKEUP)) this.wake();
    else if (!(flags & BigInt(BPF_RB_NO_WAKEUP)) && samples > 0) this.wake();
    return result ?? samples - discarded;
  }

  // ---- user side element ops: none (ringbuf_map_*_elem return -ENOTSUPP) ----

  protected override sysLookup(): Uint8Array {
    throw new MapError(`lookup not supported by ${this.describe()}`, -ENOTSUPP);
  }
}

/** The ring buffer whose doubled data block holds `addr` (what the kernel finds from a header's pg_off). */
export function ringbufOfSample(env: MapEnv, addr: number): RingBufMap | undefined {
  for (const m of env.byPtr.values()) if (m instanceof RingBufMap && m.containsSample(addr)) return m;
  return undefined;
}

const ops = {
  allocCheck: (spec: MapSpec) => ringbufAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new RingBufMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_RINGBUF, ops);
registerMapType(BPF_MAP_TYPE_USER_RINGBUF, ops);

// Dynptrs at run time (kernel/bpf/helpers.c): struct bpf_dynptr_kern in the
// program's stack — data (u64), size with the type in bits 28-30 and the
// read-only flag in bit 31, offset — for local memory, skb and XDP packets.
// A packet dynptr's data is the context: the packet is found through it at
// each access (it may have moved), as the kernel goes through the skb/xdp_buff.
import type { Arena } from '../memory/arena.js';
import { E2BIG, EINVAL, ERANGE } from '../uapi/errno.js';
import { checkMem, u32, u64 } from '../helpers/misc.js';
import type { HelperFn } from '../vm/env.js';

/** enum bpf_dynptr_type */
const DYNPTR_TYPE_LOCAL = 1;
const DYNPTR_TYPE_RINGBUF = 2;
const DYNPTR_TYPE_SKB = 3;
const DYNPTR_TYPE_XDP = 4;
const DYNPTR_TYPE_SHIFT = 28;
const DYNPTR_SIZE_MASK = 0xffffff;
const DYNPTR_RDONLY_BIT = 0x8000_0000;
const DYNPTR_MAX_SIZE = DYNPTR_SIZE_MASK;
const DYNPTR_BYTES = 16;
/** BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH: the flags an skb dynptr write takes */
const SKB_WRITE_FLAGS = 0x1n | 0x2n;

/** __sk_buff data / data_end and xdp_md data / data_end: u32 arena addresses in the context */
const SKB_DATA = 76, SKB_DATA_END = 80, XDP_DATA = 0, XDP_DATA_END = 4;

interface Dynptr { at: number; data: number; size: number; type: number; rdonly: boolean; offset: number }

export class DynptrOps {
  constructor(private readonly arena: Arena) {}

  private read(r: bigint, what: string): Dynptr {
    const at = checkMem(this.arena, r, DYNPTR_BYTES, true, what);
    const dv = this.arena.dv;
    const data = Number(dv.getBigUint64(at, true));
    const word = dv.getUint32(at + 8, true);
    return { at, data, size: word & DYNPTR_SIZE_MASK, type: (word >>> DYNPTR_TYPE_SHIFT) & 0x7, rdonly: (word & DYNPTR_RDONLY_BIT) !== 0, offset: dv.getUint32(at + 12, true) };
  }

  private write(d: Dynptr): void {
    const dv = this.arena.dv;
    dv.setBigUint64(d.at, BigInt(d.data), true);
    dv.setUint32(d.at + 8, ((d.size & DYNPTR_SIZE_MASK) | (d.type << DYNPTR_TYPE_SHIFT) | (d.rdonly ? DYNPTR_RDONLY_BIT : 0)) >>> 0, true);
    dv.setUint32(d.at + 12, d.offset, true);
  }

  private init(r: bigint, data: number, type: number, size: number): void {
    this.write({ at: checkMem(this.arena, r, DYNPTR_BYTES, true, 'bpf_dynptr'), data, size, type, rdonly: false, offset: 0 });
  }

  /** bpf_dynptr_set_null */
  private setNull(r: bigint): void {
    const at = checkMem(this.arena, r, DYNPTR_BYTES, true, 'bpf_dynptr');
    this.arena.u8.fill(0, at, at + DYNPTR_BYTES);
  }

  /** The packet of a packet dynptr's context: [start, end) */
  private packet(d: Dynptr): [number, number] {
    const dv = this.arena.dv;
    return d.type === DYNPTR_TYPE_SKB
      ? [dv.getUint32(d.data + SKB_DATA, true), dv.getUint32(d.data + SKB_DATA_END, true)]
      : [dv.getUint32(d.data + XDP_DATA, true), dv.getUint32(d.data + XDP_DATA_END, true)];
  }

  /** Address of byte `off` of the dynptr's view (after its offset), or -1 when [off, off+len) is out of the memory */
  private addr(d: Dynptr, off: number, len: number): number {
    // local memory and ring buffer records are arena memory
    if (d.type === DYNPTR_TYPE_LOCAL || d.type === DYNPTR_TYPE_RINGBUF) return d.data + d.offset + off;
    const [start, end] = this.packet(d);
    const a = start + d.offset + off;
    return a + len <= end ? a : -1;
  }

  /** bpf_dynptr_check_off_len */
  private offLenOk(d: Dynptr, off: number, len: number): boolean {
    return len <= d.size && off <= d.size - len;
  }

  private fromPacket(type: number, lenOf: (ctx: number) => number): HelperFn {
    return (_vm, r1, r2, r3) => {
      if (r2 !== 0n) { this.setNull(r3); return u64(-EINVAL); }
      const ctx = Number(r1);
      this.init(r3, ctx, type, lenOf(ctx));
      return 0n;
    };
  }

  readonly fromSkb = this.fromPacket(DYNPTR_TYPE_SKB, (ctx) => this.arena.dv.getUint32(ctx + SKB_DATA_END, true) - this.arena.dv.getUint32(ctx + SKB_DATA, true));
  readonly fromXdp = this.fromPacket(DYNPTR_TYPE_XDP, (ctx) => this.arena.dv.getUint32(ctx + XDP_DATA_END, true) - this.arena.dv.getUint32(ctx + XDP_DATA, true));

  /** BPF_FUNC_dynptr_from_mem(data, size, flags, ptr) */
  readonly fromMem: HelperFn = (_vm, r1, r2, r3, r4) => {
    const size = u32(r2);
    if (r3 !== 0n) { this.setNull(r4); return u64(-EINVAL); }
    if (size > DYNPTR_MAX_SIZE) { this.setNull(r4); return u64(-E2BIG); }
    const data = size ? checkMem(this.arena, r1, size, true, 'bpf_dynptr_from_mem') : Number(r1);
    this.init(r4, data, DYNPTR_TYPE_LOCAL, size);
    return 0n;
  };

  readonly size: HelperFn = (_vm, r1) => { const d = this.read(r1, 'bpf_dynptr_size'); return BigInt(d.data ? d.size : 0); };
  readonly isNull: HelperFn = (_vm, r1) => (this.read(r1, 'bpf_dynptr_is_null').data ? 0n : 1n);
  readonly isRdonly: HelperFn = (_vm, r1) => { const d = this.read(r1, 'bpf_dynptr_is_rdonly'); return d.data && d.rdonly ? 1n : 0n; };

  readonly adjust: HelperFn = (_vm, r1, r2, r3) => {
    const d = this.read(r1, 'bpf_dynptr_adjust');
    const start = u32(r2), end = u32(r3);
    if (!d.data) return u64(-EINVAL);
    if (start > d.size || end > d.size) return u64(-ERANGE);
    if (start > end) return u64(-EINVAL);
    d.offset += start;
    d.size = end - start;
    this.write(d);
    return 0n;
  };

  readonly clone: HelperFn = (_vm, r1, r2) => {
    const d = this.read(r1, 'bpf_dynptr_clone');
    if (!d.data) { this.setNull(r2); return u64(-EINVAL); }
    this.write({ ...d, at: checkMem(this.arena, r2, DYNPTR_BYTES, true, 'bpf_dynptr_clone') });
    return 0n;
  };

  private slice(rdwr: boolean): HelperFn {
    return (_vm, r1, r2, r3, r4) => {
      const d = this.read(r1, rdwr ? 'bpf_dynptr_slice_rdwr' : 'bpf_dynptr_slice');
      const off = u32(r2), len = u32(r4);
      if (!d.data || !this.offLenOk(d, off, len) || (rdwr && d.rdonly)) return 0n;
      const a = this.addr(d, off, len);
      // a linear packet: the slice points into it directly (the buffer is not needed)
      void r3;
      return a < 0 ? 0n : BigInt(a);
    };
  }

  readonly sliceRdonly = this.slice(false);
  readonly sliceRdwr = this.slice(true);

  /** BPF_FUNC_dynptr_read(dst, len, src, offset, flags) */
  readonly readBytes: HelperFn = (_vm, r1, r2, r3, r4, r5) => {
    const len = u32(r2);
    const d = this.read(r3, 'bpf_dynptr_read');
    const off = u32(r4);
    if (!d.data || r5 !== 0n) return u64(-EINVAL);
    if (!this.offLenOk(d, off, len)) return u64(-E2BIG);
    const dst = checkMem(this.arena, r1, len, true, 'bpf_dynptr_read');
    const src = this.addr(d, off, len);
    if (src < 0) return u64(-EINVAL);
    this.arena.u8.copyWithin(dst, src, src + len);
    return 0n;
  };

  /** BPF_FUNC_dynptr_write(dst, offset, src, len, flags) */
  readonly writeBytes: HelperFn = (_vm, r1, r2, r3, r4, r5) => {
    const d = this.read(r1, 'bpf_dynptr_write');
    const off = u32(r2), len = u32(r4);
    if (!d.data || d.rdonly) return u64(-EINVAL);
    if (!this.offLenOk(d, off, len)) return u64(-E2BIG);
    if (d.type === DYNPTR_TYPE_SKB ? (r5 & ~SKB_WRITE_FLAGS) !== 0n : r5 !== 0n) return u64(-EINVAL);
    const src = checkMem(this.arena, r3, len, false, 'bpf_dynptr_write');
    const dst = this.addr(d, off, len);
    if (dst < 0) return u64(-EINVAL);
    this.arena.u8.copyWithin(dst, src, src + len);
    return 0n;
  };

  /** BPF_FUNC_dynptr_data(ptr, offset, len): only local memory has a direct pointer */
  readonly data: HelperFn = (_vm, r1, r2, r3) => {
    const d = this.read(r1, 'bpf_dynptr_data');
    const off = u32(r2), len = u32(r3);
    if (!d.data || !this.offLenOk(d, off, len) || d.rdonly) return 0n;
    if (d.type !== DYNPTR_TYPE_LOCAL && d.type !== DYNPTR_TYPE_RINGBUF) return 0n;
    return BigInt(this.addr(d, off, len));
  };

  /**
   * BPF_FUNC_ringbuf_reserve_dynptr(map, size, flags, ptr): a record of the
   * ring `reserve` stands for, or a NULL dynptr and -EINVAL (flags, no room)
   * / -E2BIG (size past DYNPTR_MAX_SIZE).
   */
  ringbufReserve(reserve: (size: bigint) => number): HelperFn {
    return (_vm, _r1, r2, r3, r4) => {
      if (r3 !== 0n) { this.setNull(r4); return u64(-EINVAL); }
      if (r2 > BigInt(DYNPTR_MAX_SIZE)) { this.setNull(r4); return u64(-E2BIG); }
      const sample = reserve(r2);
      if (!sample) { this.setNull(r4); return u64(-EINVAL); }
      this.init(r4, sample, DYNPTR_TYPE_RINGBUF, Number(r2));
      return 0n;
    };
  }

  /** BPF_FUNC_ringbuf_submit_dynptr / discard_dynptr(ptr, flags): the record is committed (NULL: nothing), the dynptr NULL after */
  ringbufCommit(commit: (sample: number, flags: bigint) => void): HelperFn {
    return (_vm, r1, r2) => {
      const d = this.read(r1, 'bpf_ringbuf_submit_dynptr');
      if (!d.data) return 0n;
      commit(d.data, r2);
      this.setNull(r1);
      return 0n;
    };
  }
}


// The arena: one WebAssembly.Memory holding every byte a BPF program can touch
// (stacks, contexts, packets, map storage). Pointers are arena offsets; the
// first page is never handed out, so offset 0 is NULL and small offsets fault.
//
// The allocator is first-fit over a sorted free list with coalescing. Every
// live block is recorded in a sorted index, so the interpreter can ask which
// block an address lies in (`blockOf`) and check an access against it.

const PAGE = 65536;
const GUARD = 4096; // [0, GUARD) is never allocated: NULL and near-NULL fault

export const ARENA_ACCESS_NONE = 0; // runtime-internal metadata: programs may not touch it
export const ARENA_ACCESS_READ = 1;
export const ARENA_ACCESS_WRITE = 2;
export const ARENA_ACCESS_RW = ARENA_ACCESS_READ | ARENA_ACCESS_WRITE;

export class ArenaError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'ArenaError';
  }
}

export interface ArenaOptions {
  /** initial size in bytes (rounded up to 64 KiB pages) */
  initialBytes?: number;
  /** hard limit in bytes; allocations beyond it fail with -ENOMEM (default and most: ARENA_MAX_BYTES) */
  maxBytes?: number;
}

/**
 * The largest arena: a wasm32 memory's 4 GiB less one 64 KiB page (what every
 * engine we run on can map and view). Memory is committed as it is touched,
 * so the limit costs nothing until maps use it.
 */
export const ARENA_MAX_BYTES = 0x1_0000_0000 - PAGE;

export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly maxBytes: number;
  /** byte view of the whole arena; replaced when the memory grows */
  u8!: Uint8Array;
  /** DataView of the whole arena; replaced when the memory grows */
  dv!: DataView;
  /** bumped whenever the views are replaced, so cached views can be refreshed */
  generation = 0;
  /**
   * bumped whenever a live block goes away or changes its access (free,
   * setAccess), so an engine caching "this block allows that" knows to forget
   */
  liveVersion = 0;

  // free extents, sorted by start, never adjacent (coalesced)
  private freeStart: number[] = [];
  private freeSize: number[] = [];
  // live blocks, sorted by start
  private liveStart: number[] = [];
  private liveEnd: number[] = [];
  private liveAccess: number[] = [];
  private lastHit = -1;
  private used = 0;
  /**
   * Bytes above this offset were never handed out since the memory grew, so
   * they are still the zeros memory.grow gave them: alloc need not clear
   * them (and does not touch, so the OS does not commit, a big map's pages)
   */
  private cleanFrom = 0;

  constructor(opts: ArenaOptions = {}) {
    const maxBytes = Math.min(opts.maxBytes ?? ARENA_MAX_BYTES, ARENA_MAX_BYTES);
    this.maxBytes = maxBytes;
    const initialPages = Math.max(1, Math.ceil((opts.initialBytes ?? 4 * PAGE) / PAGE));
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: Math.ceil(maxBytes / PAGE) });
    this.refreshViews();
    this.freeStart.push(GUARD);
    this.freeSize.push(this.memory.buffer.byteLength - GUARD);
    this.cleanFrom = GUARD;
  }

  /** Bytes currently allocated (live blocks, excluding alignment padding). */
  get bytesInUse(): number {
    return this.used;
  }

  get liveBlocks(): number {
    return this.liveStart.length;
  }

  /**
   * Allocates `size` bytes aligned to `align` (a power of two), zero-filled.
   * `access` says whether BPF programs may read/write the block.
   * Throws ArenaError(-ENOMEM) past the limit.
   */
  alloc(size: number, access = ARENA_ACCESS_RW, align = 8): number {
    if (!Number.isInteger(size) || size < 0) throw new ArenaError(`bad allocation size ${size}`, -22);
    // checked before the 32-bit rounding below, which would wrap a size >= 2^31
    // (a 4 TiB array map became an 8-byte block)
    if (size > this.maxBytes) throw new ArenaError(`allocation of ${size} bytes exceeds the arena limit of ${this.maxBytes} bytes`, -12);
    // plain arithmetic, not 32-bit bitwise: sizes and offsets reach 4 GiB
    const n = Math.max(8, Math.ceil(size / 8) * 8);
    for (;;) {
      for (let i = 0; i < this.freeStart.length; i++) {
        const start = this.freeStart[i]!;
        const aligned = Math.ceil(start / align) * align;
        const pad = aligned - start;
        const fsize = this.freeSize[i]!;
        if (fsize < pad + n) continue;
        // carve [aligned, aligned+n) out of the extent
        const tail = fsize - pad - n;
        if (pad > 0) {
          this.freeSize[i] = pad;
          if (tail > 0) {
            this.freeStart.splice(i + 1, 0, aligned + n);
            this.freeSize.splice(i + 1, 0, tail);
          }
        } else if (tail > 0) {
          this.freeStart[i] = aligned + n;
          this.freeSize[i] = tail;
        } else {
          this.freeStart.splice(i, 1);
          this.freeSize.splice(i, 1);
        }
        this.insertLive(aligned, aligned + n, access);
        if (aligned < this.cleanFrom) this.u8.fill(0, aligned, Math.min(aligned + n, this.cleanFrom));
        if (aligned + n > this.cleanFrom) this.cleanFrom = aligned + n;
        this.used += n;
        return aligned;
      }
      this.grow(n + align);
    }
  }

  /** Frees a block returned by alloc. Freeing anything else throws. */
  free(ptr: number): void {
    const i = this.findLive(ptr);
    if (i < 0 || this.liveStart[i] !== ptr) throw new ArenaError(`free of ${ptr}, which is not an allocated block`, -22);
    const start = ptr;
    const size = this.liveEnd[i]! - ptr;
    this.liveStart.splice(i, 1);
    this.liveEnd.splice(i, 1);
    this.liveAccess.splice(i, 1);
    this.lastHit = -1;
    this.liveVersion++;
    this.used -= size;
    this.insertFree(start, size);
  }

  /** Size of the block starting at ptr. */
  sizeOf(ptr: number): number {
    const i = this.findLive(ptr);
    if (i < 0 || this.liveStart[i] !== ptr) throw new ArenaError(`${ptr} is not an allocated block`, -22);
    return this.liveEnd[i]! - ptr;
  }

  /** Changes what programs may do with a block (e.g. a frozen .rodata becomes read-only). */
  setAccess(ptr: number, access: number): void {
    const i = this.findLive(ptr);
    if (i < 0 || this.liveStart[i] !== ptr) throw new ArenaError(`${ptr} is not an allocated block`, -22);
    this.liveAccess[i] = access;
    this.liveVersion++;
  }

  /**
   * Whether [addr, addr+size) lies inside one live block that allows `access`.
   * This is the interpreter's last line of defence; the verifier is the first.
   */
  canAccess(addr: number, size: number, access: number): boolean {
    let i = this.lastHit;
    if (i < 0 || addr < this.liveStart[i]! || addr >= this.liveEnd[i]!) {
      i = this.findLive(addr);
      if (i < 0) return false;
      this.lastHit = i;
    }
    return addr + size <= this.liveEnd[i]! && (this.liveAccess[i]! & access) === access;
  }

  /** The live block containing addr, as [start, end), or undefined. */
  blockOf(addr: number): [number, number] | undefined {
    const i = this.findLive(addr);
    return i < 0 ? undefined : [this.liveStart[i]!, this.liveEnd[i]!];
  }

  private refreshViews(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
    this.generation++;
  }

  private grow(atLeast: number): void {
    const cur = this.memory.buffer.byteLength;
    const want = Math.max(Math.ceil(atLeast / PAGE), Math.ceil(cur / PAGE)); // at least double
    const limitPages = Math.floor(this.maxBytes / PAGE) - cur / PAGE;
    const pages = Math.min(want, limitPages);
    if (pages <= 0 || pages * PAGE < atLeast - this.trailingFree(cur)) {
      throw new ArenaError(`arena limit of ${this.maxBytes} bytes reached`, -12);
    }
    this.memory.grow(pages);
    this.refreshViews();
    this.insertFree(cur, pages * PAGE);
  }

  private trailingFree(end: number): number {
    const k = this.freeStart.length - 1;
    return k >= 0 && this.freeStart[k]! + this.freeSize[k]! === end ? this.freeSize[k]! : 0;
  }

  /** index of the live block containing addr, or -1 */
  private findLive(addr: number): number {
    let lo = 0;
    let hi = this.liveStart.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.liveStart[mid]! <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr < this.liveEnd[hi]! ? hi : -1;
  }

  private insertLive(start: number, end: number, access: number): void {
    let lo = 0;
    let hi = this.liveStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.liveStart[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    this.liveStart.splice(lo, 0, start);
    this.liveEnd.splice(lo, 0, end);
    this.liveAccess.splice(lo, 0, access);
    this.lastHit = -1;
  }

  private insertFree(start: number, size: number): void {
    let lo = 0;
    let hi = this.freeStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeStart[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const prevEnd = lo > 0 ? this.freeStart[lo - 1]! + this.freeSize[lo - 1]! : -1;
    const next = lo < this.freeStart.length ? this.freeStart[lo]! : -1;
    if (prevEnd === start) {
      this.freeSize[lo - 1]! += size;
      if (next === start + size) {
        this.freeSize[lo - 1]! += this.freeSize[lo]!;
        this.freeStart.splice(lo, 1);
        this.freeSize.splice(lo, 1);
      }
    } else if (next === start + size) {
      this.freeStart[lo] = start;
      this.freeSize[lo]! += size;
    } else {
      this.freeStart.splice(lo, 0, start);
      this.freeSize.splice(lo, 0, size);
    }
  }
}

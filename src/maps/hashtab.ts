// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS
// (kernel/bpf/hashtab.c).
//
// Buckets: roundup_pow_of_two(max_entries) of them, chosen by htab_map_hash
// (jhash) with seed env.hashSeed (0, as BPF_F_ZERO_SEED gives), new elements
// at the head of their bucket. BPF_MAP_GET_NEXT_KEY walks buckets in order,
// so iteration order is the kernel's for a zero seed.
//
// Preallocated (default): max_entries value slots (+ nCpus spare slots for a
// plain hash: an update of an existing key takes a spare and retires the old
// element, as htab->extra_elems) in one arena block; freed slots are reused at
// once, as the kernel's pcpu_freelist does, but only by this map.
// BPF_F_NO_PREALLOC: one arena block per element from this map's own pool
// (the kernel's per-map bpf_mem_alloc caches); a deleted or replaced element
// goes back to the pool only after a grace period (MapEnv.callRcu), so a
// program still holding its pointer reads the old value, and element memory
// never moves to another map while the map lives.
//
// Timers (check_and_free_fields): freed on delete; on update of an existing
// key for HASH/LRU_HASH (the value moves to a fresh element, the old one's
// fields are freed); on LRU eviction; on map_release_uref and map_free.
// PERCPU_HASH and LRU_PERCPU_HASH update in place and cannot hold timers.

import { ARENA_ACCESS_NONE } from '../memory/arena.js';
import { E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM, ENOTSUPP, EFAULT } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_ACCESS_MASK,
  BPF_F_ZERO_SEED, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, BPF_F_RDONLY_PROG,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType, roundUp8 } from './map.js';
import { BpfLru, LruNode, type FreeStack } from './bpf_lru_list.js';
import { htabMapHash, htabMapHashAt } from './jhash.js';
import { PCPU_MIN_UNIT_SIZE, progValueAccess } from './arraymap.js';
import { checkInnerSpec, innerMapCompatible } from './map_in_map.js';
import type { HashLookupLayout } from '../vm/env.js';
import { ArenaError } from '../memory/arena.js';

const HTAB_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F_ZERO_SEED;
/** KMALLOC_MAX_SIZE on x86-64 (4 MiB) minus sizeof(struct htab_elem) */
const HTAB_MAX_KV = (4 << 20) - 48;
/** the longest key a compiled lookup hashes inline (longer ones keep the helper) */
const INLINE_MAX_KEY = 64;
/** the longest value a compiled update copies inline */
const INLINE_MAX_VALUE = 64;
/** entries of the change log compiled updates and deletes append to (a full log sends them to the helper) */
const LOG_CAP = 256;
/** a log entry's old-slot word for an insert, new-slot word for a delete (src/jit/inline.ts LOG_NONE) */
const LOG_NONE = 0xffffffff;

/** struct htab_elem: a key, its hash, where its value lives; embeds the LRU node */
class HtabElem extends LruNode {
  key: Uint8Array = new Uint8Array(0);
  hash = 0;
  inTable = false;
  constructor(public valuePtr: number) {
    super();
  }
}

function isPercpu(type: number): boolean {
  return type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
}
function isLru(type: number): boolean {
  return type === BPF_MAP_TYPE_LRU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/** htab_map_alloc_check */
export function htabMapAllocCheck(spec: MapSpec): number {
  const percpu = isPercpu(spec.type);
  const lru = isLru(spec.type);
  const percpuLru = (spec.flags & BPF_F_NO_COMMON_LRU) !== 0;
  const prealloc = (spec.flags & BPF_F_NO_PREALLOC) === 0;
  if (spec.flags & ~HTAB_CREATE_FLAG_MASK || !mapFlagsAccessOk(spec.flags)) return -EINVAL;
  if (!lru && percpuLru) return -EINVAL;
  if (lru && !prealloc) return -ENOTSUPP;
  if (spec.flags & BPF_F_NUMA_NODE && (percpu || percpuLru)) return -EINVAL;
  if (spec.maxEntries === 0 || spec.keySize === 0 || spec.valueSize === 0) return -EINVAL;
  if (spec.keySize + spec.valueSize >= HTAB_MAX_KV) return -E2BIG;
  if (percpu && roundUp8(spec.valueSize) > PCPU_MIN_UNIT_SIZE) return -E2BIG;
  if (spec.maxEntries > 2 ** 31) return -E2BIG;
  // htab_map_alloc: n_buckets = roundup_pow_of_two(max_entries) must not exceed
  // U32_MAX / sizeof(struct bucket) (16 bytes): more than 2^27 entries is -E2BIG
  // (checked live on 6.18: 2^27 entries -ENOMEM, 2^27 + 1 -E2BIG)
  if (spec.maxEntries > 2 ** 27) return -E2BIG;
  return 0;
}

export class HashMap extends BpfMap {
  readonly percpu: boolean;
  readonly lru: boolean;
  readonly prealloc: boolean;
  readonly ofMaps: boolean;
  readonly nBuckets: number;
  /** round_up(value_size, 8): the stride of per-CPU copies */
  readonly elemSize: number;
  /** bytes of one element's value storage (all CPUs' copies for per-CPU maps) */
  readonly slotSize: number;
  private readonly buckets: (HtabElem[] | undefined)[];
  private count = 0;
  private readonly seed: number;
  private readonly access: number;
  // prealloc: the slot block, the free elements, the per-CPU spare elements
  private slab = 0;
  private slabBytes = 0;
  private readonly freelist: HtabElem[] = [];
  /** prealloc (not LRU): index of the first element never handed out */
  private nextFresh = 0;
  private readonly extra: HtabElem[] = [];
  private lruList?: BpfLru;
  /** LRU: the elements made so far, by slot (the arena copy of the free stacks names slots) */
  private readonly lruNodes: HtabElem[] = [];
  private dynBytes = 0;
  /** BPF_F_NO_PREALLOC: this map's free element blocks (reusable now) and those waiting for a grace period */
  private readonly pool: number[] = [];
  private readonly retired: number[] = [];
  /** hash of maps: the inner map each element refers to */
  private readonly inner = new Map<HtabElem, BpfMap>();
  /** elements in the table by value address, for elemValueAt/elemKey */
  private readonly byValue = new Map<number, HtabElem>();
  /** the same for preallocated maps, by slot ((valuePtr - slab) / slotSize): no Map operation per update */
  private readonly bySlot: (HtabElem | undefined)[] = [];
  private valueScratch: Uint8Array | undefined;
  /** the table mirrored in the arena for compiled lookups (HashLookupLayout), made on the JIT's first request */
  private mirror: HashLookupLayout | undefined;
  private mirrorBlock = 0;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.percpu = isPercpu(spec.type);
    this.lru = isLru(spec.type);
    this.ofMaps = spec.type === BPF_MAP_TYPE_HASH_OF_MAPS;
    this.prealloc = (spec.flags & BPF_F_NO_PREALLOC) === 0;
    if (spec.flags & BPF_F_NO_COMMON_LRU) {
      // each CPU's list gets the same number (>= 1) of elements
      const n = env.nCpus;
      let m = Math.ceil(spec.maxEntries / n) * n;
      if (m > 0xffffffff) m = Math.floor(spec.maxEntries / n) * n;
      this.maxEntries = m;
    }
    let nb = 1;
    while (nb < this.maxEntries) nb *= 2;
    this.nBuckets = nb;
    this.buckets = new Array(nb);
    this.seed = env.hashSeed >>> 0;
    // hash of maps stores the inner map pointer (8 bytes), never visible to programs as memory
    this.elemSize = this.ofMaps ? 8 : roundUp8(spec.valueSize);
    this.slotSize = this.elemSize * (this.percpu ? env.nCpus : 1);
    this.access = this.ofMaps ? ARENA_ACCESS_NONE : progValueAccess(spec.flags);
    if (this.prealloc) {
      const extra = !this.percpu && !this.lru ? env.nCpus : 0;
      const n = this.maxEntries + extra;
      try {
        this.slabBytes = n * this.slotSize;
        this.slab = env.arena.alloc(this.slabBytes, this.access);
      } catch (e) {
        this.dropHeader();
        throw e;
      }
      if (this.lru) {
        // elements are made when the LRU first hands them out (creation is O(1) in max_entries)
        this.lruList = new BpfLru(env.nCpus, (spec.flags & BPF_F_NO_COMMON_LRU) !== 0, (node) => this.lruDeleteNode(node as HtabElem));
        const slab = this.slab;
        const stride = this.slotSize;
        this.lruList.populate(n, (i) => (this.lruNodes[i] = new HtabElem(slab + i * stride)));
      } else {
        // The freelist hands out element 0, 1, 2, ... first, then what was
        // freed (LIFO). Elements never handed out are made on demand
        // (nextFresh), so a big preallocated map costs no JS objects up front.
        // The last nCpus elements are the spares.
        for (let cpu = 0; cpu < extra; cpu++) this.extra.push(new HtabElem(this.slab + (this.maxEntries + cpu) * this.slotSize));
      }
    }
  }

  override get userValueSize(): number {
    if (this.ofMaps) return 4;
    return this.percpu ? this.elemSize * this.env.nCpus : this.valueSize;
  }

  get elemCount(): number {
    this.sync();
    return this.count;
  }

  protected storageBytes(): number {
    return this.slabBytes + this.dynBytes;
  }

  // ---- table ----

  private lookupRaw(key: Uint8Array, hash: number): HtabElem | undefined {
    this.sync();
    const b = this.buckets[hash & (this.nBuckets - 1)];
    if (!b) return undefined;
    for (let i = 0; i < b.length; i++) {
      const l = b[i]!;
      if (l.hash === hash && sameKey(l.key, key)) return l;
    }
    return undefined;
  }

  /** lookup_elem_raw for a key in the arena, compared where it is (no copy) */
  private lookupAt(u8: Uint8Array, keyPtr: number, hash: number): HtabElem | undefined {
    this.sync();
    const b = this.buckets[hash & (this.nBuckets - 1)];
    if (!b) return undefined;
    for (let i = 0; i < b.length; i++) {
      const l = b[i]!;
      if (l.hash === hash && sameKeyAt(l.key, u8, keyPtr)) return l;
    }
    return undefined;
  }

  override elemValueAt(addr: number): number {
    if (this.percpu) return 0;
    let start: number;
    if (this.prealloc) {
      if (addr < this.slab || addr >= this.slab + this.slabBytes) return 0;
      start = this.slab + Math.floor((addr - this.slab) / this.slotSize) * this.slotSize;
    } else {
      start = this.arena.blockOf(addr)?.[0] ?? 0;
    }
    const l = this.elemByValue(start);
    return l && addr < start + this.valueSize ? start : 0;
  }

  override elemKey(valuePtr: number): Uint8Array | undefined {
    return this.elemByValue(valuePtr)?.key;
  }

  /** the element in the table whose value starts at valuePtr */
  private elemByValue(valuePtr: number): HtabElem | undefined {
    this.sync();
    if (!this.prealloc) return this.byValue.get(valuePtr);
    const s = (valuePtr - this.slab) / this.slotSize;
    return Number.isInteger(s) && s >= 0 ? this.bySlot[s] : undefined;
  }

  /** `mirrored`: the arena mirror was already changed (a replayed log entry) */
  private addHead(l: HtabElem, mirrored = false): void {
    const i = l.hash & (this.nBuckets - 1);
    const b = this.buckets[i];
    if (b) b.unshift(l);
    else this.buckets[i] = [l];
    l.inTable = true;
    if (this.prealloc) this.bySlot[(l.valuePtr - this.slab) / this.slotSize] = l;
    else this.byValue.set(l.valuePtr, l);
    if (this.mirror && !mirrored) this.mirrorAdd(this.mirror, l);
  }

  private unlink(l: HtabElem, mirrored = false): void {
    const i = l.hash & (this.nBuckets - 1);
    const b = this.buckets[i]!;
    b.splice(b.indexOf(l), 1);
    if (b.length === 0) this.buckets[i] = undefined;
    l.inTable = false;
    if (this.prealloc) this.bySlot[(l.valuePtr - this.slab) / this.slotSize] = undefined;
    else this.byValue.delete(l.valuePtr);
    if (this.mirror && !mirrored) this.mirrorDel(this.mirror, l);
  }

  /**
   * addHead(l) then unlink(old), old being in l's bucket (a replacing
   * update): the bucket's elements before old move one place up, nothing is
   * allocated.
   */
  private replace(old: HtabElem, l: HtabElem, mirrored = false): void {
    const b = this.buckets[old.hash & (this.nBuckets - 1)]!;
    for (let k = b.indexOf(old); k > 0; k--) b[k] = b[k - 1]!;
    b[0] = l;
    l.inTable = true;
    old.inTable = false;
    if (this.prealloc) {
      this.bySlot[(old.valuePtr - this.slab) / this.slotSize] = undefined;
      this.bySlot[(l.valuePtr - this.slab) / this.slotSize] = l;
    } else {
      this.byValue.delete(old.valuePtr);
      this.byValue.set(l.valuePtr, l);
    }
    const m = this.mirror;
    if (m && !mirrored) {
      this.mirrorAdd(m, l);
      this.mirrorDel(m, old);
    }
  }

  private slotOf(l: HtabElem): number {
    return (l.valuePtr - this.slab) / this.slotSize;
  }

  /** the arena copy of the free list follows a push or pop of this.freelist, and nextFresh (compiled inserts take from it) */
  private mirrorFree(): void {
    const m = this.mirror;
    if (m?.free === undefined) return;
    const dv = this.arena.dv, n = this.freelist.length;
    dv.setUint32(m.free, n, true);
    if (n > 0) dv.setUint32(m.free + 4 * n, this.slotOf(this.freelist[n - 1]!), true);
    dv.setUint32(m.fresh!, this.nextFresh, true);
  }

  /**
   * Replays what compiled updates and deletes did to the arena mirror
   * (src/jit/inline.ts emitHashUpdate/emitHashDelete) into this map's own
   * structures: every read of the table calls it first.
   */
  private sync(): void {
    const m = this.mirror;
    if (m?.log === undefined) return;
    const dv = this.arena.dv;
    const n = dv.getUint32(m.log, true);
    if (n === 0) return;
    dv.setUint32(m.log, 0, true);
    const size = m.logEntry!;
    if (m.lfree !== undefined) {
      this.syncLru(m, n);
      return;
    }
    for (let i = 0; i < n; i++) {
      const e = m.log + 4 + size * i;
      const s = dv.getUint32(e, true), t = dv.getUint32(e + 4, true);
      if (s === LOG_NONE) {
        // an insert: the free list's top (or the next fresh slot) took the key (allocElem, addHead)
        const l = this.freelist.pop() ?? new HtabElem(this.slab + this.nextFresh++ * this.slotSize);
        if (this.slotOf(l) !== t) throw new Error(`internal: ${this.describe()} replays an insert into slot ${t}, its free list gives ${this.slotOf(l)}`);
        l.key = this.arena.u8.slice(e + 12, e + 12 + this.keySize);
        l.hash = dv.getUint32(e + 8, true);
        this.count++;
        this.addHead(l, true);
        continue;
      }
      const old = this.bySlot[s]!;
      if (t === LOG_NONE) {
        this.unlink(old, true);
        this.freeElem(old, true);
        continue;
      }
      // the running CPU's spare took the key (allocElem with old, then the addHead/unlink of updateKey)
      const cpu = dv.getUint32(e + 8, true);
      const l = this.extra[cpu]!;
      this.extra[cpu] = old;
      l.key = old.key;
      l.hash = old.hash;
      this.replace(old, l, true);
    }
  }

  /**
   * sync() for an LRU map: each entry is a compiled update (old slot or
   * LOG_NONE, new slot, hash, CPU, key) or delete (old slot, LOG_NONE): the
   * lruUpdate/deleteElem steps the arena does not hold (the JS lists, the
   * table's buckets, the count) in the order they happened.
   */
  private syncLru(m: HashLookupLayout, n: number): void {
    const lru = this.lruList!, u8 = this.arena.u8;
    // the log is word-aligned (an arena block, entries of whole words)
    const w = new Uint32Array(u8.buffer, m.log! + 4, (m.logEntry! >> 2) * n);
    const step = m.logEntry! >> 2;
    for (let i = 0, e = 0; i < n; i++, e += step) {
      const s = w[e]!, t = w[e + 1]!;
      const old = s === LOG_NONE ? undefined : this.bySlot[s]!;
      if (t !== LOG_NONE) {
        const l = this.lruNodes[t]!;
        lru.replayPop(w[e + 3]!, l);
        this.count++;
        l.hash = w[e + 2]!;
        if (old) {
          // a replacing update: the same key (shared: keys never change in place), the same bucket
          l.key = old.key;
          this.replace(old, l, true);
        } else {
          const k = m.log! + 4 + 4 * (e + 4);
          l.key = u8.slice(k, k + this.keySize);
          this.addHead(l, true);
          continue;
        }
      } else {
        this.unlink(old!, true);
      }
      this.count--;
      lru.replayPush(old!);
    }
  }

  /**
   * The layout compiled lookups use (src/jit/inline.ts): preallocated plain
   * and per-CPU hash maps with keys of whole words. The first request mirrors
   * the table into an arena block programs cannot access; addHead/unlink keep
   * it. Plain maps whose values programs may write and that hold no special
   * fields get the spare words and the change log too: compiled updates of
   * existing keys and deletes change the mirror and log it, sync() replays.
   */
  override inlineLayout(): HashLookupLayout | undefined {
    if (this.mirror) return this.mirror;
    if (!this.prealloc || this.isFreed) return undefined;
    if (this.keySize % 4 !== 0 || this.keySize > INLINE_MAX_KEY) return undefined;
    const slots = this.slabBytes / this.slotSize;
    // updates and deletes inline too: values without special fields the program may write, and a CPU word
    const valuesOk = !this.hasSpecial && this.valueSize <= INLINE_MAX_VALUE && !(this.spec.flags & BPF_F_RDONLY_PROG);
    const writes = !this.percpu && !this.lru && !this.ofMaps && valuesOk;
    // LRU: the common LRU's free stacks and pending bits move to the arena (CPU + 1 in a byte)
    const lruWrites = this.lru && !this.percpu && this.lruList!.commonLru && valuesOk && this.env.nCpus < 255;
    const cpuCell = writes || lruWrites || this.percpu ? this.env.currentCpuCell() : 0;
    if (lruWrites && cpuCell) return this.lruInlineLayout(slots, cpuCell);
    if (this.percpu && cpuCell === 0) return undefined;
    // LRU: a ref byte per slot after the keys
    const table = 4 * this.nBuckets + (8 + this.keySize) * slots + (this.lru ? slots : 0);
    // spare words, the log, the free list (count + maxEntries slots) and the first fresh slot
    // a log entry: old slot, new slot, CPU (an insert: the hash), then an insert's key
    const logEntry = 12 + this.keySize, logBytes = 4 + logEntry * LOG_CAP;
    const bytes = table + (writes && cpuCell ? 4 * this.extra.length + logBytes + 4 + 4 * this.maxEntries + 4 : 0);
    let block: number;
    try {
      block = this.arena.alloc(bytes, ARENA_ACCESS_NONE);
    } catch (e) {
      if (e instanceof ArenaError) return undefined; // no room: the helper keeps doing lookups
      throw e;
    }
    this.arena.u8.fill(0, block, block + bytes);
    this.mirrorBlock = block;
    const heads = block, next = heads + 4 * this.nBuckets, hashes = next + 4 * slots, keys = hashes + 4 * slots;
    const base: HashLookupLayout = {
      kind: 'hash', heads, mask: this.nBuckets - 1, next, hashes, keys, keySize: this.keySize, seed: this.seed,
      slab: this.slab, slotSize: this.slotSize,
    };
    const spare = block + table;
    // hash of maps: a lookup gives the inner map's pointer, the value's first word (htab_of_map_lookup_elem)
    const lruBase = this.lru ? { ...base, refs: keys + this.keySize * slots } : this.ofMaps ? { ...base, deref: true } : base;
    const m: HashLookupLayout = this.percpu ? { ...lruBase, cpuCell, cpuStride: this.elemSize } : !writes || cpuCell === 0 ? lruBase : {
      ...base, valueSize: this.valueSize, cpuCell, spare, nSpare: this.extra.length, log: spare + 4 * this.extra.length, logCap: LOG_CAP, logEntry,
      free: spare + 4 * this.extra.length + logBytes, fresh: spare + 4 * this.extra.length + logBytes + 4 + 4 * this.maxEntries,
      maxEntries: this.maxEntries,
    };
    if (m.free !== undefined) {
      const dv = this.arena.dv;
      for (let cpu = 0; cpu < this.extra.length; cpu++) dv.setUint32(spare + 4 * cpu, this.slotOf(this.extra[cpu]!), true);
      dv.setUint32(m.free, this.freelist.length, true);
      this.freelist.forEach((l, i) => dv.setUint32(m.free! + 4 + 4 * i, this.slotOf(l), true));
      dv.setUint32(m.fresh!, this.nextFresh, true);
    }
    // bucket order does not matter to a lookup (a key is in the table once)
    for (const b of this.buckets) if (b) for (const l of b) this.mirrorAdd(m, l);
    if (m.refs !== undefined) {
      // the LRU's ref bits move to the arena (only elements in the table can hold one that matters:
      // a node leaving the free or pending lists has its bit cleared)
      const refs = m.refs, slab = this.slab, stride = this.slotSize;
      const at = (n: LruNode): number => refs + ((n as HtabElem).valuePtr - slab) / stride;
      for (const b of this.buckets) if (b) for (const l of b) this.arena.u8[at(l)] = l.ref ? 1 : 0;
      this.lruList!.refBits = {
        get: (n) => this.arena.u8[at(n)] !== 0,
        set: (n, v) => { this.arena.u8[at(n)] = v ? 1 : 0; },
      };
    }
    this.mirror = m;
    return m;
  }

  /**
   * inlineLayout for an LRU hash whose updates and deletes compile inline:
   * the table and ref bytes as for lookups, then a pending byte per slot, the
   * CPUs' local free stacks (a head word per CPU, a link word per slot: slot
   * + 1, 0 ends) and the change log; the LRU's local free lists live in the
   * arena from now on (BpfLru.setLocalFree), its pending bits follow pendBits.
   */
  private lruInlineLayout(slots: number, cpuCell: number): HashLookupLayout | undefined {
    const nCpus = this.env.nCpus;
    const table = 4 * this.nBuckets + (8 + this.keySize) * slots + slots;
    const pendBytes = (slots + 3) & ~3;
    const logEntry = 16 + this.keySize, logBytes = 4 + logEntry * LOG_CAP;
    const bytes = table + pendBytes + 4 * nCpus + 4 * slots + logBytes;
    let block: number;
    try {
      block = this.arena.alloc(bytes, ARENA_ACCESS_NONE);
    } catch (e) {
      if (e instanceof ArenaError) return undefined;
      throw e;
    }
    this.arena.u8.fill(0, block, block + bytes);
    this.mirrorBlock = block;
    const heads = block, next = heads + 4 * this.nBuckets, hashes = next + 4 * slots, keys = hashes + 4 * slots;
    const refs = keys + this.keySize * slots, pend = refs + slots, lfree = pend + pendBytes, lnext = lfree + 4 * nCpus;
    const m: HashLookupLayout = {
      kind: 'hash', heads, mask: this.nBuckets - 1, next, hashes, keys, keySize: this.keySize, seed: this.seed,
      slab: this.slab, slotSize: this.slotSize, refs, valueSize: this.valueSize, cpuCell, pend, lfree, lnext,
      log: lnext + 4 * slots, logCap: LOG_CAP, logEntry, maxEntries: this.maxEntries,
    };
    for (const b of this.buckets) if (b) for (const l of b) this.mirrorAdd(m, l);
    const lru = this.lruList!;
    const slot = (n: LruNode): number => ((n as HtabElem).valuePtr - this.slab) / this.slotSize;
    const u8 = this.arena.u8;
    for (const b of this.buckets) if (b) for (const l of b) u8[refs + slot(l)] = l.ref ? 1 : 0;
    lru.refBits = {
      get: (n) => this.arena.u8[refs + slot(n)] !== 0,
      set: (n, v) => { this.arena.u8[refs + slot(n)] = v ? 1 : 0; },
    };
    for (let cpu = 0; cpu < nCpus; cpu++) for (const n of lru.pendingNodes(cpu)) u8[pend + slot(n)] = cpu + 1;
    lru.pendBits = { set: (n, v) => { this.arena.u8[pend + slot(n)] = v; } };
    for (let cpu = 0; cpu < nCpus; cpu++) {
      const stack = new ArenaFreeStack(this.arena, lfree + 4 * cpu, lnext, this.slab, this.slotSize, this.lruNodes);
      for (const n of lru.localFreeNodes(cpu)) stack.push(n);
      lru.setLocalFree(cpu, stack);
    }
    this.mirror = m;
    return m;
  }

  private mirrorAdd(m: HashLookupLayout, l: HtabElem): void {
    const dv = this.arena.dv;
    const s = (l.valuePtr - m.slab) / m.slotSize;
    const head = m.heads + 4 * (l.hash & m.mask);
    dv.setUint32(m.next + 4 * s, dv.getUint32(head, true), true);
    dv.setUint32(head, s + 1, true);
    dv.setUint32(m.hashes + 4 * s, l.hash, true);
    this.arena.u8.set(l.key, m.keys + s * m.keySize);
  }

  private mirrorDel(m: HashLookupLayout, l: HtabElem): void {
    const dv = this.arena.dv;
    const s = (l.valuePtr - m.slab) / m.slotSize;
    let at = m.heads + 4 * (l.hash & m.mask);
    for (let n = dv.getUint32(at, true); n !== 0; n = dv.getUint32(at, true)) {
      if (n === s + 1) {
        dv.setUint32(at, dv.getUint32(m.next + 4 * s, true), true);
        return;
      }
      at = m.next + 4 * (n - 1);
    }
  }

  /** check_and_free_fields over every CPU's copy */
  private freeFields(l: HtabElem): void {
    if (!this.hasSpecial) return;
    const cpus = this.percpu ? this.env.nCpus : 1;
    for (let cpu = 0; cpu < cpus; cpu++) this.freeSpecial(l.valuePtr + cpu * this.elemSize);
  }

  /** htab_lru_map_delete_node: the LRU evicts an element */
  private lruDeleteNode(l: HtabElem): boolean {
    if (!l.inTable) return false;
    this.unlink(l);
    this.count--;
    const why = this.env.freeReason;
    this.env.freeReason = 'evict';
    this.freeFields(l);
    this.env.freeReason = why;
    return true;
  }

  /** free_htab_elem / htab_lru_push_free: the element leaves for good (`mirrored`: compiled code freed it in the arena copy already) */
  private freeElem(l: HtabElem, mirrored = false): void {
    this.putInner(l);
    this.count--;
    this.freeFields(l);
    if (this.lru) {
      this.lruList!.pushFree(l);
    } else if (this.prealloc) {
      this.freelist.push(l);
      if (!mirrored) this.mirrorFree();
    } else {
      this.retire(l.valuePtr);
    }
  }

  /**
   * bpf_mem_cache_free_rcu: the block stays this map's and untouched (a stale
   * pointer reads the old value) until the grace period ends, then joins the pool.
   */
  private retire(block: number): void {
    if (this.retired.push(block) > 1) return; // a callback is already queued
    this.env.callRcu(() => {
      if (this.isFreed) return; // freeElems returned them to the arena
      for (const b of this.retired) this.pool.push(b);
      this.retired.length = 0;
    });
  }

  private putInner(l: HtabElem): void {
    const m = this.inner.get(l);
    if (m) {
      this.inner.delete(l);
      this.env.mapRefs.put(m);
    }
  }

  /** alloc_htab_elem: a fresh element, or -E2BIG / -ENOMEM */
  private allocElem(key: Uint8Array, hash: number, old: HtabElem | undefined): HtabElem | number {
    let l: HtabElem;
    if (this.prealloc) {
      if (old) {
        const cpu = this.env.currentCpu % this.extra.length;
        l = this.extra[cpu]!;
        this.extra[cpu] = old;
        if (this.mirror?.spare !== undefined) this.arena.dv.setUint32(this.mirror.spare + 4 * cpu, this.slotOf(old), true);
      } else {
        const f = this.freelist.pop()
          ?? (this.nextFresh < this.maxEntries ? new HtabElem(this.slab + this.nextFresh++ * this.slotSize) : undefined);
        if (!f) return -E2BIG;
        l = f;
        this.count++;
        this.mirrorFree();
      }
    } else {
      if (this.count >= this.maxEntries && !old) return -E2BIG;
      let p = this.pool.pop();
      if (p !== undefined) {
        this.arena.u8.fill(0, p, p + this.slotSize);
      } else {
        p = this.tryAlloc(this.slotSize, this.access);
        if (p < 0) return p;
        this.dynBytes += this.arena.sizeOf(p);
      }
      l = new HtabElem(p);
      this.count++;
    }
    // replacing an element of the same key: its key bytes are shared (keys are never changed in place)
    l.key = old ? old.key : key.slice();
    l.hash = hash;
    return l;
  }

  /** writes a new element's value: this CPU's copy (others zeroed) or all CPUs' */
  private initValue(l: HtabElem, value: Uint8Array, onAllCpus: boolean): void {
    if (!this.percpu) {
      this.copyValueIn(l.valuePtr, value);
      return;
    }
    for (let cpu = 0; cpu < this.env.nCpus; cpu++) {
      const p = l.valuePtr + cpu * this.elemSize;
      if (onAllCpus) this.copyValueIn(p, value, cpu * this.elemSize);
      else if (cpu === this.env.currentCpu) this.copyValueIn(p, value);
      else this.zeroValue(p);
    }
  }

  /** pcpu_copy_value: an existing element updated in place */
  private copyValue(l: HtabElem, value: Uint8Array, onAllCpus: boolean): void {
    if (!onAllCpus) {
      this.copyValueIn(l.valuePtr + this.env.currentCpu * this.elemSize, value);
      return;
    }
    for (let cpu = 0; cpu < this.env.nCpus; cpu++) this.copyValueIn(l.valuePtr + cpu * this.elemSize, value, cpu * this.elemSize);
  }

  /** the update paths of hashtab.c; `value` is in user layout when onAllCpus */
  private updateKey(key: Uint8Array, value: Uint8Array, flags: number, onAllCpus: boolean, inner?: BpfMap): number {
    this.sync(); // the LRU's lists too, before popFree reads them
    const hash = htabMapHash(key, this.seed);
    if (this.lru) return this.percpu ? this.lruPercpuUpdate(key, hash, value, flags, onAllCpus) : this.lruUpdate(key, hash, value, flags);
    if (this.percpu) {
      if (flags > BPF_EXIST) return -EINVAL;
      const old = this.lookupRaw(key, hash);
      const err = checkFlags(old, flags);
      if (err) return err;
      if (old) {
        this.copyValue(old, value, onAllCpus);
        return 0;
      }
      const l = this.allocElem(key, hash, undefined);
      if (typeof l === 'number') return l;
      this.initValue(l, value, onAllCpus);
      this.addHead(l);
      return 0;
    }
    // htab_map_update_elem
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
    if (flags & BPF_F_LOCK && this.special.spinLock === undefined) return -EINVAL;
    const old = this.lookupRaw(key, hash);
    const err = checkFlags(old, flags);
    if (err) return err;
    if (old && flags & BPF_F_LOCK) {
      this.copyValueIn(old.valuePtr, value); // in place, under the element's lock
      return 0;
    }
    const l = this.allocElem(key, hash, old);
    if (typeof l === 'number') return l;
    if (this.ofMaps) {
      this.arena.dv.setUint32(l.valuePtr, inner!.ptr, true);
      this.arena.dv.setUint32(l.valuePtr + 4, 0, true);
      this.inner.set(l, inner!);
    } else {
      this.copyValueIn(l.valuePtr, value);
    }
    if (old) {
      this.replace(old, l);
      if (!this.prealloc) {
        this.freeElem(old);
        return 0;
      }
      // old is now a spare: drop what it held (count unchanged: l replaced it)
      this.putInner(old);
      this.freeFields(old);
      return 0;
    }
    this.addHead(l);
    return 0;
  }

  /** htab_lru_map_update_elem: the new node is taken (possibly evicting) before the flags are checked */
  private lruUpdate(key: Uint8Array, hash: number, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -EINVAL;
    const l = this.lruList!.popFree(this.env.currentCpu) as HtabElem | undefined;
    if (!l) return -ENOMEM;
    this.count++;
    l.key = key.slice();
    l.hash = hash;
    this.copyValueIn(l.valuePtr, value);
    const old = this.lookupRaw(key, hash);
    const err = checkFlags(old, flags);
    if (err) {
      this.freeElem(l);
      return err;
    }
    this.addHead(l);
    if (old) {
      this.lruList!.setRef(l);
      this.unlink(old);
      this.freeElem(old);
    }
    return 0;
  }

  /** __htab_lru_percpu_map_update_elem: existing values are updated in place */
  private lruPercpuUpdate(key: Uint8Array, hash: number, value: Uint8Array, flags: number, onAllCpus: boolean): number {
    if (flags > BPF_EXIST) return -EINVAL;
    let l: HtabElem | undefined;
    if (flags !== BPF_EXIST) {
      l = this.lruList!.popFree(this.env.currentCpu) as HtabElem | undefined;
      if (!l) return -ENOMEM;
      this.count++;
      l.key = key.slice();
      l.hash = hash;
    }
    const old = this.lookupRaw(key, hash);
    let err = checkFlags(old, flags);
    if (!err) {
      if (old) {
        this.lruList!.setRef(old);
        this.copyValue(old, value, onAllCpus);
      } else {
        this.initValue(l!, value, onAllCpus);
        this.addHead(l!);
        l = undefined;
      }
      err = 0;
    }
    if (l) {
      this.count--;
      this.lruList!.pushFree(l);
    }
    return err;
  }

  private deleteKey(key: Uint8Array): number {
    const l = this.lookupRaw(key, htabMapHash(key, this.seed));
    if (!l) return -ENOENT;
    this.unlink(l);
    this.freeElem(l);
    return 0;
  }

  // ---- program side ----

  override lookupElem(keyPtr: number): number {
    const l = this.find(keyPtr);
    if (!l) return 0;
    if (this.lru) this.lruList!.setRef(l);
    if (this.ofMaps) return this.arena.dv.getUint32(l.valuePtr, true);
    return this.percpu ? l.valuePtr + this.env.currentCpu * this.elemSize : l.valuePtr;
  }

  /** the element of the key at keyPtr: hashed and compared in the arena, nothing allocated */
  private find(keyPtr: number): HtabElem | undefined {
    const u8 = this.arena.u8;
    return this.lookupAt(u8, keyPtr, htabMapHashAt(u8, keyPtr, this.keySize, this.seed));
  }

  override lookupPercpuElem(keyPtr: number, cpu: number): number {
    if (!this.percpu || cpu < 0 || cpu >= this.env.nCpus) return 0;
    const l = this.find(keyPtr);
    if (!l) return 0;
    if (this.lru) this.lruList!.setRef(l);
    return l.valuePtr + cpu * this.elemSize;
  }

  override updateElem(keyPtr: number, valuePtr: number, flags: number): number {
    if (this.ofMaps) return -EINVAL; // the verifier only lets programs look up map-in-map
    if (valuePtr <= 0 || valuePtr + this.valueSize > this.arena.u8.length) return -EFAULT;
    // the key is read where it is, as the kernel reads it (an element keeps its own copy)
    return this.updateKey(this.keyView(keyPtr), this.valueCopy(valuePtr), flags, false);
  }

  override deleteElem(keyPtr: number): number {
    if (this.ofMaps) return -EINVAL;
    const l = this.find(keyPtr);
    if (!l) return -ENOENT;
    this.unlink(l);
    this.freeElem(l);
    return 0;
  }

  /** the program's value, copied (the arena may grow during the update) into a buffer reused by every update: nothing keeps it */
  private valueCopy(valuePtr: number): Uint8Array {
    const n = this.valueSize;
    const b = this.valueScratch ??= new Uint8Array(n);
    const u8 = this.arena.u8;
    for (let i = 0; i < n; i++) b[i] = u8[valuePtr + i]!;
    return b;
  }

  private keyView(keyPtr: number): Uint8Array {
    return this.arena.u8.subarray(keyPtr, keyPtr + this.keySize);
  }

  // ---- user side ----

  protected override sysLookup(key: Uint8Array): Uint8Array {
    const l = this.lookupRaw(key, htabMapHash(key, this.seed));
    if (!l) throw new MapError(`no such key in ${this.describe()}`, -ENOENT);
    const out = new Uint8Array(this.userValueSize);
    if (this.ofMaps) {
      new DataView(out.buffer).setUint32(0, this.env.mapRefs.id(this.inner.get(l)!), true);
    } else if (this.percpu) {
      for (let cpu = 0; cpu < this.env.nCpus; cpu++) this.copyValueOut(l.valuePtr + cpu * this.elemSize, out, cpu * this.elemSize);
    } else {
      this.copyValueOut(l.valuePtr, out);
    }
    return out;
  }

  protected override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (!this.ofMaps) return this.updateKey(key, value, flags, true);
    // bpf_fd_htab_map_update_elem: resolve the fd, check it against the template
    const ufd = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
    const m = this.env.mapRefs.get(ufd);
    if (typeof m === 'number') return m;
    if (!innerMapCompatible(this.spec.inner!, m)) {
      this.env.mapRefs.put(m);
      return -EINVAL;
    }
    const err = this.updateKey(key, value, flags, true, m);
    if (err) this.env.mapRefs.put(m);
    return err;
  }

  protected override sysDelete(key: Uint8Array): number {
    return this.deleteKey(key);
  }

  /** htab_map_get_next_key: an unknown key restarts from the first bucket */
  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    this.sync();
    let i = 0;
    if (key !== undefined) {
      const hash = htabMapHash(key, this.seed);
      const l = this.lookupRaw(key, hash);
      if (l) {
        const b = this.buckets[hash & (this.nBuckets - 1)]!;
        const next = b[b.indexOf(l) + 1];
        if (next) return next.key.slice();
        i = (hash & (this.nBuckets - 1)) + 1;
      }
    }
    for (; i < this.nBuckets; i++) {
      const b = this.buckets[i];
      if (b) return b[0]!.key.slice();
    }
    return -ENOENT;
  }

  /** Every element, in iteration order (for dumps). */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) yield [k, this.lookup(k)];
  }

  /** htab_map_free_timers_and_wq */
  override releaseUref(): void {
    if (this.special.timers.length === 0 || this.isFreed) return;
    this.sync();
    for (const b of this.buckets) if (b) for (const l of b) this.freeFields(l);
  }

  protected freeElems(): void {
    this.sync();
    for (let i = 0; i < this.nBuckets; i++) {
      const b = this.buckets[i];
      if (!b) continue;
      for (const l of [...b]) {
        this.unlink(l);
        this.freeElem(l);
      }
    }
    for (const p of this.pool.splice(0).concat(this.retired.splice(0))) {
      this.dynBytes -= this.arena.sizeOf(p);
      this.arena.free(p);
    }
    if (this.slab) this.arena.free(this.slab);
    this.slab = 0;
    if (this.mirrorBlock) this.arena.free(this.mirrorBlock);
    this.mirrorBlock = 0;
    this.mirror = undefined;
    this.slabBytes = 0;
  }
}

/** a CPU's LRU free stack in the arena (HashMap.lruInlineLayout): compiled updates pop and push it too */
class ArenaFreeStack implements FreeStack {
  constructor(private readonly arena: { readonly dv: DataView }, private readonly head: number, private readonly links: number,
    private readonly slab: number, private readonly slotSize: number, private readonly nodes: readonly HtabElem[]) {}

  push(n: LruNode): void {
    const dv = this.arena.dv, s = ((n as HtabElem).valuePtr - this.slab) / this.slotSize;
    dv.setUint32(this.links + 4 * s, dv.getUint32(this.head, true), true);
    dv.setUint32(this.head, s + 1, true);
  }

  pop(): LruNode | undefined {
    const dv = this.arena.dv, top = dv.getUint32(this.head, true);
    if (top === 0) return undefined;
    dv.setUint32(this.head, dv.getUint32(this.links + 4 * (top - 1), true), true);
    return this.nodes[top - 1];
  }

  get empty(): boolean {
    return this.arena.dv.getUint32(this.head, true) === 0;
  }
}

function sameKeyAt(a: Uint8Array, u8: Uint8Array, p: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== u8[p + i]) return false;
  return true;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** check_flags */
function checkFlags(old: HtabElem | undefined, flags: number): number {
  if (old && (flags & ~BPF_F_LOCK) === BPF_NOEXIST) return -EEXIST;
  if (!old && (flags & ~BPF_F_LOCK) === BPF_EXIST) return -ENOENT;
  return 0;
}

const htabOps = {
  allocCheck: (spec: MapSpec) => htabMapAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new HashMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_HASH, htabOps);
registerMapType(BPF_MAP_TYPE_PERCPU_HASH, htabOps);
registerMapType(BPF_MAP_TYPE_LRU_HASH, htabOps);
registerMapType(BPF_MAP_TYPE_LRU_PERCPU_HASH, htabOps);
registerMapType(BPF_MAP_TYPE_HASH_OF_MAPS, {
  // fd_htab_map_alloc_check
  allocCheck: (spec: MapSpec, env: MapEnv) => {
    if (spec.valueSize !== 4) return -EINVAL;
    const err = htabMapAllocCheck(spec);
    return err < 0 ? err : checkInnerSpec(spec, env);
  },
  alloc: (env: MapEnv, spec: MapSpec) => new HashMap(env, spec),
});

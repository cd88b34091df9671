// BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): a keyless bitset.
// push sets nr_hash_funcs bits of the value (map_extra & 0xf, default 5),
// peek answers 0 when all are set (maybe present) or -ENOENT (absent).
// Bits are jhash/jhash2(value, seed + i) & bitset_mask with the bitset
// sized as the kernel does, so with BPF_F_ZERO_SEED (seed 0) the false
// positives are exactly the kernel's.

import { E2BIG, EINVAL, ENOENT, ENOTSUPP, EOPNOTSUPP, EPERM, EFAULT } from '../uapi/errno.js';
import { BPF_ANY, BPF_F_ACCESS_MASK, BPF_F_WRONLY, BPF_F_NUMA_NODE, BPF_F_ZERO_SEED, BPF_MAP_TYPE_BLOOM_FILTER } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType } from './map.js';
import { jhash, jhash2 } from './jhash.js';

const BLOOM_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_ACCESS_MASK;
const KMALLOC_MAX_SIZE = 4 << 20;
const U32_MAX = 0xffffffff;

/** bloom_map_alloc_check + bloom_map_alloc's attribute checks */
function bloomAllocCheck(spec: MapSpec): number {
  if (spec.valueSize > KMALLOC_MAX_SIZE) return -E2BIG;
  const extra = spec.mapExtra ?? 0n;
  if (spec.keySize !== 0 || spec.valueSize === 0 || spec.maxEntries === 0 || spec.flags & ~BLOOM_CREATE_FLAG_MASK ||
      !mapFlagsAccessOk(spec.flags) || (extra & ~0xfn) !== 0n) {
    return -EINVAL;
  }
  return 0;
}

/** the bitset size in bits - 1, as bloom_map_alloc computes it */
function bitsetMask(maxEntries: number, nrHashFuncs: number): number {
  const mul = maxEntries * nrHashFuncs;
  const bits = mul > U32_MAX ? -1 : Math.floor(mul / 5) * 7;
  if (bits < 0 || bits > U32_MAX || bits > 2 ** 31) return U32_MAX;
  if (bits <= 64) return 63;
  return 2 ** Math.ceil(Math.log2(bits)) - 1;
}

export class BloomFilterMap extends BpfMap {
  readonly nrHashFuncs: number;
  readonly mask: number;
  readonly seed: number;
  private readonly aligned: boolean;
  /** the set bits (the kernel's bitset can be 512 MiB; a set keeps only what is used) */
  private readonly bits = new Set<number>();

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.nrHashFuncs = Number(spec.mapExtra ?? 0n) || 5;
    this.mask = bitsetMask(spec.maxEntries, this.nrHashFuncs);
    this.seed = spec.flags & BPF_F_ZERO_SEED ? 0 : env.hashSeed;
    this.aligned = spec.valueSize % 4 === 0;
  }

  get elemCount(): number {
    return 0;
  }

  protected storageBytes(): number {
    return Math.ceil((this.mask + 1) / 64) * 8;
  }

  protected freeElems(): void {
    this.bits.clear();
  }

  private hash(value: Uint8Array, i: number): number {
    const seed = (this.seed + i) >>> 0;
    return ((this.aligned ? jhash2(value, seed) : jhash(value, seed)) & this.mask) >>> 0;
  }

  /** bloom_map_push_elem */
  pushValue(value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -EINVAL;
    for (let i = 0; i < this.nrHashFuncs; i++) this.bits.add(this.hash(value, i));
    return 0;
  }

  /** bloom_map_peek_elem: 0 (maybe present) or -ENOENT (certainly absent) */
  peekValue(value: Uint8Array): number {
    for (let i = 0; i < this.nrHashFuncs; i++) if (!this.bits.has(this.hash(value, i))) return -ENOENT;
    return 0;
  }

  // ---- program side ----

  override pushElem(valuePtr: number, flags: number): number {
    if (valuePtr <= 0) return -EFAULT;
    return this.pushValue(this.readArena(valuePtr, this.valueSize), flags);
  }

  override peekElem(valuePtr: number): number {
    if (valuePtr <= 0) return -EFAULT;
    return this.peekValue(this.readArena(valuePtr, this.valueSize));
  }

  override popElem(): number {
    return -EOPNOTSUPP;
  }

  override lookupElem(): number {
    return 0;
  }

  override updateElem(): number {
    return -EINVAL;
  }

  override deleteElem(): number {
    return -EOPNOTSUPP;
  }

  // ---- user side: update pushes, lookup peeks the value passed in ----

  /** BPF_MAP_LOOKUP_ELEM on a bloom filter: is `value` (maybe) in the set? */
  contains(value: Uint8Array): boolean {
    this.checkValue(value);
    if (this.flags & BPF_F_WRONLY) throw new MapError(`map ${this.name} is write-only`, -EPERM);
    return this.peekValue(value) === 0;
  }

  protected override sysPush(value: Uint8Array, flags: number): number {
    return this.pushValue(value, flags);
  }

  protected override sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.pushValue(value, flags);
  }

  protected override sysDelete(): number {
    return -EOPNOTSUPP;
  }

  protected override sysGetNextKey(): number {
    return -EOPNOTSUPP;
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: map_lookup_and_delete_elem only pops queues and stacks */
  protected override sysPop(): Uint8Array {
    throw new MapError(`${this.describe()} cannot pop`, -ENOTSUPP);
  }
}

registerMapType(BPF_MAP_TYPE_BLOOM_FILTER, {
  allocCheck: (spec: MapSpec) => bloomAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new BloomFilterMap(env, spec),
});

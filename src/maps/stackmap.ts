// BPF_MAP_TYPE_STACK_TRACE (kernel/bpf/stackmap.c): stack traces stored by
// bpf_get_stackid in a table of 2^k buckets indexed by the jhash2 of the
// instruction pointers. The id a program gets is the bucket; a different
// stack hashing to a taken bucket is -EEXIST unless BPF_F_REUSE_STACKID
// replaces it. At most max_entries traces are stored at once (the kernel's
// preallocated freelist), -ENOMEM past that. User space reads a trace by id
// (zero-padded to value_size), deletes it, iterates ids; update is -EINVAL.

import { E2BIG, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM } from '../uapi/errno.js';
import { BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_STACK_BUILD_ID, BPF_F_WRONLY, BPF_MAP_TYPE_STACK_TRACE } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';
import { jhash2 } from './jhash.js';

const STACK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID;
/** sysctl_perf_event_max_stack (kernel.perf_event_max_stack default) */
export const PERF_MAX_STACK_DEPTH = 127;
/** sizeof(struct bpf_stack_build_id) */
const BPF_STACK_BUILD_ID_SIZE = 32;

/** bpf_get_stackid flags */
export const BPF_F_SKIP_FIELD_MASK = 0xffn;
export const BPF_F_USER_STACK = 1n << 8n;
export const BPF_F_FAST_STACK_CMP = 1n << 9n;
export const BPF_F_REUSE_STACKID = 1n << 10n;

/** stack_map_alloc's checks */
function stackMapAllocCheck(spec: MapSpec): number {
  if (spec.flags & ~STACK_CREATE_FLAG_MASK) return -EINVAL;
  const vs = spec.valueSize;
  if (spec.maxEntries === 0 || spec.keySize !== 4 || vs < 8 || vs % 8) return -EINVAL;
  if (spec.flags & BPF_F_STACK_BUILD_ID) {
    if (vs % BPF_STACK_BUILD_ID_SIZE || vs / BPF_STACK_BUILD_ID_SIZE > PERF_MAX_STACK_DEPTH) return -EINVAL;
  } else if (vs / 8 > PERF_MAX_STACK_DEPTH) {
    return -EINVAL;
  }
  if (spec.maxEntries > 2 ** 31) return -E2BIG;
  return 0;
}

interface Bucket { hash: number; ips: bigint[] }

export class StackTraceMap extends BpfMap {
  readonly nBuckets: number;
  private readonly buckets = new Map<number, Bucket>();

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    let n = 1;
    while (n < spec.maxEntries) n *= 2;
    this.nBuckets = n;
  }

  get buildId(): boolean {
    return (this.flags & BPF_F_STACK_BUILD_ID) !== 0;
  }

  get elemCount(): number {
    return this.buckets.size;
  }

  protected storageBytes(): number {
    // the kernel preallocates every element; tsbpf keeps traces outside the arena
    return 0;
  }

  protected freeElems(): void {
    this.buckets.clear();
  }

  /**
   * __bpf_get_stackid over `trace` (innermost first, already cut to the
   * depth get_perf_callchain would capture): the id, or -errno.
   */
  getStackId(trace: readonly bigint[], flags: bigint): number {
    const skip = Number(flags & BPF_F_SKIP_FIELD_MASK);
    if (trace.length <= skip) return -EFAULT;
    const ips = trace.slice(skip).map((ip) => BigInt.asUintN(64, ip));
    const bytes = new Uint8Array(ips.length * 8);
    const dv = new DataView(bytes.buffer);
    ips.forEach((ip, i) => dv.setBigUint64(8 * i, ip, true));
    const hash = jhash2(bytes, 0);
    const id = hash & (this.nBuckets - 1);
    const bucket = this.buckets.get(id);
    const hashMatches = bucket !== undefined && bucket.hash === hash;
    if (hashMatches && flags & BPF_F_FAST_STACK_CMP) return id;
    if (hashMatches && bucket!.ips.length === ips.length && bucket!.ips.every((ip, i) => ip === ips[i])) return id;
    if (bucket && !(flags & BPF_F_REUSE_STACKID)) return -EEXIST;
    // the freelist holds max_entries elements; the new one is taken before a replaced one goes back
    if (this.buckets.size >= this.maxEntries) return -ENOMEM;
    this.buckets.set(id, { hash, ips });
    return id;
  }

  /** The trace stored under `id` (innermost first), or undefined. */
  trace(id: number): bigint[] | undefined {
    return this.buckets.get(id)?.ips.slice();
  }

  // ---- user side ----

  private idOf(key: Uint8Array): number {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  /** bpf_stackmap_copy: the ips, zero-padded to value_size */
  protected override sysLookup(key: Uint8Array): Uint8Array {
    const b = this.buckets.get(this.idOf(key));
    if (!b) throw new MapError(`no stack trace ${this.idOf(key)} in ${this.describe()}`, -ENOENT);
    const out = new Uint8Array(this.valueSize);
    const dv = new DataView(out.buffer);
    b.ips.forEach((ip, i) => dv.setBigUint64(8 * i, ip, true));
    return out;
  }

  protected override sysUpdate(): number {
    return -EINVAL;
  }

  protected override sysDelete(key: Uint8Array): number {
    const id = this.idOf(key);
    if (id >= this.nBuckets) return -E2BIG;
    return this.buckets.delete(id) ? 0 : -ENOENT;
  }

  /** stack_map_get_next_key: the next used bucket; an unknown key starts over */
  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    let id = 0;
    if (key) {
      const k = this.idOf(key);
      id = k >= this.nBuckets || !this.buckets.has(k) ? 0 : k + 1;
    }
    const used = [...this.buckets.keys()].filter((b) => b >= id).sort((a, b) => a - b);
    if (used.length === 0) return -ENOENT;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, used[0]!, true);
    return out;
  }
}

registerMapType(BPF_MAP_TYPE_STACK_TRACE, {
  allocCheck: (spec: MapSpec) => stackMapAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new StackTraceMap(env, spec),
});

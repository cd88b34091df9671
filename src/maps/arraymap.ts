// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c).
// All max_entries values exist from creation and cannot be deleted. Storage
// is one arena block of max_entries * round_up(value_size, 8) bytes (per CPU,
// CPU-major, for the per-CPU variant).
//
// Timers: an update copies the new value around the special fields and then
// frees the element's fields (array_map_update_elem -> bpf_obj_free_fields),
// so updating an element cancels its timer; map_release_uref cancels all
// timers; map_free frees all fields.

import { ARENA_ACCESS_READ, ARENA_ACCESS_RW, ARENA_ACCESS_WRITE } from '../memory/arena.js';
import { E2BIG, EEXIST, EINVAL, ENOENT, EFAULT } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_F_NUMA_NODE, BPF_F_MMAPABLE, BPF_F_ACCESS_MASK, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP,
  BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK,
} from '../uapi/bpf.js';
import type { ArrayLookupLayout } from '../vm/env.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType, roundUp8 } from './map.js';

const ARRAY_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value */
export const PCPU_MIN_UNIT_SIZE = 32768;
const INT_MAX = 0x7fffffff;

/** array_map_alloc_check, shared by every array-shaped map */
export function arrayMapAllocCheck(spec: MapSpec): number {
  const percpu = spec.type === BPF_MAP_TYPE_PERCPU_ARRAY;
  if (spec.maxEntries === 0 || spec.keySize !== 4 || spec.valueSize === 0 ||
      spec.flags & ~ARRAY_CREATE_FLAG_MASK || !mapFlagsAccessOk(spec.flags) ||
      (percpu && spec.flags & BPF_F_NUMA_NODE)) {
    return -EINVAL;
  }
  if (spec.type !== BPF_MAP_TYPE_ARRAY && spec.flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) return -EINVAL;
  if (spec.type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY && spec.flags & BPF_F_PRESERVE_ELEMS) return -EINVAL;
  if (spec.valueSize > INT_MAX) return -E2BIG;
  if (percpu && roundUp8(spec.valueSize) > PCPU_MIN_UNIT_SIZE) return -E2BIG;
  return 0;
}

/** what programs may do with map values, from BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG */
export function progValueAccess(flags: number): number {
  if (flags & BPF_F_RDONLY_PROG) return ARENA_ACCESS_READ;
  if (flags & BPF_F_WRONLY_PROG) return ARENA_ACCESS_WRITE;
  return ARENA_ACCESS_RW;
}

/** array_map_get_next_key (all array maps, fd arrays too): an out-of-range key restarts at 0 */
export function arrayGetNextKey(key: Uint8Array | undefined, maxEntries: number): Uint8Array | number {
  const i = key === undefined ? 0xffffffff : new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  let next: number;
  if (i >= maxEntries) next = 0;
  else if (i === maxEntries - 1) return -ENOENT;
  else next = i + 1;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next, true);
  return out;
}

export class ArrayMap extends BpfMap {
  readonly percpu: boolean;
  readonly elemSize: number;
  /** arena address of element 0 (of CPU 0 for per-CPU arrays) */
  readonly base: number;
  private readonly bytes: number;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.percpu = spec.type === BPF_MAP_TYPE_PERCPU_ARRAY;
    this.elemSize = roundUp8(spec.valueSize);
    this.bytes = this.elemSize * spec.maxEntries * (this.percpu ? env.nCpus : 1);
    try {
      this.base = env.arena.alloc(this.bytes, progValueAccess(spec.flags));
    } catch (e) {
      this.dropHeader();
      throw e;
    }
  }

  override get userValueSize(): number {
    return this.percpu ? this.elemSize * this.env.nCpus : this.valueSize;
  }

  get elemCount(): number {
    return this.maxEntries;
  }

  protected storageBytes(): number {
    return this.bytes;
  }

  /** address of element `index` on `cpu` */
  elemPtr(index: number, cpu = 0): number {
    return this.base + (cpu * this.maxEntries + index) * this.elemSize;
  }

  override elemValueAt(addr: number): number {
    if (this.percpu || addr < this.base || addr >= this.base + this.bytes) return 0;
    return this.base + Math.floor((addr - this.base) / this.elemSize) * this.elemSize;
  }

  override elemKey(valuePtr: number): Uint8Array | undefined {
    const off = valuePtr - this.base;
    if (this.percpu || off < 0 || off >= this.bytes || off % this.elemSize !== 0) return undefined;
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, off / this.elemSize, true);
    return key;
  }

  override copyElemKey(valuePtr: number, dst: number): boolean {
    const off = valuePtr - this.base;
    if (this.percpu || off < 0 || off >= this.bytes || off % this.elemSize !== 0) return false;
    this.arena.dv.setUint32(dst, off / this.elemSize, true);
    return true;
  }

  private index(keyPtr: number): number {
    return this.arena.dv.getUint32(keyPtr, true);
  }

  /** array_map_gen_lookup; percpu_array_map_gen_lookup adds the current CPU's copy (read from MapEnv.currentCpuCell) */
  override inlineLayout(): ArrayLookupLayout | undefined {
    if (!this.percpu) return { kind: 'array', base: this.base, maxEntries: this.maxEntries, elemSize: this.elemSize };
    const cpuCell = this.env.currentCpuCell();
    if (cpuCell === 0) return undefined;
    return { kind: 'array', base: this.base, maxEntries: this.maxEntries, elemSize: this.elemSize, cpuCell, cpuStride: this.maxEntries * this.elemSize };
  }

  override lookupElem(keyPtr: number): number {
    const i = this.index(keyPtr);
    if (i >= this.maxEntries) return 0;
    return this.elemPtr(i, this.percpu ? this.env.currentCpu : 0);
  }

  override lookupPercpuElem(keyPtr: number, cpu: number): number {
    if (!this.percpu) return 0;
    const i = this.index(keyPtr);
    if (i >= this.maxEntries || cpu >= this.env.nCpus || cpu < 0) return 0;
    return this.elemPtr(i, cpu);
  }

  override updateElem(keyPtr: number, valuePtr: number, flags: number): number {
    if (valuePtr <= 0 || valuePtr + this.valueSize > this.arena.u8.length) return -EFAULT;
    const value = this.readArena(valuePtr, this.valueSize);
    return this.updateIndex(this.index(keyPtr), value, flags, false);
  }

  override deleteElem(_keyPtr: number): number {
    return -EINVAL; // array_map_delete_elem: elements cannot be deleted
  }

  /** array_map_update_elem / bpf_percpu_array_update */
  private updateIndex(i: number, value: Uint8Array, flags: number, onAllCpus: boolean): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
    if (i >= this.maxEntries) return -E2BIG;
    if (flags & BPF_NOEXIST) return -EEXIST;
    if (flags & BPF_F_LOCK && this.special.spinLock === undefined) return -EINVAL;
    if (this.percpu && onAllCpus) {
      if (flags & BPF_F_LOCK) return -EINVAL; // bpf_percpu_array_update: flags > BPF_EXIST
      for (let cpu = 0; cpu < this.env.nCpus; cpu++) {
        const p = this.elemPtr(i, cpu);
        this.copyValueIn(p, value, cpu * this.elemSize);
        this.freeSpecial(p);
      }
      return 0;
    }
    const p = this.elemPtr(i, this.percpu ? this.env.currentCpu : 0);
    this.copyValueIn(p, value); // BPF_F_LOCK: our copies are atomic already
    this.freeSpecial(p);
    return 0;
  }

  protected override sysLookup(key: Uint8Array): Uint8Array {
    const i = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (i >= this.maxEntries) throw new MapError(`index ${i} out of range for ${this.describe()}`, -ENOENT);
    const out = new Uint8Array(this.userValueSize);
    if (this.percpu) {
      for (let cpu = 0; cpu < this.env.nCpus; cpu++) this.copyValueOut(this.elemPtr(i, cpu), out, cpu * this.elemSize);
    } else {
      this.copyValueOut(this.elemPtr(i), out);
    }
    return out;
  }

  protected override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const i = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    return this.updateIndex(i, value, flags, true);
  }

  protected override sysDelete(): number {
    return -EINVAL;
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    return arrayGetNextKey(key, this.maxEntries);
  }

  /** array_map_free_timers_wq */
  override releaseUref(): void {
    if (this.special.timers.length === 0 || this.isFreed) return;
    for (let i = 0; i < this.maxEntries; i++) this.freeSpecial(this.elemPtr(i));
  }

  protected freeElems(): void {
    if (this.hasSpecial) {
      const cpus = this.percpu ? this.env.nCpus : 1;
      for (let cpu = 0; cpu < cpus; cpu++) for (let i = 0; i < this.maxEntries; i++) this.freeSpecial(this.elemPtr(i, cpu));
    }
    this.arena.free(this.base);
  }
}

const arrayOps = {
  allocCheck: (spec: MapSpec) => arrayMapAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new ArrayMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_ARRAY, arrayOps);
registerMapType(BPF_MAP_TYPE_PERCPU_ARRAY, arrayOps);

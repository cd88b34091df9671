// Array maps of kernel objects (the fd arrays of kernel/bpf/arraymap.c):
// BPF_MAP_TYPE_PROG_ARRAY (programs, for bpf_tail_call) and
// BPF_MAP_TYPE_ARRAY_OF_MAPS (inner maps; see map_in_map.ts for the
// pointer/id scheme). User space writes an fd (resolved through
// env.progs / env.mapRefs, which take a reference) and reads back an id.
// Only BPF_ANY is accepted; delete empties a slot. A prog array is cleared
// when its last user reference goes (map_release_uref = prog_array_map_clear),
// which is what breaks tail-call loops held only by the map itself.

import { ARENA_ACCESS_NONE } from '../memory/arena.js';
import { E2BIG, EINVAL, ENOENT, EBADF } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_ANY,
  BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_STRUCT_OPS,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, ObjectRefs, registerMapType, type ProgCompat } from './map.js';
import { arrayGetNextKey, arrayMapAllocCheck } from './arraymap.js';
import { checkInnerSpec, innerMapCompatible } from './map_in_map.js';

/** fd_array_map_alloc_check */
export function fdArrayAllocCheck(spec: MapSpec): number {
  if (spec.valueSize !== 4) return -EINVAL;
  if (spec.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) return -EINVAL;
  return arrayMapAllocCheck(spec);
}

const u32At = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

export class FdArrayMap<T extends object = object> extends BpfMap {
  private readonly slots: (T | undefined)[];
  /**
   * map->owner: the first program that used this prog array (at its load) or
   * was put in it fixes what every other one must match
   */
  owner?: ProgCompat;
  /** array of maps: 8-byte slots holding inner map pointers (not readable by programs) */
  private readonly ptrs: number;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.slots = new Array(spec.maxEntries);
    try {
      this.ptrs = this.ofMaps ? env.arena.alloc(8 * spec.maxEntries, ARENA_ACCESS_NONE) : 0;
    } catch (e) {
      this.dropHeader();
      throw e;
    }
  }

  /**
   * __bpf_prog_map_compatible: the first program becomes the owner; later ones
   * need its type, xdp.frags, sleepable flag, expected attach type (prog
   * arrays) and, for tracing-like types, attach target. (Every tsbpf program
   * is "jited" alike; no kprobe_override; no cgroup storage maps.)
   */
  progCompatible(c: ProgCompat): boolean {
    const o = this.owner;
    if (!o) {
      this.owner = { ...c };
      return true;
    }
    if (o.type !== c.type || o.xdpHasFrags !== c.xdpHasFrags || o.sleepable !== c.sleepable) return false;
    if (this.type === BPF_MAP_TYPE_PROG_ARRAY && o.expectedAttachType !== c.expectedAttachType) return false;
    if (o.attachTo !== c.attachTo && (c.type === BPF_PROG_TYPE_TRACING || c.type === BPF_PROG_TYPE_LSM ||
        c.type === BPF_PROG_TYPE_EXT || c.type === BPF_PROG_TYPE_STRUCT_OPS)) return false;
    return true;
  }

  get ofMaps(): boolean {
    return this.type === BPF_MAP_TYPE_ARRAY_OF_MAPS;
  }

  private get refs(): ObjectRefs<T> | undefined {
    return (this.ofMaps ? this.env.mapRefs : this.env.progs) as ObjectRefs<T> | undefined;
  }

  get elemCount(): number {
    let n = 0;
    for (const s of this.slots) if (s) n++;
    return n;
  }

  protected storageBytes(): number {
    return this.ofMaps ? 8 * this.maxEntries : 0;
  }

  /** the object in slot `index` (bpf_tail_call's target), or undefined */
  at(index: number): T | undefined {
    return index >= 0 && index < this.maxEntries ? this.slots[index] : undefined;
  }

  override lookupElem(keyPtr: number): number {
    if (!this.ofMaps) return 0;
    const i = this.arena.dv.getUint32(keyPtr, true);
    if (i >= this.maxEntries) return 0;
    return this.arena.dv.getUint32(this.ptrs + 8 * i, true);
  }

  override updateElem(): number {
    return -EINVAL; // the verifier allows programs only lookups / tail calls here
  }

  override deleteElem(): number {
    return -EINVAL;
  }

  protected override sysLookup(key: Uint8Array): Uint8Array {
    const i = u32At(key);
    const obj = i < this.maxEntries ? this.slots[i] : undefined;
    if (!obj) throw new MapError(`slot ${i} of ${this.describe()} is empty`, -ENOENT);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, this.refs!.id(obj), true);
    return out;
  }

  /** bpf_fd_array_map_update_elem */
  protected override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -EINVAL;
    const i = u32At(key);
    if (i >= this.maxEntries) return -E2BIG;
    const refs = this.refs;
    if (!refs) return -EBADF;
    const obj = refs.get(u32At(value));
    if (typeof obj === 'number') return obj;
    if (this.ofMaps && !innerMapCompatible(this.spec.inner!, obj as unknown as BpfMap)) {
      refs.put(obj);
      return -EINVAL;
    }
    // prog_fd_array_get_ptr: an incompatible program is -EINVAL (an env whose
    // programs carry no compatibility record, as in map-layer tests, skips it)
    if (!this.ofMaps && refs.compat && !this.progCompatible(refs.compat(obj))) {
      refs.put(obj);
      return -EINVAL;
    }
    this.set(i, obj);
    return 0;
  }

  private set(i: number, obj: T | undefined): void {
    const old = this.slots[i];
    this.slots[i] = obj;
    if (this.ofMaps) this.arena.dv.setUint32(this.ptrs + 8 * i, obj ? (obj as unknown as BpfMap).ptr : 0, true);
    if (old) this.refs!.put(old);
  }

  /** fd_array_map_delete_elem */
  protected override sysDelete(key: Uint8Array): number {
    const i = u32At(key);
    if (i >= this.maxEntries) return -E2BIG;
    if (!this.slots[i]) return -ENOENT;
    this.set(i, undefined);
    return 0;
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    return arrayGetNextKey(key, this.maxEntries);
  }

  /** prog_array_map_clear */
  override releaseUref(): void {
    if (!this.ofMaps && !this.isFreed) this.clear();
  }

  private clear(): void {
    for (let i = 0; i < this.maxEntries; i++) if (this.slots[i]) this.set(i, undefined);
  }

  protected freeElems(): void {
    this.clear();
    if (this.ptrs) this.arena.free(this.ptrs);
  }
}

registerMapType(BPF_MAP_TYPE_PROG_ARRAY, {
  allocCheck: (spec) => fdArrayAllocCheck(spec),
  alloc: (env, spec) => new FdArrayMap(env, spec),
});
registerMapType(BPF_MAP_TYPE_ARRAY_OF_MAPS, {
  allocCheck: (spec, env) => {
    const err = fdArrayAllocCheck(spec);
    return err < 0 ? err : checkInnerSpec(spec, env);
  },
  alloc: (env, spec) => new FdArrayMap<BpfMap>(env, spec),
});

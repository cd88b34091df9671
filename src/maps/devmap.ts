// The redirect maps of XDP (kernel/bpf/devmap.c, cpumap.c, net/xdp/xskmap.c):
// DEVMAP (array of devices), DEVMAP_HASH (hash of devices), CPUMAP (array of
// CPU queues) and XSKMAP (array of AF_XDP sockets). Programs only reach them
// through bpf_redirect_map (and bpf_map_lookup_elem for DEVMAP/XSKMAP, which
// returns the struct bpf_devmap_val); user space fills them. Entries live in
// a JS map; each has an arena copy of its value for program lookups.

import { ARENA_ACCESS_READ } from '../memory/arena.js';
import { E2BIG, EEXIST, EINVAL, ENODEV, ENOENT, EOPNOTSUPP, EOVERFLOW } from '../uapi/errno.js';
import {
  BPF_EXIST, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_DEVMAP,
  BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_XSKMAP, BPF_NOEXIST, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';

const DEV_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
/** NR_CPUS of a Debian x86-64 kernel: cpumap's pre-limit */
const NR_CPUS = 8192;

interface Entry {
  /** ifindex (dev maps), qsize (cpumap) */
  value: number;
  /** arena copy of the value, for program lookups */
  ptr: number;
}

function devAllocCheck(spec: MapSpec): number {
  if (spec.maxEntries === 0 || spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) ||
    spec.flags & ~DEV_CREATE_FLAG_MASK) return -EINVAL;
  return 0;
}

function cpuAllocCheck(spec: MapSpec): number {
  if (spec.maxEntries === 0 || spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) ||
    spec.flags & ~BPF_F_NUMA_NODE) return -EINVAL;
  if (spec.maxEntries > NR_CPUS) return -E2BIG;
  return 0;
}

function xskAllocCheck(spec: MapSpec): number {
  if (spec.maxEntries === 0 || spec.keySize !== 4 || spec.valueSize !== 4 ||
    spec.flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) return -EINVAL;
  return 0;
}

const keyOf = (key: Uint8Array): number => new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);

export class RedirectMap extends BpfMap {
  private readonly entries = new Map<number, Entry>();
  readonly hashed: boolean;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.hashed = spec.type === BPF_MAP_TYPE_DEVMAP_HASH;
  }

  get elemCount(): number {
    return this.entries.size;
  }

  protected storageBytes(): number {
    return this.entries.size * 8;
  }

  protected freeElems(): void {
    for (const e of this.entries.values()) this.arena.free(e.ptr);
    this.entries.clear();
  }

  /** the redirect target of key (ifindex, CPU, or socket slot), or undefined for an empty slot */
  target(key: number): number | undefined {
    const e = this.entries.get(key >>> 0);
    if (!e) return undefined;
    return this.type === BPF_MAP_TYPE_CPUMAP ? key >>> 0 : e.value;
  }

  /** every (key, target) for BPF_F_BROADCAST, in key order */
  targets(): { key: number; target: number }[] {
    return [...this.entries.keys()].sort((a, b) => a - b).map((k) => ({ key: k, target: this.target(k)! }));
  }

  /** bpf_map_lookup_elem from a program (DEVMAP, DEVMAP_HASH: the bpf_devmap_val; XSKMAP: the socket) */
  override lookupElem(keyPtr: number): number {
    return this.entries.get(this.arena.dv.getUint32(keyPtr, true))?.ptr ?? 0;
  }

  protected override sysLookup(key: Uint8Array): Uint8Array {
    const e = this.entries.get(keyOf(key));
    if (!e) throw new MapError(`no element with key ${keyOf(key)} in ${this.describe()}`, -ENOENT);
    return this.arena.u8.slice(e.ptr, e.ptr + this.valueSize);
  }

  protected override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const k = keyOf(key);
    const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const v = dv.getUint32(0, true);
    const progFd = this.valueSize === 8 ? dv.getInt32(4, true) : 0;
    if (flags > BPF_EXIST) return -EINVAL;
    if (this.type === BPF_MAP_TYPE_XSKMAP) {
      throw new MapError(`${this.describe()}: AF_XDP sockets are not simulated by tsbpf, an XSKMAP cannot be filled`, -EOPNOTSUPP);
    }
    if (this.hashed) {
      const old = this.entries.get(k);
      if (old && flags === BPF_NOEXIST) return -EEXIST;
      if (!this.netdevExists(v)) return -EINVAL;
      if (progFd > 0) return this.noProg();
      if (!old && this.entries.size >= this.maxEntries) return -E2BIG;
      this.set(k, v);
      return 0;
    }
    if (k >= this.maxEntries) return -E2BIG;
    if (flags === BPF_NOEXIST) return -EEXIST;
    if (this.type === BPF_MAP_TYPE_CPUMAP) {
      if (v > 16384) return -EOVERFLOW;
      if (k >= this.env.nCpus) return -ENODEV;
      if (v === 0) return this.clear(k);
      if (progFd > 0) return this.noProg();
      this.set(k, v);
      return 0;
    }
    // DEVMAP: ifindex 0 empties the slot (and may not name a program)
    if (v === 0) return progFd > 0 ? -EINVAL : this.clear(k);
    if (!this.netdevExists(v)) return -EINVAL;
    if (progFd > 0) return this.noProg();
    this.set(k, v);
    return 0;
  }

  private netdevExists(ifindex: number): boolean {
    return ifindex !== 0 && this.env.netdevExists(ifindex);
  }

  private noProg(): never {
    throw new MapError(`${this.describe()}: programs attached to ${this.type === BPF_MAP_TYPE_CPUMAP ? 'cpumap' : 'devmap'} entries are not supported by tsbpf`, -EOPNOTSUPP);
  }

  private set(k: number, v: number): void {
    let e = this.entries.get(k);
    if (!e) {
      e = { value: v, ptr: this.arena.alloc(8, ARENA_ACCESS_READ) };
      this.entries.set(k, e);
    }
    e.value = v;
    this.arena.dv.setUint32(e.ptr, v, true);
    this.arena.dv.setUint32(e.ptr + 4, 0, true); // bpf_prog.id: none
  }

  private clear(k: number): number {
    const e = this.entries.get(k);
    if (e) {
      this.arena.free(e.ptr);
      this.entries.delete(k);
    }
    return 0;
  }

  protected override sysDelete(key: Uint8Array): number {
    const k = keyOf(key);
    if (this.hashed) return this.entries.has(k) ? this.clear(k) : -ENOENT;
    if (k >= this.maxEntries) return -EINVAL;
    return this.clear(k);
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const out = new Uint8Array(4);
    let next: number;
    if (this.hashed) {
      // insertion order (the kernel walks its buckets)
      const keys = [...this.entries.keys()];
      const at = key === undefined ? -1 : keys.indexOf(keyOf(key));
      if (at + 1 >= keys.length) return -ENOENT;
      next = keys[at + 1]!;
    } else {
      const i = key === undefined ? 0xffffffff : keyOf(key);
      if (i >= this.maxEntries) next = 0;
      else if (i === this.maxEntries - 1) return -ENOENT;
      else next = i + 1;
    }
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }
}

const ops = (check: (s: MapSpec) => number) => ({
  allocCheck: (spec: MapSpec) => check(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new RedirectMap(env, spec),
});
registerMapType(BPF_MAP_TYPE_DEVMAP, ops(devAllocCheck));
registerMapType(BPF_MAP_TYPE_DEVMAP_HASH, ops(devAllocCheck));
registerMapType(BPF_MAP_TYPE_CPUMAP, ops(cpuAllocCheck));
registerMapType(BPF_MAP_TYPE_XSKMAP, ops(xskAllocCheck));

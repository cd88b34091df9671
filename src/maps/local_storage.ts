// BPF_MAP_TYPE_CGROUP_STORAGE and BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE
// (kernel/bpf/local_storage.c): one value per (cgroup, attach type) a
// program using the map is attached to, returned by bpf_get_local_storage.
// max_entries must be 0; keys are struct bpf_cgroup_storage_key (16 bytes with padding)
// or a u64 cgroup id.
//
// tsbpf attaches programs to no cgroup, so user space finds no elements
// (lookup/update -ENOENT, delete -EINVAL as the kernel). A test run, as
// BPF_PROG_TEST_RUN's bpf_cgroup_storages_alloc, gives the program storage
// of its own, zeroed, for the length of that run.

import { E2BIG, EINVAL, ENOENT } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_F_NUMA_NODE, BPF_F_ACCESS_MASK,
  BPF_F_LOCK, BPF_EXIST,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType, roundUp8 } from './map.js';
import { progValueAccess, PCPU_MIN_UNIT_SIZE } from './arraymap.js';

const LOCAL_STORAGE_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX - sizeof(struct bpf_local_storage_elem), 128 on 6.18 x86-64 (found live) */
const BPF_LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - 128;

/** cgroup_storage_map_alloc's checks */
function cgroupStorageAllocCheck(spec: MapSpec): number {
  const percpu = spec.type === BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
  if (spec.keySize !== 16 && spec.keySize !== 8) return -EINVAL;
  if (spec.valueSize === 0) return -EINVAL;
  if (spec.valueSize > (percpu ? Math.min(BPF_LOCAL_STORAGE_MAX_VALUE_SIZE, PCPU_MIN_UNIT_SIZE) : BPF_LOCAL_STORAGE_MAX_VALUE_SIZE)) return -E2BIG;
  if (spec.flags & ~LOCAL_STORAGE_CREATE_FLAG_MASK || !mapFlagsAccessOk(spec.flags)) return -EINVAL;
  // max_entries is per cgroup: the map sizes itself
  if (spec.maxEntries) return -EINVAL;
  return 0;
}

export class CgroupStorageMap extends BpfMap {
  readonly percpu: boolean;
  /** the storage of the run in progress (keyed by the runtime's run record) */
  private run?: { key: object; ptr: number };

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.percpu = spec.type === BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
  }

  get elemCount(): number {
    return 0;
  }

  override get userValueSize(): number {
    return this.percpu ? roundUp8(this.valueSize) * this.env.nCpus : this.valueSize;
  }

  protected storageBytes(): number {
    return this.run ? this.valueSize : 0;
  }

  /**
   * bpf_get_local_storage for the run `runKey`: its storage (the running
   * CPU's copy for the per-CPU type), allocated zeroed on first use; the
   * previous run's storage is freed after the grace period.
   */
  runStorage(runKey: object): number {
    if (this.run?.key === runKey) return this.run.ptr;
    this.dropRun();
    const ptr = this.tryAlloc(this.valueSize, progValueAccess(this.flags));
    if (ptr < 0) throw new MapError(`cannot allocate ${this.describe()} storage`, ptr);
    this.run = { key: runKey, ptr };
    return ptr;
  }

  private dropRun(): void {
    const old = this.run;
    this.run = undefined;
    if (old) this.env.callRcu(() => this.arena.free(old.ptr));
  }

  protected freeElems(): void {
    const old = this.run;
    this.run = undefined;
    if (old) this.arena.free(old.ptr);
  }

  // ---- user side: no cgroup has storage here ----

  protected override sysLookup(): Uint8Array {
    throw new MapError(`no cgroup storage in ${this.describe()} (tsbpf attaches no cgroup programs)`, -ENOENT);
  }

  /** cgroup_storage_update_elem: flags are checked before the (failing) storage lookup */
  protected override sysUpdate(_key: Uint8Array, _value: Uint8Array, flags: number): number {
    // the per-CPU update (bpf_percpu_cgroup_storage_update) takes only BPF_ANY / BPF_EXIST
    if (this.percpu ? flags !== 0 && flags !== BPF_EXIST : flags & ~(BPF_F_LOCK | BPF_EXIST)) return -EINVAL;
    return -ENOENT;
  }

  protected override sysDelete(): number {
    return -EINVAL;
  }

  protected override sysGetNextKey(): number {
    return -ENOENT;
  }

  /** BPF_F_LOCK needs a bpf_spin_lock; other flags are the map's own to judge */
  protected override checkSysFlags(flags: number, op: 'lookup' | 'update'): void {
    if (op === 'lookup') super.checkSysFlags(flags, op);
    else if (flags & BPF_F_LOCK && this.special.spinLock === undefined) {
      throw new MapError(`BPF_F_LOCK on ${this.describe()}, which has no bpf_spin_lock`, -EINVAL);
    }
  }
}

const ops = {
  allocCheck: (spec: MapSpec) => cgroupStorageAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new CgroupStorageMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_CGROUP_STORAGE, ops);
registerMapType(BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, ops);

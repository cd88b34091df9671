// BPF_MAP_TYPE_CGROUP_ARRAY (kernel/bpf/arraymap.c cgroup_array_map_ops):
// an fd array of cgroups for bpf_skb_under_cgroup and
// bpf_current_task_under_cgroup. User space fills a slot with a cgroup
// directory fd; tsbpf has no cgroup fds, so BPF_MAP_UPDATE_ELEM with an fd
// fails as the kernel's cgroup_get_from_fd does for a non-cgroup fd (-EBADF),
// and a test fills slots with the simulated host's cgroups by id instead
// (setCgroup). Lookup from user space is -EOPNOTSUPP (fd_array_map_lookup_elem).

import { E2BIG, EBADF, EINVAL, ENOENT, EOPNOTSUPP } from '../uapi/errno.js';
import { BPF_ANY, BPF_MAP_TYPE_CGROUP_ARRAY } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';
import { fdArrayAllocCheck } from './fd_arraymap.js';
import { arrayGetNextKey } from './arraymap.js';

const u32At = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

export class CgroupArrayMap extends BpfMap {
  /** the cgroup v2 id held by each slot */
  private readonly slots: (bigint | undefined)[];

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.slots = new Array(spec.maxEntries);
  }

  get elemCount(): number {
    return this.slots.filter((s) => s !== undefined).length;
  }

  protected storageBytes(): number {
    return 0;
  }

  /** the cgroup id in slot `index`, undefined for an empty slot (index must be < maxEntries) */
  at(index: number): bigint | undefined {
    return this.slots[index];
  }

  /** fills (or with undefined, empties) a slot with a cgroup of the simulated host: what an update with its fd does */
  setCgroup(index: number, cgroupId: bigint | undefined): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) {
      throw new MapError(`index ${index} out of range for ${this.describe()}`, -E2BIG);
    }
    this.slots[index] = cgroupId;
  }

  // the verifier lets programs pass this map only to the two cgroup helpers
  override lookupElem(): number {
    return 0;
  }
  override updateElem(): number {
    return -EINVAL;
  }
  override deleteElem(): number {
    return -EINVAL;
  }

  protected override sysLookup(): Uint8Array {
    throw new MapError(`lookup not supported by ${this.describe()}`, -EOPNOTSUPP);
  }

  /** bpf_fd_array_map_update_elem: flags, index, then the fd, which is never a cgroup here */
  protected override sysUpdate(key: Uint8Array, _value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -EINVAL;
    if (u32At(key) >= this.maxEntries) return -E2BIG;
    return -EBADF;
  }

  /** fd_array_map_delete_elem */
  protected override sysDelete(key: Uint8Array): number {
    const i = u32At(key);
    if (i >= this.maxEntries) return -E2BIG;
    if (this.slots[i] === undefined) return -ENOENT;
    this.slots[i] = undefined;
    return 0;
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    return arrayGetNextKey(key, this.maxEntries);
  }

  protected freeElems(): void {
    this.slots.fill(undefined);
  }
}

registerMapType(BPF_MAP_TYPE_CGROUP_ARRAY, {
  allocCheck: (spec) => fdArrayAllocCheck(spec),
  alloc: (env, spec) => new CgroupArrayMap(env, spec),
});

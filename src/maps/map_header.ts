// What a map pointer points at: the map's header in the arena, laid out as
// Linux 6.18's struct bpf_map (and struct bpf_array for array maps), so a
// program reading `((struct bpf_map *)&m)->max_entries` (check_ptr_to_map_access)
// gets the kernel's value at the kernel's offset. The built-in target BTF
// (src/btf/kernel/tsbpf_kernel.h) describes the same layout to the verifier.
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
} from '../uapi/bpf.js';

/** map types whose map_btf_id is struct bpf_array */
export const ARRAY_STRUCT_MAPS: ReadonlySet<number> = new Set([
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS,
]);

/** sizeof(struct bpf_map), sizeof(struct bpf_array) in 6.18 */
const BPF_MAP_SIZE = 296;
const BPF_ARRAY_SIZE = 312;

/** offsets of struct bpf_map / bpf_array members the runtime fills */
const OFF = {
  map_type: 64, key_size: 68, value_size: 72, max_entries: 76, map_extra: 80, map_flags: 88, id: 92,
  numa_node: 104, btf_key_type_id: 108, btf_value_type_id: 112, name: 136, bypass_spec_v1: 256, frozen: 257,
  elem_size: 296, index_mask: 300,
} as const;

export const mapHeaderSize = (mapType: number): number => (ARRAY_STRUCT_MAPS.has(mapType) ? BPF_ARRAY_SIZE : BPF_MAP_SIZE);

export interface MapHeaderFields {
  type: number; keySize: number; valueSize: number; maxEntries: number; mapExtra: bigint; flags: number; id: number; name: string;
}

/** bpf_map_init_from_attr + array_map_alloc's elem_size and index_mask. */
export function writeMapHeader(dv: DataView, at: number, m: MapHeaderFields): void {
  dv.setUint32(at + OFF.map_type, m.type, true);
  dv.setUint32(at + OFF.key_size, m.keySize, true);
  dv.setUint32(at + OFF.value_size, m.valueSize, true);
  dv.setUint32(at + OFF.max_entries, m.maxEntries, true);
  dv.setBigUint64(at + OFF.map_extra, m.mapExtra, true);
  dv.setUint32(at + OFF.map_flags, m.flags, true);
  dv.setUint32(at + OFF.id, m.id, true);
  // bpf_map_attr_numa_node: NUMA_NO_NODE unless BPF_F_NUMA_NODE (tsbpf has one node, and refuses others)
  dv.setInt32(at + OFF.numa_node, -1, true);
  for (let i = 0; i < 16; i++) dv.setUint8(at + OFF.name + i, i < m.name.length && i < 15 ? m.name.charCodeAt(i) : 0);
  if (ARRAY_STRUCT_MAPS.has(m.type)) {
    // only array_map_alloc records it: a privileged (CAP_PERFMON) creator; the runtime says otherwise for unprivileged ones
    dv.setUint8(at + OFF.bypass_spec_v1, 1);
    dv.setUint32(at + OFF.elem_size, (m.valueSize + 7) & ~7, true);
    // roundup_pow_of_two(max_entries) - 1 (fls_long(max_entries - 1))
    const bits = m.maxEntries <= 1 ? 0 : 32 - Math.clz32(m.maxEntries - 1);
    dv.setUint32(at + OFF.index_mask, bits >= 32 ? 0xffffffff : (2 ** bits) - 1, true);
  }
}

export function setMapHeaderBtf(dv: DataView, at: number, keyTypeId: number, valueTypeId: number): void {
  dv.setUint32(at + OFF.btf_key_type_id, keyTypeId, true);
  dv.setUint32(at + OFF.btf_value_type_id, valueTypeId, true);
}

export function setMapHeaderFrozen(dv: DataView, at: number, frozen: boolean): void {
  dv.setUint8(at + OFF.frozen, frozen ? 1 : 0);
}

export function setMapHeaderBypassSpec(dv: DataView, at: number, mapType: number, bypass: boolean): void {
  if (ARRAY_STRUCT_MAPS.has(mapType)) dv.setUint8(at + OFF.bypass_spec_v1, bypass ? 1 : 0);
}

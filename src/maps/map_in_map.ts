// Map-in-map (kernel/bpf/map_in_map.c): ARRAY_OF_MAPS and HASH_OF_MAPS hold
// references to inner maps.
//
// Id/pointer scheme. Every map has an id (env.byId) and a header block in
// the arena (ARENA_ACCESS_NONE, so programs cannot read it) whose address is
// the map pointer (env.byPtr): what ld_imm64 of a map gives a program and
// what helpers take as their map argument. An outer map stores inner map
// pointers; a program's lookup returns the inner map's pointer (or 0), which
// the program passes straight to bpf_map_lookup_elem & co. User space updates
// with what the kernel calls an fd (resolved by env.mapRefs.get, which takes
// a reference) and looks up ids (env.mapRefs.id), as the bpf() syscall does.
//
// The outer map is created from a template (spec.inner, the kernel's
// inner_map_fd); an inner map is accepted if bpf_map_meta_equal holds: same
// type, key size, value size, flags and special fields; arrays also need the
// same max_entries unless the template has BPF_F_INNER_MAP.

import { EINVAL, ENOTSUPP } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
  BPF_MAP_TYPE_PROG_ARRAY, BPF_F_INNER_MAP,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapSpec, SpecialFields, checkMapSpec } from './map.js';

/** bpf_map_meta_alloc: the template must itself be a valid map that may be nested */
export function checkInnerSpec(spec: MapSpec, env: MapEnv): number {
  const inner = spec.inner;
  if (!inner) return -EINVAL; // no inner_map_fd: not a map
  if (inner.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || inner.type === BPF_MAP_TYPE_HASH_OF_MAPS) return -EINVAL;
  if (inner.type === BPF_MAP_TYPE_PROG_ARRAY) return -ENOTSUPP; // no map_meta_equal
  return checkMapSpec(env, inner);
}

function sameSpecial(a: SpecialFields | undefined, b: SpecialFields): boolean {
  const ta = a?.timers ?? [];
  return ta.length === b.timers.length && ta.every((t, i) => t === b.timers[i]) && a?.spinLock === b.spinLock;
}

/** map_meta_equal of the inner map's type */
export function innerMapCompatible(template: MapSpec, m: BpfMap): boolean {
  if (m.isFreed || m.type !== template.type || m.keySize !== template.keySize ||
      m.valueSize !== template.valueSize || m.flags !== template.flags || !sameSpecial(template.specialFields, m.special)) {
    return false;
  }
  if (m.type === BPF_MAP_TYPE_ARRAY || m.type === BPF_MAP_TYPE_PERCPU_ARRAY) {
    return (template.flags & BPF_F_INNER_MAP) !== 0 || m.maxEntries === template.maxEntries;
  }
  return true;
}

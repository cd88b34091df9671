// check_ptr_to_map_access: a load through a map pointer (`&my_map` cast to
// `struct bpf_map *`) reads the kernel's struct of the map type
// (map->ops->map_btf_id: bpf_array, bpf_htab, ...) as a read-only
// PTR_TO_BTF_ID. tsbpf's map header (src/maps/map.ts) lays out struct bpf_map
// (and bpf_array's elem_size/index_mask) at Linux 6.18's offsets, described
// by the built-in target BTF; what the runtime does not fill is refused by name.
import { builtinKernelBtf } from '../btf/kernel/kernel_btf.js';
import { isComposite } from '../btf/types.js';
import { ARRAY_STRUCT_MAPS } from '../maps/map_header.js';
import { EACCES, ENOTSUPP, EPERM } from '../uapi/errno.js';
import { checkPtrToBtfAccess, btfRef } from './btf_access.js';
import { CheckError } from './cfg.js';
import type { VerifierInput } from './env.js';
import { type RegState, RegType, ptrReg } from './reg_state.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** the struct each map type's ops name in map_btf_id (Linux 6.18), by enum bpf_map_type */
const MAP_BTF_STRUCT: readonly string[] = [
  '', 'bpf_htab', 'bpf_array', 'bpf_array', 'bpf_array', 'bpf_htab', 'bpf_array', 'bpf_stack_map', 'bpf_array',
  'bpf_htab', 'bpf_htab', 'lpm_trie', 'bpf_array', 'bpf_htab', 'bpf_dtab', 'bpf_stab', 'bpf_cpu_map', 'xsk_map',
  'bpf_shtab', 'bpf_cgroup_storage_map', 'reuseport_array', 'bpf_cgroup_storage_map', 'bpf_queue_stack',
  'bpf_queue_stack', 'bpf_local_storage_map', 'bpf_dtab', 'bpf_struct_ops_map', 'bpf_ringbuf_map',
  'bpf_local_storage_map', 'bpf_local_storage_map', 'bpf_bloom_filter', 'bpf_ringbuf_map', 'bpf_local_storage_map',
  'bpf_arena',
];

/** The kernel struct name a map type's pointer reads as ('' for none). */
export function mapBtfStructName(mapType: number): string {
  return MAP_BTF_STRUCT[mapType] ?? '';
}

/**
 * A load or store at constant offset `off` through CONST_PTR_TO_MAP register
 * `regno` of a map of `mapType`. Returns the loaded register.
 */
export function checkPtrToMapAccess(input: VerifierInput, regno: number, mapType: number, off: number, size: number, write: boolean): RegState | undefined {
  const tname = mapBtfStructName(mapType);
  if (!tname) fail(`map_ptr access not supported for map type ${mapType}`, ENOTSUPP);
  // env->allow_ptr_leaks: CAP_PERFMON; tsbpf's unprivileged loader has neither
  if (input.capBpf === false) fail(`'struct ${tname}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`, EPERM);
  if (off < 0) fail(`R${regno} is ${tname} invalid negative access: off=${off}`, EACCES);
  if (write) fail(`only read from ${tname} is supported`, EACCES);
  const btf = builtinKernelBtf();
  const modelled = ARRAY_STRUCT_MAPS.has(mapType) ? 'bpf_array' : 'bpf_map';
  const st = btf.typesByName(modelled).find(isComposite)!;
  if (off + size > st.size && modelled === 'bpf_map') {
    fail(`tsbpf does not model struct ${tname} past its struct bpf_map (load at off=${off} size=${size})`, ENOTSUPP);
  }
  unmodelledField(btf, st.id, off, size, tname);
  // a PTR_TO_BTF_ID of the modelled struct; what the walk finds decides (scalar, or refusal)
  const reg = ptrReg(RegType.PTR_TO_BTF_ID, { btf: btfRef(btf, st.id) });
  // (no GPL check: that is check_ptr_to_btf_access's, not this path's)
  const out = checkPtrToBtfAccess({ ...input, gpl: true }, regno, reg, off, size, false);
  if (out && out.type !== RegType.SCALAR_VALUE) {
    fail(`tsbpf does not model the kernel object behind pointer member of struct ${tname} at off=${off}`, ENOTSUPP);
  }
  return out;
}

/** Loads overlapping a `__unmodelled_*` placeholder (live kernel state the runtime has no value for) are refused by name. */
function unmodelledField(btf: ReturnType<typeof builtinKernelBtf>, id: number, off: number, size: number, tname: string): void {
  const t = btf.type(id);
  if (!isComposite(t)) return;
  for (const m of t.members) {
    const mo = m.bitOffset / 8;
    let ms = 0;
    try { ms = btf.sizeof(m.type); } catch { ms = 0; }
    if (off + size <= mo || off >= mo + ms) continue;
    if (m.name.startsWith('__unmodelled')) {
      fail(`tsbpf does not model struct ${tname} bytes ${mo}..${mo + ms - 1} (${m.name.slice('__unmodelled_'.length)}): load at off=${off} size=${size}`, ENOTSUPP);
    }
    if (isComposite(btf.type(m.type))) unmodelledField(btf, m.type, off - mo, size, tname);
  }
}

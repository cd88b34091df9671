// Map specs: BTF-defined maps in SEC(".maps") (libbpf's parse_btf_map_def) and
// global data sections as single-element array maps (libbpf's internal maps).

import { Btf, BtfError } from '../btf/btf.js';
import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_FUNC_PROTO, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR,
  type BtfDatasec, type BtfStruct, kindName,
} from '../btf/types.js';
import { ObjectError } from './errors.js';
import {
  BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
} from './map_types.js';

export const MAPS_SEC = '.maps';
const BPF_OBJ_NAME_LEN = 16;

/** A global variable of a data section (from the section's BTF DATASEC). */
export interface GlobalVariable {
  name: string;
  /** byte offset in the section (= in the map value) */
  offset: number;
  size: number;
  /** BTF id of the variable's type (not of the VAR), 0 without BTF */
  typeId: number;
  /** BTF_VAR_STATIC / BTF_VAR_GLOBAL_ALLOCATED */
  linkage: number;
}

/** 'kconfig': libbpf's LIBBPF_MAP_KCONFIG (values filled at load, src/object/kconfig.ts) */
export type GlobalDataKind = 'data' | 'rodata' | 'bss' | 'kconfig';

export interface GlobalData {
  kind: GlobalDataKind;
  /** initial contents of the section (zeros for .bss); the map value */
  initial: Uint8Array;
  variables: GlobalVariable[];
}

/** One element of `__array(values, ...)` initialised in C: `.values = { [i] = &x }`. */
export interface MapSlot {
  index: number;
  /** the inner map (map-in-map) or program (prog array) the slot refers to */
  name: string;
  kind: 'map' | 'prog';
}

export interface MapSpec {
  /** map name: the variable name, or libbpf's internal name (`<obj>.bss`) for global data */
  name: string;
  /** enum bpf_map_type */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** map_flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, ...) */
  flags: number;
  /** LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME */
  pinning: number;
  /** parsed but ignored by the runtime */
  numaNode: number;
  mapExtra: bigint;
  /** BTF type ids of key and value (0 when not given) */
  keyTypeId: number;
  valueTypeId: number;
  /** the ELF section the map comes from (".maps", ".bss", ".data.custom", ...) */
  section: string;
  sectionIndex: number;
  /** offset of the map's variable inside its section (0 for global data) */
  sectionOffset: number;
  /** map-in-map: the inner map's definition (named `<outer>.inner`) */
  inner?: MapSpec;
  /** initial slots of a map-in-map or prog array */
  initialSlots: MapSlot[];
  /** set for global data maps */
  globalData?: GlobalData;
}

function fail(map: string, msg: string, offset?: number): never {
  throw new ObjectError(`map '${map}': ${msg}`, MAPS_SEC, offset);
}

/** libbpf's get_map_field_int: `__uint(name, N)` is `int (*name)[N]`. */
function fieldInt(btf: Btf, map: string, attr: string, typeId: number): number {
  const t = btf.resolve(typeId);
  if (t.kind !== BTF_KIND_PTR) fail(map, `attr '${attr}': expected PTR, got ${kindName(t.kind)}`);
  const arr = btf.resolve(t.type);
  if (arr.kind !== BTF_KIND_ARRAY) fail(map, `attr '${attr}': expected ARRAY, got ${kindName(arr.kind)}`);
  return arr.nelems;
}

/** Parses one BTF map definition struct. `inner` forbids a further level of nesting. */
export function parseMapDef(btf: Btf, name: string, defTypeId: number, isInner = false): MapSpec {
  const def = btf.resolve(defTypeId);
  if (def.kind !== BTF_KIND_STRUCT) fail(name, `unexpected def kind ${kindName(def.kind)}, expected a struct`);
  const spec: MapSpec = {
    name, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, pinning: 0, numaNode: 0,
    mapExtra: 0n, keyTypeId: 0, valueTypeId: 0, section: MAPS_SEC, sectionIndex: 0, sectionOffset: 0,
    initialSlots: [],
  };
  let sawValues = false;
  for (const m of (def as BtfStruct).members) {
    switch (m.name) {
      case 'type': spec.type = fieldInt(btf, name, m.name, m.type); break;
      case 'max_entries': spec.maxEntries = fieldInt(btf, name, m.name, m.type); break;
      case 'map_flags': spec.flags = fieldInt(btf, name, m.name, m.type); break;
      case 'numa_node': spec.numaNode = fieldInt(btf, name, m.name, m.type); break;
      case 'pinning': {
        spec.pinning = fieldInt(btf, name, m.name, m.type);
        if (isInner) fail(name, 'inner map definition cannot be pinned');
        if (spec.pinning > 1) fail(name, `invalid pinning value ${spec.pinning}`);
        break;
      }
      case 'map_extra': spec.mapExtra = BigInt(fieldInt(btf, name, m.name, m.type)); break;
      case 'key_size': case 'value_size': {
        const sz = fieldInt(btf, name, m.name, m.type);
        const cur = m.name === 'key_size' ? spec.keySize : spec.valueSize;
        if (cur && cur !== sz) fail(name, `conflicting ${m.name} ${cur} != ${sz}`);
        if (m.name === 'key_size') spec.keySize = sz; else spec.valueSize = sz;
        break;
      }
      case 'key': case 'value': {
        const t = btf.resolve(m.type);
        if (t.kind !== BTF_KIND_PTR) fail(name, `${m.name} spec is not PTR: ${kindName(t.kind)}`);
        let sz: number;
        try {
          sz = btf.sizeof(t.type);
        } catch (e) {
          if (e instanceof BtfError) fail(name, `can't determine ${m.name} size for type [${t.type}]: ${e.message}`);
          throw e;
        }
        const cur = m.name === 'key' ? spec.keySize : spec.valueSize;
        if (cur && cur !== sz) fail(name, `conflicting ${m.name} size ${cur} != ${sz}`);
        if (m.name === 'key') { spec.keySize = sz; spec.keyTypeId = t.type; } else { spec.valueSize = sz; spec.valueTypeId = t.type; }
        break;
      }
      case 'values': {
        // __array(values, struct inner) is `typeof(struct inner) *values[]`.
        if (isInner) fail(name, 'multi-level inner maps not supported');
        const arr = btf.resolve(m.type);
        if (arr.kind !== BTF_KIND_ARRAY || arr.nelems !== 0) fail(name, `'${m.name}' should be a zero-sized array`);
        const ptr = btf.resolve(arr.type);
        if (ptr.kind !== BTF_KIND_PTR) fail(name, `'${m.name}' should be an array of pointers, got ${kindName(ptr.kind)}`);
        const target = btf.resolve(ptr.type);
        if (target.kind === BTF_KIND_STRUCT) {
          spec.inner = parseMapDef(btf, `${name}.inner`, target.id, true);
          spec.inner.initialSlots = [];
        } else if (target.kind === BTF_KIND_FUNC_PROTO) {
          if (spec.type && spec.type !== BPF_MAP_TYPE_PROG_ARRAY) fail(name, 'values of function pointers are only for a prog array');
        } else {
          fail(name, `'${m.name}' should point to a map definition struct or a function, got ${kindName(target.kind)}`);
        }
        if (spec.valueSize && spec.valueSize !== 4) fail(name, `conflicting value size ${spec.valueSize} != 4`);
        spec.valueSize = 4;
        sawValues = true;
        break;
      }
      default:
        fail(name, `unknown field '${m.name}'`);
    }
  }
  if (!isInner && spec.type === 0) fail(name, 'map type is not specified');
  if (sawValues && spec.inner && spec.type !== BPF_MAP_TYPE_ARRAY_OF_MAPS && spec.type !== BPF_MAP_TYPE_HASH_OF_MAPS) {
    fail(name, "'values' with a map definition is only for array/hash of maps");
  }
  if (!sawValues && (spec.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || spec.type === BPF_MAP_TYPE_HASH_OF_MAPS)) {
    fail(name, "map-in-map needs its inner map: __array(values, struct ...)");
  }
  return spec;
}

/** All maps of the `.maps` DATASEC, in DATASEC order (as libbpf creates them). */
export function parseBtfMaps(btf: Btf, sectionIndex: number, sectionSize: number): MapSpec[] {
  const sec = btf.typeByName(MAPS_SEC, BTF_KIND_DATASEC) as BtfDatasec | undefined;
  if (!sec) throw new ObjectError('DATASEC \'.maps\' not found in BTF', MAPS_SEC);
  const out: MapSpec[] = [];
  for (const vsi of sec.vars) {
    const v = btf.type(vsi.type);
    if (v.kind !== BTF_KIND_VAR) throw new ObjectError(`DATASEC member [${vsi.type}] is ${kindName(v.kind)}, not VAR`, MAPS_SEC, vsi.offset);
    if (vsi.offset + vsi.size > sectionSize) {
      throw new ObjectError(`map '${v.name}' [${vsi.offset}, +${vsi.size}) is outside the section (${sectionSize} bytes)`, MAPS_SEC, vsi.offset);
    }
    const spec = parseMapDef(btf, v.name, v.type);
    spec.sectionIndex = sectionIndex;
    spec.sectionOffset = vsi.offset;
    out.push(spec);
  }
  return out;
}

/** Byte offset of the `values` member inside a map definition struct. */
export function valuesMemberOffset(btf: Btf, defTypeId: number): number | undefined {
  const def = btf.resolve(defTypeId);
  if (def.kind !== BTF_KIND_STRUCT) return undefined;
  const m = def.members.find((x) => x.name === 'values');
  return m ? m.bitOffset / 8 : undefined;
}

/** Which kind of global data section a name is (libbpf's rules), if any. */
export function globalDataKind(name: string, nobits: boolean): GlobalDataKind | undefined {
  if (nobits) return name === '.bss' || name.startsWith('.bss.') ? 'bss' : undefined;
  if (name === '.data' || name.startsWith('.data.')) return 'data';
  if (name === '.rodata' || name.startsWith('.rodata.')) return 'rodata';
  return undefined;
}

/** libbpf's internal_map_name(): "<obj prefix><section>", at most 15 chars. */
export function internalMapName(objName: string, secName: string): string {
  const sfxLen = Math.max(7, secName.length);
  // ".data.custom" style names are already unique: no object prefix.
  const pfxLen = secName.indexOf('.', 1) !== -1 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length);
  const name = (objName.slice(0, Math.max(0, pfxLen)) + secName.slice(0, sfxLen)).slice(0, BPF_OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/** A global data section as a one-element array map (value = the whole section). */
export function globalDataMap(
  btf: Btf | undefined,
  objName: string,
  secName: string,
  sectionIndex: number,
  kind: GlobalDataKind,
  initial: Uint8Array,
  symbolVars: GlobalVariable[],
): MapSpec {
  let valueTypeId = 0;
  let variables = symbolVars;
  const ds = btf?.typeByName(secName, BTF_KIND_DATASEC) as BtfDatasec | undefined;
  if (btf && ds) {
    valueTypeId = ds.id;
    variables = ds.vars.map((vsi) => {
      const v = btf.type(vsi.type);
      if (v.kind !== BTF_KIND_VAR) throw new ObjectError(`DATASEC member [${vsi.type}] is ${kindName(v.kind)}, not VAR`, secName, vsi.offset);
      if (vsi.offset + vsi.size > initial.length) {
        throw new ObjectError(`variable '${v.name}' [${vsi.offset}, +${vsi.size}) is outside the section (${initial.length} bytes)`, secName, vsi.offset);
      }
      return { name: v.name, offset: vsi.offset, size: vsi.size, typeId: v.type, linkage: v.linkage };
    });
  }
  return {
    name: internalMapName(objName, secName),
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: initial.length,
    maxEntries: 1,
    // libbpf makes every internal map mmapable, and .rodata read-only for programs.
    flags: BPF_F_MMAPABLE | (kind === 'rodata' ? BPF_F_RDONLY_PROG : 0),
    pinning: 0,
    numaNode: 0,
    mapExtra: 0n,
    keyTypeId: 0,
    valueTypeId,
    section: secName,
    sectionIndex,
    sectionOffset: 0,
    initialSlots: [],
    globalData: { kind, initial, variables },
  };
}

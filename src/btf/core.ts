// CO-RE (compile once, run everywhere) on BTF alone, as libbpf's relo_core.c
// does it: an access string parsed against the program's (local) BTF, matched
// against candidate types of the target (kernel) BTF, and the value each
// relocation kind asks for, computed on both sides. Patching instructions is
// src/object/core_relo.ts; this file knows nothing of instructions.

import { Btf } from './btf.js';
import {
  BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_UNKN, type BtfType,
  isComposite,
} from './types.js';

// enum bpf_core_relo_kind (include/uapi/linux/bpf.h)
export const BPF_CORE_FIELD_BYTE_OFFSET = 0;
export const BPF_CORE_FIELD_BYTE_SIZE = 1;
export const BPF_CORE_FIELD_EXISTS = 2;
export const BPF_CORE_FIELD_SIGNED = 3;
export const BPF_CORE_FIELD_LSHIFT_U64 = 4;
export const BPF_CORE_FIELD_RSHIFT_U64 = 5;
export const BPF_CORE_TYPE_ID_LOCAL = 6;
export const BPF_CORE_TYPE_ID_TARGET = 7;
export const BPF_CORE_TYPE_EXISTS = 8;
export const BPF_CORE_TYPE_SIZE = 9;
export const BPF_CORE_ENUMVAL_EXISTS = 10;
export const BPF_CORE_ENUMVAL_VALUE = 11;
export const BPF_CORE_TYPE_MATCHES = 12;

/** BPF_CORE_SPEC_MAX_LEN */
export const CORE_SPEC_MAX_LEN = 64;

const EINVAL = 22;
const E2BIG = 7;
const EOPNOTSUPP = 95;
const EUCLEAN = 117;

/** libbpf's core_relo_kind_str */
export function coreReloKindStr(kind: number): string {
  return ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
    'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches'][kind] ?? 'unknown';
}

export const isFieldBased = (k: number): boolean => k >= BPF_CORE_FIELD_BYTE_OFFSET && k <= BPF_CORE_FIELD_RSHIFT_U64;
export const isTypeBased = (k: number): boolean =>
  k === BPF_CORE_TYPE_ID_LOCAL || k === BPF_CORE_TYPE_ID_TARGET || k === BPF_CORE_TYPE_EXISTS
  || k === BPF_CORE_TYPE_SIZE || k === BPF_CORE_TYPE_MATCHES;
export const isEnumvalBased = (k: number): boolean => k === BPF_CORE_ENUMVAL_EXISTS || k === BPF_CORE_ENUMVAL_VALUE;

/** A failure with the errno libbpf returns for it (positive), and libbpf's warning if it prints one. */
export class CoreError extends Error {
  constructor(readonly errno: number, readonly warning?: string) {
    super(warning ?? `CO-RE error ${-errno}`);
    this.name = 'CoreError';
  }
}

/** libbpf's btf_kind_str: lowercase kind names as its messages print them. */
export function btfKindStr(t: BtfType): string {
  return ['unkn', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const',
    'restrict', 'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64'][t.kind] ?? 'unknown';
}

/** X___Y with X and Y not underscores (bpf_core_is_flavor_sep) */
function isFlavorSep(s: string, i: number): boolean {
  return s[i] !== '_' && s[i + 1] === '_' && s[i + 2] === '_' && s[i + 3] === '_' && s[i + 4] !== '_';
}

/** bpf_core_essential_name_len: "task_struct___v2" -> 11 (the name up to the last flavour separator). */
export function essentialNameLen(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) if (isFlavorSep(name, i)) return i + 1;
  return name.length;
}

/** The name without its flavour suffix. */
export function essentialName(name: string): string {
  return name.slice(0, essentialNameLen(name));
}

export interface CoreAccessor {
  /** the struct/union/array element/enum type the accessor indexes */
  typeId: number;
  idx: number;
  /** member or enumerator name; undefined for an array index */
  name?: string;
}

/** struct bpf_core_spec: the high-level accessors, the raw access string and the bit offset reached. */
export interface CoreSpec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  spec: CoreAccessor[];
  raw: number[];
  bitOffset: number;
}

/** skip_mods_and_typedefs, returning the resolved type (the id is on it). */
function skip(btf: Btf, id: number): BtfType {
  return btf.resolve(id);
}

/** btf__resolve_size as a CoreError on failure */
function sizeOf(btf: Btf, id: number): number {
  try {
    return btf.sizeof(id);
  } catch {
    throw new CoreError(EINVAL);
  }
}

const isAnyEnum = (t: BtfType): boolean => t.kind === BTF_KIND_ENUM || t.kind === BTF_KIND_ENUM64;
const vlen = (t: BtfType): number => isComposite(t) ? t.members.length : isAnyEnum(t) ? (t as { values: unknown[] }).values.length
  : t.kind === BTF_KIND_FUNC_PROTO ? t.params.length : 0;

/** is_flex_arr: a zero-length array that is the last member of the enclosing struct */
function isFlexArr(btf: Btf, acc: CoreAccessor | undefined, nelems: number): boolean {
  if (!acc?.name || nelems > 0) return false;
  const t = btf.type(acc.typeId);
  return acc.idx === vlen(t) - 1;
}

/**
 * bpf_core_parse_spec: "0:1:2:3" against the local type. Throws CoreError
 * (errno EINVAL/E2BIG) for an access string the type does not have.
 */
export function parseCoreSpec(btf: Btf, typeId: number, accessStr: string, kind: number, progName = ''): CoreSpec {
  if (accessStr === '' || accessStr[0] === ':') throw new CoreError(EINVAL);
  const spec: CoreSpec = { btf, rootTypeId: typeId, kind, spec: [], raw: [], bitOffset: 0 };
  if (isTypeBased(kind)) {
    if (accessStr !== '0') throw new CoreError(EINVAL);
    return spec;
  }
  // sscanf("%d") per element; anything else is EINVAL
  for (const part of accessStr.split(':')) {
    if (!/^[-+]?\d+/.test(part)) throw new CoreError(EINVAL);
    if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new CoreError(E2BIG);
    spec.raw.push(parseInt(part, 10) | 0);
  }
  if (spec.raw.length === 0) throw new CoreError(EINVAL);
  let t: BtfType;
  try {
    t = skip(btf, typeId);
  } catch {
    throw new CoreError(EINVAL);
  }
  let id = t.id;
  let accessIdx = spec.raw[0]!;
  spec.spec.push({ typeId: id, idx: accessIdx });

  if (isEnumvalBased(kind)) {
    if (!isAnyEnum(t) || spec.raw.length > 1 || accessIdx < 0 || accessIdx >= vlen(t)) throw new CoreError(EINVAL);
    spec.spec[0]!.name = (t as { values: { name: string }[] }).values[accessIdx]!.name;
    return spec;
  }
  if (!isFieldBased(kind)) throw new CoreError(EINVAL);

  let sz = sizeOf(btf, id);
  spec.bitOffset = accessIdx * sz * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    t = skip(btf, id);
    id = t.id;
    accessIdx = spec.raw[i]!;
    if (isComposite(t)) {
      if (accessIdx < 0 || accessIdx >= t.members.length) throw new CoreError(EINVAL);
      const m = t.members[accessIdx]!;
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.spec.push({ typeId: id, idx: accessIdx, name: m.name });
      id = m.type;
    } else if (t.kind === BTF_KIND_ARRAY) {
      const elem = skip(btf, t.type);
      id = elem.id;
      const flex = isFlexArr(btf, spec.spec[spec.spec.length - 1], t.nelems);
      if (!flex && (accessIdx < 0 || accessIdx >= t.nelems)) throw new CoreError(EINVAL);
      spec.spec.push({ typeId: id, idx: accessIdx });
      sz = sizeOf(btf, id);
      spec.bitOffset += accessIdx * sz * 8;
    } else {
      throw new CoreError(EINVAL, `prog '${progName}': relo for [${typeId}] ${accessStr} (at idx ${i}) captures type [${id}] of unexpected kind ${btfKindStr(t)}`);
    }
  }
  return spec;
}

/** bpf_core_fields_are_compat */
export function fieldsAreCompat(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  for (let depth = 0; depth < 32; depth++) {
    const lt = skip(local, localId);
    const tt = skip(targ, targId);
    if (isComposite(lt) && isComposite(tt)) return true;
    if (lt.kind !== tt.kind) return false;
    switch (lt.kind) {
      case BTF_KIND_PTR: case BTF_KIND_FLOAT:
        return true;
      case BTF_KIND_FWD: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
        const ll = essentialNameLen(lt.name);
        const tl = essentialNameLen(tt.name);
        return ll === 0 || tl === 0 || (ll === tl && lt.name.slice(0, ll) === tt.name.slice(0, tl));
      }
      case BTF_KIND_INT:
        return lt.bitOffset === 0 && (tt as typeof lt).bitOffset === 0;
      case BTF_KIND_ARRAY:
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      default:
        return false;
    }
  }
  throw new CoreError(EINVAL);
}

/** btf_kind_core_compat: same kind, or both enums (ENUM/ENUM64). */
export function kindCoreCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

/** __bpf_core_types_are_compat: for TYPE_EXISTS/TYPE_SIZE/TYPE_ID_TARGET (1, 0, or CoreError). */
export function typesAreCompat(local: Btf, localId: number, targ: Btf, targId: number, level = 32): boolean {
  if (!kindCoreCompat(local.type(localId), targ.type(targId))) return false;
  for (let depth = 32; ; ) {
    if (--depth < 0) throw new CoreError(EINVAL);
    const lt = skip(local, localId);
    const tt = skip(targ, targId);
    if (!kindCoreCompat(lt, tt)) return false;
    switch (lt.kind) {
      case BTF_KIND_UNKN: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
      case BTF_KIND_FWD: case BTF_KIND_ENUM64:
        return true;
      case BTF_KIND_INT:
        return lt.bitOffset === 0 && (tt as typeof lt).bitOffset === 0;
      case BTF_KIND_PTR:
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case BTF_KIND_ARRAY:
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case BTF_KIND_FUNC_PROTO: {
        const tp = tt as typeof lt;
        if (lt.params.length !== tp.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) throw new CoreError(EINVAL);
          if (!typesAreCompat(local, skip(local, lt.params[i]!.type).id, targ, skip(targ, tp.params[i]!.type).id, level - 1)) return false;
        }
        localId = skip(local, lt.returnType).id;
        targId = skip(targ, tp.returnType).id;
        continue;
      }
      default:
        return false;
    }
  }
}

/** bpf_core_names_match: essential names equal; an anonymous target only matches an anonymous local. */
function namesMatch(localName: string, targName: string): boolean {
  if (targName === '') return localName === '';
  const tl = essentialNameLen(targName);
  const ll = essentialNameLen(localName);
  return tl === ll && localName.slice(0, ll) === targName.slice(0, tl);
}

/** __bpf_core_types_match: the TYPE_MATCHES relation (stricter than compat: members, sizes, signedness). */
export function typesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level = 32): boolean {
  if (level <= 0) throw new CoreError(EINVAL);
  for (let depth = 32; ; ) {
    if (--depth < 0) throw new CoreError(EINVAL);
    const lt = skip(local, localId);
    const tt = skip(targ, targId);
    if (!namesMatch(lt.name, tt.name)) return false;
    switch (lt.kind) {
      case BTF_KIND_UNKN:
        return tt.kind === BTF_KIND_UNKN;
      case BTF_KIND_FWD: {
        if (behindPtr) {
          if (tt.kind === BTF_KIND_FWD) return lt.union === tt.union;
          return (tt.kind === BTF_KIND_STRUCT && !lt.union) || (tt.kind === BTF_KIND_UNION && lt.union);
        }
        return tt.kind === BTF_KIND_FWD && lt.union === tt.union;
      }
      case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
        if (!isAnyEnum(tt)) return false;
        const tv = (tt as { size: number; values: { name: string }[] });
        if (lt.size !== tv.size) return false;
        return lt.values.every((lv) => tv.values.some((v) => namesMatch(lv.name, v.name)));
      }
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
        if (behindPtr) {
          if (lt.kind === tt.kind) return true;
          if (tt.kind !== BTF_KIND_FWD) return false;
          return (lt.kind === BTF_KIND_UNION) === tt.union;
        }
        if (lt.kind !== tt.kind) return false;
        const tc = tt as typeof lt;
        if (lt.members.length > tc.members.length) return false;
        for (const lm of lt.members) {
          const ok = tc.members.some((tm) => namesMatch(lm.name, tm.name) && typesMatch(local, lm.type, targ, tm.type, behindPtr, level - 1));
          if (!ok) return false;
        }
        return true;
      }
      case BTF_KIND_INT: {
        if (tt.kind !== BTF_KIND_INT) return false;
        return lt.size === tt.size && (lt.encoding & BTF_INT_SIGNED) === (tt.encoding & BTF_INT_SIGNED);
      }
      case BTF_KIND_PTR:
        if (tt.kind !== BTF_KIND_PTR) return false;
        behindPtr = true;
        localId = lt.type;
        targId = tt.type;
        continue;
      case BTF_KIND_ARRAY:
        if (tt.kind !== BTF_KIND_ARRAY || lt.nelems !== tt.nelems) return false;
        localId = lt.type;
        targId = tt.type;
        continue;
      case BTF_KIND_FUNC_PROTO: {
        if (tt.kind !== BTF_KIND_FUNC_PROTO || lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (!typesMatch(local, lt.params[i]!.type, targ, tt.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = lt.returnType;
        targId = tt.returnType;
        continue;
      }
      default:
        return false;
    }
  }
}

/**
 * bpf_core_match_member: find the local accessor's member (by name, looking
 * into anonymous members) in target type targId, extending the target spec.
 * Returns the matched member's type id, or undefined.
 */
function matchMember(local: Btf, acc: CoreAccessor, targ: Btf, targId: number, spec: CoreSpec): number | undefined {
  const tt = skip(targ, targId);
  if (!isComposite(tt)) return undefined;
  const lt = local.type(acc.typeId) as Extract<BtfType, { members: unknown }>;
  const lm = lt.members[acc.idx]!;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new CoreError(E2BIG);
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(local, acc, targ, m.type, spec);
      if (found !== undefined) return found;
    } else if (m.name === lm.name) {
      spec.spec.push({ typeId: tt.id, idx: i, name: m.name });
      if (fieldsAreCompat(local, lm.type, targ, m.type)) return m.type;
      spec.spec.pop();
      // libbpf leaves raw/bit offset as they are here: the match failed as a whole
      return undefined;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return undefined;
}

/**
 * bpf_core_spec_match: the local spec against candidate targId. Returns the
 * target spec, or undefined when the candidate does not match.
 */
export function matchCoreSpec(localSpec: CoreSpec, targ: Btf, targId: number): { matched: boolean; spec: CoreSpec } {
  const spec: CoreSpec = { btf: targ, rootTypeId: targId, kind: localSpec.kind, spec: [], raw: [], bitOffset: 0 };
  const kind = localSpec.kind;
  if (isTypeBased(kind)) {
    const matched = kind === BPF_CORE_TYPE_MATCHES
      ? typesMatch(localSpec.btf, localSpec.rootTypeId, targ, targId)
      : typesAreCompat(localSpec.btf, localSpec.rootTypeId, targ, targId);
    return { matched, spec };
  }
  if (isEnumvalBased(kind)) {
    const tt = skip(targ, targId);
    if (!isAnyEnum(tt)) return { matched: false, spec };
    const lname = localSpec.spec[0]!.name!;
    const ll = essentialNameLen(lname);
    const values = (tt as { values: { name: string }[] }).values;
    for (let i = 0; i < values.length; i++) {
      const n = values[i]!.name;
      if (essentialNameLen(n) !== ll) continue;
      if (n.slice(0, ll) === lname.slice(0, ll)) {
        spec.spec.push({ typeId: tt.id, idx: i, name: n });
        spec.raw.push(i);
        return { matched: true, spec };
      }
    }
    return { matched: false, spec };
  }
  if (!isFieldBased(kind)) throw new CoreError(EINVAL);
  let id = targId;
  for (let i = 0; i < localSpec.spec.length; i++) {
    const lacc = localSpec.spec[i]!;
    const tt = skip(targ, id);
    id = tt.id;
    if (lacc.name) {
      const next = matchMember(localSpec.btf, lacc, targ, id, spec);
      if (next === undefined) return { matched: false, spec };
      id = next;
    } else {
      if (i > 0) {
        if (tt.kind !== BTF_KIND_ARRAY) return { matched: false, spec };
        const flex = isFlexArr(targ, spec.spec[spec.spec.length - 1], tt.nelems);
        if (!flex && lacc.idx >= tt.nelems) return { matched: false, spec };
        id = skip(targ, tt.type).id;
      }
      if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new CoreError(E2BIG);
      spec.spec.push({ typeId: id, idx: lacc.idx });
      spec.raw.push(lacc.idx);
      spec.bitOffset += lacc.idx * sizeOf(targ, id) * 8;
    }
  }
  return { matched: true, spec };
}

/** bpf_core_format_spec: "<byte_off> [5] struct task_struct.pid (0:3 @ offset 12)" */
export function formatCoreSpec(spec: CoreSpec): string {
  const btf = spec.btf;
  const t = btf.type(spec.rootTypeId);
  let s = `<${coreReloKindStr(spec.kind)}> [${spec.rootTypeId}] ${btfKindStr(t)} ${t.name || '<anon>'}`;
  if (isTypeBased(spec.kind)) return s;
  if (isEnumvalBased(spec.kind)) {
    const et = skip(btf, spec.rootTypeId) as { values: { name: string; value: number | bigint }[]; signed: boolean; kind: number; size: number };
    const e = et.values[spec.raw[0] ?? 0]; // libbpf's zeroed spec of a non-matching candidate shows enumerator 0
    if (!e) return s;
    let v: bigint = BigInt(e.value);
    if (!et.signed) v = et.kind === BTF_KIND_ENUM ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v);
    return `${s}::${e.name} = ${v}`;
  }
  spec.spec.forEach((a, i) => {
    if (a.name) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx >>> 0}]`;
  });
  s += ` (${spec.raw.join(':')}`;
  const off = spec.bitOffset >>> 0;
  s += off % 8 ? ` @ offset ${Math.floor(off / 8)}.${off % 8})` : ` @ offset ${off / 8})`;
  return s;
}

/** struct bpf_core_relo_res */
export interface CoreReloRes {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
  origTypeId: number;
  newTypeId: number;
}

interface FieldVal { val: bigint; fieldSz: number; typeId: number; validate: boolean }

/** bpf_core_calc_field_relo for one side (spec undefined: the field was not found). */
function calcFieldRelo(kind: number, spec: CoreSpec | undefined, insnIdx: number, progName: string): FieldVal {
  const out: FieldVal = { val: 0n, fieldSz: 0, typeId: 0, validate: true };
  if (kind === BPF_CORE_FIELD_EXISTS) {
    out.val = spec ? 1n : 0n;
    return out;
  }
  if (!spec) throw new CoreError(EUCLEAN);
  const btf = spec.btf;
  const acc = spec.spec[spec.spec.length - 1]!;
  if (!acc.name) {
    if (kind === BPF_CORE_FIELD_BYTE_OFFSET) {
      out.val = BigInt((spec.bitOffset >>> 0) >>> 3);
      out.fieldSz = sizeOf(btf, acc.typeId);
      out.typeId = acc.typeId;
    } else if (kind === BPF_CORE_FIELD_BYTE_SIZE) {
      out.val = BigInt(sizeOf(btf, acc.typeId));
    } else {
      throw new CoreError(EINVAL, `prog '${progName}': relo ${kind} at insn #${insnIdx} can't be applied to array access`);
    }
    return out;
  }
  const t = btf.type(acc.typeId) as Extract<BtfType, { members: unknown }>;
  const m = t.members[acc.idx]!;
  const mt = skip(btf, m.type);
  const fieldTypeId = mt.id;
  const bitOff = spec.bitOffset >>> 0;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = (mt as { size?: number }).size ?? 0;
    if (byteSz === 0) throw new CoreError(EINVAL);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreError(E2BIG, `prog '${progName}': relo ${kind} at insn #${insnIdx} can't be satisfied for bitfield`);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = sizeOf(btf, fieldTypeId);
    byteOff = bitOff >>> 3;
    bitSz = byteSz * 8;
  }
  out.validate = !bitfield;
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
      out.val = BigInt(byteOff);
      if (!bitfield) {
        out.fieldSz = byteSz;
        out.typeId = fieldTypeId;
      }
      break;
    case BPF_CORE_FIELD_BYTE_SIZE:
      out.val = BigInt(byteSz);
      break;
    case BPF_CORE_FIELD_SIGNED: {
      const signedEnum = isAnyEnum(mt) && (mt as { signed: boolean }).signed;
      const signedInt = mt.kind === BTF_KIND_INT && (mt.encoding & BTF_INT_SIGNED) !== 0;
      out.val = signedEnum || signedInt ? 1n : 0n;
      out.validate = true;
      break;
    }
    case BPF_CORE_FIELD_LSHIFT_U64:
      out.val = BigInt.asUintN(32, BigInt(64 - (bitOff + bitSz - byteOff * 8)));
      break;
    case BPF_CORE_FIELD_RSHIFT_U64:
      out.val = BigInt(64 - bitSz);
      out.validate = true;
      break;
    default:
      throw new CoreError(EOPNOTSUPP);
  }
  return out;
}

function calcTypeRelo(kind: number, spec: CoreSpec | undefined): bigint {
  if (!spec) return 0n;
  switch (kind) {
    case BPF_CORE_TYPE_ID_TARGET: return BigInt(spec.rootTypeId);
    case BPF_CORE_TYPE_EXISTS: case BPF_CORE_TYPE_MATCHES: return 1n;
    case BPF_CORE_TYPE_SIZE: return BigInt(sizeOf(spec.btf, spec.rootTypeId));
    default: throw new CoreError(EOPNOTSUPP);
  }
}

function calcEnumvalRelo(kind: number, spec: CoreSpec | undefined): bigint {
  switch (kind) {
    case BPF_CORE_ENUMVAL_EXISTS: return spec ? 1n : 0n;
    case BPF_CORE_ENUMVAL_VALUE: {
      if (!spec) throw new CoreError(EUCLEAN);
      const t = spec.btf.type(spec.spec[0]!.typeId) as { kind: number; values: { value: number | bigint }[] };
      const v = t.values[spec.spec[0]!.idx]!.value;
      // struct btf_enum's val is a __s32: libbpf widens it to u64 with sign extension
      return t.kind === BTF_KIND_ENUM ? BigInt.asUintN(64, BigInt(Number(v) | 0)) : BigInt.asUintN(64, BigInt(v));
    }
    default: throw new CoreError(EOPNOTSUPP);
  }
}

/**
 * bpf_core_calc_relo: the original (local) and new (target) values of one
 * relocation for one candidate (targSpec undefined: no candidate matched).
 */
export function calcCoreRelo(kind: number, localSpec: CoreSpec, targSpec: CoreSpec | undefined, insnIdx: number, reloIdx: number, progName: string): CoreReloRes {
  const res: CoreReloRes = { origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 };
  try {
    if (isFieldBased(kind)) {
      const o = calcFieldRelo(kind, localSpec, insnIdx, progName);
      res.origVal = o.val; res.origSz = o.fieldSz; res.origTypeId = o.typeId; res.validate = o.validate;
      const n = calcFieldRelo(kind, targSpec, insnIdx, progName);
      res.newVal = n.val; res.newSz = n.fieldSz; res.newTypeId = n.typeId;
      if (res.origSz !== res.newSz) {
        // a load/store may change size only for pointers and unsigned integers (zero extension keeps the value)
        const ot = localSpec.btf.type(res.origTypeId);
        const nt = targSpec!.btf.type(res.newTypeId);
        const unsignedInt = (t: BtfType) => t.kind === BTF_KIND_INT && t.encoding !== BTF_INT_SIGNED;
        if (!((ot.kind === BTF_KIND_PTR && nt.kind === BTF_KIND_PTR) || (unsignedInt(ot) && unsignedInt(nt)))) res.failMemszAdjust = true;
      }
    } else if (isTypeBased(kind)) {
      res.origVal = calcTypeRelo(kind, localSpec);
      res.newVal = calcTypeRelo(kind, targSpec);
      if (kind === BPF_CORE_TYPE_ID_TARGET) res.validate = false;
    } else if (isEnumvalBased(kind)) {
      res.origVal = calcEnumvalRelo(kind, localSpec);
      res.newVal = calcEnumvalRelo(kind, targSpec);
    } else {
      throw new CoreError(EOPNOTSUPP);
    }
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    if (e.errno === EUCLEAN) {
      res.poison = true;
      return res;
    }
    if (e.errno === EOPNOTSUPP) {
      throw new CoreError(EOPNOTSUPP, `prog '${progName}': relo #${reloIdx}: unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind}) at insn #${insnIdx}`);
    }
    throw e;
  }
  return res;
}

/** A target candidate: a type of the target BTF with the local type's essential name and a compatible kind. */
export interface CoreCand {
  btf: Btf;
  id: number;
}

/** bpf_core_add_cands over one target BTF (libbpf scans ids from 1 in order). */
export function findCoreCands(local: Btf, localId: number, targ: Btf): CoreCand[] {
  const lt = local.type(localId);
  if (lt.name === '') throw new CoreError(EINVAL);
  const ll = essentialNameLen(lt.name);
  const ess = lt.name.slice(0, ll);
  const out: CoreCand[] = [];
  for (let i = 1; i < targ.length; i++) {
    const t = targ.types[i]!;
    if (!kindCoreCompat(t, lt) || t.name === '') continue;
    if (essentialNameLen(t.name) !== ll || !t.name.startsWith(ess)) continue;
    out.push({ btf: targ, id: i });
  }
  return out;
}

export interface CoreReloOutcome {
  res: CoreReloRes;
  localSpec: CoreSpec;
  /** the matching target spec (undefined: no candidate matched) */
  targSpec?: CoreSpec;
  /** libbpf's debug lines for this relocation, without the "libbpf: " prefix */
  log: string[];
}

/**
 * bpf_core_calc_relo_insn: resolve one relocation against its candidate
 * list, pruning the list (shared by every relocation of the same local root
 * type, as libbpf's cache is) to the candidates that matched.
 */
export function calcCoreReloInsn(
  progName: string, kind: number, typeId: number, accessStr: string, insnIdx: number, reloIdx: number,
  local: Btf, cands: CoreCand[],
): CoreReloOutcome {
  const log: string[] = [];
  const lt = local.type(typeId);
  let localSpec: CoreSpec;
  try {
    localSpec = parseCoreSpec(local, typeId, accessStr, kind, progName);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    const w = [e.warning, `prog '${progName}': relo #${reloIdx}: parsing [${typeId}] ${btfKindStr(lt)} ${lt.name || '<anon>'} + ${accessStr} failed: ${-e.errno}`]
      .filter(Boolean).join('\n');
    throw new CoreError(EINVAL, w);
  }
  log.push(`prog '${progName}': relo #${reloIdx}: ${formatCoreSpec(localSpec)}`);
  if (kind === BPF_CORE_TYPE_ID_LOCAL) {
    const v = BigInt(localSpec.rootTypeId);
    return { res: { origVal: v, newVal: v, poison: false, validate: false, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 }, localSpec, log };
  }
  if (lt.name === '') {
    throw new CoreError(EOPNOTSUPP, `prog '${progName}': relo #${reloIdx}: <${coreReloKindStr(kind)}> (${kind}) relocation doesn't support anonymous types`);
  }
  let targRes: CoreReloRes | undefined;
  let targSpec: CoreSpec | undefined;
  const kept: CoreCand[] = [];
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    let m: { matched: boolean; spec: CoreSpec };
    try {
      m = matchCoreSpec(localSpec, c.btf, c.id);
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      throw new CoreError(e.errno, `prog '${progName}': relo #${reloIdx}: error matching candidate #${i} <${coreReloKindStr(kind)}> [${c.id}]: ${-e.errno}`);
    }
    log.push(`prog '${progName}': relo #${reloIdx}: ${m.matched ? 'matching' : 'non-matching'} candidate #${i} ${formatCoreSpec(m.spec)}`);
    if (!m.matched) continue;
    const r = calcCoreRelo(kind, localSpec, m.spec, insnIdx, reloIdx, progName);
    if (!targRes) {
      targRes = r;
      targSpec = m.spec;
    } else if ((m.spec.bitOffset >>> 0) !== (targSpec!.bitOffset >>> 0)) {
      throw new CoreError(EINVAL, `prog '${progName}': relo #${reloIdx}: field offset ambiguity: ${m.spec.bitOffset >>> 0} != ${targSpec!.bitOffset >>> 0}`);
    } else if (r.poison !== targRes.poison || r.newVal !== targRes.newVal) {
      throw new CoreError(EINVAL, `prog '${progName}': relo #${reloIdx}: relocation decision ambiguity: ${r.poison ? 'failure' : 'success'} ${r.newVal} != ${targRes.poison ? 'failure' : 'success'} ${targRes.newVal}`);
    }
    kept.push(c);
  }
  if (kept.length > 0) cands.splice(0, cands.length, ...kept);
  if (!targRes) {
    log.push(`prog '${progName}': relo #${reloIdx}: no matching targets found`);
    targRes = calcCoreRelo(kind, localSpec, undefined, insnIdx, reloIdx, progName);
  }
  return { res: targRes, localSpec, ...(targSpec ? { targSpec } : {}), log };
}

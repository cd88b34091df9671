// BTF type model, named after include/uapi/linux/btf.h.

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_SIZE = 24;

export const BTF_KIND_UNKN = 0;
export const BTF_KIND_INT = 1;
export const BTF_KIND_PTR = 2;
export const BTF_KIND_ARRAY = 3;
export const BTF_KIND_STRUCT = 4;
export const BTF_KIND_UNION = 5;
export const BTF_KIND_ENUM = 6;
export const BTF_KIND_FWD = 7;
export const BTF_KIND_TYPEDEF = 8;
export const BTF_KIND_VOLATILE = 9;
export const BTF_KIND_CONST = 10;
export const BTF_KIND_RESTRICT = 11;
export const BTF_KIND_FUNC = 12;
export const BTF_KIND_FUNC_PROTO = 13;
export const BTF_KIND_VAR = 14;
export const BTF_KIND_DATASEC = 15;
export const BTF_KIND_FLOAT = 16;
export const BTF_KIND_DECL_TAG = 17;
export const BTF_KIND_TYPE_TAG = 18;
export const BTF_KIND_ENUM64 = 19;
export const BTF_KIND_MAX = BTF_KIND_ENUM64;

export const BTF_KIND_NAMES: readonly string[] = [
  'UNKN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG',
  'TYPE_TAG', 'ENUM64',
];

// BTF_KIND_INT encoding bits.
export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

// BTF_KIND_FUNC linkage (in vlen).
export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
export const BTF_FUNC_EXTERN = 2;

// BTF_KIND_VAR linkage.
export const BTF_VAR_STATIC = 0;
export const BTF_VAR_GLOBAL_ALLOCATED = 1;
export const BTF_VAR_GLOBAL_EXTERN = 2;

interface Base {
  id: number;
  name: string;
}

export interface BtfVoid extends Base { kind: typeof BTF_KIND_UNKN }
export interface BtfInt extends Base {
  kind: typeof BTF_KIND_INT;
  size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL */
  encoding: number;
  /** bit offset of the value inside its storage (0 for C) */
  bitOffset: number;
  bits: number;
}
export interface BtfPtr extends Base { kind: typeof BTF_KIND_PTR; type: number }
export interface BtfArray extends Base {
  kind: typeof BTF_KIND_ARRAY;
  type: number;
  indexType: number;
  nelems: number;
}
export interface BtfMember {
  name: string;
  type: number;
  /** offset of the member in bits from the start of the struct */
  bitOffset: number;
  /** bitfield width in bits (kind_flag structs); 0 for a regular member */
  bitfieldSize: number;
}
export interface BtfStruct extends Base {
  kind: typeof BTF_KIND_STRUCT | typeof BTF_KIND_UNION;
  size: number;
  members: BtfMember[];
}
export interface BtfEnum extends Base {
  kind: typeof BTF_KIND_ENUM;
  size: number;
  signed: boolean;
  values: { name: string; value: number }[];
}
export interface BtfEnum64 extends Base {
  kind: typeof BTF_KIND_ENUM64;
  size: number;
  signed: boolean;
  values: { name: string; value: bigint }[];
}
export interface BtfFwd extends Base { kind: typeof BTF_KIND_FWD; union: boolean }
export interface BtfModifier extends Base {
  kind: typeof BTF_KIND_TYPEDEF | typeof BTF_KIND_VOLATILE | typeof BTF_KIND_CONST
    | typeof BTF_KIND_RESTRICT | typeof BTF_KIND_TYPE_TAG;
  type: number;
}
export interface BtfFunc extends Base {
  kind: typeof BTF_KIND_FUNC;
  /** the FUNC_PROTO */
  type: number;
  linkage: number;
}
export interface BtfParam { name: string; type: number }
export interface BtfFuncProto extends Base {
  kind: typeof BTF_KIND_FUNC_PROTO;
  returnType: number;
  params: BtfParam[];
}
export interface BtfVar extends Base { kind: typeof BTF_KIND_VAR; type: number; linkage: number }
export interface BtfVarSecinfo { type: number; offset: number; size: number }
export interface BtfDatasec extends Base {
  kind: typeof BTF_KIND_DATASEC;
  size: number;
  vars: BtfVarSecinfo[];
}
export interface BtfFloat extends Base { kind: typeof BTF_KIND_FLOAT; size: number }
export interface BtfDeclTag extends Base {
  kind: typeof BTF_KIND_DECL_TAG;
  type: number;
  /** -1 for the type itself, else the member/parameter index */
  componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfPtr | BtfArray | BtfStruct | BtfEnum | BtfEnum64 | BtfFwd
  | BtfModifier | BtfFunc | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;

export function kindName(kind: number): string {
  return BTF_KIND_NAMES[kind] ?? `kind ${kind}`;
}

export function isModifier(t: BtfType): t is BtfModifier {
  return t.kind === BTF_KIND_TYPEDEF || t.kind === BTF_KIND_VOLATILE || t.kind === BTF_KIND_CONST
    || t.kind === BTF_KIND_RESTRICT || t.kind === BTF_KIND_TYPE_TAG;
}

export function isComposite(t: BtfType): t is BtfStruct {
  return t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION;
}

/** The type ids a type refers to, for range checks and graph walks. */
export function referencedIds(t: BtfType): number[] {
  switch (t.kind) {
    case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_FUNC: case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      return [t.type];
    case BTF_KIND_ARRAY: return [t.type, t.indexType];
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: return t.members.map((m) => m.type);
    case BTF_KIND_FUNC_PROTO: return [t.returnType, ...t.params.map((p) => p.type)];
    case BTF_KIND_DATASEC: return t.vars.map((v) => v.type);
    default: return [];
  }
}

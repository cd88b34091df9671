// The .BTF section: header, type section, string section, and layout queries.
// Parsing checks every offset and every type id, so later queries only need to
// guard against loops in the type graph (which a valid header cannot rule out).

import {
  BTF_HEADER_SIZE, BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_UNKN, BTF_KIND_VAR,
  BTF_KIND_VOLATILE, BTF_MAGIC, BTF_VERSION, type BtfMember, type BtfType, isComposite,
  isModifier, kindName, referencedIds,
} from './types.js';

/** Malformed BTF, or a query the type graph cannot answer. */
export class BtfError extends Error {
  constructor(
    message: string,
    /** section name (.BTF or .BTF.ext) */
    readonly section = '.BTF',
    /** byte offset inside the section, when known */
    readonly offset?: number,
    /** the type id involved, when known */
    readonly typeId?: number,
  ) {
    const where = [section, offset !== undefined ? `offset ${offset}` : '', typeId !== undefined ? `type [${typeId}]` : '']
      .filter(Boolean).join(', ');
    super(`btf: ${where}: ${message}`);
    this.name = 'BtfError';
  }
}

/** Kernel's MAX_RESOLVE_DEPTH: chains longer than this are treated as loops. */
export const MAX_RESOLVE_DEPTH = 32;

const PTR_SIZE = 8;

/** A bounds-checked little-endian reader over one section. */
export class Cursor {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly section: string, readonly base = 0) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(off: number, n: number, what: string): void {
    if (off < 0 || off + n > this.bytes.length) {
      throw new BtfError(`${what}: ${n} bytes at ${off} run past the end (${this.bytes.length} bytes)`, this.section, this.base + off);
    }
  }
  u8(off: number, what = 'u8'): number { this.check(off, 1, what); return this.dv.getUint8(off); }
  u16(off: number, what = 'u16'): number { this.check(off, 2, what); return this.dv.getUint16(off, true); }
  u32(off: number, what = 'u32'): number { this.check(off, 4, what); return this.dv.getUint32(off, true); }
  i32(off: number, what = 'i32'): number { this.check(off, 4, what); return this.dv.getInt32(off, true); }
}

export interface BtfHeader {
  magic: number;
  version: number;
  flags: number;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
}

export class Btf {
  readonly header: BtfHeader;
  /** types by id; types[0] is void */
  readonly types: BtfType[];
  private readonly strings: Uint8Array;
  private readonly byName = new Map<string, BtfType[]>();

  constructor(readonly bytes: Uint8Array) {
    const c = new Cursor(bytes, '.BTF');
    if (bytes.length < BTF_HEADER_SIZE) {
      throw new BtfError(`${bytes.length} bytes is shorter than the ${BTF_HEADER_SIZE}-byte header`, '.BTF', 0);
    }
    const h: BtfHeader = {
      magic: c.u16(0), version: c.u8(2), flags: c.u8(3), hdrLen: c.u32(4),
      typeOff: c.u32(8), typeLen: c.u32(12), strOff: c.u32(16), strLen: c.u32(20),
    };
    if (h.magic !== BTF_MAGIC) throw new BtfError(`bad magic 0x${h.magic.toString(16)}`, '.BTF', 0);
    if (h.version !== BTF_VERSION) throw new BtfError(`unsupported version ${h.version}`, '.BTF', 2);
    if (h.hdrLen < BTF_HEADER_SIZE || h.hdrLen > bytes.length) throw new BtfError(`bad hdr_len ${h.hdrLen}`, '.BTF', 4);
    const body = bytes.length - h.hdrLen;
    if (h.typeOff % 4) throw new BtfError(`type_off ${h.typeOff} is not 4-byte aligned`, '.BTF', 8);
    if (h.typeOff + h.typeLen > body) throw new BtfError(`type section [${h.typeOff}, +${h.typeLen}) outside the data (${body} bytes)`, '.BTF', 8);
    if (h.strOff + h.strLen > body) throw new BtfError(`string section [${h.strOff}, +${h.strLen}) outside the data (${body} bytes)`, '.BTF', 16);
    // libbpf's btf_parse_hdr: types come first and must end where the strings begin (no overlap)
    if (h.typeOff + h.typeLen > h.strOff) {
      throw new BtfError(`type section [${h.typeOff}, +${h.typeLen}) overlaps or follows the string section at ${h.strOff}`, '.BTF', 8);
    }
    // libbpf's btf_parse_str_sec: offset 0 is the empty name
    if (h.strLen === 0 || bytes[h.hdrLen + h.strOff] !== 0) {
      throw new BtfError(h.strLen === 0 ? 'string section is empty' : 'string section does not start with a NUL (the empty name)', '.BTF', h.hdrLen + h.strOff);
    }
    if (h.strLen > 0 && bytes[h.hdrLen + h.strOff + h.strLen - 1] !== 0) {
      throw new BtfError('string section is not NUL-terminated', '.BTF', h.hdrLen + h.strOff + h.strLen - 1);
    }
    this.header = h;
    this.strings = bytes.subarray(h.hdrLen + h.strOff, h.hdrLen + h.strOff + h.strLen);
    this.types = [{ kind: BTF_KIND_UNKN, id: 0, name: '' }];
    this.parseTypes(new Cursor(bytes.subarray(h.hdrLen + h.typeOff, h.hdrLen + h.typeOff + h.typeLen), '.BTF', h.hdrLen + h.typeOff));
    for (const t of this.types) {
      for (const ref of referencedIds(t)) {
        if (ref >= this.types.length) throw new BtfError(`refers to type id ${ref}, beyond the last type ${this.types.length - 1}`, '.BTF', undefined, t.id);
      }
      if (t.name) {
        const list = this.byName.get(t.name);
        if (list) list.push(t); else this.byName.set(t.name, [t]);
      }
    }
  }

  /** The string at `off` in the string section. */
  str(off: number, at?: number): string {
    if (off >= this.strings.length) {
      if (off === 0) return '';
      throw new BtfError(`string offset ${off} outside the string section (${this.strings.length} bytes)`, '.BTF', at);
    }
    let end = off;
    while (this.strings[end] !== 0) end++; // terminated: checked in the constructor
    return new TextDecoder().decode(this.strings.subarray(off, end));
  }

  private parseTypes(c: Cursor): void {
    let p = 0;
    const n = c.bytes.length;
    while (p < n) {
      const id = this.types.length;
      const at = c.base + p;
      const name = this.str(c.u32(p, 'name_off'), at);
      const info = c.u32(p + 4, 'info');
      const sizeOrType = c.u32(p + 8, 'size/type');
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const kflag = (info >>> 31) === 1;
      p += 12;
      let t: BtfType;
      switch (kind) {
        case BTF_KIND_INT: {
          const v = c.u32(p, 'int encoding'); p += 4;
          t = { kind, id, name, size: sizeOrType, encoding: (v >>> 24) & 0x0f, bitOffset: (v >>> 16) & 0xff, bits: v & 0xff };
          if (t.bits > 128 || t.bitOffset + t.bits > sizeOrType * 8) throw new BtfError(`int of ${t.bits} bits at bit ${t.bitOffset} does not fit in ${sizeOrType} bytes`, '.BTF', at, id);
          break;
        }
        case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
          t = { kind, id, name, type: sizeOrType };
          break;
        case BTF_KIND_ARRAY:
          t = { kind, id, name, type: c.u32(p, 'array type'), indexType: c.u32(p + 4, 'array index_type'), nelems: c.u32(p + 8, 'array nelems') };
          p += 12;
          break;
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
          const members: BtfMember[] = [];
          for (let i = 0; i < vlen; i++, p += 12) {
            const off = c.u32(p + 8, 'member offset');
            members.push({
              name: this.str(c.u32(p, 'member name_off'), c.base + p),
              type: c.u32(p + 4, 'member type'),
              bitOffset: kflag ? off & 0xffffff : off,
              bitfieldSize: kflag ? off >>> 24 : 0,
            });
          }
          t = { kind, id, name, size: sizeOrType, members };
          break;
        }
        case BTF_KIND_ENUM: {
          const values: { name: string; value: number }[] = [];
          for (let i = 0; i < vlen; i++, p += 8) {
            const raw = c.u32(p + 4, 'enum val');
            values.push({ name: this.str(c.u32(p, 'enum name_off'), c.base + p), value: kflag ? raw | 0 : raw });
          }
          t = { kind, id, name, size: sizeOrType, signed: kflag, values };
          break;
        }
        case BTF_KIND_ENUM64: {
          const values: { name: string; value: bigint }[] = [];
          for (let i = 0; i < vlen; i++, p += 12) {
            const u = (BigInt(c.u32(p + 8, 'enum64 val_hi32')) << 32n) | BigInt(c.u32(p + 4, 'enum64 val_lo32'));
            values.push({ name: this.str(c.u32(p, 'enum64 name_off'), c.base + p), value: kflag ? BigInt.asIntN(64, u) : u });
          }
          t = { kind, id, name, size: sizeOrType, signed: kflag, values };
          break;
        }
        case BTF_KIND_FWD:
          t = { kind, id, name, union: kflag };
          break;
        case BTF_KIND_FUNC:
          t = { kind, id, name, type: sizeOrType, linkage: vlen };
          break;
        case BTF_KIND_FUNC_PROTO: {
          const params = [];
          for (let i = 0; i < vlen; i++, p += 8) {
            params.push({ name: this.str(c.u32(p, 'param name_off'), c.base + p), type: c.u32(p + 4, 'param type') });
          }
          t = { kind, id, name, returnType: sizeOrType, params };
          break;
        }
        case BTF_KIND_VAR:
          t = { kind, id, name, type: sizeOrType, linkage: c.u32(p, 'var linkage') };
          p += 4;
          break;
        case BTF_KIND_DATASEC: {
          const vars = [];
          for (let i = 0; i < vlen; i++, p += 12) {
            vars.push({ type: c.u32(p, 'secinfo type'), offset: c.u32(p + 4, 'secinfo offset'), size: c.u32(p + 8, 'secinfo size') });
          }
          t = { kind, id, name, size: sizeOrType, vars };
          break;
        }
        case BTF_KIND_FLOAT:
          t = { kind, id, name, size: sizeOrType };
          break;
        case BTF_KIND_DECL_TAG:
          t = { kind, id, name, type: sizeOrType, componentIdx: c.i32(p, 'decl_tag component_idx') };
          p += 4;
          break;
        default:
          throw new BtfError(`unknown kind ${kind}`, '.BTF', at, id);
      }
      this.types.push(t);
    }
  }

  /** Number of types including void (so the last id is length - 1). */
  get length(): number {
    return this.types.length;
  }

  /** The type with this id, or a BtfError. */
  type(id: number): BtfType {
    const t = this.types[id];
    if (!t) throw new BtfError(`type id ${id} out of range (last is ${this.types.length - 1})`, '.BTF', undefined, id);
    return t;
  }

  /** Skips typedef/const/volatile/restrict/type_tag. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; isModifier(t); depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw new BtfError('loop (or chain too long) in modifiers/typedefs', '.BTF', undefined, id);
      t = this.type(t.type);
    }
    return t;
  }

  /** The resolved type id (like resolve() but returning the id). */
  resolveId(id: number): number {
    return this.resolve(id).id;
  }

  /** Size in bytes of a type, as the kernel's btf_type_id_size / libbpf's btf__resolve_size. */
  sizeof(id: number): number {
    let nelems = 1;
    let t = this.type(id);
    for (let depth = 0; ; depth++) {
      if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('loop (or chain too long) resolving size', '.BTF', undefined, id);
      switch (t.kind) {
        case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: case BTF_KIND_DATASEC: case BTF_KIND_FLOAT:
          return nelems * t.size;
        case BTF_KIND_PTR:
          return nelems * PTR_SIZE;
        case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
          t = this.type(t.type);
          break;
        case BTF_KIND_ARRAY:
          nelems *= t.nelems;
          if (nelems > 0xffffffff) throw new BtfError('array size overflows u32', '.BTF', undefined, id);
          t = this.type(t.type);
          break;
        default:
          throw new BtfError(`${kindName(t.kind)} has no size`, '.BTF', undefined, id);
      }
    }
  }

  /** Alignment in bytes, as libbpf's btf__align_of (packed structs give 1). */
  alignof(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('loop (or nesting too deep) resolving alignment', '.BTF', undefined, id);
    const t = this.resolve(id);
    switch (t.kind) {
      case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
        return Math.min(PTR_SIZE, t.size) || 1;
      case BTF_KIND_PTR:
        return PTR_SIZE;
      case BTF_KIND_ARRAY:
        return this.alignof(t.type, depth + 1);
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
        let max = 1;
        for (const m of t.members) {
          const a = this.alignof(m.type, depth + 1);
          // A member off its natural alignment means the struct is packed.
          if (m.bitfieldSize === 0 && (m.bitOffset % (8 * a)) !== 0) return 1;
          max = Math.max(max, a);
        }
        if (t.size % max) return 1;
        return max;
      }
      default:
        throw new BtfError(`${kindName(t.kind)} has no alignment`, '.BTF', undefined, id);
    }
  }

  /** The first type with this name (and kind, if given). */
  typeByName(name: string, kind?: number): BtfType | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    return kind === undefined ? list[0] : list.find((t) => t.kind === kind);
  }

  /** All types with this name. */
  typesByName(name: string): readonly BtfType[] {
    return this.byName.get(name) ?? [];
  }

  /** A C-like name for a type, for messages: "struct elem", "int", "u32 *". */
  typeName(id: number, depth = 0): string {
    if (depth > MAX_RESOLVE_DEPTH) return '...';
    const t = this.type(id);
    switch (t.kind) {
      case BTF_KIND_UNKN: return 'void';
      case BTF_KIND_STRUCT: return `struct ${t.name || '(anon)'}`;
      case BTF_KIND_UNION: return `union ${t.name || '(anon)'}`;
      case BTF_KIND_ENUM: case BTF_KIND_ENUM64: return `enum ${t.name || '(anon)'}`;
      case BTF_KIND_FWD: return `${t.union ? 'union' : 'struct'} ${t.name}`;
      case BTF_KIND_PTR: return `${this.typeName(t.type, depth + 1)} *`;
      case BTF_KIND_CONST: return `const ${this.typeName(t.type, depth + 1)}`;
      case BTF_KIND_VOLATILE: return `volatile ${this.typeName(t.type, depth + 1)}`;
      case BTF_KIND_RESTRICT: return `${this.typeName(t.type, depth + 1)} restrict`;
      case BTF_KIND_TYPE_TAG: return `${this.typeName(t.type, depth + 1)} __tag(${t.name})`;
      case BTF_KIND_ARRAY: return `${this.typeName(t.type, depth + 1)}[${t.nelems}]`;
      case BTF_KIND_FUNC_PROTO: return `${this.typeName(t.returnType, depth + 1)} (*)(...)`;
      case BTF_KIND_DATASEC: return `SEC(${t.name})`;
      default: return t.name || kindName(t.kind);
    }
  }

  /** The struct/union a type resolves to, or undefined. */
  composite(id: number): (BtfType & { kind: typeof BTF_KIND_STRUCT | typeof BTF_KIND_UNION }) | undefined {
    const t = this.resolve(id);
    return isComposite(t) ? t : undefined;
  }
}

/** Parses a .BTF section. */
export function parseBtf(bytes: Uint8Array): Btf {
  return new Btf(bytes);
}

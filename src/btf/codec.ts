// Map values, keys and globals as plain JavaScript values, by their BTF type,
// both ways. The rules (documented in README "Typed data"):
// - integers of up to 32 bits: number; 64-bit (and 128-bit) integers and
//   pointers: bigint, always, so a value never silently loses precision;
// - _Bool: boolean; float/double: number;
// - enums: the enumerator's name, or the number when no enumerator matches;
// - arrays of `char`: a string up to the first NUL (u8/__u8 arrays stay arrays) (encode writes it NUL-padded);
//   other arrays: JS arrays;
// - structs and unions: objects by member name (anonymous struct/union
//   members are merged into their parent, as C code reads them); bitfields:
//   number (or bigint past 32 bits);
// - special fields (struct bpf_timer, bpf_spin_lock, ...): whatever the
//   caller's `special` hook returns (the runtime gives the timer's state);
//   encode leaves them zero, user space never writes them.
// Encoding is encode.ts's (encodeBtfValue): numbers or bigints for integers,
// names or numbers for enums, fields missing from an object left zero.

import { Btf, BtfError, MAX_RESOLVE_DEPTH } from './btf.js';
import { SPECIAL_STRUCTS, encodeBtfValue } from './encode.js';
import {
  BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64,
  BTF_KIND_FLOAT, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_DATASEC, BTF_KIND_VAR,
  type BtfType, kindName,
} from './types.js';

export type TypedValue = number | bigint | boolean | string | null | TypedValue[] | { [k: string]: TypedValue } | object;

export interface CodecOptions {
  /**
   * Called for a struct whose name is one of the kernel's special fields
   * (bpf_timer, bpf_spin_lock, bpf_wq, ...) at byte `offset` of the buffer;
   * its return value stands for the field. Default: the string `[name]`.
   */
  special?: (structName: string, offset: number) => TypedValue;
}

const SPECIAL = SPECIAL_STRUCTS;

function readUint(b: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i]!);
  return v;
}

const isCharType = (btf: Btf, id: number): boolean => {
  const t = btf.resolve(id);
  // clang encodes plain `char` as a signed 1-byte int, not BTF_INT_CHAR: go by the name too
  return t.kind === BTF_KIND_INT && t.size === 1 && ((t.encoding & BTF_INT_CHAR) !== 0 || t.name === 'char');
};

const err = (btf: Btf, id: number, msg: string): BtfError => new BtfError(`${btf.typeName(id)}: ${msg}`, '.BTF', undefined, id);

/** Decodes `bytes[off..]` as type `typeId`. */
export function decodeValue(btf: Btf, typeId: number, bytes: Uint8Array, off = 0, opts: CodecOptions = {}): TypedValue {
  return dec(btf, typeId, bytes, off, opts, 0);
}

function dec(btf: Btf, id: number, b: Uint8Array, off: number, opts: CodecOptions, depth: number): TypedValue {
  if (depth > MAX_RESOLVE_DEPTH) throw err(btf, id, 'nested too deep to decode');
  const t: BtfType = btf.resolve(id);
  const size = t.kind === BTF_KIND_ARRAY || t.kind === BTF_KIND_VAR || t.kind === BTF_KIND_DATASEC ? 0 : btf.sizeof(t.id);
  if (off < 0 || off + size > b.length) throw err(btf, id, `needs ${size} bytes at ${off}, the buffer has ${b.length}`);
  switch (t.kind) {
    case BTF_KIND_INT: {
      const raw = (readUint(b, off, t.size) >> BigInt(t.bitOffset)) & ((1n << BigInt(t.bits)) - 1n);
      if (t.encoding & BTF_INT_BOOL) return raw !== 0n;
      const v = t.encoding & BTF_INT_SIGNED ? BigInt.asIntN(t.bits, raw) : raw;
      return t.bits > 32 ? v : Number(v);
    }
    case BTF_KIND_PTR:
      return readUint(b, off, 8);
    case BTF_KIND_FLOAT: {
      const dv = new DataView(b.buffer, b.byteOffset + off, t.size);
      if (t.size === 4) return dv.getFloat32(0, true);
      if (t.size === 8) return dv.getFloat64(0, true);
      return readUint(b, off, t.size);
    }
    case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
      const raw = readUint(b, off, t.size);
      const v = t.signed ? BigInt.asIntN(t.size * 8, raw) : raw;
      const hit = (t.values as { name: string; value: number | bigint }[]).find((e) => BigInt(e.value) === v || BigInt.asUintN(t.size * 8, BigInt(e.value)) === raw);
      if (hit) return hit.name;
      return t.size > 4 ? v : Number(v);
    }
    case BTF_KIND_ARRAY: {
      const esz = btf.sizeof(t.type);
      if (off + esz * t.nelems > b.length) throw err(btf, id, `needs ${esz * t.nelems} bytes at ${off}, the buffer has ${b.length}`);
      if (isCharType(btf, t.type)) {
        let end = off;
        while (end < off + t.nelems && b[end] !== 0) end++;
        return new TextDecoder().decode(b.subarray(off, end));
      }
      const out: TypedValue[] = [];
      for (let i = 0; i < t.nelems; i++) out.push(dec(btf, t.type, b, off + i * esz, opts, depth + 1));
      return out;
    }
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
      if (SPECIAL.has(t.name)) return opts.special ? opts.special(t.name, off) : `[${t.name}]`;
      const out: { [k: string]: TypedValue } = {};
      for (const m of t.members) {
        const at = off + Math.floor(m.bitOffset / 8);
        let v: TypedValue;
        if (m.bitfieldSize) {
          const shift = m.bitOffset % 8;
          const nb = Math.ceil((shift + m.bitfieldSize) / 8);
          let raw = (readUint(b, at, nb) >> BigInt(shift)) & ((1n << BigInt(m.bitfieldSize)) - 1n);
          const mt = btf.resolve(m.type);
          if (mt.kind === BTF_KIND_INT && mt.encoding & BTF_INT_SIGNED) raw = BigInt.asIntN(m.bitfieldSize, raw);
          v = m.bitfieldSize > 32 ? raw : Number(raw);
        } else {
          v = dec(btf, m.type, b, at, opts, depth + 1);
        }
        if (m.name === '' && v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
        else out[m.name] = v;
      }
      return out;
    }
    case BTF_KIND_DATASEC: {
      // a global-data map's value: its variables by name
      const out: { [k: string]: TypedValue } = {};
      for (const v of t.vars) {
        const vt = btf.type(v.type);
        if (vt.kind !== BTF_KIND_VAR) continue;
        out[vt.name] = dec(btf, vt.type, b, off + v.offset, opts, depth + 1);
      }
      return out;
    }
    default:
      throw err(btf, id, `cannot decode a ${kindName(t.kind)}`);
  }
}

/**
 * Encodes `value` as type `typeId` into a new buffer of the type's size (or
 * into `into` at `off`): encode.ts's encoder, the one the loader uses for
 * globals too. Throws BtfEncodeError naming the path of a bad value.
 */
export function encodeValue(btf: Btf, typeId: number, value: TypedValue, into?: Uint8Array, off = 0): Uint8Array {
  const out = into ?? new Uint8Array(btf.sizeof(typeId));
  encodeBtfValue(btf, typeId, value, out, off, btf.typeName(typeId) || 'value');
  return out;
}

// A plain JavaScript value -> the bytes of a BTF type (little-endian): the one
// encoder behind typed map keys/values (`map.set`, codec.ts encodeValue) and
// global variables set before load as a libbpf skeleton does
// (`skel->rodata->cfg_port = 53`). Integers from number/bigint (range-checked:
// a negative number for an unsigned type is refused, not wrapped), bool from
// true/false, enums from a number or an enumerator's name, arrays from arrays
// (char arrays also from a string, NUL-padded; any array from a Uint8Array of
// its exact size), structs and unions from objects by member name (members of
// anonymous struct/union members by their own names, as C code writes them;
// members not given keep their bytes), bitfields included. The kernel's
// special fields (bpf_timer, bpf_spin_lock...) are never written from user
// space. A value that does not fit is a BtfEncodeError naming the path
// ("cfg.ports[2]"), never a silent truncation.

import type { Btf } from './btf.js';
import {
  BTF_INT_BOOL, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_INT,
  BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION, kindName,
} from './types.js';

/** structs the kernel owns inside a map value: user space never writes them */
export const SPECIAL_STRUCTS: ReadonlySet<string> = new Set(['bpf_timer', 'bpf_spin_lock', 'bpf_wq', 'bpf_list_head', 'bpf_list_node',
  'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount', 'bpf_res_spin_lock', 'bpf_task_work']);

export class BtfEncodeError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'BtfEncodeError';
  }
}

function toBig(path: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new BtfEncodeError(path, `${v} is not an integer`);
    if (!Number.isSafeInteger(v)) throw new BtfEncodeError(path, `${v} is beyond 2^53: give a bigint`);
    return BigInt(v);
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new BtfEncodeError(path, `expected a number or bigint, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v === 'string' ? `the string '${v}'` : typeof v;
}

/** Writes `bits` bits of `v` at bit `bitOff` of `out` (little-endian bit order, as on x86/BPF). */
function writeBits(out: Uint8Array, byteOff: number, bitOff: number, bits: number, v: bigint): void {
  const u = BigInt.asUintN(bits, v);
  for (let i = 0; i < bits; i++) {
    const b = bitOff + i;
    const at = byteOff + (b >> 3);
    const mask = 1 << (b & 7);
    if ((u >> BigInt(i)) & 1n) out[at]! |= mask;
    else out[at]! &= ~mask;
  }
}

function checkRange(path: string, v: bigint, bits: number, signed: boolean): void {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v > hi || v < lo) throw new BtfEncodeError(path, `${v} does not fit in ${signed ? 's' : 'u'}${bits}`);
}

/** Places what a pointer member points to (a string, an object) and returns its address. */
export type PointeeEncoder = (pointeeTypeId: number, value: unknown, path: string) => bigint;

/**
 * Encodes `value` as BTF type `typeId` into `out` at byte `off` (bitOff/bitSize
 * for a bitfield member). Pointers take a number or bigint, or, with
 * `pointee`, whatever it can place in memory.
 */
export function encodeBtfValue(
  btf: Btf, typeId: number, value: unknown, out: Uint8Array, off: number, path: string, bitOff = 0, bitSize = 0, pointee?: PointeeEncoder,
): void {
  const t = btf.resolve(typeId);
  switch (t.kind) {
    case BTF_KIND_INT: {
      if (t.encoding & BTF_INT_BOOL && typeof value !== 'boolean' && value !== 0 && value !== 1 && value !== 0n && value !== 1n) {
        throw new BtfEncodeError(path, `expected a boolean, got ${describe(value)}`);
      }
      const bits = bitSize || t.bits;
      const v = toBig(path, value);
      checkRange(path, v, bits, (t.encoding & BTF_INT_SIGNED) !== 0);
      writeBits(out, off, bitOff + (bitSize ? 0 : t.bitOffset), bits, v);
      return;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
      let v: bigint;
      if (typeof value === 'string') {
        const e = t.values.find((x) => x.name === value);
        if (!e) throw new BtfEncodeError(path, `'${value}' is not an enumerator of enum ${t.name || '(anon)'} (${t.values.map((x) => x.name).join(', ')})`);
        v = BigInt(e.value);
      } else v = toBig(path, value);
      const bits = bitSize || t.size * 8;
      checkRange(path, v, bits, t.signed);
      writeBits(out, off, bitOff, bits, v);
      return;
    }
    case BTF_KIND_PTR: {
      const v = pointee && typeof value !== 'number' && typeof value !== 'bigint' ? pointee(t.type, value, path) : toBig(path, value);
      checkRange(path, v, 64, false);
      writeBits(out, off, 0, 64, v);
      return;
    }
    case BTF_KIND_FLOAT: {
      if (typeof value !== 'number') throw new BtfEncodeError(path, `expected a number, got ${describe(value)}`);
      const dv = new DataView(out.buffer, out.byteOffset + off, t.size);
      if (t.size === 4) dv.setFloat32(0, value, true);
      else if (t.size === 8) dv.setFloat64(0, value, true);
      else throw new BtfEncodeError(path, `float of ${t.size} bytes is not supported`);
      return;
    }
    case BTF_KIND_ARRAY: {
      const esz = btf.sizeof(t.type);
      const size = esz * t.nelems;
      if (value instanceof Uint8Array) {
        if (value.length !== size) throw new BtfEncodeError(path, `${value.length} bytes given, the array is ${size}`);
        out.set(value, off);
        return;
      }
      const elem = btf.resolve(t.type);
      if (typeof value === 'string' && elem.kind === BTF_KIND_INT && elem.size === 1) {
        const bytes = new TextEncoder().encode(value);
        // as C's char name[N] = "...": N characters fit, the NUL then is dropped
        if (bytes.length > t.nelems) throw new BtfEncodeError(path, `string of ${bytes.length} bytes does not fit in char[${t.nelems}]`);
        out.fill(0, off, off + size);
        out.set(bytes, off);
        return;
      }
      if (!Array.isArray(value)) throw new BtfEncodeError(path, `expected an array, a Uint8Array${elem.kind === BTF_KIND_INT && elem.size === 1 ? ' or a string' : ''}, got ${describe(value)}`);
      if (value.length > t.nelems) throw new BtfEncodeError(path, `${value.length} elements given, the array has ${t.nelems}`);
      value.forEach((x, i) => encodeBtfValue(btf, t.type, x, out, off + i * esz, `${path}[${i}]`, 0, 0, pointee));
      return;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
      if (value instanceof Uint8Array) {
        if (value.length !== t.size) throw new BtfEncodeError(path, `${value.length} bytes given, ${t.kind === BTF_KIND_UNION ? 'union' : 'struct'} ${t.name} is ${t.size}`);
        out.set(value, off);
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new BtfEncodeError(path, `expected an object with the members of ${t.kind === BTF_KIND_UNION ? 'union' : 'struct'} ${t.name || '(anon)'}, got ${describe(value)}`);
      }
      if (SPECIAL_STRUCTS.has(t.name)) return;
      const kind = t.kind === BTF_KIND_UNION ? 'union' : 'struct';
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const found = findMember(btf, t, k, 0);
        if (!found) throw new BtfEncodeError(path, `${kind} ${t.name || '(anon)'} has no member '${k}' (${memberNames(btf, t).join(', ')})`);
        const { m, bitOffset } = found;
        const at = `${path}.${k}`;
        if (m.bitfieldSize) encodeBtfValue(btf, m.type, v, out, off + Math.floor(bitOffset / 8), at, bitOffset % 8, m.bitfieldSize);
        else encodeBtfValue(btf, m.type, v, out, off + bitOffset / 8, at, 0, 0, pointee);
      }
      return;
    }
    default:
      if (value instanceof Uint8Array) {
        const size = btf.sizeof(typeId);
        if (value.length !== size) throw new BtfEncodeError(path, `${value.length} bytes given, the type is ${size}`);
        out.set(value, off);
        return;
      }
      throw new BtfEncodeError(path, `a ${kindName(t.kind)} can only be set from a Uint8Array`);
  }
}

type Composite = Extract<ReturnType<Btf['resolve']>, { members: unknown }>;
type Member = Composite['members'][number];

/** Member `name` of `t`, looking inside anonymous struct/union members; its bit offset from `t`'s start. */
function findMember(btf: Btf, t: Composite, name: string, base: number): { m: Member; bitOffset: number } | undefined {
  for (const m of t.members) {
    if (m.name === name) return { m, bitOffset: base + m.bitOffset };
    if (m.name === '') {
      const inner = btf.resolve(m.type);
      if (inner.kind === BTF_KIND_STRUCT || inner.kind === BTF_KIND_UNION) {
        const hit = findMember(btf, inner, name, base + m.bitOffset);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function memberNames(btf: Btf, t: Composite): string[] {
  return t.members.flatMap((m) => {
    if (m.name !== '') return [m.name];
    const inner = btf.resolve(m.type);
    return inner.kind === BTF_KIND_STRUCT || inner.kind === BTF_KIND_UNION ? memberNames(btf, inner) : ['(anon)'];
  });
}

// Printing a value by its BTF type, as `bpftool map dump` does (its btf_dumper
// writing through json_writer in pretty mode: 4-space indent, `[{` ... `},{`,
// bitfields and pointers in hex, char arrays as strings, enums by name).
// toJson() gives the same walk as plain JS values for --json output.

import { Btf, BtfError, MAX_RESOLVE_DEPTH } from './btf.js';
import {
  BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION,
  BTF_KIND_VAR, type BtfType, kindName,
} from './types.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** A json_writer-like emitter (tools/bpf/bpftool/json_writer.c, pretty mode). */
class PrettyWriter {
  out = '';
  private sep = '';
  constructor(private depth: number) {}
  private eol(): void { this.out += '\n' + '    '.repeat(this.depth); }
  private eor(): void { if (this.sep) this.out += this.sep; this.sep = ','; }
  begin(c: string): void { this.eor(); this.out += c; this.depth++; this.sep = ''; }
  end(c: string): void { this.depth--; if (this.sep) this.eol(); this.out += c; this.sep = ','; }
  name(n: string): void { this.eor(); this.eol(); this.sep = ''; this.out += `${JSON.stringify(n)}: `; }
  raw(s: string): void { this.eor(); this.out += s; }
}

/** Reads little-endian unsigned integers of up to 16 bytes as bigint. */
function readUint(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
  return v;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

interface Emit {
  scalar(text: string, json: JsonValue): void;
  beginObject(): void;
  member(name: string): void;
  endObject(): void;
  beginArray(): void;
  endArray(): void;
}

function walk(btf: Btf, typeId: number, bytes: Uint8Array, off: number, e: Emit, depth: number, bitOff = 0, bitSize = 0): void {
  if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('type nesting too deep to format', '.BTF', undefined, typeId);
  const t: BtfType = btf.resolve(typeId);
  const need = (n: number): void => {
    if (off < 0 || off + n > bytes.length) {
      throw new BtfError(`value of ${btf.typeName(typeId)} needs ${n} bytes at ${off}, buffer has ${bytes.length}`, '.BTF', undefined, typeId);
    }
  };
  if (bitSize) {
    // A bitfield member: bpftool prints the extracted bits in hex.
    const size = Math.ceil((bitOff + bitSize) / 8);
    need(size);
    const v = (readUint(bytes, off, size) >> BigInt(bitOff)) & ((1n << BigInt(bitSize)) - 1n);
    e.scalar(hex(v), hex(v));
    return;
  }
  switch (t.kind) {
    case BTF_KIND_INT: {
      need(t.size);
      const raw = readUint(bytes, off, t.size);
      if (t.bitOffset || (t.bits !== t.size * 8) || t.size > 8) {
        const v = (raw >> BigInt(t.bitOffset)) & ((1n << BigInt(t.bits)) - 1n);
        e.scalar(hex(v), hex(v));
      } else if (t.encoding & BTF_INT_BOOL) {
        e.scalar(raw ? 'true' : 'false', raw !== 0n);
      } else if (t.encoding & BTF_INT_CHAR && raw >= 0x20n && raw < 0x7fn) {
        const ch = String.fromCharCode(Number(raw));
        e.scalar(JSON.stringify(ch), ch);
      } else {
        const v = t.encoding & BTF_INT_SIGNED ? BigInt.asIntN(t.bits, raw) : raw;
        e.scalar(v.toString(), Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
      }
      return;
    }
    case BTF_KIND_PTR: {
      need(8);
      const v = readUint(bytes, off, 8);
      e.scalar(v === 0n ? '(nil)' : hex(v), Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
      return;
    }
    case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
      need(t.size);
      const raw = readUint(bytes, off, t.size);
      const v = t.signed ? BigInt.asIntN(t.size * 8, raw) : raw;
      const hit = (t.values as { name: string; value: number | bigint }[]).find((x) => BigInt(x.value) === v);
      if (hit) e.scalar(JSON.stringify(hit.name), hit.name);
      else e.scalar(v.toString(), Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
      return;
    }
    case BTF_KIND_FLOAT: {
      need(t.size);
      const dv = new DataView(bytes.buffer, bytes.byteOffset + off, t.size);
      const v = t.size === 4 ? dv.getFloat32(0, true) : t.size === 8 ? dv.getFloat64(0, true) : NaN;
      e.scalar(Number.isNaN(v) ? 'nan' : v.toFixed(6), Number.isFinite(v) ? v : String(v));
      return;
    }
    case BTF_KIND_ARRAY: {
      const elem = btf.resolve(t.type);
      const elemSize = btf.sizeof(t.type);
      need(elemSize * t.nelems);
      // bpftool's is_str_array(): one-byte ints named "char" (or BTF_INT_CHAR).
      if (elem.kind === BTF_KIND_INT && elem.size === 1 && (elem.name === 'char' || elem.encoding & BTF_INT_CHAR)) {
        const s = asCString(bytes.subarray(off, off + t.nelems));
        if (s !== undefined) { e.scalar(JSON.stringify(s), s); return; }
      }
      e.beginArray();
      for (let i = 0; i < t.nelems; i++) walk(btf, t.type, bytes, off + i * elemSize, e, depth + 1);
      e.endArray();
      return;
    }
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
      need(t.size);
      e.beginObject();
      for (const m of t.members) {
        e.member(m.name);
        const byte = Math.floor(m.bitOffset / 8);
        if (m.bitfieldSize) walk(btf, m.type, bytes, off + byte, e, depth + 1, m.bitOffset % 8, m.bitfieldSize);
        else walk(btf, m.type, bytes, off + byte, e, depth + 1);
      }
      e.endObject();
      return;
    }
    case BTF_KIND_DATASEC: {
      need(t.size);
      e.beginObject();
      e.member(t.name);
      e.beginArray();
      for (const v of t.vars) {
        const vt = btf.type(v.type);
        e.beginObject();
        e.member(vt.name);
        walk(btf, vt.kind === BTF_KIND_VAR ? vt.type : v.type, bytes, off + v.offset, e, depth + 1);
        e.endObject();
      }
      e.endArray();
      e.endObject();
      return;
    }
    case BTF_KIND_VAR:
      walk(btf, t.type, bytes, off, e, depth + 1);
      return;
    default:
      throw new BtfError(`cannot format a value of kind ${kindName(t.kind)}`, '.BTF', undefined, typeId);
  }
}

/** bpftool's is_str_array: printable chars up to a NUL (bytes after it are ignored). */
function asCString(b: Uint8Array): string | undefined {
  const nul = b.indexOf(0);
  if (nul < 0) return undefined;
  for (let i = 0; i < nul; i++) if (b[i]! < 0x20 || b[i]! >= 0x7f) return undefined;
  // not String.fromCharCode(...): spreading a long array overflows the call stack
  return new TextDecoder('latin1').decode(b.subarray(0, nul));
}

export interface FormatOptions {
  /** json_writer depth the value is printed at (2 inside a `map dump` element) */
  depth?: number;
}

/** The value at `offset` of `bytes`, printed like `bpftool map dump` (plain mode). */
export function formatValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0, opts: FormatOptions = {}): string {
  const w = new PrettyWriter(opts.depth ?? 0);
  walk(btf, typeId, bytes, offset, {
    scalar: (text) => w.raw(text),
    beginObject: () => w.begin('{'),
    member: (n) => w.name(n),
    endObject: () => w.end('}'),
    beginArray: () => w.begin('['),
    endArray: () => w.end(']'),
  }, 0);
  return w.out;
}

/** The same value as plain JS data (integers beyond 2^53 as decimal strings). */
export function toJson(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): JsonValue {
  const stack: (JsonValue[] | { [k: string]: JsonValue })[] = [];
  const names: string[] = [];
  let result: JsonValue = null;
  const put = (v: JsonValue): void => {
    const top = stack[stack.length - 1];
    if (!top) result = v;
    else if (Array.isArray(top)) top.push(v);
    else top[names.pop()!] = v;
  };
  walk(btf, typeId, bytes, offset, {
    scalar: (_t, json) => put(json),
    beginObject: () => { stack.push({}); },
    member: (n) => { names.push(n); },
    endObject: () => { put(stack.pop()!); },
    beginArray: () => { stack.push([]); },
    endArray: () => { put(stack.pop()!); },
  }, 0);
  return result;
}

/** Entries of a map dump, framed as bpftool does: [{ "key": k, "value": v },...]. */
export function formatMapDump(
  btf: Btf,
  keyTypeId: number | undefined,
  valueTypeId: number,
  entries: readonly { key?: Uint8Array; value: Uint8Array }[],
): string {
  let out = '[';
  entries.forEach((en, i) => {
    out += i ? ',{' : '{';
    if (en.key && keyTypeId !== undefined) out += `\n        "key": ${formatValue(btf, keyTypeId, en.key, 0, { depth: 2 })},`;
    out += `\n        "value": ${formatValue(btf, valueTypeId, en.value, 0, { depth: 2 })}\n    }`;
  });
  return out + '\n]';
}


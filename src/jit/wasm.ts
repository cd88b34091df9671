// A small WebAssembly binary encoder: LEB128, the opcodes the JIT emits and a
// module writer (types, imports, functions, exports, code). Written here
// rather than taken from a library: the JIT needs ~60 opcodes and one module
// shape, and a dependency would be larger than this file.

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const FUNCREF = 0x70;
export const VOID = 0x40; // empty block type

/** opcodes (WebAssembly core spec, section 5.4) */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10, call_indirect: 0x11, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i32_load: 0x28, i64_load: 0x29, i32_load8_u: 0x2d, i32_load16_u: 0x2f,
  i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32, i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35,
  i32_store: 0x36, i64_store: 0x37, i32_store8: 0x3a, i32_store16: 0x3b, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  f64_load: 0x2b, f64_store: 0x39, memory_size: 0x3f,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  f64_eq: 0x61, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66, f64_add: 0xa0,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76, i32_rotl: 0x77, i32_rotr: 0x78,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  i32_extend8_s: 0xc0, i32_extend16_s: 0xc1, i64_extend8_s: 0xc2, i64_extend16_s: 0xc3, i64_extend32_s: 0xc4,
} as const;

/** A growable byte buffer with the LEB128 writers. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
    return this;
  }

  /** unsigned LEB128 of a non-negative integer below 2^53 */
  u32(v: number): this {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** signed LEB128 of an integer in the int32 range */
  s32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { this.byte(b); return this; }
      this.byte(b | 0x80);
    }
  }

  /** an f64 immediate (little-endian IEEE 754) */
  f64(v: number): this {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.byte(d.getUint8(i));
    return this;
  }

  /** signed LEB128 of a 64-bit value */
  s64(v: bigint): this {
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { this.byte(b); return this; }
      this.byte(b | 0x80);
    }
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** a copy of another buffer */
  append(b: Bytes): this {
    for (let i = 0; i < b.length; i++) this.byte(b.buf[i]!);
    return this;
  }

  /** a length-prefixed copy of another buffer */
  vec(b: Bytes): this {
    return this.u32(b.length).append(b);
  }

  toUint8Array(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface FuncType { params: number[]; results: number[] }

export type Import =
  | { module: string; name: string; kind: 'func'; type: FuncType }
  | { module: string; name: string; kind: 'memory' }
  | { module: string; name: string; kind: 'table' }
  | { module: string; name: string; kind: 'global'; valType: number; mutable: boolean };

export interface FuncDef {
  type: FuncType;
  /** extra locals, in order after the parameters */
  locals: number[];
  body: Bytes;
  export?: string;
}

/**
 * Writes a module: imports first (their functions take the low indices), then `funcs`.
 * `types` are given the first type indices, in order (for call_indirect).
 */
export function encodeModule(imports: readonly Import[], funcs: readonly FuncDef[], types0: readonly FuncType[] = []): Uint8Array {
  const types: FuncType[] = [];
  const typeKeys = new Map<string, number>();
  const typeIndex = (t: FuncType): number => {
    const k = `${t.params.join(',')}>${t.results.join(',')}`;
    let i = typeKeys.get(k);
    if (i === undefined) {
      i = types.length;
      types.push(t);
      typeKeys.set(k, i);
    }
    return i;
  };
  for (const t of types0) typeIndex(t);
  const imp = new Bytes().u32(imports.length);
  let nImportFuncs = 0;
  for (const m of imports) {
    imp.name(m.module).name(m.name);
    if (m.kind === 'func') { imp.byte(0).u32(typeIndex(m.type)); nImportFuncs++; }
    else if (m.kind === 'memory') imp.byte(2).byte(0).u32(0); // no minimum, no maximum: any arena matches
    else if (m.kind === 'table') imp.byte(1).byte(FUNCREF).byte(0).u32(0); // a funcref table of any size
    else imp.byte(3).byte(m.valType).byte(m.mutable ? 1 : 0);
  }
  const fn = new Bytes().u32(funcs.length);
  for (const f of funcs) fn.u32(typeIndex(f.type));
  const exps = funcs.map((f, i) => ({ name: f.export, index: nImportFuncs + i })).filter((e) => e.name !== undefined);
  const ex = new Bytes().u32(exps.length);
  for (const e of exps) ex.name(e.name!).byte(0).u32(e.index);
  const code = new Bytes().u32(funcs.length);
  for (const f of funcs) {
    const body = new Bytes();
    // locals as runs of one type
    const runs: [number, number][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    body.u32(runs.length);
    for (const [n, t] of runs) body.u32(n).byte(t);
    code.vec(body.append(f.body));
  }
  const ty = new Bytes().u32(types.length);
  for (const t of types) {
    ty.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
  }
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, b: Bytes): void => { out.byte(id).vec(b); };
  section(1, ty);
  section(2, imp);
  section(3, fn);
  section(7, ex);
  section(10, code);
  return out.toUint8Array();
}

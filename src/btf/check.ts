// The kernel's BTF checker for BPF_BTF_LOAD (kernel/bpf/btf.c: btf_check_meta
// and each kind's check_meta): per type, the info bits, the kind, vlen and
// kind_flag where a kind has none, names (C identifiers where the kernel wants
// one, none where it forbids one), int encodings, member offsets, enum sizes,
// func and var linkage. A BTF the kernel refuses is not loaded; libbpf then
// goes on without it ("BTF is optional, ignoring"), so maps get no BTF and the
// programs no func_info/line_info.
//
// Checked on the BTF as libbpf hands it to the kernel: libbpf rewrites DATASEC
// sizes and offsets and extern VAR/FUNC linkage before loading, so those are
// not checked here (nor is the kernel's resolve pass over type references).
import {
  BTF_FUNC_GLOBAL, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_MAX, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN, BTF_VAR_STATIC,
  BTF_FUNC_EXTERN,
} from './types.js';
import type { Btf } from './btf.js';

/** BTF_INFO_MASK: kind (5 bits), kind_flag, vlen; everything else is reserved */
const BTF_INFO_MASK = 0x9f00ffff;
/** BTF_INT_MASK: encoding, offset, bits (and the unused byte between them) */
const BTF_INT_MASK = 0x0fffffff;
/** KSYM_NAME_LEN: the longest name the kernel accepts */
const KSYM_NAME_LEN = 512;
/** BTF_MAX_TYPE: type ids are 20 bits */
const BTF_MAX_TYPE = 0x000fffff;

/** What the kernel's BTF checker refuses: the type and its log line's message. */
export interface BtfCheckError {
  typeId: number;
  message: string;
}

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** __btf_name_char_ok: letters, '_' and '.', digits after the first */
const nameCharOk = (c: number, first: boolean): boolean => isAlpha(c) || c === 0x5f || c === 0x2e || (!first && isDigit(c));

/**
 * Returns undefined when Linux 6.18's BPF_BTF_LOAD would accept `btf`'s
 * types (as far as modelled above), else the first type it refuses and why.
 * `raw`: the object's own .BTF, before libbpf sets DATASEC sizes (a size of 0
 * is then not an error).
 */
export function btfCheckMeta(btf: Btf, raw = true): BtfCheckError | undefined {
  const { bytes, header: h } = btf;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strBase = h.hdrLen + h.strOff;
  const strEnd = strBase + h.strLen;
  const offsetValid = (off: number): boolean => off < h.strLen;
  /** btf_name_valid_identifier */
  const identifier = (off: number): boolean => {
    let p = strBase + off;
    if (p >= strEnd || !nameCharOk(bytes[p]!, true)) return false;
    const limit = p + KSYM_NAME_LEN;
    for (p++; p < strEnd && bytes[p] !== 0 && p < limit; p++) if (!nameCharOk(bytes[p]!, false)) return false;
    return bytes[p] === 0;
  };
  const typeIdValid = (id: number): boolean => id <= BTF_MAX_TYPE;
  /** btf_name_valid_section */
  const printable = (off: number): boolean => {
    let p = strBase + off;
    if (p >= strEnd || bytes[p] === 0) return false;
    const limit = p + KSYM_NAME_LEN;
    for (; p < strEnd && bytes[p] !== 0 && p < limit; p++) if (bytes[p]! < 0x20 || bytes[p]! > 0x7e) return false;
    return bytes[p] === 0;
  };
  let p = h.hdrLen + h.typeOff;
  const end = p + h.typeLen;
  for (let id = 1; p < end; id++) {
    const fail = (message: string): BtfCheckError => ({ typeId: id, message });
    const nameOff = dv.getUint32(p, true);
    const info = dv.getUint32(p + 4, true);
    const sizeOrType = dv.getUint32(p + 8, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = (info >>> 31) === 1;
    const extra = p + 12;
    // btf_check_meta
    if ((info & ~BTF_INFO_MASK) >>> 0) return fail(`Invalid btf_info:${info.toString(16)}`);
    if (kind > BTF_KIND_MAX || kind === 0) return fail(`Invalid kind:${kind}`);
    if (!offsetValid(nameOff)) return fail(`Invalid name_offset:${nameOff}`);
    let size = 0;
    switch (kind) {
      case BTF_KIND_INT: {
        size = 4;
        if (vlen) return fail('vlen != 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        const data = dv.getUint32(extra, true);
        if ((data & ~BTF_INT_MASK) >>> 0) return fail(`Invalid int_data:${data.toString(16)}`);
        const nrBits = (data & 0xff) + ((data >>> 16) & 0xff);
        if (nrBits > 128) return fail('nr_bits exceeds 128');
        if (Math.ceil(nrBits / 8) > sizeOrType) return fail('nr_bits exceeds type_size');
        const enc = (data >>> 24) & 0x0f;
        if (enc && enc !== BTF_INT_SIGNED && enc !== BTF_INT_CHAR && enc !== BTF_INT_BOOL) return fail('Unsupported encoding');
        break;
      }
      case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
        // btf_ref_type_check_meta
        if (vlen) return fail('vlen != 0');
        if (kflag && kind !== BTF_KIND_TYPE_TAG) return fail('Invalid btf_info kind_flag');
        if (!typeIdValid(sizeOrType)) return fail('Invalid type_id');
        if (kind === BTF_KIND_TYPEDEF) {
          if (!nameOff || !identifier(nameOff)) return fail('Invalid name');
        } else if (kind === BTF_KIND_TYPE_TAG) {
          if (!nameOff || bytes[strBase + nameOff] === 0) return fail('Invalid name');
        } else if (nameOff) return fail('Invalid name');
        break;
      case BTF_KIND_ARRAY:
        size = 12;
        if (nameOff) return fail('Invalid name');
        if (vlen) return fail('vlen != 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        if (sizeOrType) return fail('size != 0');
        if (!typeIdValid(dv.getUint32(extra, true)) || !typeIdValid(dv.getUint32(extra + 4, true))) return fail('Invalid type_id');
        break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
        size = vlen * 12;
        if (nameOff && !identifier(nameOff)) return fail('Invalid name');
        let last = 0;
        for (let i = 0; i < vlen; i++) {
          const m = extra + i * 12;
          const mName = dv.getUint32(m, true), mType = dv.getUint32(m + 4, true), mOff = dv.getUint32(m + 8, true);
          if (!offsetValid(mName)) return fail(`Invalid member name_offset:${mName}`);
          if (mName && !identifier(mName)) return fail('Invalid name');
          if (!mType || !typeIdValid(mType)) return fail('Invalid type_id');
          const bitOff = kflag ? mOff & 0xffffff : mOff;
          if (kind === BTF_KIND_UNION && bitOff) return fail('Invalid member bits_offset');
          // members in offset order
          if (last > bitOff) return fail('Invalid member bits_offset');
          last = bitOff;
          // ">": the last member may be a flexible "char a[0]"
          if (Math.ceil(bitOff / 8) > sizeOrType) return fail('Member bits_offset exceeds its struct size');
        }
        break;
      }
      case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
        const rec = kind === BTF_KIND_ENUM ? 8 : 12;
        size = vlen * rec;
        if (sizeOrType > 8 || sizeOrType === 0 || (sizeOrType & (sizeOrType - 1))) return fail('Unexpected size');
        if (nameOff && !identifier(nameOff)) return fail('Invalid name');
        for (let i = 0; i < vlen; i++) {
          const eName = dv.getUint32(extra + i * rec, true);
          if (!offsetValid(eName)) return fail(`Invalid name_offset:${eName}`);
          if (!eName || !identifier(eName)) return fail('Invalid name');
        }
        break;
      }
      case BTF_KIND_FWD:
        if (vlen) return fail('vlen != 0');
        if (sizeOrType) return fail('type != 0');
        if (!nameOff || !identifier(nameOff)) return fail('Invalid name');
        break;
      case BTF_KIND_FUNC:
        if (!nameOff || !identifier(nameOff)) return fail('Invalid name');
        // extern functions (.ksyms) get their linkage from libbpf, not from the kernel's rule
        if (vlen > BTF_FUNC_GLOBAL && vlen !== BTF_FUNC_EXTERN) return fail('Invalid func linkage');
        if (kflag) return fail('Invalid btf_info kind_flag');
        break;
      case BTF_KIND_FUNC_PROTO:
        size = vlen * 8;
        if (nameOff) return fail('Invalid name');
        if (kflag) return fail('Invalid btf_info kind_flag');
        break;
      case BTF_KIND_VAR: {
        size = 4;
        if (vlen) return fail('vlen != 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        if (!nameOff || !identifier(nameOff)) return fail('Invalid name');
        if (!sizeOrType || !typeIdValid(sizeOrType)) return fail('Invalid type_id');
        const linkage = dv.getUint32(extra, true);
        // extern vars (.kconfig/.ksyms) are rewritten by libbpf before the kernel sees them
        if (linkage !== BTF_VAR_STATIC && linkage !== BTF_VAR_GLOBAL_ALLOCATED && linkage !== BTF_VAR_GLOBAL_EXTERN) return fail('Linkage not supported');
        break;
      }
      case BTF_KIND_DATASEC: {
        size = vlen * 12;
        // sizes and offsets as libbpf fixed them up: a raw object's section may still say 0
        if (!sizeOrType && !raw) return fail('size == 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        // btf_name_valid_section: any printable characters
        if (!nameOff || !printable(nameOff)) return fail('Invalid name');
        if (!sizeOrType) break;
        let lastEnd = 0, sum = 0;
        for (let i = 0; i < vlen; i++) {
          const v = extra + i * 12;
          const vType = dv.getUint32(v, true), vOff = dv.getUint32(v + 4, true), vSize = dv.getUint32(v + 8, true);
          if (!vType || !typeIdValid(vType)) return fail('Invalid type');
          if (vOff < lastEnd || vOff >= sizeOrType) return fail('Invalid offset');
          if (!vSize || vSize > sizeOrType) return fail('Invalid size');
          lastEnd = vOff + vSize;
          if (lastEnd > sizeOrType) return fail('Invalid offset+size');
          sum += vSize;
        }
        if (sum > sizeOrType) return fail('Invalid btf_info size');
        break;
      }
      case BTF_KIND_FLOAT:
        if (vlen) return fail('vlen != 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        if (![2, 4, 8, 12, 16].includes(sizeOrType)) return fail('Invalid type_size');
        break;
      case BTF_KIND_DECL_TAG:
        size = 4;
        if (vlen) return fail('vlen != 0');
        if (kflag) return fail('Invalid btf_info kind_flag');
        if (!nameOff || bytes[strBase + nameOff] === 0) return fail('Invalid name');
        if (dv.getInt32(extra, true) < -1) return fail('Invalid component_idx');
        break;
    }
    p = extra + size;
  }
  return resolveMembers(btf);
}

/** btf_type_is_resolve_source_only (an unknown id counts as one: nothing to resolve to) */
const sourceOnly = (kind: number | undefined): boolean =>
  kind === undefined || kind === BTF_KIND_VAR || kind === BTF_KIND_DATASEC || kind === BTF_KIND_FUNC || kind === BTF_KIND_DECL_TAG;

/**
 * The part of the kernel's resolve pass (btf_check_all_types) that needs
 * sizes: struct/union members inside their struct (check_member of the
 * member's kind) and DATASEC variables at least as large as their type.
 */
function resolveMembers(btf: Btf): BtfCheckError | undefined {
  const sizeOf = (id: number): number | undefined => {
    try { return btf.sizeof(id); } catch { return undefined; }
  };
  for (const t of btf.types) {
    if (t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION) {
      for (const m of t.members) {
        if (m.bitfieldSize) continue; // bitfields: btf_*_check_kflag_member, not modelled
        let mt;
        try { mt = btf.resolve(m.type); } catch { continue; }
        const fail = (message: string): BtfCheckError => ({ typeId: t.id, message });
        if (mt.kind === BTF_KIND_INT) {
          // btf_int_check_member: the int's own bit offset counts too
          const bitsOff = m.bitOffset + mt.bitOffset;
          const bytesOff = Math.floor(bitsOff / 8);
          const copyBits = mt.bits + (bitsOff % 8);
          if (copyBits > 128) return fail('nr_copy_bits exceeds 128');
          if (t.size < bytesOff || t.size - bytesOff < Math.ceil(copyBits / 8)) return fail('Member exceeds struct_size');
          continue;
        }
        const sz = sizeOf(mt.id);
        if (sz === undefined) continue;
        if (m.bitOffset % 8) return fail('Member is not byte aligned');
        const bytesOff = m.bitOffset / 8;
        if (t.size < bytesOff || t.size - bytesOff < sz) return fail('Member exceeds struct_size');
      }
    } else if (t.kind === BTF_KIND_FUNC) {
      // btf_func_resolve: a function's type is its prototype
      if (btf.types[t.type]?.kind !== BTF_KIND_FUNC_PROTO) return { typeId: t.id, message: 'Invalid type_id' };
    } else if (t.kind === BTF_KIND_VAR) {
      // btf_var_resolve: a variable has a concrete, sized type (an extern's type is libbpf's to fix: typeless ksyms)
      if (t.linkage !== BTF_VAR_GLOBAL_EXTERN && (sourceOnly(btf.types[t.type]?.kind) || sizeOf(t.type) === undefined)) {
        return { typeId: t.id, message: 'Invalid type_id' };
      }
    } else if (t.kind === BTF_KIND_FUNC_PROTO) {
      // btf_func_proto_check: a sized return type (or void), sized arguments (void only as the last: varargs)
      if (t.returnType && (sourceOnly(btf.types[t.returnType]?.kind) || sizeOf(t.returnType) === undefined)) {
        return { typeId: t.id, message: 'Invalid return type' };
      }
      for (let i = 0; i < t.params.length; i++) {
        const a = t.params[i]!;
        const bad = a.type === 0 ? i !== t.params.length - 1 || a.name !== ''
          : sourceOnly(btf.types[a.type]?.kind) || sizeOf(a.type) === undefined || (a.name !== '' && !/^[A-Za-z_.][A-Za-z0-9_.]*$/.test(a.name));
        if (bad) return { typeId: t.id, message: `Invalid arg#${i + 1}` };
      }
    } else if (t.kind === BTF_KIND_DATASEC) {
      for (const v of t.vars) {
        const sz = sizeOf(v.type);
        if (sz !== undefined && v.size && v.size < sz) return { typeId: t.id, message: 'Invalid size' };
      }
    }
  }
  return undefined;
}

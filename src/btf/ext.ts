// .BTF.ext: func_info, line_info (and CO-RE relocation records) per ELF section.
// Instruction offsets here are in bytes from the start of the ELF section, as
// clang writes them; src/object rebases them to final instruction indexes.

import { Btf, BtfError, Cursor } from './btf.js';
import { BTF_MAGIC, BTF_VERSION } from './types.js';

export interface BtfExtFuncInfo {
  /** byte offset of the function's first instruction in its ELF section */
  insnOff: number;
  /** BTF id of the BTF_KIND_FUNC */
  typeId: number;
}

export interface BtfExtLineInfo {
  insnOff: number;
  fileName: string;
  /** the source line text (clang stores it), may be empty */
  line: string;
  lineNum: number;
  lineCol: number;
}

export interface BtfExtCoreRelo {
  insnOff: number;
  typeId: number;
  accessStr: string;
  /** enum bpf_core_relo_kind */
  kind: number;
}

export interface BtfExt {
  funcInfo: Map<string, BtfExtFuncInfo[]>;
  lineInfo: Map<string, BtfExtLineInfo[]>;
  coreRelos: Map<string, BtfExtCoreRelo[]>;
}

const SECTION = '.BTF.ext';

/** Parses .BTF.ext; names (section, file, line) come from the .BTF string table. */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const c = new Cursor(bytes, SECTION);
  if (bytes.length < 24) throw new BtfError(`${bytes.length} bytes is shorter than the header`, SECTION, 0);
  const magic = c.u16(0);
  if (magic !== BTF_MAGIC) throw new BtfError(`bad magic 0x${magic.toString(16)}`, SECTION, 0);
  if (c.u8(2) !== BTF_VERSION) throw new BtfError(`unsupported version ${c.u8(2)}`, SECTION, 2);
  const hdrLen = c.u32(4);
  if (hdrLen < 24 || hdrLen > bytes.length) throw new BtfError(`bad hdr_len ${hdrLen}`, SECTION, 4);
  const body = bytes.subarray(hdrLen);
  const ext: BtfExt = { funcInfo: new Map(), lineInfo: new Map(), coreRelos: new Map() };
  const str = (off: number, at: number): string => {
    try {
      return btf.str(off, at);
    } catch {
      throw new BtfError(`string offset ${off} is outside the .BTF string section`, SECTION, at);
    }
  };

  const sub = (off: number, len: number, what: string, minRec: number,
    rec: (r: Cursor, p: number, at: number) => void, secStart: (name: string) => void): void => {
    if (len === 0) return;
    if (off + len > body.length) throw new BtfError(`${what} [${off}, +${len}) outside the data`, SECTION, hdrLen + off);
    const base = hdrLen + off;
    const r = new Cursor(body.subarray(off, off + len), SECTION, base);
    const recSize = r.u32(0, `${what} rec_size`);
    if (recSize < minRec || recSize % 4) throw new BtfError(`${what} rec_size ${recSize} is invalid (need >= ${minRec})`, SECTION, base);
    let p = 4;
    while (p < len) {
      const name = str(r.u32(p, `${what} sec_name_off`), base + p);
      const n = r.u32(p + 4, `${what} num_info`);
      p += 8;
      if (n === 0) throw new BtfError(`${what} for section ${name} has no records`, SECTION, base + p - 4);
      if (p + n * recSize > len) throw new BtfError(`${what} for section ${name}: ${n} records run past the end`, SECTION, base + p);
      secStart(name);
      for (let i = 0; i < n; i++, p += recSize) rec(r, p, base + p);
    }
  };

  let cur = '';
  sub(c.u32(8), c.u32(12), 'func_info', 8, (r, p, at) => {
    const f = { insnOff: r.u32(p), typeId: r.u32(p + 4) };
    if (f.insnOff % 8) throw new BtfError(`func_info of ${cur}: insn_off ${f.insnOff} is not a multiple of 8`, SECTION, at);
    if (f.typeId >= btf.length) throw new BtfError(`func_info of ${cur}: type id ${f.typeId} out of range`, SECTION, at + 4, f.typeId);
    ext.funcInfo.get(cur)!.push(f);
  }, (name) => { cur = name; if (!ext.funcInfo.has(name)) ext.funcInfo.set(name, []); });
  sub(c.u32(16), c.u32(20), 'line_info', 16, (r, p, at) => {
    const lineCol = r.u32(p + 12);
    const insnOff = r.u32(p);
    if (insnOff % 8) throw new BtfError(`line_info of ${cur}: insn_off ${insnOff} is not a multiple of 8`, SECTION, at);
    ext.lineInfo.get(cur)!.push({
      insnOff,
      fileName: str(r.u32(p + 4), at + 4),
      line: str(r.u32(p + 8), at + 8),
      lineNum: lineCol >>> 10,
      lineCol: lineCol & 0x3ff,
    });
  }, (name) => { cur = name; if (!ext.lineInfo.has(name)) ext.lineInfo.set(name, []); });
  if (hdrLen >= 32) {
    sub(c.u32(24), c.u32(28), 'core_relo', 16, (r, p, at) => {
      ext.coreRelos.get(cur)!.push({ insnOff: r.u32(p), typeId: r.u32(p + 4), accessStr: str(r.u32(p + 8), at + 8), kind: r.u32(p + 12) });
    }, (name) => { cur = name; if (!ext.coreRelos.has(name)) ext.coreRelos.set(name, []); });
  }
  return ext;
}

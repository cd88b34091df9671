// A plain, bounds-checked reader for ELF64 little-endian relocatable BPF objects.
// Every read goes through one checked cursor, so a truncated or corrupted file
// yields an ElfError naming the section and offset, never a RangeError.

import {
  ELF64_EHDR_SIZE, ELF64_REL_SIZE, ELF64_RELA_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE,
  ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_BPF, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS, SHT_REL,
  SHT_RELA, SHT_STRTAB, SHT_SYMTAB, STT_SECTION,
} from './constants.js';

/** Malformed or unsupported ELF input. */
export class ElfError extends Error {
  constructor(
    message: string,
    /** the section the problem is in, when known */
    readonly section?: string,
    /** byte offset (file offset, or offset inside `section`) */
    readonly offset?: number,
  ) {
    const where = [
      section !== undefined ? `section ${section}` : '',
      offset !== undefined ? `offset ${offset}` : '',
    ].filter(Boolean).join(', ');
    super(where ? `elf: ${where}: ${message}` : `elf: ${message}`);
    this.name = 'ElfError';
  }
}

export interface ElfHeader {
  type: number;
  machine: number;
  version: number;
  entry: number;
  shoff: number;
  flags: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  /** file offset of the contents */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** the contents (a view into the file); empty for SHT_NOBITS */
  data: Uint8Array;
}

export interface ElfSymbol {
  /** index in .symtab (relocations refer to symbols by it) */
  index: number;
  name: string;
  value: number;
  size: number;
  /** section index (st_shndx), or SHN_ABS/SHN_COMMON/SHN_UNDEF */
  shndx: number;
  bind: number;
  type: number;
  visibility: number;
}

export interface ElfRel {
  /** r_offset: byte offset inside the target section */
  offset: number;
  /** symbol index into .symtab */
  symbol: number;
  type: number;
  /** only for SHT_RELA; BPF objects use SHT_REL (addend is in the target bytes) */
  addend?: number;
}

/** A relocation section and the section it applies to. */
export interface ElfRelSection {
  section: ElfSection;
  target: ElfSection;
  rels: ElfRel[];
}

function toNumber(v: bigint, what: string, section?: string, offset?: number): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} ${v} is too large`, section, offset);
  return Number(v);
}

export class ElfFile {
  readonly header: ElfHeader;
  readonly sections: ElfSection[];
  /** all symbols of .symtab, by index (index 0 is the null symbol) */
  readonly symbols: ElfSymbol[];
  /** relocation sections with their targets */
  readonly relSections: ElfRelSection[];
  private readonly byName = new Map<string, ElfSection>();

  constructor(readonly bytes: Uint8Array) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < ELF64_EHDR_SIZE) {
      throw new ElfError(`file is ${bytes.length} bytes, shorter than the ELF64 header`, undefined, 0);
    }
    for (let i = 0; i < 4; i++) {
      if (bytes[i] !== ELFMAG[i]) throw new ElfError('bad magic (not an ELF file)', undefined, 0);
    }
    if (bytes[4] !== ELFCLASS64) throw new ElfError(`EI_CLASS ${bytes[4]} is not ELFCLASS64`, undefined, 4);
    if (bytes[5] !== ELFDATA2LSB) {
      throw new ElfError(`EI_DATA ${bytes[5]} is not little-endian (big-endian BPF objects are not supported)`, undefined, 5);
    }
    const header: ElfHeader = {
      type: dv.getUint16(16, true),
      machine: dv.getUint16(18, true),
      version: dv.getUint32(20, true),
      entry: toNumber(dv.getBigUint64(24, true), 'e_entry'),
      shoff: toNumber(dv.getBigUint64(40, true), 'e_shoff', undefined, 40),
      flags: dv.getUint32(48, true),
      shentsize: dv.getUint16(58, true),
      shnum: dv.getUint16(60, true),
      shstrndx: dv.getUint16(62, true),
    };
    this.header = header;
    if (header.machine !== EM_BPF) {
      throw new ElfError(`e_machine ${header.machine} is not EM_BPF (${EM_BPF})`, undefined, 18);
    }
    if (header.shentsize !== ELF64_SHDR_SIZE) {
      throw new ElfError(`e_shentsize ${header.shentsize}, expected ${ELF64_SHDR_SIZE}`, undefined, 58);
    }
    // Extended numbering: the real counts live in section header 0.
    let shnum = header.shnum;
    let shstrndx = header.shstrndx;
    if (header.shoff !== 0 && (shnum === 0 || shstrndx === SHN_XINDEX)) {
      this.checkRange(header.shoff, ELF64_SHDR_SIZE, 'section header 0');
      if (shnum === 0) shnum = toNumber(dv.getBigUint64(header.shoff + 32, true), 'sh_size of header 0');
      if (shstrndx === SHN_XINDEX) shstrndx = dv.getUint32(header.shoff + 40, true);
    }
    if (header.shoff === 0 || shnum === 0) throw new ElfError('no section headers', undefined, 40);
    this.checkRange(header.shoff, shnum * ELF64_SHDR_SIZE, 'section header table');

    const sections: ElfSection[] = [];
    const nameOffs: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const p = header.shoff + i * ELF64_SHDR_SIZE;
      const where = `#${i}`;
      nameOffs.push(dv.getUint32(p, true));
      sections.push({
        index: i,
        name: '',
        type: dv.getUint32(p + 4, true),
        flags: toNumber(dv.getBigUint64(p + 8, true), 'sh_flags', where, p + 8),
        addr: toNumber(dv.getBigUint64(p + 16, true), 'sh_addr', where, p + 16),
        offset: toNumber(dv.getBigUint64(p + 24, true), 'sh_offset', where, p + 24),
        size: toNumber(dv.getBigUint64(p + 32, true), 'sh_size', where, p + 32),
        link: dv.getUint32(p + 40, true),
        info: dv.getUint32(p + 44, true),
        addralign: toNumber(dv.getBigUint64(p + 48, true), 'sh_addralign', where, p + 48),
        entsize: toNumber(dv.getBigUint64(p + 56, true), 'sh_entsize', where, p + 56),
        data: new Uint8Array(0),
      });
    }
    if (shstrndx >= shnum) throw new ElfError(`e_shstrndx ${shstrndx} out of range (${shnum} sections)`, undefined, 62);
    // The section name table first, so every later message can name its section.
    const shstrtab = sections[shstrndx]!;
    if (shstrtab.type !== SHT_STRTAB) {
      throw new ElfError(`e_shstrndx ${shstrndx} is a section of type ${shstrtab.type}, not SHT_STRTAB`, `#${shstrndx}`, 62);
    }
    this.loadContents(shstrtab, `#${shstrndx} (section names)`);
    for (const s of sections) {
      s.name = readCString(shstrtab, nameOffs[s.index]!, `name of section #${s.index}`);
      if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    }
    for (const s of sections) if (s !== shstrtab) this.loadContents(s, s.name || `#${s.index}`);
    this.sections = sections;
    this.symbols = this.readSymbols();
    this.relSections = this.readRelSections();
  }

  /** Points s.data at the section's bytes (none for SHT_NOBITS and section 0). */
  private loadContents(s: ElfSection, name: string): void {
    if (s.type === SHT_NOBITS || s.index === 0) return;
    if (s.offset + s.size > this.bytes.length) {
      throw new ElfError(`contents [${s.offset}, ${s.offset + s.size}) run past the end of the file (${this.bytes.length} bytes)`, name, s.offset);
    }
    s.data = this.bytes.subarray(s.offset, s.offset + s.size);
  }

  private checkRange(off: number, len: number, what: string): void {
    if (off < 0 || len < 0 || off + len > this.bytes.length) {
      throw new ElfError(`${what} [${off}, ${off + len}) is outside the file (${this.bytes.length} bytes)`, undefined, off);
    }
  }

  /** The first section with this name. */
  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** The section at index i, or an ElfError. */
  sectionAt(i: number, context = 'section index'): ElfSection {
    const s = this.sections[i];
    if (!s) throw new ElfError(`${context} ${i} out of range (${this.sections.length} sections)`);
    return s;
  }

  /** The symbol at index i, or an ElfError. */
  symbolAt(i: number, context = 'symbol index'): ElfSymbol {
    const s = this.symbols[i];
    if (!s) throw new ElfError(`${context} ${i} out of range (${this.symbols.length} symbols)`, '.symtab');
    return s;
  }

  /** A symbol's name; section symbols (STT_SECTION) are named after their section. */
  symbolName(sym: ElfSymbol): string {
    if (sym.type === STT_SECTION && !sym.name) return this.sections[sym.shndx]?.name ?? `section #${sym.shndx}`;
    return sym.name;
  }

  /** The relocations that apply to a section (empty if none). */
  relocationsFor(target: ElfSection): ElfRel[] {
    return this.relSections.filter((r) => r.target.index === target.index).flatMap((r) => r.rels);
  }

  private readSymbols(): ElfSymbol[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return [];
    if (symtab.entsize !== ELF64_SYM_SIZE) {
      throw new ElfError(`sh_entsize ${symtab.entsize}, expected ${ELF64_SYM_SIZE}`, symtab.name);
    }
    if (symtab.size % ELF64_SYM_SIZE !== 0) {
      throw new ElfError(`size ${symtab.size} is not a multiple of ${ELF64_SYM_SIZE}`, symtab.name);
    }
    const strtab = this.sectionAt(symtab.link, `${symtab.name} sh_link`);
    if (strtab.type !== SHT_STRTAB) {
      throw new ElfError(`sh_link ${symtab.link} is section '${strtab.name}' of type ${strtab.type}, not a string table`, symtab.name);
    }
    const d = symtab.data;
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const out: ElfSymbol[] = [];
    for (let i = 0, p = 0; p < d.length; i++, p += ELF64_SYM_SIZE) {
      const info = d[p + 4]!;
      const shndx = dv.getUint16(p + 6, true);
      if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= this.sections.length) {
        throw new ElfError(`symbol ${i}: st_shndx ${shndx} out of range (${this.sections.length} sections)`, symtab.name, p + 6);
      }
      out.push({
        index: i,
        name: readCString(strtab, dv.getUint32(p, true), `name of symbol ${i}`),
        bind: info >> 4,
        type: info & 0xf,
        visibility: d[p + 5]! & 0x3,
        shndx,
        value: toNumber(dv.getBigUint64(p + 8, true), 'st_value', symtab.name, p + 8),
        size: toNumber(dv.getBigUint64(p + 16, true), 'st_size', symtab.name, p + 16),
      });
    }
    return out;
  }

  private readRelSections(): ElfRelSection[] {
    const out: ElfRelSection[] = [];
    for (const s of this.sections) {
      if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
      const rela = s.type === SHT_RELA;
      const entsize = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
      if (s.size % entsize !== 0) throw new ElfError(`size ${s.size} is not a multiple of ${entsize}`, s.name);
      const target = this.sectionAt(s.info, `${s.name} sh_info`);
      const d = s.data;
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const rels: ElfRel[] = [];
      for (let p = 0; p < d.length; p += entsize) {
        const info = dv.getBigUint64(p + 8, true);
        const rel: ElfRel = {
          offset: toNumber(dv.getBigUint64(p, true), 'r_offset', s.name, p),
          symbol: Number(info >> 32n),
          type: Number(info & 0xffffffffn),
        };
        if (rela) rel.addend = Number(dv.getBigInt64(p + 16, true));
        if (rel.symbol >= this.symbols.length) {
          throw new ElfError(`relocation symbol ${rel.symbol} out of range (${this.symbols.length} symbols)`, s.name, p);
        }
        rels.push(rel);
      }
      out.push({ section: s, target, rels });
    }
    return out;
  }

  /** Whether a symbol's st_shndx names a real section. */
  static isSectionIndex(shndx: number): boolean {
    return shndx !== 0 && shndx < SHN_LORESERVE;
  }
}

/** Reads a NUL-terminated string at `off` inside a string table section. */
export function readCString(strtab: ElfSection, off: number, what = 'string'): string {
  const d = strtab.data;
  if (off >= d.length) {
    if (off === 0 && d.length === 0) return '';
    throw new ElfError(`${what}: string offset ${off} outside the table (${d.length} bytes)`, strtab.name, off);
  }
  let end = off;
  while (end < d.length && d[end] !== 0) end++;
  if (end === d.length) throw new ElfError(`${what}: unterminated string`, strtab.name, off);
  return new TextDecoder().decode(d.subarray(off, end));
}

/** Parses an ELF64 little-endian EM_BPF object. */
export function parseElf(bytes: Uint8Array): ElfFile {
  return new ElfFile(bytes);
}

// parseObject(): ELF + BTF -> ObjectSpec, following libbpf's bpf_object__open()
// and the code relocation part of bpf_object__load(): one program per function
// in a SEC() section, .text functions as subprograms appended to each program
// that calls them (transitively, depth first, each program its own copy), and
// every ld_imm64/call relocation resolved to a map, a global-data offset or an
// instruction. No side effects: map fds and pointers are left to the runtime.

import { Btf, BtfError, parseBtf } from '../btf/btf.js';
import { type BtfExt, parseBtfExt } from '../btf/ext.js';
import { BTF_KIND_DATASEC, BTF_KIND_UNKN, BTF_KIND_VAR } from '../btf/types.js';
import {
  R_BPF_64_32, R_BPF_64_64, R_BPF_64_ABS64, R_BPF_NAMES, SHF_EXECINSTR, SHN_UNDEF, SHT_NOBITS,
  SHT_PROGBITS, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_OBJECT, STT_SECTION,
} from '../elf/constants.js';
import { ElfFile, type ElfSection, type ElfSymbol } from '../elf/elf.js';
import { INSN_SIZE, type Insn, LD_IMM64, decode } from '../isa/insn.js';
import {
  BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE,
} from '../isa/opcodes.js';
import { ObjectError } from './errors.js';
import { BPF_MAP_TYPE_PROG_ARRAY } from './map_types.js';
import {
  type GlobalVariable, MAPS_SEC, type MapSpec, globalDataKind, globalDataMap, parseBtfMaps,
  valuesMemberOffset,
} from './maps.js';
import { findSectionDef } from './section_defs.js';
import { KCONFIG_SEC, KSYMS_SEC, type KconfigExtern, collectKconfigExterns, kconfigMapSpec } from './kconfig.js';

const CALL = BPF_JMP | BPF_CALL;

export type RelocationKind = 'map_fd' | 'map_value' | 'subprog_call' | 'func' | 'kfunc' | 'ksym';

/** What one instruction of a final program refers to. */
export interface ProgramRelocation {
  /** index of the instruction (slot) in ProgramSpec.insns */
  insnIndex: number;
  kind: RelocationKind;
  /** map_fd / map_value: the map's name and its index in ObjectSpec.maps */
  mapName?: string;
  mapIndex?: number;
  /** map_value: byte offset inside the map value */
  offset?: number;
  /** subprog_call / func: index of the target instruction in ProgramSpec.insns */
  targetInsn?: number;
  /** the ELF symbol the relocation named (for messages); kfunc: the kernel function's name */
  symbol?: string;
  /** kfunc / ksym: the extern is declared __weak (unresolved: no load failure) */
  weak?: boolean;
  /** ksym: a typed variable (resolved in the kernel's BTF), not a typeless address */
  typed?: boolean;
}

/** A CO-RE relocation record of .BTF.ext, tied to the function it patches. */
export interface CoreReloRecord {
  /** ELF section of the instruction */
  section: string;
  /** index of the record in its section's list (libbpf's "relo #N") */
  index: number;
  /** BTF id of the local root type */
  typeId: number;
  accessStr: string;
  /** enum bpf_core_relo_kind */
  kind: number;
  /** the program or subprogram (function name) the instruction belongs to */
  func: string;
  /** instruction index inside that function (libbpf's "insn #N") */
  funcInsnIndex: number;
  /**
   * the instruction (two slots for ld_imm64) as in the ELF section: libbpf
   * patches a .text function's relocations even when no program calls it
   */
  siteInsns: Insn[];
}

/** Where a CO-RE relocated instruction landed in a final program. */
export interface ProgramCoreSite {
  insnIndex: number;
  /** index into ObjectSpec.coreRelos */
  relo: number;
}

export interface FuncInfo {
  insnIndex: number;
  typeId: number;
}

export interface LineInfo {
  insnIndex: number;
  fileName: string;
  line: string;
  lineNum: number;
  lineCol: number;
}

/** Where a function landed in a final program. */
export interface FunctionLayout {
  name: string;
  /** first instruction in ProgramSpec.insns */
  insnIndex: number;
  insnCount: number;
  /** ELF section the function came from */
  section: string;
}

export interface ProgramSpec {
  /** the function name */
  name: string;
  /** the SEC() name */
  section: string;
  /** enum bpf_prog_type (0 for an unknown SEC() name; the runtime rejects it) */
  type: number;
  /** enum bpf_attach_type libbpf passes as expected_attach_type */
  expectedAttachType: number;
  /** the part of the section name after the first '/', e.g. "sys_enter" of raw_tp/sys_enter */
  attachTo: string;
  sleepable: boolean;
  /** SEC_XDP_FRAGS (xdp.frags...) */
  xdpFrags: boolean;
  /** SEC_ATTACH_BTF (fentry/, lsm/, iter/, ...): the target after the '/' is resolved in kernel BTF */
  attachBtf: boolean;
  /** libbpf's autoload: false for SEC("?name") (the '?' is dropped from `section`) */
  autoload: boolean;
  /** final instructions: the program, then the subprograms it calls; relocations applied */
  insns: Insn[];
  relocations: ProgramRelocation[];
  /** the program (index 0) and each appended subprogram */
  functions: FunctionLayout[];
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  /** the global function's linkage: BTF FUNC of the program, when BTF is present */
  btfFuncId?: number;
  /** CO-RE relocated instructions (of the program and its subprograms), applied at load */
  coreSites: ProgramCoreSite[];
}

export interface ObjectSpec {
  /** object name, as libbpf derives it (file name up to the first '.') */
  name: string;
  license: string;
  /** the `version` section, if any */
  kernelVersion?: number;
  programs: ProgramSpec[];
  /** BTF-defined maps first, then global data maps in section order */
  maps: MapSpec[];
  btf?: Btf;
  btfExt?: BtfExt;
  /** .kconfig externs, laid out in the `<obj>.kconfig` map (values are set at load) */
  kconfig: KconfigExtern[];
  /** CO-RE relocation records in libbpf's order (section by section), resolved at load against the target BTF */
  coreRelos: CoreReloRecord[];
}

export interface ParseObjectOptions {
  /** object name (libbpf uses the file name up to the first '.'); default "obj" */
  name?: string;
}

/** A function (program or subprogram) as found in its ELF section. */
interface RawFunction {
  name: string;
  sym: ElfSymbol;
  section: ElfSection;
  /** first instruction index inside the section */
  secInsnOff: number;
  insnCount: number;
  insns: Insn[];
  /** relocations by instruction index relative to the function */
  relos: Map<number, RawRelo>;
}

type RawRelo =
  | { type: 'call'; symOff: number; symbol: string }
  | { type: 'subprog_addr'; symOff: number; symbol: string }
  | { type: 'map'; mapIndex: number; symbol: string }
  | { type: 'data'; mapIndex: number; symOff: number; symbol: string; extern?: boolean }
  | { type: 'kfunc'; symbol: string; weak: boolean }
  | { type: 'ksym'; symbol: string; weak: boolean; typed: boolean };

/** Where extern symbols resolve (libbpf's RELO_EXTERN_LD64). */
interface ExternRelos {
  kconfig: KconfigExtern[];
  /** index of the .kconfig map in ObjectSpec.maps, -1 without one */
  kconfigMap: number;
}

/** Derives libbpf's object name from a path: "dir/timer.bpf.o" -> "timer". */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base || 'obj';
}

export function parseObject(bytes: Uint8Array, opts: ParseObjectOptions = {}): ObjectSpec {
  const elf = new ElfFile(bytes);
  const objName = opts.name ?? 'obj';

  if (elf.section('maps')) {
    throw new ObjectError('legacy map definitions are not supported; define maps with BTF in SEC(".maps")', 'maps');
  }

  let btf: Btf | undefined;
  const btfSec = elf.section('.BTF');
  if (btfSec) {
    btf = parseBtf(btfSec.data);
    fixupDatasecs(elf, btf);
  }
  let btfExt: BtfExt | undefined;
  const extSec = elf.section('.BTF.ext');
  if (extSec && btf) btfExt = parseBtfExt(extSec.data, btf);


  const license = readLicense(elf);
  const kernelVersion = readVersion(elf);

  // Maps: BTF-defined maps, then global data sections in ELF order.
  const maps: MapSpec[] = [];
  const mapsSec = elf.section(MAPS_SEC);
  if (mapsSec) {
    if (!btf) throw new ObjectError('BTF-defined maps need a .BTF section', MAPS_SEC);
    maps.push(...parseBtfMaps(btf, mapsSec.index, mapsSec.size));
  }
  const dataMapBySection = new Map<number, number>();
  for (const s of elf.sections) {
    if (s.type !== SHT_PROGBITS && s.type !== SHT_NOBITS) continue;
    const kind = globalDataKind(s.name, s.type === SHT_NOBITS);
    if (!kind || s.size === 0) continue;
    // the section is the map's value: BPF_MAP_CREATE refuses values over
    // INT_MAX (-E2BIG), and a NOBITS size is not bounded by the file
    if (s.size > 0x7fffffff) throw new ObjectError(`size ${s.size} is too large for a global data map (more than INT_MAX bytes)`, s.name);
    const initial = kind === 'bss' ? new Uint8Array(s.size) : new Uint8Array(s.data);
    const symVars: GlobalVariable[] = elf.symbols
      .filter((y) => y.shndx === s.index && y.type === STT_OBJECT)
      .map((y) => ({ name: y.name, offset: y.value, size: y.size, typeId: 0, linkage: y.bind === STB_LOCAL ? 0 : 1 }));
    dataMapBySection.set(s.index, maps.length);
    maps.push(globalDataMap(btf, objName, s.name, s.index, kind, initial, symVars));
  }
  if (mapsSec && btf) collectMapSlots(elf, btf, mapsSec, maps);
  // .kconfig externs: one more internal map after the data sections (libbpf's init_kconfig_map)
  const kconfig = collectKconfigExterns(elf, btf);
  const externs: ExternRelos = { kconfig, kconfigMap: -1 };
  if (kconfig.length && btf) {
    externs.kconfigMap = maps.length;
    maps.push(kconfigMapSpec(btf, objName, kconfig));
  }

  // Functions of every executable section.
  const text = elf.section('.text');
  const textIndex = text && (text.flags & SHF_EXECINSTR) ? text.index : -1;
  const functions: RawFunction[] = [];
  for (const s of elf.sections) {
    if (s.type !== SHT_PROGBITS || !(s.flags & SHF_EXECINSTR) || s.size === 0) continue;
    if (s.size % INSN_SIZE) throw new ObjectError(`size ${s.size} is not a multiple of ${INSN_SIZE}`, s.name);
    const insns = decode(s.data);
    const syms = elf.symbols.filter((y) => y.shndx === s.index && y.type === STT_FUNC).sort((a, b) => a.value - b.value);
    const fns: RawFunction[] = [];
    for (const sym of syms) {
      if (sym.value % INSN_SIZE || sym.size % INSN_SIZE || sym.size === 0 || sym.value + sym.size > s.size) {
        throw new ObjectError(`function '${sym.name}' [${sym.value}, +${sym.size}) is not a whole number of instructions inside the section`, s.name, sym.value);
      }
      if (s.index !== textIndex && sym.bind === STB_LOCAL) {
        throw new ObjectError(`program '${sym.name}' is static; programs in SEC() sections must be global (libbpf rejects them too)`, s.name, sym.value);
      }
      const secInsnOff = sym.value / INSN_SIZE;
      const insnCount = sym.size / INSN_SIZE;
      fns.push({ name: sym.name, sym, section: s, secInsnOff, insnCount, insns: insns.slice(secInsnOff, secInsnOff + insnCount), relos: new Map() });
    }
    for (const rel of elf.relocationsFor(s)) {
      const where = `relocation at ${rel.offset} (${R_BPF_NAMES[rel.type] ?? `type ${rel.type}`})`;
      if (rel.offset % INSN_SIZE || rel.offset >= s.size) throw new ObjectError(`${where} is not at an instruction inside the section`, s.name, rel.offset);
      const idx = rel.offset / INSN_SIZE;
      const fn = fns.find((f) => idx >= f.secInsnOff && idx < f.secInsnOff + f.insnCount);
      if (!fn) throw new ObjectError(`${where} is outside any function`, s.name, rel.offset);
      const sym = elf.symbolAt(rel.symbol, `${s.name} ${where} symbol`);
      const relo = classifyRelo(elf, s, rel.offset, rel.type, insns, idx, sym, textIndex, maps, dataMapBySection, externs, btf);
      if (relo.type !== 'call' && idx + 1 >= fn.secInsnOff + fn.insnCount) {
        throw new ObjectError(`${where}: the ld_imm64 at instruction ${idx} is cut by the end of function '${fn.name}'`, s.name, rel.offset);
      }
      fn.relos.set(idx - fn.secInsnOff, relo);
    }
    functions.push(...fns);
  }

  const coreRelos = collectCoreRelos(elf, functions, btfExt);
  const subprogs = functions.filter((f) => f.section.index === textIndex);
  const programs: ProgramSpec[] = [];
  for (const fn of functions) {
    if (fn.section.index === textIndex) continue;
    programs.push(linkProgram(fn, subprogs, maps, btfExt, coreRelos));
  }
  for (const m of maps) {
    for (const slot of m.initialSlots) {
      if (slot.kind === 'prog' && !programs.some((p) => p.name === slot.name)) {
        throw new ObjectError(`map '${m.name}': slot ${slot.index} refers to '${slot.name}', which is not a program`, MAPS_SEC);
      }
    }
  }
  return { name: objName, license, kernelVersion, programs, maps, btf, btfExt, kconfig, coreRelos };
}

/**
 * The CO-RE records of .BTF.ext, each tied to its function as libbpf's
 * bpf_object__relocate_core finds it (find_prog_by_sec_insn). A record
 * outside every function belonged to an eliminated __weak subprogram: libbpf
 * skips it, and so do we.
 */
function collectCoreRelos(elf: ElfFile, functions: RawFunction[], ext?: BtfExt): CoreReloRecord[] {
  const out: CoreReloRecord[] = [];
  for (const [secName, recs] of ext?.coreRelos ?? []) {
    const sec = elf.section(secName);
    if (!sec) throw new ObjectError(`CO-RE relocations for section '${secName}', which the ELF file does not have`, '.BTF.ext');
    recs.forEach((r, index) => {
      if (r.insnOff % INSN_SIZE) throw new ObjectError(`CO-RE relocation #${index} of '${secName}': insn_off ${r.insnOff} is not a multiple of ${INSN_SIZE}`, '.BTF.ext');
      const idx = r.insnOff / INSN_SIZE;
      const fn = functions.find((f) => f.section.index === sec.index && idx >= f.secInsnOff && idx < f.secInsnOff + f.insnCount);
      if (!fn) return;
      const at = idx - fn.secInsnOff;
      out.push({
        section: secName, index, typeId: r.typeId, accessStr: r.accessStr, kind: r.kind, func: fn.name, funcInsnIndex: at,
        siteInsns: fn.insns.slice(at, at + 2).map((x) => ({ ...x })),
      });
    });
  }
  return out;
}

/**
 * libbpf's btf_fixup_datasec(): clang leaves DATASEC sizes and variable offsets
 * at 0 for the linker; take them from the ELF section and the variables' symbols.
 */
function fixupDatasecs(elf: ElfFile, btf: Btf): void {
  for (const t of btf.types) {
    if (t.kind !== BTF_KIND_DATASEC) continue;
    const sec = elf.section(t.name);
    // extern sections have no ELF section: libbpf lays them out itself (kconfig.ts)
    if (!sec && (t.name === KCONFIG_SEC || t.name === KSYMS_SEC)) continue;
    if (!sec) {
      if (t.size === 0 && t.vars.length) throw new ObjectError(`BTF DATASEC '${t.name}' has no ELF section`, t.name);
      continue;
    }
    if (t.size === 0) t.size = sec.size;
    for (const v of t.vars) {
      const vt = btf.type(v.type);
      const sym = elf.symbols.find((y) => y.shndx === sec.index && y.name === vt.name && y.type === STT_OBJECT);
      if (!sym) {
        if (t.name === KCONFIG_SEC || t.name === KSYMS_SEC) continue;
        throw new ObjectError(`no symbol for variable '${vt.name}' of BTF DATASEC '${t.name}'`, t.name);
      }
      v.offset = sym.value;
    }
    t.vars.sort((a, b) => a.offset - b.offset);
  }
}

function readLicense(elf: ElfFile): string {
  const s = elf.section('license');
  if (!s) return '';
  const nul = s.data.indexOf(0);
  return new TextDecoder().decode(s.data.subarray(0, nul < 0 ? s.data.length : nul));
}

function readVersion(elf: ElfFile): number | undefined {
  const s = elf.section('version');
  if (!s) return undefined;
  if (s.size !== 4) throw new ObjectError(`size ${s.size}, expected 4`, 'version');
  return new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, true);
}

/** A .ksyms VAR named `name`: typed (its type is not void), or undefined when there is none. */
function ksymVarTyped(btf: Btf | undefined, name: string): boolean | undefined {
  const ds = btf?.typeByName('.ksyms', BTF_KIND_DATASEC) as { vars: { type: number }[] } | undefined;
  if (!btf || !ds) return undefined;
  for (const v of ds.vars) {
    const t = btf.type(v.type);
    if (t.kind === BTF_KIND_VAR && t.name === name) return btf.resolve(t.type).kind !== BTF_KIND_UNKN;
  }
  return undefined;
}

/** An extern symbol (sym_is_extern: undefined, global or weak, named). */
function isKsymFunc(elf: ElfFile, sym: ElfSymbol): boolean {
  return (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && elf.symbolName(sym) !== '';
}

/** libbpf's bpf_program__record_reloc(). */
function classifyRelo(
  elf: ElfFile, sec: ElfSection, off: number, relType: number, insns: Insn[], idx: number, sym: ElfSymbol,
  textIndex: number, maps: MapSpec[], dataMapBySection: Map<number, number>, externs: ExternRelos, btf?: Btf,
): RawRelo {
  const insn = insns[idx]!;
  const symName = elf.symbolName(sym);
  const fail = (msg: string): never => { throw new ObjectError(`relocation against '${symName}': ${msg}`, sec.name, off); };
  if (sym.shndx === SHN_UNDEF) {
    const kc = externs.kconfig.find((e) => e.name === symName);
    if (kc) {
      if (insn.code !== LD_IMM64 || idx + 1 >= insns.length) fail(`instruction ${idx} (code 0x${insn.code.toString(16)}) refers to extern (kcfg) '${symName}' but is not ld_imm64`);
      // libbpf: the value's address is the map value at data_off (the insn's own imm is not added)
      return { type: 'data', mapIndex: externs.kconfigMap, symOff: kc.dataOff, symbol: symName, extern: true };
    }
    // a call of an extern function: a kfunc (libbpf's RELO_EXTERN_CALL), resolved against the kernel's BTF at load
    if (insn.code === CALL && isKsymFunc(elf, sym)) return { type: 'kfunc', symbol: symName, weak: sym.bind === STB_WEAK };
    // the address of a .ksyms variable (libbpf's RELO_EXTERN_LD64 of an EXT_KSYM)
    const typed = ksymVarTyped(btf, symName);
    if (insn.code === LD_IMM64 && typed !== undefined && isKsymFunc(elf, sym)) {
      return { type: 'ksym', symbol: symName, weak: sym.bind === STB_WEAK, typed };
    }
    fail('extern symbols (other than .kconfig, .ksyms and kfuncs) are not supported');
  }
  if (!ElfFile.isSectionIndex(sym.shndx) || sym.shndx >= elf.sections.length) fail(`symbol section index ${sym.shndx} is not a section`);
  const target = elf.sections[sym.shndx]!;
  if (insn.code === CALL) {
    if (insn.src !== BPF_PSEUDO_CALL) fail(`call with src_reg ${insn.src} is not a BPF-to-BPF call`);
    if (relType !== R_BPF_64_32 && relType !== R_BPF_64_64) fail(`unexpected relocation type ${relType} for a call`);
    if (target.index !== textIndex) fail(`call into section '${target.name}'; subprograms must be in .text`);
    if (sym.value % INSN_SIZE) fail(`call target offset ${sym.value} is not instruction aligned`);
    return { type: 'call', symOff: sym.value, symbol: symName };
  }
  if (insn.code !== LD_IMM64) fail(`instruction ${idx} (code 0x${insn.code.toString(16)}) is neither ld_imm64 nor call`);
  if (idx + 1 >= insns.length) fail(`ld_imm64 at instruction ${idx} is truncated`);
  if (relType !== R_BPF_64_64) fail(`unexpected relocation type ${relType} for ld_imm64`);
  if (target.index === textIndex && (sym.type === STT_FUNC || sym.type === STT_SECTION)) {
    if (sym.value % INSN_SIZE || insn.imm % INSN_SIZE) fail('function address is not instruction aligned');
    return { type: 'subprog_addr', symOff: sym.value, symbol: symName };
  }
  if (target.name === MAPS_SEC) {
    const mi = maps.findIndex((m) => m.sectionIndex === target.index && m.sectionOffset === sym.value);
    if (mi < 0) fail(`no map defined at offset ${sym.value} of ${MAPS_SEC}`);
    return { type: 'map', mapIndex: mi, symbol: symName };
  }
  const dm = dataMapBySection.get(target.index);
  if (dm !== undefined) {
    const symOff = sym.value;
    if (symOff + insn.imm > maps[dm]!.valueSize || insn.imm < 0) fail(`offset ${symOff + insn.imm} outside '${target.name}'`);
    return { type: 'data', mapIndex: dm, symOff, symbol: symName };
  }
  return fail(`symbol is in section '${target.name}', which is neither a map, global data nor .text`);
}

/** Initial slots of map-in-map / prog array from R_BPF_64_ABS64 relocations in .maps. */
function collectMapSlots(elf: ElfFile, btf: Btf, mapsSec: ElfSection, maps: MapSpec[]): void {
  for (const rel of elf.relocationsFor(mapsSec)) {
    const sym = elf.symbolAt(rel.symbol, `${MAPS_SEC} relocation symbol`);
    if (rel.type !== R_BPF_64_ABS64) throw new ObjectError(`relocation type ${rel.type} against '${sym.name}', expected R_BPF_64_ABS64`, MAPS_SEC, rel.offset);
    const outer = maps.find((m) => m.section === MAPS_SEC && rel.offset >= m.sectionOffset && rel.offset < m.sectionOffset + defSize(btf, m));
    if (!outer) throw new ObjectError(`relocation against '${sym.name}' is not inside any map definition`, MAPS_SEC, rel.offset);
    const defVar = (btf.typeByName(MAPS_SEC, BTF_KIND_DATASEC) as { vars: { type: number; offset: number }[] }).vars
      .find((v) => v.offset === outer.sectionOffset)!;
    const defType = (btf.type(defVar.type) as { type: number }).type;
    const valuesOff = valuesMemberOffset(btf, defType);
    if (valuesOff === undefined) throw new ObjectError(`map '${outer.name}': relocation against '${sym.name}' but the definition has no 'values'`, MAPS_SEC, rel.offset);
    const rel0 = rel.offset - outer.sectionOffset - valuesOff;
    if (rel0 < 0 || rel0 % 8) throw new ObjectError(`map '${outer.name}': relocation at ${rel.offset} is not at a 'values' slot`, MAPS_SEC, rel.offset);
    const index = rel0 / 8;
    if (index >= outer.maxEntries) throw new ObjectError(`map '${outer.name}': slot ${index} is beyond max_entries ${outer.maxEntries}`, MAPS_SEC, rel.offset);
    if (outer.type === BPF_MAP_TYPE_PROG_ARRAY) {
      const fsec = elf.sections[sym.shndx];
      if (sym.type !== STT_FUNC || !fsec || !(fsec.flags & SHF_EXECINSTR)) throw new ObjectError(`map '${outer.name}': slot ${index} must refer to a program, got '${sym.name}'`, MAPS_SEC, rel.offset);
      outer.initialSlots.push({ index, name: sym.name, kind: 'prog' });
    } else {
      if (!outer.inner) throw new ObjectError(`map '${outer.name}' is not a map-in-map but has initial slots`, MAPS_SEC, rel.offset);
      const inner = maps.find((m) => m.section === MAPS_SEC && sym.shndx === mapsSec.index && m.sectionOffset === sym.value);
      if (!inner) throw new ObjectError(`map '${outer.name}': slot ${index} refers to '${sym.name}', which is not a map in ${MAPS_SEC}`, MAPS_SEC, rel.offset);
      outer.initialSlots.push({ index, name: inner.name, kind: 'map' });
    }
  }
  for (const m of maps) m.initialSlots.sort((a, b) => a.index - b.index);
}

function defSize(btf: Btf, m: MapSpec): number {
  const sec = btf.typeByName(MAPS_SEC, BTF_KIND_DATASEC) as { vars: { offset: number; size: number }[] } | undefined;
  return sec?.vars.find((v) => v.offset === m.sectionOffset)?.size ?? 0;
}

function isPseudoFunc(insn: Insn): boolean {
  return insn.code === LD_IMM64 && insn.src === BPF_PSEUDO_FUNC;
}

/** libbpf's bpf_object__reloc_code() for one main program, then data relocations. */
function linkProgram(main: RawFunction, subprogs: RawFunction[], maps: MapSpec[], ext: BtfExt | undefined, coreRelos: CoreReloRecord[]): ProgramSpec {
  const insns: Insn[] = [];
  const layout: { fn: RawFunction; off: number }[] = [];
  const offOf = new Map<RawFunction, number>();
  const relocations: ProgramRelocation[] = [];

  const append = (fn: RawFunction): number => {
    const off = insns.length;
    offOf.set(fn, off);
    layout.push({ fn, off });
    for (const i of fn.insns) insns.push({ ...i });
    // Mark function addresses before walking, as libbpf does.
    for (const [i, r] of fn.relos) if (r.type === 'subprog_addr') insns[off + i]!.src = BPF_PSEUDO_FUNC;
    return off;
  };

  const relocCode = (fn: RawFunction): void => {
    const base = offOf.get(fn)!;
    for (let i = 0; i < fn.insnCount; i++) {
      const insn = insns[base + i]!;
      const isCall = insn.code === CALL && insn.src === BPF_PSEUDO_CALL;
      if (!isCall && !isPseudoFunc(insn)) continue;
      const relo = fn.relos.get(i);
      if (relo?.type === 'kfunc') continue;
      let subIdx: number; // instruction index inside .text
      if (relo?.type === 'call') subIdx = relo.symOff / INSN_SIZE + insn.imm + 1;
      else if (relo?.type === 'subprog_addr') subIdx = (relo.symOff + insn.imm) / INSN_SIZE;
      else if (relo) throw new ObjectError(`instruction ${i} of '${fn.name}': unexpected relocation for a call`, fn.section.name, (fn.secInsnOff + i) * INSN_SIZE);
      else if (fn.section.name === '.text') subIdx = fn.secInsnOff + i + insn.imm + 1;
      else throw new ObjectError(`instruction ${i} of '${fn.name}': BPF-to-BPF call without a relocation outside .text`, fn.section.name, (fn.secInsnOff + i) * INSN_SIZE);
      const sub = subprogs.find((s) => s.secInsnOff === subIdx);
      if (!sub) {
        throw new ObjectError(`instruction ${i} of '${fn.name}': call target ${subIdx} in .text is not the start of a function`, fn.section.name, (fn.secInsnOff + i) * INSN_SIZE);
      }
      if (!offOf.has(sub)) {
        append(sub);
        relocCode(sub);
      }
      const at = base + i;
      const target = offOf.get(sub)!;
      insns[at]!.imm = target - at - 1;
      relocations.push({ insnIndex: at, kind: isCall ? 'subprog_call' : 'func', targetInsn: target, symbol: sub.name });
    }
  };

  append(main);
  relocCode(main);

  // Map and global data references, in the final layout.
  for (const { fn, off } of layout) {
    for (const [i, r] of fn.relos) {
      const at = off + i;
      const insn = insns[at]!;
      const next = insns[at + 1]!;
      if (r.type === 'map') {
        insn.src = BPF_PSEUDO_MAP_FD;
        insn.imm = r.mapIndex;
        next.imm = 0;
        relocations.push({ insnIndex: at, kind: 'map_fd', mapName: maps[r.mapIndex]!.name, mapIndex: r.mapIndex, symbol: r.symbol });
      } else if (r.type === 'data') {
        const offset = (r.extern ? 0 : insn.imm) + r.symOff;
        insn.src = BPF_PSEUDO_MAP_VALUE;
        insn.imm = r.mapIndex;
        next.imm = offset;
        relocations.push({ insnIndex: at, kind: 'map_value', mapName: maps[r.mapIndex]!.name, mapIndex: r.mapIndex, offset, symbol: r.symbol });
      } else if (r.type === 'kfunc') {
        // the kernel BTF id goes in at load (bpf_object__resolve_externs)
        insn.src = BPF_PSEUDO_KFUNC_CALL;
        insn.imm = 0;
        insn.off = 0;
        relocations.push({ insnIndex: at, kind: 'kfunc', symbol: r.symbol, weak: r.weak });
      } else if (r.type === 'ksym') {
        // the address goes in at load
        insn.imm = 0;
        next.imm = 0;
        relocations.push({ insnIndex: at, kind: 'ksym', symbol: r.symbol, weak: r.weak, typed: r.typed });
      }
    }
  }
  relocations.sort((a, b) => a.insnIndex - b.insnIndex);

  // func_info / line_info, rebased from section byte offsets to final indexes.
  const funcInfo: FuncInfo[] = [];
  const lineInfo: LineInfo[] = [];
  for (const { fn, off } of layout) {
    const lo = fn.secInsnOff;
    const hi = fn.secInsnOff + fn.insnCount;
    for (const f of ext?.funcInfo.get(fn.section.name) ?? []) {
      const idx = f.insnOff / INSN_SIZE;
      if (idx >= lo && idx < hi) funcInfo.push({ insnIndex: off + idx - lo, typeId: f.typeId });
    }
    for (const l of ext?.lineInfo.get(fn.section.name) ?? []) {
      if (l.insnOff % INSN_SIZE) throw new BtfError(`line_info insn_off ${l.insnOff} is not a multiple of 8`, '.BTF.ext');
      const idx = l.insnOff / INSN_SIZE;
      if (idx >= lo && idx < hi) lineInfo.push({ insnIndex: off + idx - lo, fileName: l.fileName, line: l.line, lineNum: l.lineNum, lineCol: l.lineCol });
    }
  }
  funcInfo.sort((a, b) => a.insnIndex - b.insnIndex);
  lineInfo.sort((a, b) => a.insnIndex - b.insnIndex);

  // CO-RE sites: each function's records, at its place in this program
  const coreSites: ProgramCoreSite[] = [];
  for (const { fn, off } of layout) {
    coreRelos.forEach((r, relo) => {
      if (r.func === fn.name && r.section === fn.section.name) coreSites.push({ insnIndex: off + r.funcInsnIndex, relo });
    });
  }
  coreSites.sort((a, b) => a.insnIndex - b.insnIndex);

  // SEC("?name"): as SEC("name"), with autoload off (libbpf's bpf_object__init_prog)
  const optional = main.section.name.startsWith('?');
  const secName = optional ? main.section.name.slice(1) : main.section.name;
  const def = findSectionDef(secName);
  const slash = secName.indexOf('/');
  return {
    name: main.name,
    section: secName,
    type: def?.progType ?? 0,
    expectedAttachType: def?.expectedAttachType ?? 0,
    attachTo: slash >= 0 ? secName.slice(slash + 1) : '',
    sleepable: def?.sleepable ?? false,
    xdpFrags: def?.xdpFrags ?? false,
    attachBtf: def?.attachBtf ?? false,
    autoload: !optional,
    insns,
    relocations,
    functions: layout.map(({ fn, off }) => ({ name: fn.name, insnIndex: off, insnCount: fn.insnCount, section: fn.section.name })),
    funcInfo,
    lineInfo,
    btfFuncId: funcInfo[0]?.insnIndex === 0 ? funcInfo[0].typeId : undefined,
    coreSites,
  };
}

/** The program with this name (function name), or undefined. */
export function findProgram(spec: ObjectSpec, name: string): ProgramSpec | undefined {
  return spec.programs.find((p) => p.name === name);
}

/** The map with this name (variable name or internal name like "obj.bss"), or by its section (".bss"). */
export function findMap(spec: ObjectSpec, name: string): MapSpec | undefined {
  return spec.maps.find((m) => m.name === name) ?? spec.maps.find((m) => m.globalData && m.section === name);
}

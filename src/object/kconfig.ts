// .kconfig externs (`extern int CONFIG_HZ __kconfig;`), as libbpf's
// bpf_object__collect_externs() types and lays them out at open time: each
// extern gets a kind from its BTF type (find_kcfg_type), externs are sorted
// by alignment (descending), size (ascending) and name (cmp_externs), and
// packed in that order into one read-only internal map, `<obj>.kconfig`.
// Values are a load-time matter (src/runtime/kconfig.ts).

import type { Btf } from '../btf/btf.js';
import {
  BTF_INT_BOOL, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC,
  BTF_KIND_INT, BTF_KIND_VAR, type BtfDatasec,
} from '../btf/types.js';
import { SHN_UNDEF, STB_GLOBAL, STB_WEAK } from '../elf/constants.js';
import type { ElfFile } from '../elf/elf.js';
import { EOPNOTSUPP, ESRCH } from '../uapi/errno.js';
import { ObjectError } from './errors.js';
import { BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE_ARRAY } from './map_types.js';
import { internalMapName, type MapSpec } from './maps.js';

export const KCONFIG_SEC = '.kconfig';
export const KSYMS_SEC = '.ksyms';

/** libbpf's enum kcfg_type */
export type KcfgType = 'char' | 'bool' | 'int' | 'tristate' | 'char-array';

export interface KconfigExtern {
  name: string;
  type: KcfgType;
  /** bytes (for a char array: its length) */
  size: number;
  align: number;
  signed: boolean;
  /** declared __weak: unknown reads as zero instead of failing the load */
  weak: boolean;
  /** offset in the .kconfig map value */
  dataOff: number;
  /** BTF id of the extern's type */
  typeId: number;
}

/** An extern symbol of the ELF (libbpf's sym_is_extern). */
export function isExternSymbol(sym: { shndx: number; bind: number; name: string }): boolean {
  return sym.shndx === SHN_UNDEF && (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && sym.name !== '';
}

/** libbpf's find_kcfg_type(): the kind of a .kconfig extern, or undefined (unsupported). */
function kcfgType(btf: Btf, typeId: number): { type: KcfgType; signed: boolean } | undefined {
  const t = btf.resolve(typeId);
  switch (t.kind) {
    case BTF_KIND_INT: {
      if (t.encoding & BTF_INT_BOOL) return t.size === 1 ? { type: 'bool', signed: false } : undefined;
      const signed = (t.encoding & BTF_INT_SIGNED) !== 0;
      if (t.size === 1) return { type: 'char', signed };
      if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1))) return undefined;
      return { type: 'int', signed };
    }
    case BTF_KIND_ENUM:
      return t.size === 4 && t.name === 'libbpf_tristate' ? { type: 'tristate', signed: false } : undefined;
    case BTF_KIND_ENUM64:
      return t.name === 'libbpf_tristate' ? { type: 'tristate', signed: false } : undefined;
    case BTF_KIND_ARRAY:
      if (t.nelems === 0 || kcfgType(btf, t.type)?.type !== 'char') return undefined;
      return { type: 'char-array', signed: false };
    default:
      return undefined;
  }
}

/**
 * The .kconfig externs of an object, typed and laid out as libbpf does.
 * Externs of other sections (.ksyms) are left alone. Throws libbpf's errors:
 * "extern (kcfg) 'X': type is unsupported" (-EOPNOTSUPP) and the like.
 */
export function collectKconfigExterns(elf: ElfFile, btf: Btf | undefined): KconfigExtern[] {
  const ds = btf?.typeByName(KCONFIG_SEC, BTF_KIND_DATASEC) as BtfDatasec | undefined;
  if (!btf || !ds) return [];
  const out: KconfigExtern[] = [];
  for (const vsi of ds.vars) {
    const v = btf.type(vsi.type);
    if (v.kind === BTF_KIND_FUNC) {
      throw new ObjectError(`extern function ${v.name} is unsupported under ${KCONFIG_SEC} section`, KCONFIG_SEC, undefined, -EOPNOTSUPP);
    }
    if (v.kind !== BTF_KIND_VAR) throw new ObjectError(`DATASEC member [${vsi.type}] is not a VAR`, KCONFIG_SEC);
    const sym = elf.symbols.find((y) => y.name === v.name && isExternSymbol(y));
    // clang lists every referenced extern in the DATASEC and in .symtab
    if (!sym) throw new ObjectError(`failed to find ELF symbol for extern (kcfg) '${v.name}'`, KCONFIG_SEC, undefined, -ESRCH);
    let size: number;
    let align: number;
    try {
      size = btf.sizeof(v.type);
      align = btf.alignof(v.type);
    } catch {
      size = 0;
      align = 0;
    }
    if (size <= 0) throw new ObjectError(`failed to resolve size of extern (kcfg) '${v.name}': ${size}`, KCONFIG_SEC, undefined, -EOPNOTSUPP);
    if (align <= 0) throw new ObjectError(`failed to determine alignment of extern (kcfg) '${v.name}': ${align}`, KCONFIG_SEC, undefined, -EOPNOTSUPP);
    const k = kcfgType(btf, v.type);
    if (!k) throw new ObjectError(`extern (kcfg) '${v.name}': type is unsupported`, KCONFIG_SEC, undefined, -EOPNOTSUPP);
    out.push({ name: v.name, type: k.type, size, align, signed: k.signed, weak: sym.bind === STB_WEAK, dataOff: 0, typeId: v.type });
  }
  // cmp_externs: alignment descending, then size ascending, then name
  out.sort((a, b) => (b.align - a.align) || (a.size - b.size) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let off = 0;
  for (const e of out) {
    e.dataOff = Math.ceil(off / e.align) * e.align;
    off = e.dataOff + e.size;
  }
  // libbpf writes the layout back into the DATASEC (BTF_VAR_GLOBAL_ALLOCATED at data_off)
  ds.size = off;
  for (const vsi of ds.vars) {
    const e = out.find((x) => x.name === btf.type(vsi.type).name)!;
    vsi.offset = e.dataOff;
  }
  ds.vars.sort((a, b) => a.offset - b.offset);
  return out;
}

/** The internal map libbpf creates for them: read-only for programs, frozen after load. */
export function kconfigMapSpec(btf: Btf, objName: string, externs: readonly KconfigExtern[]): MapSpec {
  const ds = btf.typeByName(KCONFIG_SEC, BTF_KIND_DATASEC) as BtfDatasec;
  const size = externs.reduce((m, e) => Math.max(m, e.dataOff + e.size), 0);
  return {
    name: internalMapName(objName, KCONFIG_SEC),
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: size,
    maxEntries: 1,
    flags: BPF_F_MMAPABLE | BPF_F_RDONLY_PROG,
    pinning: 0,
    numaNode: 0,
    mapExtra: 0n,
    keyTypeId: 0,
    valueTypeId: ds.id,
    section: KCONFIG_SEC,
    sectionIndex: -1,
    sectionOffset: 0,
    initialSlots: [],
    globalData: {
      kind: 'kconfig',
      initial: new Uint8Array(size),
      variables: externs.map((e) => ({ name: e.name, offset: e.dataOff, size: e.size, typeId: e.typeId, linkage: 1 })),
    },
  };
}

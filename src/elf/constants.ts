// ELF constants, named as in <elf.h>. Only what a BPF object uses.

export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;

export const ET_REL = 1;
export const EM_BPF = 247;

// Section header types.
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;

// Section header flags.
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

// Special section indexes.
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// Symbol binding (st_info >> 4).
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

// Symbol type (st_info & 0xf).
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

// Symbol visibility (st_other & 0x3).
export const STV_DEFAULT = 0;
export const STV_HIDDEN = 2;

// BPF relocation types (llvm's ELFRelocs/BPF.def).
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1; // ld_imm64 of a map or global variable
export const R_BPF_64_ABS64 = 2; // 64-bit data (e.g. .maps pointers, BTF)
export const R_BPF_64_ABS32 = 3; // 32-bit data (DWARF, .BTF.ext)
export const R_BPF_64_NODYLD32 = 4; // 32-bit data, never resolved at load time
export const R_BPF_64_32 = 10; // call imm: a pc-relative function reference

export const ELF64_EHDR_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;

export const R_BPF_NAMES: Readonly<Record<number, string>> = {
  [R_BPF_NONE]: 'R_BPF_NONE',
  [R_BPF_64_64]: 'R_BPF_64_64',
  [R_BPF_64_ABS64]: 'R_BPF_64_ABS64',
  [R_BPF_64_ABS32]: 'R_BPF_64_ABS32',
  [R_BPF_64_NODYLD32]: 'R_BPF_64_NODYLD32',
  [R_BPF_64_32]: 'R_BPF_64_32',
};

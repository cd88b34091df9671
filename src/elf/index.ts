// A bounds-checked ELF64 little-endian reader for BPF objects.
export * from './constants.js';
export * from './elf.js';

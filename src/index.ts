// The public API of tsbpf. Nothing else is exported from the package.
export * from './isa/opcodes.js';
export { type Insn, InsnError, decode, encode, insn, ldImm64 } from './isa/insn.js';
export { Arena, ArenaError } from './memory/arena.js';

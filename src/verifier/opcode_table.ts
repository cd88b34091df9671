// bpf_opcode_in_insntable: the opcodes the kernel's interpreter knows. Any
// other code is rejected as "unknown opcode" while resolve_pseudo_ldimm64
// walks the program, before check_cfg and the main pass.
import { opcodeInfo } from '../isa/validate.js';

// The ISA's opcode table (src/isa/validate.ts) minus what the kernel's
// interpreter table lacks: BPF_CALLX (0x8d) is in RFC 9669 but not in 6.18.
const BPF_CALLX = 0x8d;

export function opcodeInTable(code: number): boolean {
  const c = code & 0xff;
  return c !== BPF_CALLX && opcodeInfo(c) !== undefined;
}

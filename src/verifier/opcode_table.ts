// bpf_opcode_in_insntable: the opcodes the kernel's interpreter knows. Any
// other code is rejected as "unknown opcode" while resolve_pseudo_ldimm64
// walks the program, before check_cfg and the main pass.
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { opcodeInfo } from '../isa/validate.js';
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';

// The ISA's opcode table (src/isa/validate.ts) minus what the kernel's
// interpreter table lacks: BPF_CALLX (0x8d) is in RFC 9669 but not in 6.18.
const BPF_CALLX = 0x8d;

export function opcodeInTable(code: number): boolean {
  const c = code & 0xff;
  return c !== BPF_CALLX && opcodeInfo(c) !== undefined;
}

/** The first slot whose opcode the kernel does not know, as its error. */
export function checkOpcodeTable(insns: readonly Insn[]): void {
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (x.code === LD_IMM64) { i++; continue; }
    // BPF_LDX with a mode other than MEM/MEMSX is reported as reserved fields first
    if ((x.code & 0x07) === 0x01) continue;
    if (!opcodeInTable(x.code)) throw new CheckError(`unknown opcode ${x.code.toString(16).padStart(2, '0')}`, EINVAL, i);
  }
}

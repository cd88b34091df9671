// bpf_opcode_in_insntable: the opcodes the kernel's interpreter knows. Any
// other code is rejected as "unknown opcode" while resolve_pseudo_ldimm64
// walks the program, before check_cfg and the main pass.
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';

const VALID = new Uint8Array(256);
(() => {
  const add = (c: number): void => { VALID[c] = 1; };
  for (const cls of [0x04, 0x07]) {
    // ADD SUB MUL DIV OR AND LSH RSH MOD XOR MOV ARSH, with K and X
    for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) { add(cls | op); add(cls | op | 0x08); }
    add(cls | 0x80); // NEG
  }
  add(0xd4); add(0xdc); add(0xd7); // END to_le / to_be, bswap
  for (const cls of [0x05, 0x06]) {
    // JEQ JGT JGE JSET JNE JSGT JSGE JLT JLE JSLT JSLE, with K and X
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) { add(cls | op); add(cls | op | 0x08); }
    add(cls); // JA / gotol
  }
  add(0x85); add(0x95); add(0xe5); // CALL, EXIT, JCOND (may_goto)
  add(LD_IMM64);
  for (const c of [0x20, 0x28, 0x30, 0x40, 0x48, 0x50]) add(c); // LD_ABS / LD_IND
  for (const c of [0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91]) add(c); // LDX MEM / MEMSX
  for (const c of [0x62, 0x6a, 0x72, 0x7a]) add(c); // ST MEM
  for (const c of [0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xcb, 0xd3, 0xdb]) add(c); // STX MEM / ATOMIC
})();

export function opcodeInTable(code: number): boolean {
  return VALID[code & 0xff] === 1;
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

// The raw instruction: one 8-byte slot, as struct bpf_insn in the uapi.
// A program is an array of slots; ld_imm64 takes two (the second has code 0
// and carries the high 32 bits of the immediate in its imm).

import { BPF_DW, BPF_IMM, BPF_LD } from './opcodes.js';

export interface Insn {
  /** opcode byte */
  code: number;
  /** destination register, 0..15 as encoded (validity is checked separately) */
  dst: number;
  /** source register, 0..15 as encoded */
  src: number;
  /** signed 16-bit offset */
  off: number;
  /** signed 32-bit immediate */
  imm: number;
}

export const INSN_SIZE = 8;
export const LD_IMM64 = BPF_LD | BPF_DW | BPF_IMM; // 0x18

/** Thrown for bytecode that cannot be decoded or is not a valid program. */
export class InsnError extends Error {
  constructor(
    message: string,
    /** index of the offending instruction slot, when there is one */
    readonly insnIndex?: number,
  ) {
    super(insnIndex === undefined ? message : `insn ${insnIndex}: ${message}`);
    this.name = 'InsnError';
  }
}

/** Decodes little-endian bytecode into instruction slots. */
export function decode(bytes: Uint8Array): Insn[] {
  if (bytes.length % INSN_SIZE !== 0) {
    throw new InsnError(`bytecode length ${bytes.length} is not a multiple of ${INSN_SIZE}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = new Array(bytes.length / INSN_SIZE);
  for (let i = 0, p = 0; p < bytes.length; i++, p += INSN_SIZE) {
    const regs = bytes[p + 1]!;
    out[i] = {
      code: bytes[p]!,
      dst: regs & 0x0f,
      src: regs >> 4,
      off: dv.getInt16(p + 2, true),
      imm: dv.getInt32(p + 4, true),
    };
  }
  return out;
}

/** Encodes instruction slots as little-endian bytecode. */
export function encode(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const dv = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    const p = i * INSN_SIZE;
    bytes[p] = insn.code & 0xff;
    bytes[p + 1] = (insn.dst & 0x0f) | ((insn.src & 0x0f) << 4);
    dv.setInt16(p + 2, insn.off, true);
    dv.setInt32(p + 4, insn.imm | 0, true);
  });
  return bytes;
}

/** Makes an instruction slot; fields default to zero. */
export function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Insn {
  return { code, dst, src, off, imm: imm | 0 };
}

/** The two slots of ld_imm64 dst, imm64 (with an optional pseudo source). */
export function ldImm64(dst: number, imm64: bigint, src = 0): [Insn, Insn] {
  const v = BigInt.asUintN(64, imm64);
  return [
    insn(LD_IMM64, dst, src, 0, Number(BigInt.asIntN(32, v))),
    insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
  ];
}

/** The 64-bit immediate of an ld_imm64 at slot i (unsigned). */
export function imm64At(insns: readonly Insn[], i: number): bigint {
  const lo = BigInt(insns[i]!.imm >>> 0);
  const hi = BigInt((insns[i + 1]?.imm ?? 0) >>> 0);
  return (hi << 32n) | lo;
}

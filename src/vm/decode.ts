// Predecoding: turns validated Insn[] into a flat Int32Array the dispatch
// loop reads with no object property loads. Variants that the raw opcode byte
// does not tell apart (sdiv/smod via off=1, movsx via off, local calls via
// src=1) get their own internal opcodes, taken from class BPF_LD codes that
// eBPF leaves unused, so the loop is one dense switch over a byte.
//
// Anything malformed becomes OP_TRAP with a message: the engine fails with
// that message when (and only when) it reaches the slot, like uBPF. Running a
// program that passed validateProgram never hits a trap.

import { LD_IMM64, type Insn } from '../isa/insn.js';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_DW, BPF_EXIT, BPF_JA,
  BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_PROBE_MEM, BPF_PROBE_MEMSX, BPF_MODE, BPF_OP, BPF_PSEUDO_CALL,
  BPF_SIZE, BPF_SRC, BPF_ST, BPF_STX, BPF_W, BPF_X, BPF_K, BPF_END, BPF_DIV, BPF_MOD, BPF_MOV,
  BPF_NEG, BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_REG_10,
  BPF_ABS, BPF_IND, BPF_H, BPF_B,
} from '../isa/opcodes.js';

// Internal opcodes (class BPF_LD, never valid eBPF besides 0x18 = lddw).
export const OP_TRAP = 0x00;
export const OP_SDIV64_K = 0x08;
export const OP_SDIV64_X = 0x10;
export const OP_SMOD64_K = 0x20;
export const OP_SMOD64_X = 0x28;
export const OP_SDIV32_K = 0x30;
export const OP_SDIV32_X = 0x38;
export const OP_SMOD32_K = 0x40;
export const OP_SMOD32_X = 0x48;
export const OP_MOVSX64_8 = 0x50;
export const OP_MOVSX64_16 = 0x58;
export const OP_MOVSX64_32 = 0x60;
export const OP_MOVSX32_8 = 0x68;
export const OP_MOVSX32_16 = 0x70;
export const OP_CALL_LOCAL = 0x78;
/** legacy packet loads (BPF_LD | BPF_ABS/BPF_IND | size): their raw codes are taken by the ops above */
export const OP_LD_ABS_W = 0x80;
export const OP_LD_ABS_H = 0x88;
export const OP_LD_ABS_B = 0x90;
export const OP_LD_IND_W = 0x98;
export const OP_LD_IND_H = 0xa0;
export const OP_LD_IND_B = 0xa8;

/** Load-acquire / store-release (kernel 6.15+, BPF_STX | BPF_ATOMIC imm). */
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

/**
 * One predecoded program. Slot i occupies words [4i, 4i+4):
 *   w0 = opcode | dst << 8 | src << 12, w1 = off (jumps: absolute target),
 *   w2 = imm (lddw: low half), w3 = lddw high half / call target.
 * Slot `length` is a trap, so falling off the end fails cleanly.
 */
export interface DecodedProgram {
  readonly insns: readonly Insn[];
  readonly length: number;
  readonly words: Int32Array;
  readonly traps: ReadonlyMap<number, string>;
}

const cache = new WeakMap<readonly Insn[], DecodedProgram>();

export function decodeProgram(insns: readonly Insn[]): DecodedProgram {
  let d = cache.get(insns);
  if (d === undefined) {
    d = predecode(insns);
    cache.set(insns, d);
  }
  return d;
}

function predecode(insns: readonly Insn[]): DecodedProgram {
  const n = insns.length;
  const words = new Int32Array((n + 1) * 4);
  const traps = new Map<number, string>();
  // second slots of lddw: not a jump target, not executable
  const isImmHi = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (insns[i]!.code === LD_IMM64) {
      isImmHi[i + 1] = 1;
      i++;
    }
  }
  const trap = (i: number, msg: string): void => {
    words[i * 4] = OP_TRAP;
    traps.set(i, msg);
  };
  const jumpTarget = (i: number, rel: number): number => {
    const t = i + 1 + rel;
    return t >= 0 && t < n && !isImmHi[t] ? t : -1;
  };

  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    const code = ins.code & 0xff;
    const { dst, src } = ins;
    const off = ins.off | 0;
    const imm = ins.imm | 0;
    const p = i * 4;
    if (isImmHi[i]) {
      trap(i, 'jump into the middle of an lddw');
      continue;
    }
    if (dst > 10 || src > 10 || dst < 0 || src < 0) {
      trap(i, `invalid register (dst r${dst}, src r${src})`);
      continue;
    }
    const cls = BPF_CLASS(code);
    const op = BPF_OP(code);
    let out = code;
    let w1 = off;
    let w3 = 0;
    let bad: string | undefined;
    // which register the instruction writes (r10 is read-only)
    let writes = -1;
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64: {
        const is64 = cls === BPF_ALU64;
        writes = dst;
        if (op === BPF_END) {
          if (imm !== 16 && imm !== 32 && imm !== 64) bad = `invalid byte swap width ${imm}`;
          else if (is64 && BPF_SRC(code) !== BPF_K) bad = `unknown opcode 0x${hex2(code)}`;
        } else if (op === BPF_DIV || op === BPF_MOD) {
          if (off === 1) {
            const x = BPF_SRC(code) === BPF_X;
            out = op === BPF_DIV
              ? (is64 ? (x ? OP_SDIV64_X : OP_SDIV64_K) : (x ? OP_SDIV32_X : OP_SDIV32_K))
              : (is64 ? (x ? OP_SMOD64_X : OP_SMOD64_K) : (x ? OP_SMOD32_X : OP_SMOD32_K));
          } else if (off !== 0) bad = `invalid offset ${off} for ${op === BPF_DIV ? 'div' : 'mod'}`;
        } else if (op === BPF_MOV && BPF_SRC(code) === BPF_X && off !== 0) {
          if (is64 && off === 8) out = OP_MOVSX64_8;
          else if (is64 && off === 16) out = OP_MOVSX64_16;
          else if (is64 && off === 32) out = OP_MOVSX64_32;
          else if (!is64 && off === 8) out = OP_MOVSX32_8;
          else if (!is64 && off === 16) out = OP_MOVSX32_16;
          else bad = `invalid movsx offset ${off}`;
        } else if (op === BPF_NEG && BPF_SRC(code) === BPF_X) {
          bad = `unknown opcode 0x${hex2(code)}`;
        } else if (op > 0xd0) {
          bad = `unknown opcode 0x${hex2(code)}`;
        }
        break;
      }
      case BPF_JMP:
      case BPF_JMP32: {
        if (op === BPF_JA) {
          if (BPF_SRC(code) !== BPF_K) { bad = `unknown opcode 0x${hex2(code)}`; break; }
          // gotol (JMP32|JA) takes its 32-bit displacement from imm
          const t = jumpTarget(i, cls === BPF_JMP32 ? imm : off);
          if (t < 0) bad = `jump out of range (to ${i + 1 + (cls === BPF_JMP32 ? imm : off)})`;
          w1 = t;
        } else if (op === BPF_CALL) {
          if (cls !== BPF_JMP) bad = `unknown opcode 0x${hex2(code)}`;
          else if (BPF_SRC(code) === BPF_X) {
            // callx: the register in dst holds the target
          } else if (src === BPF_PSEUDO_CALL) {
            const t = jumpTarget(i, imm);
            if (t < 0) bad = `call to ${i + 1 + imm} is out of range`;
            out = OP_CALL_LOCAL;
            w3 = t;
          } else if (src !== 0) bad = `unsupported call kind src=${src} (kfunc calls are not supported)`;
        } else if (op === BPF_EXIT) {
          if (cls !== BPF_JMP || BPF_SRC(code) !== BPF_K) bad = `unknown opcode 0x${hex2(code)}`;
        } else if (op === 0xe0 && cls === BPF_JMP && BPF_SRC(code) === BPF_K && src === 0) {
          // may_goto (BPF_JCOND): OP_MAY_GOTO, the target in w1
          const t = jumpTarget(i, off);
          if (t < 0) bad = `jump out of range (to ${i + 1 + off})`;
          w1 = t;
        } else if (op === 0xe0 || op === 0xf0) {
          bad = `unknown opcode 0x${hex2(code)}`;
        } else {
          const t = jumpTarget(i, off);
          if (t < 0) bad = `jump out of range (to ${i + 1 + off})`;
          w1 = t;
        }
        break;
      }
      case BPF_LD:
        if (code !== LD_IMM64) {
          // BPF_LD_ABS / BPF_LD_IND: R0 = packet bytes, R1-R5 clobbered (the kernel calls a helper)
          const mode = BPF_MODE(code), sz = BPF_SIZE(code);
          const k = sz === BPF_W ? 0 : sz === BPF_H ? 1 : sz === BPF_B ? 2 : -1;
          if ((mode !== BPF_ABS && mode !== BPF_IND) || k < 0) bad = `unknown opcode 0x${hex2(code)}`;
          else { out = (mode === BPF_ABS ? OP_LD_ABS_W : OP_LD_IND_W) + 8 * k; writes = 0; }
        } else if (i + 1 >= n) bad = 'truncated lddw (missing second slot)';
        else {
          writes = dst;
          w3 = insns[i + 1]!.imm | 0;
        }
        break;
      case BPF_LDX:
        writes = dst;
        if (BPF_MODE(code) !== BPF_MEM && BPF_MODE(code) !== BPF_MEMSX && BPF_MODE(code) !== BPF_PROBE_MEM && BPF_MODE(code) !== BPF_PROBE_MEMSX) {
          bad = `unknown opcode 0x${hex2(code)}`;
        } else if ((BPF_MODE(code) === BPF_MEMSX || BPF_MODE(code) === BPF_PROBE_MEMSX) && BPF_SIZE(code) === BPF_DW) bad = `unknown opcode 0x${hex2(code)}`;
        break;
      case BPF_ST:
        if (BPF_MODE(code) !== BPF_MEM) bad = `unknown opcode 0x${hex2(code)}`;
        break;
      case BPF_STX:
        if (BPF_MODE(code) === BPF_ATOMIC) {
          const sz = BPF_SIZE(code);
          if (imm === BPF_LOAD_ACQ) writes = dst;
          else if (imm === BPF_STORE_REL) { /* plain store */ }
          else if (sz !== BPF_W && sz !== BPF_DW) bad = `invalid atomic size`;
          else if (imm === BPF_CMPXCHG) writes = 0;
          else if (imm === BPF_XCHG || imm === (BPF_ADD | BPF_FETCH) || imm === (BPF_OR | BPF_FETCH)
            || imm === (BPF_AND | BPF_FETCH) || imm === (BPF_XOR | BPF_FETCH)) writes = src;
          else if (imm !== BPF_ADD && imm !== BPF_OR && imm !== BPF_AND && imm !== BPF_XOR) {
            bad = `unknown atomic operation 0x${(imm >>> 0).toString(16)}`;
          }
        } else if (BPF_MODE(code) !== BPF_MEM) bad = `unknown opcode 0x${hex2(code)}`;
        break;
    }
    if (bad === undefined && writes === BPF_REG_10) bad = 'r10 (frame pointer) is read-only';
    if (bad !== undefined) {
      trap(i, bad);
      continue;
    }
    words[p] = out | (dst << 8) | (src << 12);
    words[p + 1] = w1;
    words[p + 2] = imm;
    words[p + 3] = w3;
  }
  trap(n, 'fell through past the last instruction');
  return { insns, length: n, words, traps };
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}


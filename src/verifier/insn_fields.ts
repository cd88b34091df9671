// The kernel's reserved-field checks, per instruction, with its messages:
// check_alu_op's field rules (check_alu_fields in newer trees), the BPF_LDX
// check of resolve_pseudo_ldimm64, and do_check_insn's rules for BPF_ST,
// BPF_STX, BPF_CALL, BPF_JA, BPF_EXIT, conditional jumps and check_atomic's
// opcode list.
//
// Found by the verifier fuzz test (test/verifier/fuzz): without these, the
// verifier accepted encodings such as `r8 = bswap16 r8` with BPF_X
// (0xdf, which the kernel reserves), `r1 = -r1` with a source register, or
// an atomic with an unknown operation, and the interpreter's decoder then
// trapped on them at run time. Every encoding these checks let through is one
// the decoder (src/vm/decode.ts, via src/isa/validate.ts) runs.

import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_CALL, BPF_CLASS,
  BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_K, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MODE, BPF_MOV, BPF_MUL, BPF_NEG,
  BPF_OP, BPF_OR, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_RSH, BPF_SIZE, BPF_SRC, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TO_LE, BPF_W, BPF_X, BPF_XCHG, BPF_XOR,
} from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { BPF_LOAD_ACQ, BPF_STORE_REL } from '../isa/validate.js';
import { EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';

const fail = (msg: string): never => { throw new CheckError(msg, EINVAL); };
const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** check_atomic's accepted read-modify-write operations (imm). */
const ATOMIC_RMW = new Set([
  BPF_ADD, BPF_ADD | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH,
  BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
]);

/** check_alu_fields (kernel/bpf/verifier.c) */
function checkAluFields(x: Insn): void {
  const cls = BPF_CLASS(x.code);
  const op = BPF_OP(x.code);
  const isX = BPF_SRC(x.code) === BPF_X;
  switch (op) {
    case BPF_NEG:
      if (isX || x.src !== 0 || x.off !== 0 || x.imm !== 0) fail('BPF_NEG uses reserved fields');
      return;
    case BPF_END:
      if (x.src !== 0 || x.off !== 0 || (x.imm !== 16 && x.imm !== 32 && x.imm !== 64) ||
        (cls === BPF_ALU64 && BPF_SRC(x.code) !== BPF_TO_LE)) fail('BPF_END uses reserved fields');
      return;
    case BPF_MOV:
      if (isX) {
        // (BPF_ADDR_SPACE_CAST, off 1 on ALU64, is arena-only: tsbpf has no arena maps)
        const offs = cls === BPF_ALU ? [0, 8, 16] : [0, 8, 16, 32];
        if (!offs.includes(x.off) || x.imm !== 0) fail('BPF_MOV uses reserved fields');
      } else if (x.src !== 0 || x.off !== 0) {
        fail('BPF_MOV uses reserved fields');
      }
      return;
    case BPF_ADD: case BPF_SUB: case BPF_AND: case BPF_OR: case BPF_XOR: case BPF_LSH:
    case BPF_RSH: case BPF_ARSH: case BPF_MUL: case BPF_DIV: case BPF_MOD: {
      const badOff = (x.off !== 0 && x.off !== 1) || (x.off === 1 && op !== BPF_MOD && op !== BPF_DIV);
      if (isX ? x.imm !== 0 || badOff : x.src !== 0 || badOff) fail('BPF_ALU uses reserved fields');
      return;
    }
    default:
      fail(`invalid BPF_ALU opcode ${op.toString(16)}`);
  }
}

/** BPF_LDX's reserved fields (resolve_pseudo_ldimm64) and its opcode table (no ldsx of 8 bytes). */
function checkLdxFields(x: Insn): void {
  const mode = BPF_MODE(x.code);
  if ((mode !== BPF_MEM && mode !== BPF_MEMSX) || x.imm !== 0) fail('BPF_LDX uses reserved fields');
  if (mode === BPF_MEMSX && BPF_SIZE(x.code) === BPF_DW) fail(`unknown opcode ${hex(x.code)}`);
}

function checkAtomicFields(x: Insn): void {
  const size = BPF_SIZE(x.code);
  // load-acquire / store-release: any size (check_atomic_load / check_atomic_store)
  if (x.imm === BPF_LOAD_ACQ || x.imm === BPF_STORE_REL) return;
  if (!ATOMIC_RMW.has(x.imm)) fail(`BPF_ATOMIC uses invalid atomic opcode ${hex(x.imm >>> 0)}`);
  if (size !== BPF_W && size !== BPF_DW) fail('invalid atomic operand size');
}

function checkJmpFields(x: Insn): void {
  const cls = BPF_CLASS(x.code);
  const op = BPF_OP(x.code);
  const isK = BPF_SRC(x.code) === BPF_K;
  if (op === BPF_CALL) {
    if (!isK || (x.src !== BPF_PSEUDO_KFUNC_CALL && x.off !== 0) ||
      (x.src !== 0 && x.src !== BPF_PSEUDO_CALL && x.src !== BPF_PSEUDO_KFUNC_CALL) ||
      x.dst !== 0 || cls === BPF_JMP32) fail('BPF_CALL uses reserved fields');
    return;
  }
  if (op === BPF_JA) {
    if (!isK || x.src !== 0 || x.dst !== 0 || (cls === BPF_JMP && x.imm !== 0) ||
      (cls === BPF_JMP32 && x.off !== 0)) fail('BPF_JA uses reserved fields');
    return;
  }
  if (op === BPF_EXIT) {
    if (!isK || x.imm !== 0 || x.src !== 0 || x.dst !== 0 || cls === BPF_JMP32) fail('BPF_EXIT uses reserved fields');
    return;
  }
  // check_cond_jmp_op (the opcode range is checked there, before the fields)
  if (op > 0xd0) return;
  if (isK ? x.src !== 0 : x.imm !== 0) fail('BPF_JMP/JMP32 uses reserved fields');
}

/**
 * Throws CheckError(EINVAL) when `x` uses a field the kernel reserves for its
 * opcode; `next` is the following slot (the second half of an ld_imm64).
 */
export function checkInsnFields(x: Insn, next?: Insn): void {
  switch (BPF_CLASS(x.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      checkAluFields(x);
      return;
    case BPF_LDX:
      checkLdxFields(x);
      return;
    case BPF_STX:
      if (BPF_MODE(x.code) === BPF_ATOMIC) { checkAtomicFields(x); return; }
      if (BPF_MODE(x.code) !== BPF_MEM || x.imm !== 0) fail('BPF_STX uses reserved fields');
      return;
    case BPF_ST:
      if (BPF_MODE(x.code) !== BPF_MEM || x.src !== 0) fail('BPF_ST uses reserved fields');
      return;
    case BPF_JMP:
    case BPF_JMP32:
      checkJmpFields(x);
      return;
    default:
      // BPF_LD: check_ld_imm and resolve_pseudo_ldimm64 (other BPF_LD modes fail in do_check)
      if (x.code !== 0x18) return;
      if (x.off !== 0) fail('BPF_LD_IMM64 uses reserved fields');
      if (next && (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0)) fail('invalid bpf_ld_imm64 insn');
      return;
  }
}

// The disassembler, printing instructions exactly as the kernel's verifier
// log and `bpftool prog dump xlated` do (kernel/bpf/disasm.c,
// print_bpf_insn), so our logs can be compared line by line with Linux's.
//
//   r0 = *(u32 *)(r1 +4)        if r1 > 0x5 goto pc+3      w0 += w1
//   r1 = 0x123456789abcdef0     call bpf_map_lookup_elem#1  call pc+5
//   lock *(u64 *)(r10 -8) += r1 r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)
//
// Where the kernel has no text (it never loads callx) we print `callx rN`.

import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_CMPXCHG,
  BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MODE, BPF_MOV, BPF_NEG, BPF_OP, BPF_OR,
  BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_SIZE,
  BPF_SRC, BPF_ST, BPF_STX, BPF_TO_BE, BPF_X, BPF_XCHG, BPF_XOR,
} from './opcodes.js';
import { imm64At, InsnError, LD_IMM64, type Insn } from './insn.js';
import { funcIdName } from './funcids.js';
import { BPF_JCOND, BPF_LOAD_ACQ, BPF_MAY_GOTO, BPF_STORE_REL } from './validate.js';

export interface DisasmOptions {
  /**
   * Name of helper `id` for `call NAME#id` (src 0). Defaults to the kernel's
   * bpf_func_id names; return undefined to fall back to them.
   */
  helperName?: (id: number) => string | undefined;
  /** Name of a kfunc call (src 2), e.g. from BTF; default 'kernel-function'. */
  kfuncName?: (insn: Insn) => string | undefined;
  /**
   * Text of an ld_imm64 immediate (the kernel's cb_imm, e.g. bpftool's
   * `map[id:3]`); default 0x<hex>.
   */
  immName?: (insn: Insn, imm: bigint) => string | undefined;
  /**
   * Print map fd/value immediates (the kernel's allow_ptr_leaks, true for a
   * privileged loader); when false they print as 0x0. Default true.
   */
  allowPtrLeaks?: boolean;
}

const ALU_STR: Readonly<Record<number, string>> = {
  0x00: '+=', 0x10: '-=', 0x20: '*=', 0x30: '/=', 0x40: '|=', 0x50: '&=', 0x60: '<<=',
  0x70: '>>=', 0x80: 'neg', 0x90: '%=', 0xa0: '^=', 0xb0: '=', 0xc0: 's>>=', 0xd0: 'endian',
};
const ALU_SIGN_STR: Readonly<Record<number, string>> = { [BPF_DIV]: 's/=', [BPF_MOD]: 's%=' };
const MOVSX_STR: Readonly<Record<number, string>> = { 8: '(s8)', 16: '(s16)', 32: '(s32)' };
const ATOMIC_ALU_STR: Readonly<Record<number, string>> = { [BPF_ADD]: 'add', [BPF_AND]: 'and', [BPF_OR]: 'or', [BPF_XOR]: 'xor' };
const LDST_STR = ['u32', 'u16', 'u8', 'u64'] as const; // by BPF_SIZE >> 3
const LDSX_STR = ['s32', 's16', 's8', undefined] as const;
const JMP_STR: Readonly<Record<number, string>> = {
  0x00: 'jmp', 0x10: '==', 0x20: '>', 0x30: '>=', 0x40: '&', 0x50: '!=', 0x60: 's>', 0x70: 's>=',
  0x80: 'call', 0x90: 'exit', 0xa0: '<', 0xb0: '<=', 0xc0: 's<', 0xd0: 's<=',
};
const CLASS_STR = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'] as const;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
/** printf %+d */
const sgn = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);
/** printf 0x%x of a 32-bit int */
const hex32 = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function fmtAlu(x: Insn, cls: number): string {
  const r = cls === BPF_ALU ? 'w' : 'r';
  const op = BPF_OP(x.code);
  if (op === BPF_END) {
    if (cls === BPF_ALU64) return `r${x.dst} = bswap${x.imm} r${x.dst}`;
    return `r${x.dst} = ${BPF_SRC(x.code) === BPF_TO_BE ? 'be' : 'le'}${x.imm} r${x.dst}`;
  }
  if (op === BPF_NEG) return `${r}${x.dst} = -${r}${x.dst}`;
  // arena pointer cast: ALU64 | MOV | X with off == BPF_ADDR_SPACE_CAST (1)
  if (x.code === (BPF_ALU64 | BPF_MOV | BPF_X) && x.off === 1) {
    return `r${x.dst} = addr_space_cast(r${x.src}, ${x.imm >>> 16}, ${x.imm & 0xffff})`;
  }
  const signed = (op === BPF_DIV || op === BPF_MOD) && x.off === 1;
  const str = signed ? ALU_SIGN_STR[op] : ALU_STR[op];
  if (str === undefined) return `BUG_alu_${hex2(x.code)}`;
  if (BPF_SRC(x.code) === BPF_X) {
    const sx = op === BPF_MOV ? MOVSX_STR[x.off] ?? '' : '';
    return `${r}${x.dst} ${str} ${sx}${r}${x.src}`;
  }
  return `${r}${x.dst} ${str} ${x.imm}`;
}

function fmtStx(x: Insn): string {
  const sz = LDST_STR[BPF_SIZE(x.code) >> 3];
  const mem = `(${sz} *)(r${x.dst} ${sgn(x.off)})`;
  const mode = BPF_MODE(x.code);
  if (mode === BPF_MEM) return `*${mem} = r${x.src}`;
  if (mode !== BPF_ATOMIC) return `BUG_${hex2(x.code)}`;
  const w64 = BPF_SIZE(x.code) === BPF_DW ? '64' : '';
  const aluOp = x.imm & ~BPF_FETCH;
  if (ATOMIC_ALU_STR[x.imm] !== undefined) return `lock *${mem} ${ALU_STR[x.imm]} r${x.src}`;
  if ((x.imm & BPF_FETCH) && ATOMIC_ALU_STR[aluOp] !== undefined) {
    return `r${x.src} = atomic${w64}_fetch_${ATOMIC_ALU_STR[aluOp]}(${mem}, r${x.src})`;
  }
  if (x.imm === BPF_CMPXCHG) return `r0 = atomic${w64}_cmpxchg(${mem}, r0, r${x.src})`;
  if (x.imm === BPF_XCHG) return `r${x.src} = atomic${w64}_xchg(${mem}, r${x.src})`;
  if (x.imm === BPF_LOAD_ACQ) return `r${x.dst} = load_acquire((${sz} *)(r${x.src} ${sgn(x.off)}))`;
  if (x.imm === BPF_STORE_REL) return `store_release(${mem}, r${x.src})`;
  return `BUG_${hex2(x.code)}`;
}

function fmtLd(insns: readonly Insn[], i: number, opts: DisasmOptions): string {
  const x = insns[i]!;
  const sz = LDST_STR[BPF_SIZE(x.code) >> 3];
  const mode = BPF_MODE(x.code);
  if (mode === BPF_ABS) return `r0 = *(${sz} *)skb[${x.imm}]`;
  if (mode === BPF_IND) return `r0 = *(${sz} *)skb[r${x.src} + ${x.imm}]`;
  if (mode === BPF_IMM && BPF_SIZE(x.code) === BPF_DW) {
    if (i + 1 >= insns.length) throw new InsnError('ld_imm64 is missing its second slot', i);
    let imm = imm64At(insns, i);
    const isPtr = x.src === BPF_PSEUDO_MAP_FD || x.src === BPF_PSEUDO_MAP_VALUE;
    if (isPtr && opts.allowPtrLeaks === false) imm = 0n;
    return `r${x.dst} = ${opts.immName?.(x, imm) ?? `0x${imm.toString(16)}`}`;
  }
  return `BUG_ld_${hex2(x.code)}`;
}

function fmtJmp(x: Insn, cls: number, opts: DisasmOptions): string {
  const op = BPF_OP(x.code);
  if (x.code === (BPF_JMP | BPF_CALL | BPF_X)) return `callx r${x.dst}`;
  if (op === BPF_CALL) {
    if (x.src === BPF_PSEUDO_CALL) return `call pc${sgn(x.imm)}`;
    let name: string | undefined;
    if (x.src === 0) name = opts.helperName?.(x.imm) ?? funcIdName(x.imm);
    else if (x.src === BPF_PSEUDO_KFUNC_CALL) name = opts.kfuncName?.(x) ?? 'kernel-function';
    return `call ${name ?? 'unknown'}#${x.imm}`;
  }
  if (x.code === (BPF_JMP | BPF_JA)) return `goto pc${sgn(x.off)}`;
  if (x.code === (BPF_JMP | BPF_JCOND) && x.src === BPF_MAY_GOTO) return `may_goto pc${sgn(x.off)}`;
  if (x.code === (BPF_JMP32 | BPF_JA)) return `gotol pc${sgn(x.imm)}`;
  if (x.code === (BPF_JMP | BPF_EXIT)) return 'exit';
  const r = cls === BPF_JMP32 ? 'w' : 'r';
  const str = JMP_STR[op];
  if (str === undefined) return `BUG_jmp_${hex2(x.code)}`;
  if (BPF_SRC(x.code) === BPF_X) return `if ${r}${x.dst} ${str} ${r}${x.src} goto pc${sgn(x.off)}`;
  return `if ${r}${x.dst} ${str} ${hex32(x.imm)} goto pc${sgn(x.off)}`;
}

/**
 * The kernel's text for slot i, without the `(code)` prefix: e.g.
 * `r0 = *(u32 *)(r1 +4)`. Throws InsnError if i is out of range or an
 * ld_imm64 lacks its second slot.
 */
export function formatInsn(insns: readonly Insn[], i: number, opts: DisasmOptions = {}): string {
  const x = insns[i];
  if (x === undefined) throw new InsnError(`no instruction at index ${i} (program has ${insns.length})`);
  const cls = BPF_CLASS(x.code);
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      return fmtAlu(x, cls);
    case BPF_STX:
      return fmtStx(x);
    case BPF_ST:
      if (BPF_MODE(x.code) === BPF_MEM) return `*(${LDST_STR[BPF_SIZE(x.code) >> 3]} *)(r${x.dst} ${sgn(x.off)}) = ${x.imm}`;
      if (BPF_MODE(x.code) === 0xc0) return 'nospec'; // BPF_NOSPEC, kernel-internal
      return `BUG_st_${hex2(x.code)}`;
    case BPF_LDX: {
      const mode = BPF_MODE(x.code);
      const sz = mode === BPF_MEM ? LDST_STR[BPF_SIZE(x.code) >> 3] : mode === BPF_MEMSX ? LDSX_STR[BPF_SIZE(x.code) >> 3] : undefined;
      if (sz === undefined) return `BUG_ldx_${hex2(x.code)}`;
      return `r${x.dst} = *(${sz} *)(r${x.src} ${sgn(x.off)})`;
    }
    case BPF_LD:
      return fmtLd(insns, i, opts);
    case BPF_JMP:
    case BPF_JMP32:
      return fmtJmp(x, cls, opts);
    default:
      return CLASS_STR[cls]!;
  }
}

/**
 * One line per instruction in the verifier log's form, `N: (code) text`;
 * the second slot of ld_imm64 gets no line (N skips it), as in the kernel.
 */
export function disassemble(insns: readonly Insn[], opts: DisasmOptions = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    out.push(`${i}: (${hex2(x.code)}) ${formatInsn(insns, i, opts)}`);
    if (x.code === LD_IMM64) i++;
  }
  return out;
}

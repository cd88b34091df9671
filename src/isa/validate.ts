// Structural validity of a program, before any verification: which opcodes
// exist and which fields each allows (uBPF's ubpf_instruction_valid.c shape:
// one table row per opcode, not a chain of ifs), register numbers, lddw
// pairs, jump targets and the end of each subprogram. This is the part of
// the kernel's resolve_pseudo_ldimm64 / check_subprogs / do_check field checks
// that RFC 9669 defines; value-dependent rules (shift ranges, division by a
// zero immediate) are the verifier's job, as the RFC defines their results.

import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CLASS,
  BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_IND, BPF_ABS, BPF_JA,
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE,
  BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD,
  BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_IDX_VALUE, BPF_REG_10, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TO_BE, BPF_TO_LE,
  BPF_W, BPF_X, BPF_XCHG, BPF_XOR, CLASS_NAMES,
} from './opcodes.js';
import { InsnError, LD_IMM64, type Insn } from './insn.js';

// Not (yet) in opcodes.ts: the kernel's newer opcodes (uapi/linux/bpf.h).
/** BPF_JMP | BPF_JCOND with src BPF_MAY_GOTO: `may_goto pc+off` */
export const BPF_JCOND = 0xe0;
export const BPF_MAY_GOTO = 0;
/** atomic load-acquire / store-release (imm of BPF_STX | BPF_ATOMIC) */
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

export type InsnKind =
  | 'alu' // arithmetic, dst op= src/imm
  | 'neg'
  | 'end' // byte swap
  | 'ldx'
  | 'st'
  | 'stx'
  | 'atomic'
  | 'lddw'
  | 'ld_abs' // legacy packet loads
  | 'ld_ind'
  | 'ja'
  | 'jcond' // conditional jump
  | 'may_goto'
  | 'call'
  | 'callx'
  | 'exit';

/** A field rule: must be zero, anything, a jump offset, or one of a set. */
export type FieldRule = 'zero' | 'any' | 'jump' | readonly number[];

export interface OpcodeInfo {
  readonly code: number;
  /** the mnemonic of the conformance assembler (e.g. 'add32', 'ldxw', 'jeq') */
  readonly name: string;
  readonly kind: InsnKind;
  /** how dst is used: 'none' means it must be 0; 'write' forbids r10 */
  readonly dst: 'none' | 'read' | 'write';
  /** src is a register, or one of these values (e.g. lddw pseudo sources) */
  readonly src: 'reg' | readonly number[];
  readonly off: FieldRule;
  readonly imm: FieldRule;
  /** access width in bytes for loads/stores/atomics */
  readonly size?: 1 | 2 | 4 | 8;
  /** 32-bit ALU/JMP32 */
  readonly is32?: boolean;
}

const ZERO = [0] as const;
const ENDIAN_WIDTHS = [16, 32, 64] as const;
/** Atomic op codes allowed in imm for W/DW (kernel: check_atomic). */
const ATOMIC_RMW = [
  BPF_ADD, BPF_ADD | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH,
  BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
] as const;

// ---- the table -------------------------------------------------------------

const TABLE: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);

function row(info: OpcodeInfo): void {
  if (TABLE[info.code]) throw new Error(`opcode table: duplicate 0x${info.code.toString(16)}`);
  TABLE[info.code] = info;
}

const ALU_NAMES: [number, string][] = [
  [BPF_ADD, 'add'], [BPF_SUB, 'sub'], [BPF_MUL, 'mul'], [BPF_DIV, 'div'], [BPF_OR, 'or'],
  [BPF_AND, 'and'], [BPF_LSH, 'lsh'], [BPF_RSH, 'rsh'], [BPF_MOD, 'mod'], [BPF_XOR, 'xor'],
  [BPF_MOV, 'mov'], [BPF_ARSH, 'arsh'],
];
for (const [cls, sfx] of [[BPF_ALU64, ''], [BPF_ALU, '32']] as const) {
  const is32 = cls === BPF_ALU;
  for (const [op, name] of ALU_NAMES) {
    // off selects sdiv/smod (1) and movsx (8/16/32; 32 only for ALU64)
    const xOff: FieldRule = op === BPF_DIV || op === BPF_MOD ? [0, 1]
      : op === BPF_MOV ? (is32 ? [0, 8, 16] : [0, 8, 16, 32]) : ZERO;
    const kOff: FieldRule = op === BPF_DIV || op === BPF_MOD ? [0, 1] : ZERO;
    row({ code: cls | op | BPF_K, name: name + sfx, kind: 'alu', dst: 'write', src: ZERO, off: kOff, imm: 'any', is32 });
    row({ code: cls | op | BPF_X, name: name + sfx, kind: 'alu', dst: 'write', src: 'reg', off: xOff, imm: 'zero', is32 });
  }
  row({ code: cls | BPF_NEG | BPF_K, name: 'neg' + sfx, kind: 'neg', dst: 'write', src: ZERO, off: 'zero', imm: 'zero', is32 });
}
row({ code: BPF_ALU | BPF_END | BPF_TO_LE, name: 'le', kind: 'end', dst: 'write', src: ZERO, off: 'zero', imm: ENDIAN_WIDTHS });
row({ code: BPF_ALU | BPF_END | BPF_TO_BE, name: 'be', kind: 'end', dst: 'write', src: ZERO, off: 'zero', imm: ENDIAN_WIDTHS });
row({ code: BPF_ALU64 | BPF_END | BPF_TO_LE, name: 'bswap', kind: 'end', dst: 'write', src: ZERO, off: 'zero', imm: ENDIAN_WIDTHS });

const JMP_NAMES: [number, string][] = [
  [BPF_JEQ, 'jeq'], [BPF_JGT, 'jgt'], [BPF_JGE, 'jge'], [BPF_JSET, 'jset'], [BPF_JNE, 'jne'],
  [BPF_JSGT, 'jsgt'], [BPF_JSGE, 'jsge'], [BPF_JLT, 'jlt'], [BPF_JLE, 'jle'], [BPF_JSLT, 'jslt'],
  [BPF_JSLE, 'jsle'],
];
for (const [cls, sfx] of [[BPF_JMP, ''], [BPF_JMP32, '32']] as const) {
  const is32 = cls === BPF_JMP32;
  for (const [op, name] of JMP_NAMES) {
    row({ code: cls | op | BPF_K, name: name + sfx, kind: 'jcond', dst: 'read', src: ZERO, off: 'jump', imm: 'any', is32 });
    row({ code: cls | op | BPF_X, name: name + sfx, kind: 'jcond', dst: 'read', src: 'reg', off: 'jump', imm: 'zero', is32 });
  }
}
row({ code: BPF_JMP | BPF_JA, name: 'ja', kind: 'ja', dst: 'none', src: ZERO, off: 'jump', imm: 'zero' });
// gotol: the 32-bit offset lives in imm
row({ code: BPF_JMP32 | BPF_JA, name: 'ja32', kind: 'ja', dst: 'none', src: ZERO, off: 'zero', imm: 'jump', is32: true });
row({ code: BPF_JMP | BPF_JCOND, name: 'may_goto', kind: 'may_goto', dst: 'none', src: [BPF_MAY_GOTO], off: 'jump', imm: 'zero' });
// call: src 0 helper id, 1 local call (imm is the pc-relative target), 2 kfunc
// (off may name a module BTF); the per-src rules are in CALL_SRC below.
row({
  code: BPF_JMP | BPF_CALL, name: 'call', kind: 'call', dst: 'none',
  src: [0, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL], off: 'any', imm: 'any',
});
row({ code: BPF_JMP | BPF_CALL | BPF_X, name: 'callx', kind: 'callx', dst: 'read', src: ZERO, off: 'zero', imm: 'zero' });
row({ code: BPF_JMP | BPF_EXIT, name: 'exit', kind: 'exit', dst: 'none', src: ZERO, off: 'zero', imm: 'zero' });

const SIZE_NAMES: [number, string, 1 | 2 | 4 | 8][] = [[BPF_B, 'b', 1], [BPF_H, 'h', 2], [BPF_W, 'w', 4], [BPF_DW, 'dw', 8]];
for (const [sz, s, size] of SIZE_NAMES) {
  row({ code: BPF_LDX | BPF_MEM | sz, name: 'ldx' + s, kind: 'ldx', dst: 'write', src: 'reg', off: 'any', imm: 'zero', size });
  if (sz !== BPF_DW) {
    row({ code: BPF_LDX | BPF_MEMSX | sz, name: 'ldxs' + s, kind: 'ldx', dst: 'write', src: 'reg', off: 'any', imm: 'zero', size });
    // legacy packet access (socket filters): r0 = ntoh(*(skb->data + imm [+ src]))
    row({ code: BPF_LD | BPF_ABS | sz, name: 'ldabs' + s, kind: 'ld_abs', dst: 'none', src: ZERO, off: 'zero', imm: 'any', size });
    row({ code: BPF_LD | BPF_IND | sz, name: 'ldind' + s, kind: 'ld_ind', dst: 'none', src: 'reg', off: 'zero', imm: 'any', size });
  }
  row({ code: BPF_ST | BPF_MEM | sz, name: 'st' + s, kind: 'st', dst: 'read', src: ZERO, off: 'any', imm: 'any', size });
  row({ code: BPF_STX | BPF_MEM | sz, name: 'stx' + s, kind: 'stx', dst: 'read', src: 'reg', off: 'any', imm: 'zero', size });
  // B/H atomics exist only as load-acquire / store-release
  const atomicImm = sz === BPF_W || sz === BPF_DW ? [...ATOMIC_RMW, BPF_LOAD_ACQ, BPF_STORE_REL] : [BPF_LOAD_ACQ, BPF_STORE_REL];
  row({ code: BPF_STX | BPF_ATOMIC | sz, name: 'lock' + (sz === BPF_DW ? '' : s === 'w' ? '32' : s), kind: 'atomic', dst: 'read', src: 'reg', off: 'any', imm: atomicImm, size });
}
// pseudo sources 0..6: plain, map fd, map value, btf id, func, map idx, map idx value
row({
  code: LD_IMM64, name: 'lddw', kind: 'lddw', dst: 'write',
  src: [0, 1, 2, 3, BPF_PSEUDO_FUNC, 5, BPF_PSEUDO_MAP_IDX_VALUE], off: 'zero', imm: 'any', size: 8,
});

/** Per-src rules of BPF_CALL (kernel: "BPF_CALL uses reserved fields"). */
const CALL_SRC: Readonly<Record<number, { off: FieldRule; imm: FieldRule }>> = {
  0: { off: 'zero', imm: 'any' },
  [BPF_PSEUDO_CALL]: { off: 'zero', imm: 'jump' },
  [BPF_PSEUDO_KFUNC_CALL]: { off: 'any', imm: 'any' },
};

/** The table row for an opcode byte, or undefined for an unknown opcode. */
export function opcodeInfo(code: number): OpcodeInfo | undefined {
  return TABLE[code & 0xff];
}

/** Every known opcode, ascending. */
export function knownOpcodes(): OpcodeInfo[] {
  return TABLE.filter((x): x is OpcodeInfo => x !== undefined);
}

// ---- checks ----------------------------------------------------------------

function allows(rule: FieldRule, v: number): boolean {
  if (rule === 'any' || rule === 'jump') return true;
  if (rule === 'zero') return v === 0;
  return rule.includes(v);
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Which field of insn i carries a pc-relative target, if any. */
function jumpField(info: OpcodeInfo, x: Insn): 'off' | 'imm' | undefined {
  if (info.kind === 'call') return x.src === BPF_PSEUDO_CALL ? 'imm' : undefined;
  if (info.kind === 'lddw') return x.src === BPF_PSEUDO_FUNC ? 'imm' : undefined;
  if (info.off === 'jump') return 'off';
  if (info.imm === 'jump') return 'imm';
  return undefined;
}

/**
 * The slot a jump, local call or BPF_PSEUDO_FUNC lddw at i refers to
 * (i + 1 + offset), or undefined when insn i has no code target.
 */
export function insnTarget(insns: readonly Insn[], i: number): number | undefined {
  const x = insns[i];
  if (!x) return undefined;
  const info = opcodeInfo(x.code);
  if (!info) return undefined;
  const f = jumpField(info, x);
  return f === undefined ? undefined : i + 1 + x[f];
}

/** Does execution never continue to i + 1 after insn i (exit, ja, gotol)? */
function isTerminator(info: OpcodeInfo): boolean {
  return info.kind === 'exit' || info.kind === 'ja';
}

const isInt = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Checks one slot's fields against its table row. */
function checkFields(x: Insn, i: number): OpcodeInfo {
  if (!isInt(x.code, 0, 255) || !isInt(x.dst, 0, 15) || !isInt(x.src, 0, 15)
    || !isInt(x.off, -0x8000, 0x7fff) || !isInt(x.imm, -0x80000000, 0x7fffffff)) {
    throw new InsnError('malformed instruction: a field is out of its encoding range', i);
  }
  const info = opcodeInfo(x.code);
  const cls = CLASS_NAMES[BPF_CLASS(x.code)] ?? 'BPF_?';
  if (!info) throw new InsnError(`unknown opcode ${hex2(x.code)}`, i);
  if (x.dst > BPF_REG_10) throw new InsnError(`R${x.dst} is invalid (dst register)`, i);
  if (x.src > BPF_REG_10 && info.src === 'reg') throw new InsnError(`R${x.src} is invalid (src register)`, i);
  if (info.dst === 'none' && x.dst !== 0) throw new InsnError(`${cls} uses reserved fields: dst_reg ${x.dst} must be 0 for ${info.name}`, i);
  if (info.src !== 'reg' && !info.src.includes(x.src)) {
    if (info.kind === 'lddw') throw new InsnError(`invalid bpf_ld_imm64 insn: unknown pseudo src_reg ${x.src}`, i);
    throw new InsnError(`${cls} uses reserved fields: src_reg ${x.src} not allowed for ${info.name}`, i);
  }
  const rules = info.kind === 'call' ? CALL_SRC[x.src]! : info;
  if (!allows(rules.off, x.off)) {
    throw new InsnError(`${cls} uses reserved fields: off ${x.off} not allowed for ${info.name}`, i);
  }
  if (!allows(rules.imm, x.imm)) {
    if (info.kind === 'atomic') throw new InsnError(`BPF_ATOMIC uses invalid atomic opcode ${hex2(x.imm >>> 0)}`, i);
    throw new InsnError(`${cls} uses reserved fields: imm ${x.imm} not allowed for ${info.name}`, i);
  }
  // writes to the frame pointer
  if (info.dst === 'write' && x.dst === BPF_REG_10) throw new InsnError('frame pointer is read only', i);
  if (info.kind === 'atomic') {
    if (x.imm === BPF_LOAD_ACQ && x.dst === BPF_REG_10) throw new InsnError('frame pointer is read only', i);
    if ((x.imm & BPF_FETCH) !== 0 && x.imm < BPF_LOAD_ACQ && x.src === BPF_REG_10) {
      throw new InsnError('frame pointer is read only (atomic fetch writes src_reg)', i);
    }
  }
  return info;
}

/**
 * Throws InsnError (with the slot index) unless every slot is a known
 * opcode with legal fields, every lddw is complete, every jump and local
 * call lands on an instruction inside its subprogram, and no subprogram can
 * fall off its end.
 */
export function validateProgram(insns: readonly Insn[]): void {
  const n = insns.length;
  if (n === 0) throw new InsnError('empty program');
  const second = new Uint8Array(n); // 1 = second slot of an lddw
  const infos: (OpcodeInfo | undefined)[] = new Array(n);

  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    const info = checkFields(x, i);
    infos[i] = info;
    if (info.kind === 'lddw') {
      const hi = insns[i + 1];
      if (!hi) throw new InsnError('invalid bpf_ld_imm64 insn: second slot missing', i);
      if (hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        throw new InsnError('invalid bpf_ld_imm64 insn: second slot must have code, regs and off 0', i + 1);
      }
      second[++i] = 1;
    }
  }

  // subprograms start at 0 and at every local-call / callback target
  const starts = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    const info = infos[i];
    if (!info) continue;
    const t = insnTarget(insns, i);
    if (t === undefined) continue;
    if (t < 0 || t >= n) throw new InsnError(`jump out of range from insn ${i} to ${t}`, i);
    if (second[t]) throw new InsnError(`jump from insn ${i} into the middle of ld_imm64 at insn ${t - 1}`, i);
    if (info.kind === 'call' || info.kind === 'lddw') starts.add(t);
  }
  const bounds = [...starts].sort((a, b) => a - b);
  for (let s = 0; s < bounds.length; s++) {
    const start = bounds[s]!;
    const end = bounds[s + 1] ?? n; // exclusive
    for (let i = start; i < end; i++) {
      const info = infos[i];
      if (!info || info.kind === 'call' || info.kind === 'lddw') continue;
      const t = insnTarget(insns, i);
      if (t !== undefined && (t < start || t >= end)) throw new InsnError(`jump out of range from insn ${i} to ${t}`, i);
    }
    let last = end - 1;
    if (second[last]) last--;
    const info = infos[last]!;
    if (!isTerminator(info)) throw new InsnError('last insn is not an exit or jmp', last);
  }
}

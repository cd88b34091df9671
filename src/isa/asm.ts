// The assembler for the syntax of bpf_conformance's `-- asm` sections (the
// ubpf/bpf_conformance dialect):
//
//   mov %r0, 1            add32 %r0, -3         neg %r1      be16 %r0
//   ldxw %r0, [%r1+4]     stxdw [%r10-8], %r0   stb [%r1+2], 7
//   lddw %r0, 0x123456789abcdef0                 ldxsb %r0, [%r1]
//   ldabsh 12   ldindb %r7, 1   (legacy packet loads)
//   movsx832 %r1, %r2     jne %r0, %r1, label   ja +2     ja32 label
//   call 5  call local f  call %r1 / callx %r1   exit
//   lock [fetch] add|and|or|xor|xchg|cmpxchg[32] [%r1+0], %r2
//
// Labels are `name:` lines. A jump to `exit` with no such label goes to the
// first exit instruction, as bpf_conformance's assembler does (prime.data
// relies on it). `#` starts a comment.

import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG,
  BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE,
  BPF_JSLT, BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG,
  BPF_OR, BPF_PSEUDO_CALL, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_W,
  BPF_X, BPF_XCHG, BPF_XOR,
} from './opcodes.js';
import { insn, ldImm64, type Insn } from './insn.js';

/** A syntax error in assembly source, with the 1-based line and its text. */
export class AsmError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly text: string,
  ) {
    super(`line ${line}: ${reason}: '${text}'`);
    this.name = 'AsmError';
  }
}

export interface AsmProgram {
  insns: Insn[];
  /** 1-based source line of each slot (both slots of lddw get the same line) */
  lines: number[];
  /** label name -> slot index */
  labels: Map<string, number>;
}

/** Assembles source text into instruction slots; throws AsmError. */
export function assemble(source: string): Insn[] {
  return assembleProgram(source).insns;
}

const ALU_OPS: Readonly<Record<string, number>> = {
  add: BPF_ADD, sub: BPF_SUB, mul: BPF_MUL, div: BPF_DIV, or: BPF_OR, and: BPF_AND,
  lsh: BPF_LSH, rsh: BPF_RSH, mod: BPF_MOD, xor: BPF_XOR, mov: BPF_MOV, arsh: BPF_ARSH,
  // signed division: same op, off = 1
  sdiv: BPF_DIV, smod: BPF_MOD,
};

const JMP_OPS: Readonly<Record<string, number>> = {
  jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET, jne: BPF_JNE, jsgt: BPF_JSGT,
  jsge: BPF_JSGE, jlt: BPF_JLT, jle: BPF_JLE, jslt: BPF_JSLT, jsle: BPF_JSLE,
};

const SIZES: Readonly<Record<string, number>> = { b: BPF_B, h: BPF_H, w: BPF_W, dw: BPF_DW };

const ATOMIC_OPS: Readonly<Record<string, number>> = {
  add: BPF_ADD, and: BPF_AND, or: BPF_OR, xor: BPF_XOR, xchg: BPF_XCHG, cmpxchg: BPF_CMPXCHG,
};

/** Where a label must be patched in: the off field or the imm field. */
interface Fixup { slot: number; label: string; field: 'off' | 'imm'; line: number; text: string }

class LineError extends Error {}
const fail = (msg: string): never => { throw new LineError(msg); };

const LABEL_RE = /^[A-Za-z_.$][\w.$]*$/;
const NUM_RE = /^[+-]?(?:0x[0-9a-f]+|[0-9]+)$/i;

function parseNum(s: string, what: string): bigint {
  if (!NUM_RE.test(s)) fail(`expected ${what}, got '${s}'`);
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const v = BigInt(body);
  return neg ? -v : v;
}

/** A 32-bit immediate; accepts signed or unsigned spellings, stores signed. */
function imm32(s: string): number {
  const v = parseNum(s, 'an immediate');
  if (v < -(1n << 31n) || v > 0xffffffffn) fail(`immediate '${s}' does not fit in 32 bits`);
  return Number(BigInt.asIntN(32, v));
}

function imm64(s: string): bigint {
  const v = parseNum(s, 'a 64-bit immediate');
  if (v < -(1n << 63n) || v > 0xffffffffffffffffn) fail(`immediate '${s}' does not fit in 64 bits`);
  return v;
}

function off16(s: string): number {
  const v = parseNum(s, 'an offset');
  if (v < -32768n || v > 32767n) fail(`offset '${s}' does not fit in 16 bits`);
  return Number(v);
}

// %r11..%r15 assemble (as in bpf_conformance) so invalid programs can be
// written for negative tests; validateProgram rejects them.
function reg(s: string | undefined): number {
  const m = /^%?r([0-9]|1[0-5])$/.exec(s ?? '');
  if (!m) fail(`expected a register %r0..%r15, got '${s ?? ''}'`);
  return Number(m![1]);
}

const isReg = (s: string): boolean => /^%?r[0-9]+$/.test(s);

/** `[%rN]`, `[%rN+off]`, `[%rN-off]` -> [reg, off] */
function mem(s: string | undefined): [number, number] {
  const m = /^\[\s*(%?r[0-9]+)\s*(?:([+-])\s*((?:0x)?[0-9a-f]+))?\s*\]$/i.exec(s ?? '');
  if (!m) fail(`expected a memory operand [%rN+off], got '${s ?? ''}'`);
  const r = reg(m![1]);
  const o = m![2] === undefined ? 0 : off16(m![2] + m![3]);
  return [r, o];
}

function arity(ops: string[], n: number, mn: string): void {
  if (ops.length !== n) fail(`'${mn}' takes ${n} operand${n === 1 ? '' : 's'}, got ${ops.length}`);
}

/** Splits operands on commas outside brackets. */
function splitOperands(rest: string): string[] {
  if (rest.trim() === '') return [];
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const ch of rest) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  if (out.some((o) => o === '')) fail('empty operand');
  return out;
}

type Target = { kind: 'num'; value: number } | { kind: 'label'; name: string };

function target(s: string | undefined): Target {
  if (s === undefined) return fail('missing jump target');
  if (NUM_RE.test(s)) return { kind: 'num', value: Number(parseNum(s, 'a jump offset')) };
  if (!LABEL_RE.test(s)) fail(`bad jump target '${s}'`);
  return { kind: 'label', name: s };
}

/**
 * Encodes one instruction line (label and comment already stripped).
 * Returns the slots and, for a label operand, which field of slot 0 to patch.
 */
function encodeLine(mn: string, ops: string[]): { slots: Insn[]; label?: { name: string; field: 'off' | 'imm' } } {
  let m: RegExpExecArray | null;

  if (mn === 'exit') { arity(ops, 0, mn); return { slots: [insn(BPF_JMP | BPF_EXIT)] }; }

  if (mn === 'lddw') {
    arity(ops, 2, mn);
    return { slots: ldImm64(reg(ops[0]), imm64(ops[1]!)) };
  }

  // ldx{b,h,w,dw}, ldxs{b,h,w}
  if ((m = /^ldx(s?)(b|h|w|dw)$/.exec(mn))) {
    arity(ops, 2, mn);
    if (m[1] === 's' && m[2] === 'dw') fail(`unknown mnemonic '${mn}'`);
    const [src, off] = mem(ops[1]);
    return { slots: [insn(BPF_LDX | (m[1] ? BPF_MEMSX : BPF_MEM) | SIZES[m[2]!]!, reg(ops[0]), src, off)] };
  }

  // legacy packet loads (socket filters): ldabs{b,h,w} imm, ldind{b,h,w} %rN, imm
  if ((m = /^ld(abs|ind)(b|h|w)$/.exec(mn))) {
    const abs = m[1] === 'abs';
    arity(ops, abs ? 1 : 2, mn);
    const code = BPF_LD | (abs ? BPF_ABS : BPF_IND) | SIZES[m[2]!]!;
    return { slots: [insn(code, 0, abs ? 0 : reg(ops[0]), 0, imm32(ops[abs ? 0 : 1]!))] };
  }

  // st{b,h,w,dw} [reg+off], imm
  if ((m = /^st(b|h|w|dw)$/.exec(mn))) {
    arity(ops, 2, mn);
    const [dst, off] = mem(ops[0]);
    return { slots: [insn(BPF_ST | BPF_MEM | SIZES[m[1]!]!, dst, 0, off, imm32(ops[1]!))] };
  }

  if ((m = /^stx(b|h|w|dw)$/.exec(mn))) {
    arity(ops, 2, mn);
    const [dst, off] = mem(ops[0]);
    return { slots: [insn(BPF_STX | BPF_MEM | SIZES[m[1]!]!, dst, reg(ops[1]), off)] };
  }

  // Byte swaps: le/be convert to/from a byte order (ALU class), swap/bswap
  // swap unconditionally (ALU64 class, BPF_TO_LE).
  if ((m = /^(le|be|swap|bswap)(16|32|64)$/.exec(mn))) {
    arity(ops, 1, mn);
    const code = m[1] === 'le' ? BPF_ALU | BPF_END | BPF_TO_LE
      : m[1] === 'be' ? BPF_ALU | BPF_END | BPF_TO_BE
        : BPF_ALU64 | BPF_END | BPF_TO_LE;
    return { slots: [insn(code, reg(ops[0]), 0, 0, Number(m[2]))] };
  }

  if ((m = /^neg(32)?$/.exec(mn))) {
    arity(ops, 1, mn);
    return { slots: [insn((m[1] ? BPF_ALU : BPF_ALU64) | BPF_NEG | BPF_K, reg(ops[0]))] };
  }

  // movsx<from><to>: movsx832, movsx1632, movsx864, movsx1664, movsx3264
  if ((m = /^movsx(8|16|32)(32|64)$/.exec(mn))) {
    arity(ops, 2, mn);
    if (m[1] === '32' && m[2] === '32') fail(`unknown mnemonic '${mn}'`);
    const cls = m[2] === '32' ? BPF_ALU : BPF_ALU64;
    return { slots: [insn(cls | BPF_MOV | BPF_X, reg(ops[0]), reg(ops[1]), Number(m[1]))] };
  }

  if ((m = /^([a-z]+?)(32)?$/.exec(mn)) && ALU_OPS[m[1]!] !== undefined) {
    arity(ops, 2, mn);
    const cls = m[2] ? BPF_ALU : BPF_ALU64;
    const off = m[1] === 'sdiv' || m[1] === 'smod' ? 1 : 0;
    const dst = reg(ops[0]);
    if (isReg(ops[1]!)) return { slots: [insn(cls | ALU_OPS[m[1]!]! | BPF_X, dst, reg(ops[1]), off)] };
    return { slots: [insn(cls | ALU_OPS[m[1]!]! | BPF_K, dst, 0, off, imm32(ops[1]!))] };
  }

  if (mn === 'ja') {
    arity(ops, 1, mn);
    const t = target(ops[0]);
    if (t.kind === 'label') return { slots: [insn(BPF_JMP | BPF_JA)], label: { name: t.name, field: 'off' } };
    return { slots: [insn(BPF_JMP | BPF_JA, 0, 0, checkOff(t.value))] };
  }

  // ja32 / gotol: JMP32 | JA with the offset in imm
  if (mn === 'ja32' || mn === 'gotol') {
    arity(ops, 1, mn);
    const t = target(ops[0]);
    if (t.kind === 'label') return { slots: [insn(BPF_JMP32 | BPF_JA)], label: { name: t.name, field: 'imm' } };
    return { slots: [insn(BPF_JMP32 | BPF_JA, 0, 0, 0, checkImm(t.value))] };
  }

  if ((m = /^([a-z]+?)(32)?$/.exec(mn)) && JMP_OPS[m[1]!] !== undefined) {
    arity(ops, 3, mn);
    const cls = m[2] ? BPF_JMP32 : BPF_JMP;
    const dst = reg(ops[0]);
    const src = isReg(ops[1]!);
    const code = cls | JMP_OPS[m[1]!]! | (src ? BPF_X : BPF_K);
    const slot = insn(code, dst, src ? reg(ops[1]) : 0, 0, src ? 0 : imm32(ops[1]!));
    const t = target(ops[2]);
    if (t.kind === 'label') return { slots: [slot], label: { name: t.name, field: 'off' } };
    slot.off = checkOff(t.value);
    return { slots: [slot] };
  }

  if (mn === 'callx') {
    arity(ops, 1, mn);
    return { slots: [insn(BPF_JMP | BPF_CALL | BPF_X, reg(ops[0]))] };
  }

  if (mn === 'call') {
    // call N | call helper N | call local label|+N | call %rN (callx)
    const words = ops.length === 1 ? ops[0]!.split(/\s+/) : [];
    if (words.length === 1) {
      const w = words[0]!;
      if (isReg(w)) return { slots: [insn(BPF_JMP | BPF_CALL | BPF_X, reg(w))] };
      return { slots: [insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(w))] };
    }
    if (words.length === 2 && words[0] === 'helper') {
      return { slots: [insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(words[1]!))] };
    }
    if (words.length === 2 && words[0] === 'local') {
      const t = target(words[1]);
      const slot = insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL);
      if (t.kind === 'label') return { slots: [slot], label: { name: t.name, field: 'imm' } };
      slot.imm = checkImm(t.value);
      return { slots: [slot] };
    }
    return fail(`bad call operand; expected 'call N', 'call local LABEL' or 'call %rN'`);
  }

  return fail(`unknown mnemonic '${mn}'`);
}

function checkOff(v: number): number {
  if (v < -32768 || v > 32767) fail(`jump offset ${v} does not fit in 16 bits`);
  return v;
}

function checkImm(v: number): number {
  if (v < -(2 ** 31) || v > 2 ** 31 - 1) fail(`jump offset ${v} does not fit in 32 bits`);
  return v;
}

/** `lock [fetch] op[32] [reg+off], reg` */
function encodeLock(words: string, ops: string[]): Insn {
  const w = words.split(/\s+/).filter(Boolean);
  const fetch = w[0] === 'fetch';
  if (fetch) w.shift();
  const m = w.length === 1 ? /^([a-z]+?)(32)?$/.exec(w[0]!) : null;
  const op = m ? ATOMIC_OPS[m[1]!] : undefined;
  if (!m || op === undefined) return fail(`unknown atomic operation 'lock ${words}'`);
  arity(ops, 2, 'lock');
  const [dst, off] = mem(ops[0]);
  // xchg and cmpxchg always fetch
  const imm = op | (fetch ? BPF_FETCH : 0);
  return insn(BPF_STX | BPF_ATOMIC | (m[2] ? BPF_W : BPF_DW), dst, reg(ops[1]), off, imm);
}

/** Assembles source text; also returns source lines per slot and the labels. */
export function assembleProgram(source: string): AsmProgram {
  const insns: Insn[] = [];
  const lines: number[] = [];
  const labels = new Map<string, number>();
  const fixups: Fixup[] = [];
  let firstExit: number | undefined;

  source.split(/\r?\n/).forEach((raw, idx) => {
    const lineNo = idx + 1;
    const hash = raw.indexOf('#');
    let text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    try {
      // leading labels: `name:` (an instruction may follow on the same line)
      let lm: RegExpExecArray | null;
      while ((lm = /^([A-Za-z_.$][\w.$]*)\s*:\s*/.exec(text))) {
        const name = lm[1]!;
        if (labels.has(name)) fail(`duplicate label '${name}'`);
        labels.set(name, insns.length);
        text = text.slice(lm[0].length);
      }
      if (text === '') return;
      const sp = text.search(/\s/);
      const mn = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
      let rest = sp < 0 ? '' : text.slice(sp + 1).trim();
      let slots: Insn[];
      let label: { name: string; field: 'off' | 'imm' } | undefined;
      if (mn === 'lock') {
        // the words before the first operand ('[') name the operation
        const br = rest.indexOf('[');
        if (br < 0) fail('expected a memory operand');
        const words = rest.slice(0, br).trim();
        rest = rest.slice(br);
        slots = [encodeLock(words.toLowerCase(), splitOperands(rest))];
      } else {
        ({ slots, label } = encodeLine(mn, splitOperands(rest)));
      }
      if (label) fixups.push({ slot: insns.length, label: label.name, field: label.field, line: lineNo, text: raw.trim() });
      if (mn === 'exit' && firstExit === undefined) firstExit = insns.length;
      for (const s of slots) { insns.push(s); lines.push(lineNo); }
    } catch (e) {
      if (e instanceof LineError) throw new AsmError(e.message, lineNo, raw.trim());
      throw e;
    }
  });

  for (const f of fixups) {
    let to = labels.get(f.label);
    if (to === undefined && f.label === 'exit') to = firstExit;
    if (to === undefined) throw new AsmError(`undefined label '${f.label}'`, f.line, f.text);
    const rel = to - f.slot - 1;
    const slot = insns[f.slot]!;
    if (f.field === 'off') {
      if (rel < -32768 || rel > 32767) throw new AsmError(`jump to '${f.label}' is out of 16-bit range`, f.line, f.text);
      slot.off = rel;
    } else {
      slot.imm = rel;
    }
  }
  return { insns, lines, labels };
}

/**
 * The `-- asm` section of a bpf_conformance `.data` file, or undefined when
 * there is none. Lines keep their positions (other lines become blank) so
 * AsmError line numbers point into the original file.
 */
export function asmSection(dataFile: string): string | undefined {
  const lines = dataFile.split(/\r?\n/);
  let inAsm = false, found = false;
  const out = lines.map((l) => {
    if (l.startsWith('-- ')) { inAsm = l.trim() === '-- asm'; found ||= inAsm; return ''; }
    return inAsm ? l : '';
  });
  return found ? out.join('\n') : undefined;
}

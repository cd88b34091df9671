// compute_live_registers: which of r0-r9 are live before each instruction
// (a backward data-flow over the CFG, per subprogram). The verifier's level-2
// log prints the result as the kernel does ("Live regs before insn:").
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH,
  BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MODE, BPF_MOV, BPF_NEG, BPF_OP, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL,
  BPF_SRC, BPF_ST, BPF_STX, BPF_X,
} from '../isa/opcodes.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import type { HelperProto } from '../helpers/proto.js';
import { ArgType } from '../helpers/proto.js';
import type { KfuncProto } from '../kfuncs/proto.js';

const CALLER_SAVED = 0x3f; // r0-r5
const ARGS = 0x3e; // r1-r5

/** Registers an instruction reads (use) and writes (def), as compute_insn_live_regs. */
function useDef(insns: readonly Insn[], i: number, proto: (id: number) => HelperProto | undefined, kfunc?: (id: number) => KfuncProto | undefined): [number, number] {
  const x = insns[i]!;
  const cls = BPF_CLASS(x.code);
  const dst = 1 << x.dst, src = 1 << x.src;
  const op = BPF_OP(x.code);
  switch (cls) {
    case BPF_LD:
      if (x.code === LD_IMM64) return [0, dst];
      if (BPF_MODE(x.code) === BPF_ABS) return [1 << 6, CALLER_SAVED];
      if (BPF_MODE(x.code) === BPF_IND) return [(1 << 6) | src, CALLER_SAVED];
      return [0, 0];
    case BPF_LDX:
      return [src, dst];
    case BPF_ST:
      return [dst, 0];
    case BPF_STX:
      if (BPF_MODE(x.code) === BPF_ATOMIC) {
        if (x.imm === BPF_CMPXCHG) return [dst | src | 1, 1];
        if (x.imm & BPF_FETCH) return [dst | src, src];
        return [dst | src, 0];
      }
      return [dst | src, 0];
    case BPF_ALU:
    case BPF_ALU64:
      if (op === BPF_MOV) return [BPF_SRC(x.code) === BPF_X ? src : 0, dst];
      if (op === BPF_NEG || op === BPF_END) return [dst, dst];
      return [BPF_SRC(x.code) === BPF_X ? dst | src : dst, dst];
    case BPF_JMP:
    case BPF_JMP32:
      if (op === BPF_EXIT) return [1, 0];
      if (op === BPF_JA) return [0, 0];
      if (op === BPF_CALL) {
        if (cls !== BPF_JMP) return [0, 0];
        if (x.src === BPF_PSEUDO_CALL) return [ARGS, CALLER_SAVED];
        if (x.src === BPF_PSEUDO_KFUNC_CALL) {
          // get_call_summary: a kfunc reads its BTF prototype's parameters
          const k = kfunc?.(x.imm);
          return [k ? ((1 << (k.args.length + 1)) - 2) & ARGS : ARGS, CALLER_SAVED];
        }
        if (x.src !== 0) return [ARGS, CALLER_SAVED];
        const p = proto(x.imm);
        if (!p) return [ARGS, CALLER_SAVED];
        let use = 0;
        p.args.forEach((a, k) => { if (a !== ArgType.DONTCARE) use |= 1 << (k + 1); });
        return [use, CALLER_SAVED];
      }
      return [BPF_SRC(x.code) === BPF_X ? dst | src : dst, 0];
    default:
      return [0, 0];
  }
}

/** Successors of insn i inside its subprogram (calls fall through; exit has none). */
export function successors(insns: readonly Insn[], i: number): number[] {
  const x = insns[i]!;
  const cls = BPF_CLASS(x.code);
  if (x.code === LD_IMM64) return [i + 2];
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return [i + 1];
  const op = BPF_OP(x.code);
  if (op === BPF_EXIT) return [];
  if (op === BPF_CALL) return [i + 1];
  const off = cls === BPF_JMP32 && op === BPF_JA ? x.imm : x.off;
  if (op === BPF_JA) return [i + off + 1];
  return [i + 1, i + off + 1];
}

/** Live-before masks (bit r = rN), one per slot (0 for the second half of ld_imm64). */
export function computeLiveRegs(insns: readonly Insn[], proto: (id: number) => HelperProto | undefined, kfunc?: (id: number) => KfuncProto | undefined): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n), def = new Uint16Array(n), live = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    [use[i], def[i]] = useDef(insns, i, proto, kfunc);
    if (insns[i]!.code === LD_IMM64) i++;
  }
  const succ: number[][] = [];
  for (let i = 0; i < n; i++) {
    succ[i] = successors(insns, i);
    if (insns[i]!.code === LD_IMM64) { succ[i + 1] = []; i++; }
  }
  const second = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (insns[i]!.code === LD_IMM64) second[++i] = 1;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (second[i]) continue;
      let out = 0;
      for (const s of succ[i]!) if (s >= 0 && s < n) out |= live[s]!;
      const before = (use[i]! | (out & ~def[i]!)) & 0x3ff;
      if (before !== live[i]) { live[i] = before; changed = true; }
    }
  }
  return live;
}

/** The level-2 table: "Live regs before insn:" and "%7d: .1........ (b7) r0 = 1" per instruction. */
export function liveRegsTable(insns: readonly Insn[], live: Uint16Array, fmt: (i: number) => string): string {
  let s = 'Live regs before insn:\n';
  for (let i = 0; i < insns.length; i++) {
    let regs = '';
    for (let r = 0; r < 10; r++) regs += live[i]! & (1 << r) ? String(r) : '.';
    s += `${String(i).padStart(7)}: ${regs} ${fmt(i)}\n`;
    if (insns[i]!.code === LD_IMM64) i++;
  }
  return s;
}

// Subprogram discovery (add_subprog_and_kfunc, check_subprogs) and the
// control-flow pass (check_cfg): every slot reachable, every jump in range
// and inside its own subprogram, no jump into the second slot of ld_imm64.
// Back-edges are allowed, as for a privileged loader: loops are bounded later
// by simulation in doCheck.
import {
  BPF_CALL, BPF_CLASS, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_OP, BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
} from '../isa/opcodes.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import type { FuncInfo, SubprogInfo } from './env.js';
import { E2BIG, EINVAL } from '../uapi/errno.js';

/**
 * A verification failure; errno as the kernel returns it. Internal (verify()
 * turns it into a VerifierError), so it captures no stack trace: building
 * one was a third of the load time of a small rejected program.
 */
export class CheckError extends Error {
  constructor(message: string, readonly errno: number, readonly insnIndex?: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export const isLdImm64 = (i: Insn): boolean => i.code === LD_IMM64;
export const isPseudoCall = (i: Insn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === BPF_PSEUDO_CALL;
export const isPseudoFunc = (i: Insn): boolean => isLdImm64(i) && i.src === BPF_PSEUDO_FUNC;

/** Jump target of a jump at slot i (gotol uses imm). */
export function jumpTarget(insns: readonly Insn[], i: number): number {
  const x = insns[i]!;
  if (BPF_CLASS(x.code) === BPF_JMP32 && BPF_OP(x.code) === BPF_JA) return i + x.imm + 1;
  return i + x.off + 1;
}

export function isJump(x: Insn): boolean {
  const cls = BPF_CLASS(x.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return false;
  const op = BPF_OP(x.code);
  return op !== BPF_CALL && op !== BPF_EXIT;
}

/** Subprogram starts from pseudo calls, pseudo funcs and func_info; sorted. */
/** BPF_MAX_SUBPROGS */
const BPF_MAX_SUBPROGS = 256;

export function findSubprogs(insns: readonly Insn[], funcInfo?: readonly FuncInfo[]): SubprogInfo[] {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (isPseudoCall(x) || isPseudoFunc(x)) {
      const t = i + x.imm + 1;
      if (t < 0 || t >= insns.length) {
        // add_subprog says the same for a call and a BPF_PSEUDO_FUNC
        throw new CheckError('call to invalid destination', EINVAL, i);
      }
      starts.add(t);
      // add_subprog: BPF_MAX_SUBPROGS, the main program included
      if (starts.size > BPF_MAX_SUBPROGS) throw new CheckError('too many subprograms', E2BIG, i);
    }
    if (isLdImm64(x)) i++;
  }
  for (const f of funcInfo ?? []) if (f.insnOff > 0 && f.insnOff < insns.length) starts.add(f.insnOff);
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.map((start, k) => ({
    start,
    end: sorted[k + 1] ?? insns.length,
    stackDepth: 0,
    isAsyncCb: false,
    isCb: false,
    linkage: funcInfo?.find((f) => f.insnOff === start)?.linkage ?? 'static',
  }));
}

export function subprogOf(subprogs: readonly SubprogInfo[], insnIdx: number): number {
  for (let k = subprogs.length - 1; k >= 0; k--) if (subprogs[k]!.start <= insnIdx) return k;
  return 0;
}

/** check_subprogs: jumps stay inside their subprogram; each ends with exit or ja. */
export function checkSubprogs(insns: readonly Insn[], subprogs: readonly SubprogInfo[]): void {
  for (const sp of subprogs) {
    for (let i = sp.start; i < sp.end; i++) {
      const x = insns[i]!;
      if (isJump(x)) {
        const t = jumpTarget(insns, i);
        if (t < sp.start || t >= sp.end) throw new CheckError(`jump out of range from insn ${i} to ${t}`, EINVAL, i);
      }
      if (i === sp.end - 1) {
        const cls = BPF_CLASS(x.code);
        const op = BPF_OP(x.code);
        if (!((cls === BPF_JMP || cls === BPF_JMP32) && (op === BPF_EXIT || op === BPF_JA))) {
          throw new CheckError('last insn is not an exit or jmp', EINVAL, i);
        }
      }
    }
  }
}

/** check_cfg: depth-first walk from insn 0 through calls and callbacks. */
export function checkCfg(insns: readonly Insn[]): void {
  const n = insns.length;
  const seen = new Uint8Array(n);
  const stack: number[] = [0];
  seen[0] = 1;
  const push = (from: number, to: number): void => {
    if (to < 0 || to >= n) throw new CheckError(`jump out of range from insn ${from} to ${to}`, EINVAL, from);
    // a jump into the second slot is walked on and reported after the walk
    if (!seen[to]) { seen[to] = 1; stack.push(to); }
  };
  while (stack.length) {
    const t = stack.pop()!;
    const x = insns[t]!;
    const cls = BPF_CLASS(x.code);
    if (isLdImm64(x)) {
      if (t + 1 >= n) throw new CheckError('invalid bpf_ld_imm64 insn', EINVAL, t);
      if (x.src === BPF_PSEUDO_FUNC) push(t, t + x.imm + 1);
      push(t + 1, t + 2);
      continue;
    }
    if (cls === BPF_JMP || cls === BPF_JMP32) {
      const op = BPF_OP(x.code);
      if (op === BPF_EXIT) continue;
      if (op === BPF_CALL) {
        if (x.src === BPF_PSEUDO_CALL) push(t, t + x.imm + 1);
        push(t, t + 1);
        continue;
      }
      push(t, jumpTarget(insns, t));
      if (op !== BPF_JA) push(t, t + 1);
      continue;
    }
    push(t, t + 1);
  }
  // in insn order, as check_cfg reports: unreached insns, and the second
  // slot of an ld_imm64 reached by a jump
  for (let i = 0; i < n; i++) {
    if (!seen[i]) throw new CheckError(`unreachable insn ${i}`, EINVAL, i);
    if (isLdImm64(insns[i]!) && i + 1 < n) {
      if (seen[i + 1]) throw new CheckError(`jump into the middle of ldimm64 insn ${i}`, EINVAL, i);
      i++;
    }
  }
}

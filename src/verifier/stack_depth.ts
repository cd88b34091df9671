// check_max_stack_depth: the stack of every frame on a chain of bpf-to-bpf
// calls (and synchronous callbacks) must fit in 512 bytes together. Async
// callbacks (timers) run on a fresh stack, so each starts its own chain.
import { BPF_CALL, BPF_JMP, MAX_BPF_STACK, MAX_CALL_FRAMES } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { E2BIG, EACCES } from '../uapi/errno.js';
import { CheckError, isLdImm64, isPseudoCall, isPseudoFunc, subprogOf } from './cfg.js';
import type { SubprogInfo } from './env.js';

/** round_up_stack_depth with the JIT: frames are 16-byte aligned. */
export const roundUpStackDepth = (d: number): number => Math.ceil(d / 16) * 16;

const BPF_FUNC_tail_call = 12;

export function checkMaxStackDepth(insns: readonly Insn[], subprogs: readonly SubprogInfo[]): void {
  subprogs.forEach((sp, idx) => {
    if (idx === 0 || sp.isAsyncCb) walk(idx, 0, 0);
  });

  function hasTailCall(sp: SubprogInfo): boolean {
    for (let i = sp.start; i < sp.end; i++) {
      const x = insns[i]!;
      if (x.code === (BPF_JMP | BPF_CALL) && x.src === 0 && x.imm === BPF_FUNC_tail_call) return true;
      if (isLdImm64(x)) i++;
    }
    return false;
  }

  function walk(idx: number, depth: number, frame: number): void {
    const sp = subprogs[idx]!;
    // a tail call unwinds only its own frame: the callers' frames stay, so they
    // are limited to 256 bytes (32 tail calls * 256 = 8k at worst)
    if (idx && depth >= 256 && hasTailCall(sp)) {
      throw new CheckError(`tail_calls are not allowed when call stack of previous frames is ${depth} bytes. Too large`, EACCES);
    }
    depth += roundUpStackDepth(sp.stackDepth);
    if (depth > MAX_BPF_STACK) throw new CheckError(`combined stack size of ${frame + 1} calls is ${depth}. Too large`, EACCES);
    for (let i = sp.start; i < sp.end; i++) {
      const x = insns[i]!;
      const call = x.code === (BPF_JMP | BPF_CALL) && isPseudoCall(x);
      const cb = isPseudoFunc(x);
      if (call || cb) {
        const callee = subprogOf(subprogs, i + x.imm + 1);
        // async callbacks are roots of their own; they add nothing here
        if (cb && subprogs[callee]!.isAsyncCb) { if (isLdImm64(x)) i++; continue; }
        if (frame + 1 >= MAX_CALL_FRAMES) throw new CheckError(`the call stack of ${frame + 2} frames is too deep !`, E2BIG);
        walk(callee, depth, frame + 1);
      }
      if (isLdImm64(x)) i++;
    }
  }
}

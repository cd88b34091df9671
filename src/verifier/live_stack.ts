// Stack liveness (6.18's kernel/bpf/liveness.c, conservatively): which 8-byte
// slots of an instruction's own frame may be read before being overwritten on
// some path from it. A fully explored checkpoint does not compare dead slots
// (clean_func_state turns them into STACK_INVALID). The kernel learns the reads
// from the accesses it verifies; this pass sees only fp-relative loads and
// stores, so anything that may reach the stack another way (a load or store
// through another register, any call) counts as reading every slot.
import {
  BPF_CALL, BPF_CLASS, BPF_EXIT, BPF_JMP, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MODE, BPF_OP, BPF_SIZE,
  BPF_ST, BPF_STX, MAX_BPF_STACK, sizeBytes,
} from '../isa/opcodes.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { successors } from './live_regs.js';

const FP = 10;

/** Slots (index (MAX_BPF_STACK + off) / 8, as FuncState.spills) live before each insn: two 32-bit words per insn. */
export function computeLiveStack(insns: readonly Insn[]): Uint32Array {
  const n = insns.length;
  const use = new Uint32Array(2 * n), def = new Uint32Array(2 * n), live = new Uint32Array(2 * n);
  const set = (a: Uint32Array, i: number, slot: number): void => { a[2 * i + (slot >> 5)]! |= 1 << (slot & 31); };
  const all = (i: number): void => { use[2 * i] = 0xffffffff; use[2 * i + 1] = 0xffffffff; };
  const second = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    if (x.code === LD_IMM64) { second[++i] = 1; continue; }
    const cls = BPF_CLASS(x.code);
    const mode = BPF_MODE(x.code);
    if (cls === BPF_LDX) {
      if (x.src !== FP || (mode !== BPF_MEM && mode !== BPF_MEMSX)) { all(i); continue; }
      const lo = MAX_BPF_STACK + x.off, hi = lo + sizeBytes(BPF_SIZE(x.code));
      // out of the frame: the load is refused when verified, nothing to track
      if (lo < 0 || hi > MAX_BPF_STACK) continue;
      for (let s = lo >> 3; s <= (hi - 1) >> 3; s++) set(use, i, s);
    } else if (cls === BPF_ST || cls === BPF_STX) {
      // atomics read what they update
      if (mode !== BPF_MEM) { all(i); continue; }
      // a store elsewhere reads nothing; only a whole aligned slot at a fixed fp offset is
      // overwritten for sure (a narrower store keeps the rest of the slot)
      const lo = MAX_BPF_STACK + x.off;
      if (x.dst === FP && sizeBytes(BPF_SIZE(x.code)) === 8 && (lo & 7) === 0 && lo >= 0 && lo < MAX_BPF_STACK) set(def, i, lo >> 3);
    } else if (cls === BPF_JMP && BPF_OP(x.code) === BPF_CALL) {
      // helpers, kfuncs and callees may read the frame through a pointer argument
      all(i);
    }
  }
  const succ: number[][] = [];
  for (let i = 0; i < n; i++) succ[i] = second[i] ? [] : successors(insns, i);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (second[i]) continue;
      const x = insns[i]!;
      // the frame is gone after its exit
      const exit = BPF_CLASS(x.code) === BPF_JMP && BPF_OP(x.code) === BPF_EXIT;
      for (let w = 0; w < 2; w++) {
        let out = 0;
        if (!exit) for (const s of succ[i]!) if (s >= 0 && s < n) out |= live[2 * s + w]!;
        const before = (use[2 * i + w]! | (out & ~def[2 * i + w]!)) >>> 0;
        if (before !== live[2 * i + w]) { live[2 * i + w] = before; changed = true; }
      }
    }
  }
  return live;
}

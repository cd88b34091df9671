// Basic blocks of a predecoded program for the JIT. A block ends at a jump,
// an exit, a call (helper, local, callx), a legacy packet load or a trap, so
// every instruction of a block runs once the block is entered: the JIT
// charges the instruction budget once per block and the count stays exact.

import { OP_CALL_LOCAL, OP_LD_ABS_W, OP_LD_IND_B, OP_TRAP, type DecodedProgram } from '../vm/decode.js';
import { LD_IMM64 } from '../isa/insn.js';
import { BPF_PSEUDO_FUNC } from '../isa/opcodes.js';

export interface BasicBlock {
  /** first slot */
  readonly start: number;
  /** slots of its instructions, in order (an lddw takes one entry, two slots) */
  readonly slots: readonly number[];
  /** the slot control reaches when the last instruction falls through (-1: it never does) */
  readonly next: number;
}

/** Whether instruction `op` ends a block, and whether it can fall through. */
function ends(op: number): { ends: boolean; falls: boolean } {
  switch (op) {
    case 0x05: case 0x06: return { ends: true, falls: false }; // ja, gotol
    case 0x95: case OP_TRAP: return { ends: true, falls: false }; // exit, trap
    case 0x85: case 0x8d: case OP_CALL_LOCAL: return { ends: true, falls: true };
    default:
      if (op >= OP_LD_ABS_W && op <= OP_LD_IND_B && (op & 7) === 0) return { ends: true, falls: true };
      // conditional jumps (class JMP/JMP32 = 5/6, not ja/call/exit)
      if (((op & 7) === 5 || (op & 7) === 6) && (op & 0xf0) !== 0x80 && (op & 0xf0) !== 0x90) return { ends: true, falls: true };
      return { ends: false, falls: true };
  }
}

/** True for a conditional jump opcode (after predecoding). */
export function isCondJump(op: number): boolean {
  const cls = op & 7;
  if (cls !== 5 && cls !== 6) return false;
  const o = op & 0xf0;
  return o !== 0x00 && o !== 0x80 && o !== 0x90;
}

/**
 * Splits the program into blocks. `entries` are the extra slots a run or a
 * callback may start at (beyond slot 0, jump and call targets and
 * BPF_PSEUDO_FUNC addresses). Slot `length` (the fall-off trap) is always a block.
 */
export function basicBlocks(prog: DecodedProgram, entries: Iterable<number>): BasicBlock[] {
  const n = prog.length;
  const w = prog.words;
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  leader[n] = 1;
  for (const e of entries) if (e >= 0 && e <= n) leader[e] = 1;
  for (let i = 0; i < n; i++) {
    const op = w[i * 4]! & 0xff;
    if (op === 0x18) {
      const ins = prog.insns[i];
      // a callback address (the loader relocated BPF_PSEUDO_FUNC to an absolute slot)
      if (ins !== undefined && ins.code === LD_IMM64 && ins.src === BPF_PSEUDO_FUNC) {
        const t = w[i * 4 + 2]!;
        if (t >= 0 && t < n) leader[t] = 1;
      }
      i++;
      continue;
    }
    const e = ends(op);
    if (!e.ends) continue;
    if (i + 1 <= n) leader[i + 1] = 1;
    if (op === OP_CALL_LOCAL) { const t = w[i * 4 + 3]!; if (t >= 0 && t < n) leader[t] = 1; }
    else if (op === 0x05 || op === 0x06 || isCondJump(op)) { const t = w[i * 4 + 1]!; if (t >= 0 && t < n) leader[t] = 1; }
  }
  // an entry into the second slot of an lddw (a trap) splits the lddw's block after it
  for (let i = 0; i + 2 <= n; i++) {
    if ((w[i * 4]! & 0xff) !== 0x18) continue;
    if (leader[i + 1]) leader[i + 2] = 1;
    i++;
  }
  const blocks: BasicBlock[] = [];
  for (let s = 0; s <= n;) {
    const slots: number[] = [];
    let i = s;
    let next = -1;
    for (;;) {
      if (i >= n) { // the trap slot past the end
        if (slots.length === 0) slots.push(n);
        else next = n;
        break;
      }
      slots.push(i);
      const op = w[i * 4]! & 0xff;
      const wide = op === 0x18 ? 2 : 1;
      const e = ends(op);
      if (e.ends) { next = e.falls ? i + 1 : -1; break; }
      i += wide;
      if (leader[i]) { next = i; break; }
    }
    blocks.push({ start: s, slots, next });
    // the next block starts at the next leader after this one's first slot
    let t = s + 1;
    while (t <= n && !leader[t]) t++;
    s = t;
  }
  return blocks;
}

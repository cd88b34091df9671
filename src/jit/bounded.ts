// Counted loops the JIT proves finite on its own, without trusting the
// verifier: their back edges need no budget compare (the watchdog's only
// job is that a wrongly accepted program cannot hang the host, and such a
// loop cannot). The count stays exact: every block still charges its
// instructions; the deficit such a loop can run up before the next compare
// is bounded (MAX_DEFICIT).
//
// The shape (what clang emits for `for (i = C; i < N; i += S)`, rotated):
// a wasm loop region [head, last] without calls, a single latch ending in
// `if reg != K / < K / <= K goto head` (64-bit, immediate), `reg += S`
// (S > 0) the only write to reg in the region and in a block every
// iteration passes, and reg = C (a `mov reg, C`) on every way in.

import { OP_CALL_LOCAL, OP_TRAP, type DecodedProgram } from '../vm/decode.js';
import { isCondJump, type BasicBlock } from './blocks.js';

/** the most instructions a proven loop may run between two budget compares */
export const MAX_DEFICIT = 1 << 24;

/** JMP | K codes of the latch tests taken (BPF_JNE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE) */
const JNE_K = 0x55, JLT_K = 0xa5, JLE_K = 0xb5, JSLT_K = 0xc5, JSLE_K = 0xd5;
const ADD64_K = 0x07, MOV64_K = 0xb7;

/**
 * The register slot `at` writes: -1 none, -2 an instruction a proven loop may
 * not contain (calls, legacy packet loads, atomics: they write registers or
 * memory beyond what this looks at, or run other code).
 */
function writes(prog: DecodedProgram, at: number): number {
  const w0 = prog.words[at * 4]!;
  const op = w0 & 0xff;
  const d = (w0 >> 8) & 0xf;
  const cls = op & 7;
  if (op === 0x05 || op === 0x06 || op === 0x95 || op === OP_TRAP || isCondJump(op)) return -1; // jumps, exit, trap
  if (cls === 7 || cls === 4) return d; // ALU64, ALU32
  if (op >= 0x08 && op <= 0x70 && (op & 7) === 0 && op !== OP_CALL_LOCAL) return d; // signed div/mod, movsx (predecoded)
  if (op === 0x18) return d; // lddw
  if ([0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x21, 0x29, 0x31, 0x39, 0x41, 0x49, 0x51].includes(op)) return d; // loads
  if ([0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b].includes(op)) return -1; // stores
  return -2;
}

export interface LoopCfg {
  readonly prog: DecodedProgram;
  readonly blocks: readonly BasicBlock[];
  readonly blockAt: ReadonlyMap<number, number>;
  readonly preds: readonly (readonly number[])[];
  /** blocks entered by the dispatch loop (entries, calls, callbacks) */
  readonly dispatch: ReadonlySet<number>;
}

/** the blocks control may go to from block k */
function succs(c: LoopCfg, k: number): number[] {
  const bl = c.blocks[k]!;
  const last = bl.slots[bl.slots.length - 1]!;
  const op = c.prog.words[last * 4]! & 0xff;
  const out: number[] = [];
  if (bl.next >= 0) out.push(c.blockAt.get(bl.next) ?? -1);
  if (op === 0x05 || op === 0x06 || isCondJump(op)) out.push(c.blockAt.get(c.prog.words[last * 4 + 1]!) ?? -1);
  return out;
}

/** reg's value when control leaves block p, if a `mov reg, C` (C >= 0) on the only way there sets it */
function constAtEnd(c: LoopCfg, p: number, reg: number): number | undefined {
  const seen = new Set<number>();
  for (let k = p; !seen.has(k) && seen.size < 64; ) {
    seen.add(k);
    const slots = c.blocks[k]!.slots;
    for (let i = slots.length - 1; i >= 0; i--) {
      const at = slots[i]!;
      const wr = writes(c.prog, at);
      if (wr === -2) return undefined;
      if (wr !== reg) continue;
      const op = c.prog.words[at * 4]! & 0xff;
      const imm = c.prog.words[at * 4 + 2]!;
      return op === MOV64_K && imm >= 0 ? imm : undefined;
    }
    // not set here: the block's one predecessor, unless something else enters it
    const ins = [...new Set(c.preds[k])];
    if (c.dispatch.has(k) || ins.length !== 1) return undefined;
    k = ins[0]!;
  }
  return undefined;
}

/**
 * The most iterations of the loop region [h, t] (block indices), if it has the
 * counted shape above and runs at most MAX_DEFICIT instructions; else undefined.
 */
export function loopBound(c: LoopCfg, h: number, t: number): number | undefined {
  const { prog, blocks } = c;
  const w = prog.words;
  let insns = 0;
  let latch = -1;
  for (let k = h; k <= t; k++) {
    for (const at of blocks[k]!.slots) {
      if (writes(prog, at) === -2) return undefined;
      insns += (w[at * 4]! & 0xff) === 0x18 ? 2 : 1;
    }
    for (const j of succs(c, k)) {
      if (j < 0) return undefined;
      if (j > k) continue;
      if (j !== h || (latch >= 0 && latch !== k)) return undefined; // an inner cycle, or a second latch
      latch = k;
    }
  }
  if (latch < 0 || c.dispatch.has(h)) return undefined;
  // the latch: `if reg OP K goto head`, falling out otherwise
  const lb = blocks[latch]!;
  const jat = lb.slots[lb.slots.length - 1]!;
  const jop = w[jat * 4]! & 0xff;
  if (![JNE_K, JLT_K, JLE_K, JSLT_K, JSLE_K].includes(jop)) return undefined;
  if (w[jat * 4 + 1]! !== blocks[h]!.start || lb.next === blocks[h]!.start) return undefined;
  const reg = (w[jat * 4]! >> 8) & 0xf;
  const K = w[jat * 4 + 2]!;
  if (K < 0) return undefined;
  // reg += S, its only write in the region, in a block every iteration passes
  let inc = -1;
  for (let k = h; k <= t; k++) {
    for (const at of blocks[k]!.slots) {
      if (writes(prog, at) !== reg) continue;
      if (inc >= 0 || (w[at * 4]! & 0xff) !== ADD64_K || w[at * 4 + 2]! <= 0) return undefined;
      inc = at;
    }
  }
  if (inc < 0) return undefined;
  const S = w[inc * 4 + 2]!;
  const D = blocks.findIndex((b) => b.slots.includes(inc));
  if (D !== h && D !== latch) {
    // D dominates the latch: without D, the latch cannot be reached from the head
    const reach = new Set<number>([h]);
    const todo = [h];
    while (todo.length > 0) {
      const k = todo.pop()!;
      for (const j of succs(c, k)) if (j !== D && j > k && j <= t && !reach.has(j)) { reach.add(j); todo.push(j); }
    }
    if (reach.has(latch)) return undefined;
  }
  // reg = C on every way in from outside the region
  const outside = [...new Set(c.preds[h])].filter((p) => p < h || p > t);
  if (outside.length === 0) return undefined;
  let C: number | undefined;
  for (const p of outside) {
    const v = constAtEnd(c, p, reg);
    if (v === undefined || (C !== undefined && v !== C)) return undefined;
    C = v;
  }
  // iterations: reg = C + S*n at the n-th test (values below 2^32: no wrap)
  let n: number;
  if (jop === JNE_K) {
    if (K <= C! || (K - C!) % S !== 0) return undefined;
    n = (K - C!) / S;
  } else {
    const last = jop === JLT_K || jop === JSLT_K ? K - 1 : K; // the largest value that loops again
    n = last < C! + S ? 1 : Math.floor((last - C!) / S) + 1;
  }
  return n * insns <= MAX_DEFICIT ? n : undefined;
}

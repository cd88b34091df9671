// The JIT proper: a predecoded program becomes one WebAssembly module whose
// exported `exec(pc, depth, r0..r9) -> r0` runs it from any block start.
//
// Layout (block dispatch, correct for any CFG): one `loop` around N nested
// `block`s and a `br_table` on the entry slot. The code of basic block i sits
// after the `end` of the i-th block, so a forward jump is a plain `br` to the
// target's label and only backward jumps (loops) go round the dispatch loop.
// Registers are i64 locals; r10 is the frame top of the call depth. A
// bpf-to-bpf call is a recursive call of `exec` (r6-r9 survive in the
// caller's locals, as the kernel's callee-saved registers).
//
// Semantics are the interpreter's (src/vm/interpreter.ts): division by zero,
// INT_MIN / -1, shift masking, 32-bit zero extension, may_goto's counter per
// frame. Memory (issue 13.3's decision): a load or store the verifier proved
// in bounds through a pointer whose memory cannot move or be freed during the
// run (stack, packet, a value of one of the program's array maps: the
// verifier's directAccess, src/verifier/insn_aux.ts) is a plain wasm access
// at the pointer's low 32 bits; the issue asks only that a wrongly accepted
// program cannot leave the arena (the wasm memory's bounds trap, reported as
// a VmError) nor hang the host (the budget). Every other access (ctx,
// sockets, BTF pointers, hash-map values a helper may free, atomics, programs
// loaded without the verifier) is checked against the arena's live blocks (a
// two-entry cache of blocks in globals, the arena asked on a miss), so a fault
// is the interpreter's VmError.

import { MAX_CALL_FRAMES } from '../isa/opcodes.js';
import { ARENA_ACCESS_READ, ARENA_ACCESS_RW, ARENA_ACCESS_WRITE } from '../memory/arena.js';
import {
  BPF_LOAD_ACQ, BPF_STORE_REL, OP_CALL_LOCAL, OP_LD_ABS_W, OP_LD_IND_B, OP_LD_IND_W, OP_MOVSX32_16, OP_MOVSX32_8,
  OP_MOVSX64_16, OP_MOVSX64_32, OP_MOVSX64_8, OP_SDIV32_K, OP_SDIV32_X, OP_SDIV64_K, OP_SDIV64_X, OP_SMOD32_K,
  OP_SMOD32_X, OP_SMOD64_K, OP_SMOD64_X, OP_TRAP, type DecodedProgram,
} from '../vm/decode.js';
import { BPF_MAX_LOOPS } from '../vm/interpreter.js';
import { basicBlocks, isCondJump, type BasicBlock } from './blocks.js';
import { loopBound, type LoopCfg } from './bounded.js';
import { LD_IMM64 } from '../isa/insn.js';
import { BPF_PSEUDO_FUNC } from '../isa/opcodes.js';
import { Bytes, encodeModule, I32, I64, OP, VOID, type FuncType, type Import } from './wasm.js';
import { constR1, emitHashDelete, emitHashUpdate, emitKeyReadable, emitLookup, keySizeOf, writable, type InlineRegs, type InlinedSite, type LookupLayout } from './inline.js';
import { LANE_SLOW } from './lane.js';
import { BPF_FUNC_ktime_get_ns, BPF_FUNC_map_delete_elem, BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_timer_cancel, BPF_FUNC_timer_set_callback, BPF_FUNC_timer_start } from '../uapi/bpf_func.js';

/** An instruction the JIT cannot translate: a load-time error, never a fallback to the interpreter. */
export class JitError extends Error {
  constructor(message: string, readonly pc: number) {
    super(pc >= 0 ? `JIT: insn ${pc}: ${message}` : `JIT: ${message}`);
    this.name = 'JitError';
  }
}

/** what a memory check reports on a fault (the interpreter's wording) */
export const WHAT = ['read', 'write', 'atomic access'] as const;

const T = (params: number[], results: number[]): FuncType => ({ params, results });
const R5 = [I64, I64, I64, I64, I64];
const R10 = [...R5, ...R5];

// imported functions (indices 0..7), then ours
export const IMPORT_FUNCS = [
  ['helper', T([I32, I32, I32, ...R5], [I64])], // (id, pc, depth, r1..r5) -> r0
  // (addr, size, access, what, pc) -> the block to cache: (start | read 1 | write 2) << 32 | length
  // (length 0: do not cache), or throws the fault
  ['miss', T([I64, I32, I32, I32, I32], [I64])],
  // (block start, its length): 0 after a new budget slice; under an explicit cap that ran out, m + 1 where m
  // instructions of the block still fit (the block then runs counted and faults at its m-th); or throws.
  // (slot, -1): throws the cap's fault at slot
  ['refill', T([I32, I32], [I32])],
  ['trap', T([I32], [])], // (pc): throws the trap's VmError
  ['frame', T([I32], [I64])], // (depth) -> frame top, allocating the frame
  ['tail', T([I32, ...R10], [I64])], // (depth, r0..r9) -> r0 of the tail-call target
  ['ldabs', T([I32, I32, I64, I32], [I64])], // (pc, op, r6, off) -> r0, or -1: leave the frame with 0
  ['depthErr', T([I32], [])], // (pc): throws call-depth
  ['probe', T([I32, I32, I64], [I64])], // (pc, op, addr) -> a BPF_PROBE_MEM(SX) load's value (the interpreter's probeLoad)
  // (id, pc, depth, r1lo, r1hi, r2lo, r2hi, r3lo, r3hi) -> r0: a helper of SPLIT_HELPERS without bigint arguments
  ['helperSplit', T([I32, I32, I32, I32, I32, I32, I32, I32, I32], [I64])],
  // (timer, nsecs, flags) -> 0, or LANE_SLOW: bpf_timer_start in the timer lane (src/jit/lane.ts), a wasm function
  ['tstart', T([I64, I64, I64], [I64])],
] as const;
const F_HELPER = 0, F_MISS = 1, F_REFILL = 2, F_TRAP = 3, F_FRAME = 4, F_TAIL = 5, F_LDABS = 6, F_DEPTH = 7, F_PROBE = 8;
const F_HELPER_SPLIT = 9, F_TSTART = 10;
const F_EXEC = 11, F_CHK_R = 12, F_CHK_W = 13, F_FP = 14, F_BSWAP32 = 15;

/**
 * Helpers called through helperSplit (r1..r3 as 32-bit halves, no bigints made
 * on the way into JS): bpf_timer_start, on every self-re-arming timer
 * callback, and the other timer helpers of an arm/cancel loop. The engine runs
 * the helper's SplitArgsHelper form when it has one, else joins the halves
 * and calls it as any other helper.
 */
const SPLIT_HELPERS: ReadonlySet<number> = new Set([BPF_FUNC_timer_start, BPF_FUNC_timer_set_callback, BPF_FUNC_timer_cancel]);

// imported globals, shared by every instance of one engine
export const IMPORT_GLOBALS: readonly [string, number][] = [
  ['budget', I32], ['tailPending', I32],
  // two readable and two writable arena blocks as (start, length); length 0: empty
  ['r0s', I64], ['r0l', I64], ['r1s', I64], ['r1l', I64], ['w0s', I64], ['w0l', I64], ['w1s', I64], ['w1l', I64],
  ...Array.from({ length: MAX_CALL_FRAMES }, (_, k): [string, number] => [`f${k}`, I64]),
  // r1..r5 of a returning frame: the caller of a bpf-to-bpf call sees them, as in the interpreter
  ...[1, 2, 3, 4, 5].map((r): [string, number] => [`x${r}`, I64]),
];
const G_BUDGET = 0, G_TAIL = 1, G_R0S = 2, G_W0S = 6, G_F0 = 10;
/** the cache globals: [start, length] of entry 0 and entry 1, for reads and for writes */
const CACHE = { r: G_R0S, w: G_W0S } as const;
const G_X1 = G_F0 + MAX_CALL_FRAMES;

// exec's locals: params pc, depth, r0..r9 (a callee and a tail-call target
// start with the caller's registers, as in the interpreter's one register
// file); then r10, two i64 and two i32 scratch
const L_PC = 0, L_DEPTH = 1, L_A = 13, L_B = 14, L_X = 15;
/** the budget lives in a local; the global holds it across calls (helpers, callees, the engine's refill) */
const L_BUDGET = 16;
/** may_goto's budget of this frame (BPF_MAX_LOOPS at every exec: a run, a call, a callback, a tail-call target) */
const L_MAYGOTO = 17;
/** refill's answer in a block the explicit cap ran out in (counted) */
const L_LEFT = 18;
const REG = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/**
 * label ids of the dispatch loop and of structured loops (LOOP - head block); without an explicit cap
 * a structured loop sits in three more labels (REFILL, RELOOP, AFTER - head block: see seq)
 */
const DISPATCH = -1, LOOP = -2, REFILL = -10_000_002, RELOOP = -20_000_002, AFTER = -30_000_002;
const INLINE_REGS: InlineRegs = { r0: REG[0]!, r2: REG[2]!, r3: REG[3]!, r4: REG[4]!, r10: REG[10]!, scratch: L_A, scratch2: L_B, scratch32: L_X, cacheStart: G_R0S };

export interface CompiledModule {
  readonly module: WebAssembly.Module;
  /** slots `exec` may be entered at */
  readonly entries: ReadonlySet<number>;
  /** wasm bytes, for the compile-time bench */
  readonly size: number;
  /** helper calls compiled inline, with what they were compiled against */
  readonly inlined: readonly InlinedSite[];
  /** head slots of the wasm loops proven finite (src/jit/bounded.ts): no budget compare on their back edges */
  readonly provenLoops: readonly number[];
}

export interface CompileOptions {
  /** lay natural loops out as wasm loops (default true); false: every back edge goes round the dispatch loop */
  loops?: boolean;
  /**
   * check the budget at every basic block (default true: an explicit instruction cap stops at the
   * interpreter's instruction); false: every block still counts its instructions (insnCount stays
   * exact) but only loop heads (back-edge targets) and frame entries compare, which is all the
   * watchdog needs: every cycle passes a loop head, and callbacks (bpf_loop's 8 M) enter a frame
   */
  exactBudget?: boolean;
  /**
   * the verifier's directAccess (AUX_DIRECT = 1 per slot, src/verifier/insn_aux.ts): loads and stores
   * it proved in bounds through a stable pointer become plain wasm accesses, the rest stay checked
   */
  direct?: Uint8Array;
  /** the maps whose bpf_map_lookup_elem may be compiled inline (src/jit/inline.ts); none without it */
  lookupLayout?: (mapPtr: number) => LookupLayout | undefined;
  /** the same for bpf_map_update_elem and bpf_map_delete_elem (only hash layouts with a change log are used) */
  updateLayout?: (mapPtr: number) => LookupLayout | undefined;
  deleteLayout?: (mapPtr: number) => LookupLayout | undefined;
  /** the arena word bpf_ktime_get_ns may be loaded from instead of called (src/jit/inline.ts); none without it */
  ktimeCell?: () => number | undefined;
}

/** AUX_DIRECT of src/verifier/insn_aux.ts */
const DIRECT = 1;

/** Compiles `prog`; `entries` adds entry slots beyond slot 0, call targets and callback addresses. */
export function compileProgram(prog: DecodedProgram, entries: Iterable<number> = [], opts: CompileOptions = {}): CompiledModule {
  const blocks = basicBlocks(prog, entries);
  // where exec may be entered: a run, a bpf-to-bpf call, a callback, an extra entry
  const starts = new Set<number>([0, ...entries]);
  for (let i = 0; i < prog.length; i++) {
    const op = prog.words[i * 4]! & 0xff;
    if (op === OP_CALL_LOCAL) starts.add(prog.words[i * 4 + 3]!);
    else if (op === 0x18) {
      const ins = prog.insns[i];
      if (ins !== undefined && ins.code === LD_IMM64 && ins.src === BPF_PSEUDO_FUNC) starts.add(prog.words[i * 4 + 2]!);
      i++;
    }
  }
  const imports: Import[] = [
    ...IMPORT_FUNCS.map(([name, type]): Import => ({ module: 'bpf', name, kind: 'func', type })),
    { module: 'bpf', name: 'mem', kind: 'memory' },
    ...IMPORT_GLOBALS.map(([name, valType]): Import => ({ module: 'bpf', name, kind: 'global', valType, mutable: true })),
  ];
  const emitter = new ExecEmitter(prog, blocks, starts, opts.loops ?? true, opts.direct, opts.exactBudget ?? true, opts, opts.ktimeCell);
  const exec = emitter.emit();
  const bytes = encodeModule(imports, [
    { type: T([I32, I32, ...R10], [I64]), locals: [I64, I64, I64, I32, I32, I32, I32], body: exec, export: 'exec' },
    { type: T([I64, I32, I32, I32], [I32]), locals: [I64, I64], body: chkBody(G_R0S, ARENA_ACCESS_READ) },
    { type: T([I64, I32, I32, I32], [I32]), locals: [I64, I64], body: chkBody(G_W0S, ARENA_ACCESS_WRITE) },
    { type: T([I32], [I64]), locals: [I64], body: fpBody() },
    { type: T([I32], [I32]), locals: [], body: bswap32Body() },
    { type: T([I32, I32, I32, ...R5], [I64]), locals: [], body: entryBody(true), export: 'run' },
    { type: T([I32, I32, ...R5], [I64]), locals: [], body: entryBody(false), export: 'call' },
    { type: T([I32, I32, I64], [I64]), locals: [], body: entryBody(true, 1), export: 'run1' },
    { type: T([I32, I32, I32, I32, I32], [I32]), locals: [], body: callbackEntryBody(), export: 'cb' },
    { type: T([], [I32]), locals: [], body: new Bytes().byte(OP.global_get).u32(G_BUDGET).byte(OP.end), export: 'budget' },
  ]);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    throw new JitError(`WebAssembly rejected the compiled module: ${e instanceof Error ? e.message : String(e)}`, -1);
  }
  return { module, entries: new Set([...emitter.dispatchStarts()]), size: bytes.length, inlined: emitter.inlined, provenLoops: emitter.provenLoops() };
}

/**
 * chk(addr, size, what, pc) -> addr32, the cache's slow path (entry 0 was
 * checked inline): entry 1 (a hit swaps the entries), then the arena.
 */
function chkBody(g: number, access: number): Bytes {
  const b = new Bytes();
  // d = addr - start1; hit when d < len1 && d + size <= len1
  b.byte(OP.local_get).u32(0).byte(OP.global_get).u32(g + 2).byte(OP.i64_sub).byte(OP.local_tee).u32(4);
  b.byte(OP.global_get).u32(g + 3).byte(OP.i64_lt_u);
  b.byte(OP.local_get).u32(4).byte(OP.local_get).u32(1).byte(OP.i64_extend_i32_u).byte(OP.i64_add)
    .byte(OP.global_get).u32(g + 3).byte(OP.i64_le_u).byte(OP.i32_and);
  b.byte(OP.if).byte(VOID);
  // swap: the block just used becomes entry 0
  b.byte(OP.global_get).u32(g).byte(OP.local_set).u32(4);
  b.byte(OP.global_get).u32(g + 2).byte(OP.global_set).u32(g).byte(OP.local_get).u32(4).byte(OP.global_set).u32(g + 2);
  b.byte(OP.global_get).u32(g + 1).byte(OP.local_set).u32(4);
  b.byte(OP.global_get).u32(g + 3).byte(OP.global_set).u32(g + 1).byte(OP.local_get).u32(4).byte(OP.global_set).u32(g + 3);
  b.byte(OP.local_get).u32(0).byte(OP.i32_wrap_i64).byte(OP.return).byte(OP.end);
  b.byte(OP.local_get).u32(0).byte(OP.local_get).u32(1).byte(OP.i32_const).s32(access)
    .byte(OP.local_get).u32(2).byte(OP.local_get).u32(3).byte(OP.call).u32(F_MISS).byte(OP.local_set).u32(5);
  // remember the block as entry 0 of the caches whose access it allows (entry 0 moves to entry 1)
  for (const [bit, c] of [[1, G_R0S], [2, G_W0S]] as const) {
    b.byte(OP.local_get).u32(5).byte(OP.i64_const).s64(BigInt(bit) << 32n).byte(OP.i64_and).byte(OP.i64_eqz).byte(OP.i32_eqz);
    b.byte(OP.local_get).u32(5).byte(OP.i64_const).s64(0xffffffffn).byte(OP.i64_and).byte(OP.i64_eqz).byte(OP.i32_eqz).byte(OP.i32_and);
    b.byte(OP.if).byte(VOID);
    b.byte(OP.global_get).u32(c).byte(OP.global_set).u32(c + 2);
    b.byte(OP.global_get).u32(c + 1).byte(OP.global_set).u32(c + 3);
    b.byte(OP.local_get).u32(5).byte(OP.i64_const).s64(32n).byte(OP.i64_shr_u).byte(OP.i64_const).s64(~7n).byte(OP.i64_and).byte(OP.global_set).u32(c);
    b.byte(OP.local_get).u32(5).byte(OP.i64_const).s64(0xffffffffn).byte(OP.i64_and).byte(OP.global_set).u32(c + 1);
    b.byte(OP.end);
  }
  b.byte(OP.local_get).u32(0).byte(OP.i32_wrap_i64).byte(OP.end);
  return b;
}

/**
 * The entries JS calls: run(pc, depth, budget, r1..r5) (and run1(pc, budget, r1)) starts a run (budget,
 * no tail call pending), call(pc, depth, r1..r5) a callback inside one.
 * The block caches stay as they are: the engine empties them when the arena's
 * live blocks changed since they were filled (Arena.liveVersion).
 */
function entryBody(run: boolean, args = 5): Bytes {
  const b = new Bytes();
  // run1(pc, budget, r1): a run with one argument (the test-run path: r1 = ctx), depth 0
  const short = args === 1;
  if (run) {
    b.byte(OP.local_get).u32(short ? 1 : 2).byte(OP.global_set).u32(G_BUDGET);
    b.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(G_TAIL);
  }
  const r1 = short ? 2 : run ? 3 : 2;
  b.byte(OP.local_get).u32(0);
  if (short) b.byte(OP.i32_const).s32(0); else b.byte(OP.local_get).u32(1);
  b.byte(OP.i64_const).s64(0n);
  for (let r = 0; r < 5; r++) {
    if (r < args) b.byte(OP.local_get).u32(r1 + r); else b.byte(OP.i64_const).s64(0n);
  }
  for (let r = 0; r < 4; r++) b.byte(OP.i64_const).s64(0n);
  b.byte(OP.call).u32(F_EXEC).byte(OP.end);
  return b;
}

/**
 * cb(pc, budget, r1, r2, r3) -> r0's low 32 bits: a run at `pc` with three 32-bit arguments (arena
 * addresses: a timer callback's map, key and value), so the engine makes no bigint on the way in or out.
 */
function callbackEntryBody(): Bytes {
  const b = new Bytes();
  b.byte(OP.local_get).u32(1).byte(OP.global_set).u32(G_BUDGET);
  b.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(G_TAIL);
  b.byte(OP.local_get).u32(0).byte(OP.i32_const).s32(0).byte(OP.i64_const).s64(0n);
  for (let r = 0; r < 5; r++) {
    if (r < 3) b.byte(OP.local_get).u32(2 + r).byte(OP.i64_extend_i32_u); else b.byte(OP.i64_const).s64(0n);
  }
  for (let r = 0; r < 4; r++) b.byte(OP.i64_const).s64(0n);
  b.byte(OP.call).u32(F_EXEC).byte(OP.i32_wrap_i64).byte(OP.end);
  return b;
}

/** fp(depth) -> frame top: the frame globals, the engine on first use */
function fpBody(): Bytes {
  const b = new Bytes();
  for (let k = 0; k < MAX_CALL_FRAMES; k++) {
    b.byte(OP.local_get).u32(0).byte(OP.i32_const).s32(k).byte(OP.i32_eq).byte(OP.if).byte(VOID);
    b.byte(OP.global_get).u32(G_F0 + k).byte(OP.local_tee).u32(1).byte(OP.i64_eqz).byte(OP.i32_eqz);
    b.byte(OP.if).byte(VOID).byte(OP.local_get).u32(1).byte(OP.return).byte(OP.end);
    b.byte(OP.end);
  }
  b.byte(OP.local_get).u32(0).byte(OP.call).u32(F_FRAME).byte(OP.end);
  return b;
}

function bswap32Body(): Bytes {
  const b = new Bytes();
  b.byte(OP.local_get).u32(0).byte(OP.i32_const).s32(8).byte(OP.i32_rotl).byte(OP.i32_const).s32(0x00ff00ff).byte(OP.i32_and);
  b.byte(OP.local_get).u32(0).byte(OP.i32_const).s32(8).byte(OP.i32_rotr).byte(OP.i32_const).s32(0xff00ff00 | 0).byte(OP.i32_and);
  b.byte(OP.i32_or).byte(OP.end);
  return b;
}

class ExecEmitter {
  private readonly b = new Bytes();
  private readonly w: Int32Array;
  private readonly blockAt = new Map<number, number>();
  /** index of the block being emitted, and extra structured nesting inside it */
  private cur = 0;
  private extra = 0;
  /** open labels, innermost last: block k's label ends where its code starts; LOOP - k is loop k; DISPATCH the dispatch loop */
  private readonly labels: number[] = [];
  /** structured loops: head block -> last block of the region */
  private readonly loops = new Map<number, number>();
  /** blocks the dispatch loop must reach: entries and back-edge targets no structured loop covers */
  private readonly dispatch = new Set<number>();
  /** back-edge targets: every cycle of the CFG passes one, so the budget is compared there at least */
  private readonly loopHeads = new Set<number>();

  /** predecessors of each block (fall-through and jump edges) */
  private preds: number[][] = [];
  /** instructions of the blocks after it a block charges in advance (chargeAhead), given back on its taken edge */
  private readonly ahead: Int32Array;
  /** blocks their predecessor charged */
  private readonly chargedBefore = new Set<number>();
  /** heads of wasm loops proven finite (src/jit/bounded.ts): no budget compare on their back edges */
  private readonly bounded = new Set<number>();

  /** helper calls compiled inline */
  readonly inlined: InlinedSite[] = [];

  constructor(private readonly prog: DecodedProgram, private readonly blocks: readonly BasicBlock[], entries: ReadonlySet<number>, loops: boolean,
    private readonly direct: Uint8Array | undefined,
    private readonly exactBudget: boolean,
    private readonly layouts: Pick<CompileOptions, 'lookupLayout' | 'updateLayout' | 'deleteLayout'>,
    private readonly ktimeCell?: () => number | undefined) {
    this.w = prog.words;
    blocks.forEach((bl, i) => this.blockAt.set(bl.start, i));
    this.findLoops(entries, loops);
    this.ahead = new Int32Array(blocks.length);
    if (!exactBudget) {
      this.chargeAhead();
      const cfg: LoopCfg = { prog, blocks, blockAt: this.blockAt, preds: this.preds, dispatch: this.dispatch };
      for (const [h, t] of this.loops) if (loopBound(cfg, h, t) !== undefined) this.bounded.add(h);
    }
  }

  /**
   * Without an explicit cap the count only has to be exact where a run or a call leaves: a block
   * whose one way in is the fall-through of a jump-ended (or plainly falling) block before it is
   * charged by that block, which gives the amount back on its taken edge. A loop body that runs
   * through to its back edge then pays one charge per iteration (memory's loop: 12 instructions
   * in two blocks, one subtraction).
   */
  private chargeAhead(): void {
    const { blocks, preds } = this;
    for (let k = blocks.length - 2; k >= 0; k--) {
      const bl = blocks[k]!;
      const op = this.w[bl.slots[bl.slots.length - 1]! * 4]! & 0xff;
      const n = k + 1;
      const ends = op === 0x05 || op === 0x06 || op === 0x95 || op === OP_TRAP || op === 0x85 || op === 0x8d || op === OP_CALL_LOCAL ||
        (op >= OP_LD_ABS_W && op <= OP_LD_IND_B && (op & 7) === 0);
      if (ends || bl.next !== blocks[n]!.start || this.dispatch.has(n) || this.loopHeads.has(n) || preds[n]!.some((p) => p !== k)) continue;
      this.ahead[k] = blocks[n]!.slots.length + this.ahead[n]!;
      this.chargedBefore.add(n);
    }
  }

  /**
   * Loop regions [head, last back-edge source] that can be wasm `loop`s: no
   * block inside but the head is entered from outside the region or by the
   * dispatch loop. Others (and all, with `loops` false: plain block
   * dispatch, kept to measure) go round the dispatch loop.
   */
  private findLoops(entries: ReadonlySet<number>, loops: boolean): void {
    const N = this.blocks.length;
    const preds: number[][] = Array.from({ length: N }, () => []);
    const backTargets = new Map<number, number>();
    this.blocks.forEach((bl, i) => {
      const last = bl.slots[bl.slots.length - 1]!;
      const op = this.w[last * 4]! & 0xff;
      const targets: number[] = [];
      if (bl.next >= 0) targets.push(bl.next);
      if (op === 0x05 || op === 0x06 || isCondJump(op)) targets.push(this.w[last * 4 + 1]!);
      for (const t of targets) {
        const j = this.blockAt.get(t);
        if (j === undefined) continue;
        preds[j]!.push(i);
        if (j <= i && t !== bl.next) backTargets.set(j, Math.max(backTargets.get(j) ?? -1, i));
      }
    });
    this.preds = preds;
    const base = new Set<number>([0, N - 1]);
    for (const e of entries) { const j = this.blockAt.get(e); if (j !== undefined) base.add(j); }
    for (const j of backTargets.keys()) this.loopHeads.add(j);
    if (loops) for (const [j, t] of backTargets) this.loops.set(j, t);
    for (let changed = true; changed;) {
      changed = false;
      const dispatch = new Set(base);
      for (const j of backTargets.keys()) if (!this.loops.has(j)) dispatch.add(j);
      for (const [j, t] of this.loops) {
        let ok = true;
        for (let k = j + 1; k <= t && ok; k++) ok = !dispatch.has(k) && preds[k]!.every((p) => p >= j && p <= t);
        if (!ok) { this.loops.delete(j); changed = true; }
      }
      if (!changed) for (const d of dispatch) this.dispatch.add(d);
    }
  }

  emit(): Bytes {
    const { b, blocks } = this;
    const N = blocks.length;
    // r10 = the frame of this depth
    b.byte(OP.local_get).u32(L_DEPTH).byte(OP.call).u32(F_FP).byte(OP.local_set).u32(REG[10]!);
    b.byte(OP.global_get).u32(G_BUDGET).byte(OP.local_set).u32(L_BUDGET);
    if (!this.exactBudget) {
      // loop-head checks only: a frame entry looks too, so loop-free callbacks run 8 M times by
      // bpf_loop (or nested) still meet the watchdog and the deficit stays small
      b.byte(OP.local_get).u32(L_BUDGET).byte(OP.i32_const).s32(0).byte(OP.i32_lt_s).byte(OP.if).byte(VOID);
      b.byte(OP.local_get).u32(L_PC).byte(OP.i32_const).s32(0).byte(OP.call).u32(F_REFILL).byte(OP.drop);
      b.byte(OP.global_get).u32(G_BUDGET).byte(OP.local_set).u32(L_BUDGET);
      b.byte(OP.end);
    }
    if (this.hasMayGoto()) b.byte(OP.i32_const).s32(BPF_MAX_LOOPS).byte(OP.local_set).u32(L_MAYGOTO);
    b.byte(OP.loop).byte(VOID);
    this.labels.push(DISPATCH);
    const units = this.units(0, N - 1, false);
    for (let i = units.length - 1; i >= 0; i--) { b.byte(OP.block).byte(VOID); this.labels.push(units[i]!); }
    // br_table over slots: a top-level block start goes to its label, anything else to the fall-off trap
    const n = this.prog.length;
    const depthOf = (k: number): number => this.labels.length - 1 - this.labels.lastIndexOf(k);
    const trap = depthOf(N - 1);
    b.byte(OP.local_get).u32(L_PC).byte(OP.br_table).u32(n + 1);
    for (let s = 0; s <= n; s++) {
      const k = this.blockAt.get(s);
      b.u32(k !== undefined && this.labels.includes(k) ? depthOf(k) : trap);
    }
    b.u32(trap);
    this.seq(units);
    b.byte(OP.end); // the dispatch loop
    this.labels.pop();
    b.byte(OP.unreachable).byte(OP.end);
    return b;
  }

  /** the units of blocks lo..hi at one nesting level: a plain block, or a loop region (by its head) */
  private units(lo: number, hi: number, firstPlain: boolean): number[] {
    const out: number[] = [];
    for (let k = lo; k <= hi;) {
      out.push(k);
      const t = this.loops.get(k);
      k = t !== undefined && !(firstPlain && k === lo) ? t + 1 : k + 1;
    }
    return out;
  }

  /** emits units whose labels (but the first's) are open: `end` before each, then its code */
  private seq(units: readonly number[], firstPlain = false): void {
    units.forEach((k, i) => {
      if (i > 0 || this.labels.at(-1) === k) { this.b.byte(OP.end); this.labels.pop(); }
      const t = this.loops.get(k);
      if (t !== undefined && !(firstPlain && i === 0)) {
        // a natural loop laid out as a wasm loop: its back edges are plain `br`s
        const refill = !this.exactBudget && !this.bounded.has(k);
        if (refill) {
          // loop-head checks: the back edges compare the budget and leave the loop to refill it
          // (refill code inside the loop would be a call there: V8 neither unrolls nor peels a
          // loop that calls), then enter it again at its head:
          //   block AFTER { loop RELOOP { block REFILL { loop LOOP { ... } br AFTER } refill; br RELOOP } }
          this.b.byte(OP.block).byte(VOID).byte(OP.loop).byte(VOID).byte(OP.block).byte(VOID);
          this.labels.push(AFTER - k, RELOOP - k, REFILL - k);
        }
        this.b.byte(OP.loop).byte(VOID);
        this.labels.push(LOOP - k);
        const inner = this.units(k, t, true);
        for (let u = inner.length - 1; u >= 1; u--) { this.b.byte(OP.block).byte(VOID); this.labels.push(inner[u]!); }
        this.seq(inner, true);
        this.b.byte(OP.end);
        this.labels.pop();
        if (refill) {
          this.b.byte(OP.br).u32(2).byte(OP.end); // fell out of the loop: on to what follows
          this.labels.pop();
          this.b.byte(OP.local_get).u32(L_BUDGET).byte(OP.global_set).u32(G_BUDGET);
          this.b.byte(OP.i32_const).s32(this.blocks[k]!.start).byte(OP.i32_const).s32(0).byte(OP.call).u32(F_REFILL).byte(OP.drop);
          this.b.byte(OP.global_get).u32(G_BUDGET).byte(OP.local_set).u32(L_BUDGET);
          this.b.byte(OP.br).u32(0).byte(OP.end).byte(OP.end);
          this.labels.pop();
          this.labels.pop();
        }
      } else {
        this.cur = k;
        this.extra = 0;
        this.block(this.blocks[k]!);
      }
    });
  }

  // ---- small emitters ----
  private op(o: number): this { this.b.byte(o); return this; }
  private get(r: number): this { this.b.byte(OP.local_get).u32(REG[r]!); return this; }
  private set(r: number): this { this.b.byte(OP.local_set).u32(REG[r]!); return this; }
  private saveBudget(): this { this.lget(L_BUDGET).b.byte(OP.global_set).u32(G_BUDGET); return this; }
  private loadBudget(): this { this.b.byte(OP.global_get).u32(G_BUDGET).byte(OP.local_set).u32(L_BUDGET); return this; }
  private lget(l: number): this { this.b.byte(OP.local_get).u32(l); return this; }
  private lset(l: number): this { this.b.byte(OP.local_set).u32(l); return this; }
  private i32(v: number): this { this.b.byte(OP.i32_const).s32(v); return this; }
  private i64(v: number | bigint): this { this.b.byte(OP.i64_const).s64(BigInt(v)); return this; }
  private call(f: number): this { this.b.byte(OP.call).u32(f); return this; }
  private get32(r: number): this { return this.get(r).op(OP.i32_wrap_i64); }
  private if_(type = VOID): this { this.b.byte(OP.if).byte(type); this.extra++; return this; }
  private else_(): this { return this.op(OP.else); }
  private end_(): this { this.extra--; return this.op(OP.end); }

  private hasMayGoto(): boolean {
    for (const bl of this.blocks) for (const s of bl.slots) if ((this.w[s * 4]! & 0xff) === 0xe5) return true;
    return false;
  }

  provenLoops(): number[] {
    return [...this.bounded].map((k) => this.blocks[k]!.start).sort((a, b) => a - b);
  }

  /** the slots exec may be entered at (the blocks the dispatch loop reaches) */
  *dispatchStarts(): Iterable<number> {
    for (const j of this.dispatch) yield this.blocks[j]!.start;
  }

  /** branch to the block starting at `slot` (inside the current structured nesting) */
  private jump(slot: number, at: number): void {
    const j = this.blockAt.get(slot);
    if (j === undefined) throw new JitError(`jump target ${slot} is not a block start`, at);
    const depth = (label: number): number => this.labels.length - 1 - this.labels.lastIndexOf(label) + this.extra;
    // a taken edge gives back what the block charged for the blocks after it (chargeAhead)
    const back = this.ahead[this.cur]!;
    if (back !== 0 && slot !== this.blocks[this.cur]!.next) this.lget(L_BUDGET).i32(back).op(OP.i32_add).lset(L_BUDGET);
    if (j <= this.cur && this.labels.includes(LOOP - j)) {
      // back edge of a structured loop (with loop-head checks: out to the refill when the budget ran out)
      if (!this.exactBudget && !this.bounded.has(j)) this.lget(L_BUDGET).i32(0).op(OP.i32_lt_s).b.byte(OP.br_if).u32(depth(REFILL - j));
      this.b.byte(OP.br).u32(depth(LOOP - j));
    } else if (j > this.cur && this.labels.includes(j)) {
      this.b.byte(OP.br).u32(depth(j)); // forward
    } else {
      // round the dispatch loop (a back edge no structured loop covers, or an entry)
      if (!this.dispatch.has(j)) throw new JitError(`internal: no way to reach block ${slot}`, at);
      this.i32(slot).lset(L_PC);
      this.b.byte(OP.br).u32(depth(DISPATCH));
    }
  }

  private block(bl: BasicBlock): void {
    const k = bl.slots.length;
    // the budget: one charge per block (or with the block before: chargeAhead); the engine refills
    // (or stops the run) when it ran out, looked at in every block (exactBudget) or at loop heads
    // only (a compare and a branch less)
    const charge = k + this.ahead[this.cur]!;
    if (this.chargedBefore.has(this.cur)) {
      // charged by the block before (never a loop head)
    } else if (this.exactBudget || (this.loopHeads.has(this.cur) && !this.loops.has(this.cur))) {
      // (a structured loop's head is looked at on its back edges instead: see seq)
      this.lget(L_BUDGET).i32(charge).op(OP.i32_sub).b.byte(OP.local_tee).u32(L_BUDGET);
      this.i32(0).op(OP.i32_lt_s).if_();
      this.saveBudget();
      this.i32(bl.start).i32(charge).call(F_REFILL);
      if (this.exactBudget) this.counted(bl);
      else this.op(OP.drop);
      this.loadBudget();
      this.end_();
    } else {
      this.lget(L_BUDGET).i32(charge).op(OP.i32_sub).lset(L_BUDGET);
    }
    let terminated = false;
    for (const s of bl.slots) terminated = this.insn(s);
    if (!terminated && bl.next >= 0) {
      const j = this.blockAt.get(bl.next);
      // natural fall-through: the next block's code follows (a block ending a loop falls out of it)
      if (j !== this.cur + 1) this.jump(bl.next, bl.slots[k - 1]!);
    }
  }

  /**
   * Under an explicit cap, the block when the cap ran out inside it (refill's m + 1 on the stack):
   * its instructions one by one, faulting at the m-th as the interpreter does, so the stores before
   * it are made. (The last instruction, the block's terminator, is never reached: m < its length.)
   */
  private counted(bl: BasicBlock): void {
    const k = bl.slots.length;
    this.lset(L_LEFT).lget(L_LEFT).if_();
    for (let i = 0; i < k - 1; i++) {
      this.lget(L_LEFT).i32(i + 1).op(OP.i32_eq).if_();
      this.i32(bl.slots[i]!).i32(-1).call(F_REFILL).op(OP.drop).op(OP.unreachable);
      this.end_();
      this.insn(bl.slots[i]!);
    }
    this.i32(bl.slots[k - 1]!).i32(-1).call(F_REFILL).op(OP.drop).op(OP.unreachable);
    this.end_();
  }

  /** Emits slot `at`; true when control never falls out of it. */
  private insn(at: number): boolean {
    const w = this.w;
    const p = at * 4;
    const w0 = w[p]!;
    const code = w0 & 0xff;
    const d = (w0 >> 8) & 0xf;
    const s = (w0 >> 12) & 0xf;
    const off = w[p + 1]!;
    const imm = w[p + 2]!;
    const cls = code & 7;

    if (code === OP_TRAP) {
      this.saveBudget().i32(at).call(F_TRAP).op(OP.unreachable);
      return true;
    }
    // ---- ALU64 ----
    if (cls === 7) return this.alu64(code, d, s, imm, at);
    // ---- ALU32 ----
    if (cls === 4 || cls === 0xc) return this.alu32(code, d, s, imm, at);
    switch (code) {
      case OP_SDIV64_K: case OP_SDIV64_X: case OP_SMOD64_K: case OP_SMOD64_X:
        return this.sdivmod64(code, d, s, imm);
      case OP_SDIV32_K: case OP_SDIV32_X: case OP_SMOD32_K: case OP_SMOD32_X:
        return this.sdivmod32(code, d, s, imm);
      case OP_MOVSX64_8: this.get(s).op(OP.i64_extend8_s).set(d); return false;
      case OP_MOVSX64_16: this.get(s).op(OP.i64_extend16_s).set(d); return false;
      case OP_MOVSX64_32: this.get(s).op(OP.i64_extend32_s).set(d); return false;
      case OP_MOVSX32_8: this.get32(s).op(OP.i32_extend8_s).op(OP.i64_extend_i32_u).set(d); return false;
      case OP_MOVSX32_16: this.get32(s).op(OP.i32_extend16_s).op(OP.i64_extend_i32_u).set(d); return false;
      case 0x18: // lddw
        this.i64((BigInt(w[p + 3]! >>> 0) << 32n) | BigInt(imm >>> 0)).set(d);
        return false;
      case 0x61: case 0x69: case 0x71: case 0x79: case 0x81: case 0x89: case 0x91: {
        const size = code === 0x71 || code === 0x91 ? 1 : code === 0x69 || code === 0x89 ? 2 : code === 0x79 ? 8 : 4;
        const load = { 0x61: OP.i64_load32_u, 0x69: OP.i64_load16_u, 0x71: OP.i64_load8_u, 0x79: OP.i64_load,
          0x81: OP.i64_load32_s, 0x89: OP.i64_load16_s, 0x91: OP.i64_load8_s }[code]!;
        if (this.direct?.[at] === DIRECT) { this.mem(load, this.directAddr(s, off)).set(d); return false; }
        this.addr(s, off, size, ARENA_ACCESS_READ, 0, at);
        this.mem(load, 0).set(d);
        return false;
      }
      case 0x21: case 0x29: case 0x31: case 0x39: case 0x41: case 0x49: case 0x51: // BPF_PROBE_MEM(SX): rare, through the engine
        this.i32(at).i32(code).get(s);
        if (off !== 0) this.i64(off).op(OP.i64_add);
        this.call(F_PROBE).set(d);
        return false;
      case 0x62: case 0x6a: case 0x72: case 0x7a: case 0x63: case 0x6b: case 0x73: case 0x7b: {
        const sz = code & 0x18;
        const size = sz === 0x10 ? 1 : sz === 0x08 ? 2 : sz === 0x18 ? 8 : 4;
        const direct = this.direct?.[at] === DIRECT;
        const o = direct ? this.directAddr(d, off) : 0;
        if (!direct) this.addr(d, off, size, ARENA_ACCESS_WRITE, 1, at);
        if ((code & 7) === 3) this.get(s); else this.i64(imm);
        this.mem(size === 1 ? OP.i64_store8 : size === 2 ? OP.i64_store16 : size === 4 ? OP.i64_store32 : OP.i64_store, o);
        return false;
      }
      case 0xc3: case 0xdb: case 0xcb: case 0xd3:
        return this.atomic(code, d, s, off, imm, at);
      case 0x05: case 0x06:
        this.jump(off, at);
        return true;
      case 0xe5: // may_goto: the interpreter's counter (BPF_MAX_LOOPS per frame): jump once it is 0, else take one
        this.lget(L_MAYGOTO).op(OP.i32_eqz).if_();
        this.jump(off, at);
        this.else_().lget(L_MAYGOTO).i32(1).op(OP.i32_sub).lset(L_MAYGOTO).end_();
        return false;
      case 0x85: case 0x8d: { // helper call / callx (the register holds a helper id)
        if (code === 0x85 && imm === BPF_FUNC_ktime_get_ns && this.inlineKtime(at)) return false;
        const site = code === 0x85 ? this.inlineSite(at, imm) : undefined;
        if (site !== undefined && site.op !== undefined) {
          // bpf_map_update_elem / delete on a hash map: inside `block done { block slow { ... } helper }`
          this.b.byte(OP.block).byte(VOID).byte(OP.block).byte(VOID);
          this.extra += 2;
          if (site.op === 'update') emitHashUpdate(this.b, INLINE_REGS, site.layout as Parameters<typeof emitHashUpdate>[2]);
          else emitHashDelete(this.b, INLINE_REGS, site.layout as Parameters<typeof emitHashDelete>[2]);
          this.end_();
        } else if (site !== undefined) {
          // map_gen_lookup when the key is readable without asking the arena, else the helper
          emitKeyReadable(this.b, INLINE_REGS, keySizeOf(site.layout));
          this.if_();
          emitLookup(this.b, INLINE_REGS, site.layout);
          this.else_();
        }
        if (code === 0x85 && site === undefined && SPLIT_HELPERS.has(imm)) {
          // bpf_timer_start: the timer lane arms it without leaving WebAssembly, or says LANE_SLOW
          const lane = imm === BPF_FUNC_timer_start;
          if (lane) {
            this.get(1).get(2).get(3).call(F_TSTART).b.byte(OP.local_tee).u32(L_A);
            this.i64(LANE_SLOW).op(OP.i64_ne).if_().lget(L_A).set(0).else_();
          }
          this.i32(imm).i32(at).lget(L_DEPTH);
          for (let r = 1; r <= 3; r++) this.get32(r).get(r).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64);
          this.saveBudget().call(F_HELPER_SPLIT).set(0).loadBudget();
          this.helperReturned();
          if (lane) this.end_();
          return false;
        }
        if (code === 0x85) this.i32(imm);
        else this.get(d).i64(0x80000000).op(OP.i64_lt_u).if_(I32).get32(d).else_().i32(-1).end_();
        this.i32(at).lget(L_DEPTH);
        for (let r = 1; r <= 5; r++) this.get(r);
        this.saveBudget().call(F_HELPER).set(0).loadBudget();
        this.helperReturned();
        if (site !== undefined) this.end_();
        return false;
      }
      case OP_CALL_LOCAL: {
        this.lget(L_DEPTH).i32(1).op(OP.i32_add).i32(MAX_CALL_FRAMES).op(OP.i32_ge_s)
          .if_().i32(at).call(F_DEPTH).op(OP.unreachable).end_();
        this.i32(w[p + 3]!).lget(L_DEPTH).i32(1).op(OP.i32_add);
        for (let r = 0; r <= 9; r++) this.get(r);
        this.saveBudget().call(F_EXEC).set(0).loadBudget();
        for (let r = 1; r <= 5; r++) this.b.byte(OP.global_get).u32(G_X1 + r - 1).byte(OP.local_set).u32(REG[r]!);
        return false;
      }
      case 0x95:
        this.saveBudget();
        this.exit();
        this.get(0).op(OP.return);
        return true;
      default:
        if (code >= OP_LD_ABS_W && code <= OP_LD_IND_B && (code & 7) === 0) {
          // the interpreter's bpf_skb_load_helper: r0 = bytes, or leave the frame with 0
          this.i32(at).i32(code).get(6);
          if (code >= OP_LD_IND_W) this.get32(s).i32(imm).op(OP.i32_add); else this.i32(imm);
          this.call(F_LDABS).set(0);
          for (let r = 1; r <= 5; r++) this.i64(0).set(r);
          this.get(0).i64(-1).op(OP.i64_eq).if_();
          this.saveBudget();
          this.exit();
          this.i64(0).op(OP.return).end_();
          return false;
        }
        if (isCondJump(code)) {
          this.cond(code, d, s, imm, at);
          this.if_();
          this.jump(off, at);
          this.end_();
          return false;
        }
        throw new JitError(`opcode 0x${code.toString(16).padStart(2, '0')} is not supported by the JIT`, at);
    }
  }

  /** bpf_ktime_get_ns as a load of the arena word the virtual clock keeps; false: call the helper */
  private inlineKtime(at: number): boolean {
    const cell = this.ktimeCell?.();
    if (cell === undefined) return false;
    this.inlined.push({ pc: at, mapPtr: 0, layout: { kind: 'cell', cell } });
    this.i32(0).b.byte(OP.i64_load).u32(0).u32(cell);
    this.set(0);
    return true;
  }

  /** a map lookup, update or delete at `at` on a map the runtime lets us inline (r1 a constant of this block) */
  private inlineSite(at: number, helper: number): (InlinedSite & { readonly layout: LookupLayout }) | undefined {
    const op: InlinedSite['op'] = helper === BPF_FUNC_map_update_elem ? 'update' : helper === BPF_FUNC_map_delete_elem ? 'delete' : undefined;
    const get = op === 'update' ? this.layouts.updateLayout : op === 'delete' ? this.layouts.deleteLayout
      : helper === BPF_FUNC_map_lookup_elem ? this.layouts.lookupLayout : undefined;
    if (get === undefined) return undefined;
    const mapPtr = constR1(this.prog, this.blocks[this.cur]!.slots, at);
    const layout = mapPtr === undefined ? undefined : get(mapPtr);
    if (layout === undefined || (op !== undefined && !writable(layout))) return undefined;
    const site = op === undefined ? { pc: at, mapPtr: mapPtr!, layout } : { pc: at, mapPtr: mapPtr!, layout, op };
    this.inlined.push(site);
    return site;
  }

  /** leaving a frame: its r1..r5 for the caller */
  private exit(): void {
    for (let r = 1; r <= 5; r++) this.get(r).b.byte(OP.global_set).u32(G_X1 + r - 1);
  }

  /** after a helper returns (the engine dropped the block caches if it freed blocks): a tail call leaves */
  private helperReturned(): void {
    this.b.byte(OP.global_get).u32(G_TAIL);
    this.if_().saveBudget().lget(L_DEPTH);
    for (let r = 0; r <= 9; r++) this.get(r);
    this.call(F_TAIL).op(OP.return).end_();
  }

  /** pushes the checked i32 address of r[base] + off: entry 0 of the cache inline, the rest in chk */
  private addr(base: number, off: number, size: number, access: number, what: number, at: number): void {
    if (access === ARENA_ACCESS_RW) { // atomics: readable and writable (one block: blocks do not overlap)
      this.addr(base, off, size, ARENA_ACCESS_READ, what, at);
      this.op(OP.drop);
      this.addr(base, off, size, ARENA_ACCESS_WRITE, what, at);
      return;
    }
    const g = access === ARENA_ACCESS_READ ? CACHE.r : CACHE.w;
    this.get(base);
    if (off !== 0) this.i64(off).op(OP.i64_add);
    this.b.byte(OP.local_tee).u32(L_A).byte(OP.global_get).u32(g).byte(OP.i64_sub).byte(OP.local_tee).u32(L_B);
    this.b.byte(OP.global_get).u32(g + 1).byte(OP.i64_lt_u);
    this.lget(L_B).i64(size).op(OP.i64_add).b.byte(OP.global_get).u32(g + 1);
    this.op(OP.i64_le_u).op(OP.i32_and);
    this.if_(I32).lget(L_A).op(OP.i32_wrap_i64);
    this.else_().lget(L_A).i32(size).i32(what).i32(at).call(access === ARENA_ACCESS_READ ? F_CHK_R : F_CHK_W);
    this.end_();
  }

  /**
   * A verifier-proven access (directAccess): the low 32 bits of r[base] (arena
   * addresses are 32-bit) and the offset; returns the memarg offset. No block
   * check: a wrongly accepted program still cannot leave the arena (the wasm
   * memory's bounds trap, which the engine reports as a VmError).
   */
  private directAddr(base: number, off: number): number {
    this.get32(base);
    if (off >= 0) return off;
    this.i32(off).op(OP.i32_add);
    return 0;
  }

  private mem(o: number, offset: number): this {
    this.b.byte(o).u32(0).u32(offset); // alignment hint 1: BPF allows any alignment the verifier accepted
    return this;
  }

  private alu64(code: number, d: number, s: number, imm: number, at: number): boolean {
    const x = (code & 8) !== 0;
    const src = (): this => (x ? this.get(s) : this.i64(imm));
    const op = code & 0xf0;
    const bin = (o: number): boolean => { this.get(d); src(); this.op(o).set(d); return false; };
    switch (op) {
      case 0x00: return bin(OP.i64_add);
      case 0x10: return bin(OP.i64_sub);
      case 0x20: return bin(OP.i64_mul);
      case 0x40: return bin(OP.i64_or);
      case 0x50: return bin(OP.i64_and);
      case 0x60: return bin(OP.i64_shl); // wasm masks the count by 63, as the interpreter
      case 0x70: return bin(OP.i64_shr_u);
      case 0xa0: return bin(OP.i64_xor);
      case 0xc0: return bin(OP.i64_shr_s);
      case 0x80: this.i64(0).get(d).op(OP.i64_sub).set(d); return false;
      case 0xb0: src(); this.set(d); return false;
      case 0x30: // udiv: by 0 gives 0
        if (!x) { if (imm === 0) this.i64(0).set(d); else bin(OP.i64_div_u); return false; }
        this.get(s).op(OP.i64_eqz).if_(I64).i64(0).else_().get(d).get(s).op(OP.i64_div_u).end_().set(d);
        return false;
      case 0x90: // umod: by 0 leaves dst
        if (!x) { if (imm !== 0) bin(OP.i64_rem_u); return false; }
        this.get(s).op(OP.i64_eqz).if_(I64).get(d).else_().get(d).get(s).op(OP.i64_rem_u).end_().set(d);
        return false;
      case 0xd0: // bswap16/32/64
        this.bswap(d, imm);
        return false;
    }
    throw new JitError(`opcode 0x${code.toString(16)} is not supported by the JIT`, at);
  }

  private bswap(d: number, width: number): void {
    if (width === 16) {
      this.get32(d).lset(L_X);
      this.lget(L_X).i32(0xff).op(OP.i32_and).i32(8).op(OP.i32_shl);
      this.lget(L_X).i32(8).op(OP.i32_shr_u).i32(0xff).op(OP.i32_and).op(OP.i32_or);
      this.op(OP.i64_extend_i32_u).set(d);
    } else if (width === 32) {
      this.get32(d).call(F_BSWAP32).op(OP.i64_extend_i32_u).set(d);
    } else {
      this.get32(d).call(F_BSWAP32).op(OP.i64_extend_i32_u).i64(32).op(OP.i64_shl);
      this.get(d).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).call(F_BSWAP32).op(OP.i64_extend_i32_u);
      this.op(OP.i64_or).set(d);
    }
  }

  private alu32(code: number, d: number, s: number, imm: number, at: number): boolean {
    const x = (code & 8) !== 0;
    const src = (): this => (x ? this.get32(s) : this.i32(imm));
    const op = code & 0xf0;
    const done = (): boolean => { this.op(OP.i64_extend_i32_u).set(d); return false; };
    const bin = (o: number): boolean => { this.get32(d); src(); this.op(o); return done(); };
    switch (op) {
      case 0x00: return bin(OP.i32_add);
      case 0x10: return bin(OP.i32_sub);
      case 0x20: return bin(OP.i32_mul);
      case 0x40: return bin(OP.i32_or);
      case 0x50: return bin(OP.i32_and);
      case 0x60: return bin(OP.i32_shl); // masked by 31
      case 0x70: return bin(OP.i32_shr_u);
      case 0xa0: return bin(OP.i32_xor);
      case 0xc0: return bin(OP.i32_shr_s);
      case 0x80: this.i32(0).get32(d).op(OP.i32_sub); return done();
      case 0xb0: src(); return done();
      case 0x30: // udiv32: by 0 gives 0
        if (!x) { if (imm === 0) { this.i32(0); return done(); } return bin(OP.i32_div_u); }
        this.get32(s).op(OP.i32_eqz).if_(I32).i32(0).else_().get32(d).get32(s).op(OP.i32_div_u).end_();
        return done();
      case 0x90: // umod32: by 0 leaves the low word of dst
        if (!x) { if (imm === 0) { this.get32(d); return done(); } return bin(OP.i32_rem_u); }
        this.get32(s).op(OP.i32_eqz).if_(I32).get32(d).else_().get32(d).get32(s).op(OP.i32_rem_u).end_();
        return done();
      case 0xd0: // le (0xd4) truncates; be (0xdc) swaps
        if (!x) {
          if (imm === 16) { this.get(d).i64(0xffff).op(OP.i64_and).set(d); return false; }
          if (imm === 32) { this.get32(d); return done(); }
          return false;
        }
        this.bswap(d, imm);
        return false;
    }
    throw new JitError(`opcode 0x${code.toString(16)} is not supported by the JIT`, at);
  }

  private sdivmod64(code: number, d: number, s: number, imm: number): boolean {
    const div = code === OP_SDIV64_K || code === OP_SDIV64_X;
    if (code === OP_SDIV64_K || code === OP_SMOD64_K) {
      if (imm === 0) { if (div) this.i64(0).set(d); return false; }
      if (imm === -1) { if (div) this.i64(0).get(d).op(OP.i64_sub).set(d); else this.i64(0).set(d); return false; }
      this.get(d).i64(imm).op(div ? OP.i64_div_s : OP.i64_rem_s).set(d);
      return false;
    }
    if (div) {
      // by 0 gives 0; by -1 negates (INT64_MIN / -1 would trap in wasm)
      this.get(s).op(OP.i64_eqz).if_(I64).i64(0).else_()
        .get(s).i64(-1).op(OP.i64_eq).if_(I64).i64(0).get(d).op(OP.i64_sub)
        .else_().get(d).get(s).op(OP.i64_div_s).end_()
        .end_().set(d);
    } else {
      this.get(s).op(OP.i64_eqz).if_(I64).get(d).else_().get(d).get(s).op(OP.i64_rem_s).end_().set(d);
    }
    return false;
  }

  private sdivmod32(code: number, d: number, s: number, imm: number): boolean {
    const div = code === OP_SDIV32_K || code === OP_SDIV32_X;
    const done = (): boolean => { this.op(OP.i64_extend_i32_u).set(d); return false; };
    if (code === OP_SDIV32_K || code === OP_SMOD32_K) {
      if (imm === 0) { if (div) this.i32(0); else this.get32(d); return done(); }
      if (imm === -1) { if (div) this.i32(0).get32(d).op(OP.i32_sub); else this.i32(0); return done(); }
      this.get32(d).i32(imm).op(div ? OP.i32_div_s : OP.i32_rem_s);
      return done();
    }
    if (div) {
      this.get32(s).op(OP.i32_eqz).if_(I32).i32(0).else_()
        .get32(s).i32(-1).op(OP.i32_eq).if_(I32).i32(0).get32(d).op(OP.i32_sub)
        .else_().get32(d).get32(s).op(OP.i32_div_s).end_()
        .end_();
    } else {
      this.get32(s).op(OP.i32_eqz).if_(I32).get32(d).else_().get32(d).get32(s).op(OP.i32_rem_s).end_();
    }
    return done();
  }

  private atomic(code: number, d: number, s: number, off: number, imm: number, at: number): boolean {
    const size = code === 0xdb ? 8 : code === 0xc3 ? 4 : code === 0xcb ? 2 : 1;
    const load = size === 8 ? OP.i64_load : size === 4 ? OP.i64_load32_u : size === 2 ? OP.i64_load16_u : OP.i64_load8_u;
    const store = size === 8 ? OP.i64_store : size === 4 ? OP.i64_store32 : size === 2 ? OP.i64_store16 : OP.i64_store8;
    if (imm === BPF_LOAD_ACQ) {
      this.addr(s, off, size, ARENA_ACCESS_READ, 2, at);
      this.mem(load, 0).set(d);
      return false;
    }
    if (imm === BPF_STORE_REL) {
      this.addr(d, off, size, ARENA_ACCESS_WRITE, 2, at);
      this.get(s).mem(store, 0);
      return false;
    }
    this.addr(d, off, size, ARENA_ACCESS_RW, 2, at);
    this.lset(L_X);
    // old value (zero-extended for 32 bits) in A; the source (truncated) in B
    this.lget(L_X).mem(load, 0).lset(L_A);
    this.get(s);
    if (size === 4) this.i64(0xffffffff).op(OP.i64_and);
    this.lset(L_B);
    const fetch = (imm & 1) !== 0;
    const base = imm & ~1;
    const rmw = (o: number): void => {
      this.lget(L_X).lget(L_A).lget(L_B).op(o).mem(store, 0);
      if (fetch) this.lget(L_A).set(s);
    };
    switch (base) {
      case 0x00: rmw(OP.i64_add); return false;
      case 0x40: rmw(OP.i64_or); return false;
      case 0x50: rmw(OP.i64_and); return false;
      case 0xa0: rmw(OP.i64_xor); return false;
      case 0xe0: // xchg
        this.lget(L_X).lget(L_B).mem(store, 0).lget(L_A).set(s);
        return false;
      case 0xf0: // cmpxchg: compare with r0 (its low word for 32 bits), old value to r0
        this.get(0);
        if (size === 4) this.i64(0xffffffff).op(OP.i64_and);
        this.lget(L_A).op(OP.i64_eq).if_().lget(L_X).lget(L_B).mem(store, 0).end_();
        this.lget(L_A).set(0);
        return false;
    }
    throw new JitError(`atomic operation 0x${(imm >>> 0).toString(16)} is not supported by the JIT`, at);
  }

  private cond(code: number, d: number, s: number, imm: number, at: number): void {
    const x = (code & 8) !== 0;
    const is32 = (code & 7) === 6;
    const op = code & 0xf0;
    if (is32) { this.get32(d); if (x) this.get32(s); else this.i32(imm); }
    else { this.get(d); if (x) this.get(s); else this.i64(imm); }
    const tbl64: Record<number, number> = {
      0x10: OP.i64_eq, 0x50: OP.i64_ne, 0x20: OP.i64_gt_u, 0x30: OP.i64_ge_u, 0xa0: OP.i64_lt_u, 0xb0: OP.i64_le_u,
      0x60: OP.i64_gt_s, 0x70: OP.i64_ge_s, 0xc0: OP.i64_lt_s, 0xd0: OP.i64_le_s,
    };
    const tbl32: Record<number, number> = {
      0x10: OP.i32_eq, 0x50: OP.i32_ne, 0x20: OP.i32_gt_u, 0x30: OP.i32_ge_u, 0xa0: OP.i32_lt_u, 0xb0: OP.i32_le_u,
      0x60: OP.i32_gt_s, 0x70: OP.i32_ge_s, 0xc0: OP.i32_lt_s, 0xd0: OP.i32_le_s,
    };
    if (op === 0x40) { // jset
      if (is32) this.op(OP.i32_and); else this.op(OP.i64_and).op(OP.i64_eqz).op(OP.i32_eqz);
      return;
    }
    const o = (is32 ? tbl32 : tbl64)[op];
    if (o === undefined) throw new JitError(`opcode 0x${code.toString(16)} is not supported by the JIT`, at);
    this.op(o);
  }
}

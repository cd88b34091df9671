// The reference interpreter: runs predecoded eBPF over the arena with the
// kernel's semantics (kernel/bpf/core.c ___bpf_prog_run plus the verifier's
// run-time fixups for division). Registers are (lo, hi) int32 pairs in two
// Int32Arrays; 64-bit multiply/divide/shift live in int64.ts.
//
// Every load, store and atomic is checked against the arena's live blocks; a
// failed check is a VmError naming the instruction, never a JS exception.

import type { Insn } from '../isa/insn.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from '../isa/opcodes.js';
import { ARENA_ACCESS_READ, ARENA_ACCESS_RW, ARENA_ACCESS_WRITE, type Arena } from '../memory/arena.js';
import { decodeProgram, type DecodedProgram } from './decode.js';
import type { HelperFn, VmContext, VmEnv } from './env.js';
import { MAX_TAIL_CALL_CNT } from './env.js';
import { VmError, WATCHDOG_SLICE, budgetError, watchdogError } from './errors.js';

/** offset of __sk_buff->data (then data_end) in the context test_run builds for skb programs */
export const SKB_DATA = 76;
/** SKF_LL_OFF: offsets from here up to 0 name the mac / network header (linux/filter.h) */
export const SKF_LL_OFF = -0x200000;
import * as I from './int64.js';
import { probeLoad } from './probe_mem.js';

export interface InterpreterOptions {
  /**
   * An explicit cap: instructions one run may execute before it fails with
   * kind 'budget' (default: none). The verifier proves every program ends, so
   * the default guard is the wall-clock watchdog below, which never stops a
   * verified program the kernel would run to completion (bpf_loop(8M) with a
   * long callback runs hundreds of millions of instructions).
   */
  maxInsns?: number;
  /**
   * Watchdog: wall-clock milliseconds one run (with its bpf_loop callbacks and
   * tail calls) may take before it fails with kind 'timeout' (default 60 000;
   * Infinity turns it off). Only a verifier bug can make a program run that long.
   */
  timeoutMs?: number;
  /** simulated CPU number seen by helpers (default 0) */
  cpu?: number;
}

/**
 * One executed instruction (tsbpf run --trace-insn): reported after it ran,
 * with the registers it changed. `insns` is the program it belongs to (a tail
 * call switches programs), `level` the nesting of bpf_loop / timer callbacks.
 */
export interface InsnStep {
  insns: readonly Insn[];
  pc: number;
  level: number;
  /** registers whose value changed, in register order */
  changed: { reg: number; value: bigint }[];
  /** the instruction did not finish: it raised this run's error */
  faulted?: boolean;
}

export type InsnTracer = (step: InsnStep) => void;

/** the instruction a level is executing, with the registers before it */
interface PendingStep {
  insns: readonly Insn[];
  pc: number;
  lo: Int32Array;
  hi: Int32Array;
}

/** the watchdog's default limit per run, ms */
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

const TWO32 = 0x1_0000_0000;

export class Interpreter implements VmContext {
  readonly arena: Arena;
  cpu: number;
  /** explicit instruction cap per run (Infinity: none) */
  maxInsns: number;
  /** watchdog limit per run, ms (Infinity: none) */
  timeoutMs: number;
  /** instructions executed by the last (outermost) run, including nested calls */
  insnCount = 0;

  private readonly env: VmEnv;
  private prog: DecodedProgram;
  // one register file per nesting level of run()/callFunction()
  private readonly regFiles: { lo: Int32Array; hi: Int32Array }[] = [];
  private level = 0;
  // one 512-byte arena block per call frame, reused between runs
  private readonly frames: number[] = [];
  private depth = 0;
  // instructions left before the next look at the cap/clock, and how many
  // were granted before this slice
  private budget = 0;
  private granted = 0;
  private deadline = 0;
  private tailCalls = 0;
  private pendingTail: DecodedProgram | null = null;
  // may_goto's budget per call frame: the kernel's fixup stores BPF_MAX_LOOPS in a
  // hidden stack slot in each subprogram's prologue; may_goto jumps once it is 0,
  // else takes one and falls through (the interpreter's semantics: x86's JIT
  // uses a time-based budget instead, which no deterministic runtime can follow)
  private readonly mayGoto = new Int32Array(MAX_CALL_FRAMES + 1);
  /**
   * Single-step hook: while set, every slice is one instruction long, so the
   * dispatch loop calls refill() before each one and the hot path pays
   * nothing when tracing is off.
   */
  tracer: InsnTracer | undefined;
  private readonly pending: (PendingStep | undefined)[] = [];

  constructor(program: readonly Insn[], env: VmEnv, opts: InterpreterOptions = {}) {
    this.env = env;
    this.arena = env.arena;
    this.prog = decodeProgram(program);
    this.cpu = opts.cpu ?? 0;
    this.maxInsns = opts.maxInsns ?? Infinity;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    if (!(this.maxInsns > 0) || !(this.timeoutMs > 0)) throw new RangeError('maxInsns and timeoutMs must be positive');
  }

  /** instructions this run may execute before the cap or the next clock check */
  private nextSlice(): number {
    if (this.tracer !== undefined) return Math.min(1, this.maxInsns - this.granted);
    return Math.min(WATCHDOG_SLICE, this.maxInsns - this.granted);
  }

  /** Runs from instruction `entryPc` with r1..r5 = args; returns r0 (unsigned 64-bit). */
  run(entryPc: number, args: readonly bigint[] = []): bigint {
    if (this.level > 0) return this.callFunction(entryPc, args);
    this.granted = 0;
    // traced: an empty first slice, so refill() sees the first instruction too
    this.budget = this.tracer === undefined ? this.nextSlice() : 0;
    this.granted = this.budget;
    // the watchdog's clock starts at the first slice boundary (refill): a run shorter than
    // one slice never reads the clock (performance.now() costs about as much as a short run)
    this.deadline = NaN;
    this.depth = 0;
    this.tailCalls = 0;
    this.pendingTail = null;
    const root = this.prog;
    try {
      return this.enter(entryPc, args);
    } finally {
      this.insnCount = this.granted - Math.max(0, this.budget);
      this.prog = root; // a tail call replaced it for this run only
    }
  }

  /** run(pc, [r1, r2, r3]) for a timer callback (the engines' common entry; the JIT's makes no bigints) */
  runCallback(pc: number, r1: number, r2: number, r3: number): void {
    this.run(pc, [BigInt(r1), BigInt(r2), BigInt(r3)]);
  }

  callFunction(pc: number, args: readonly bigint[]): bigint {
    if (this.level === 0) return this.run(pc, args);
    if (this.depth + 1 >= MAX_CALL_FRAMES) {
      throw new VmError('call-depth', pc, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
    }
    const savedDepth = this.depth;
    const savedProg = this.prog;
    this.depth++;
    try {
      return this.enter(pc, args);
    } finally {
      this.depth = savedDepth;
      this.prog = savedProg;
    }
  }

  tailCall(target: unknown): boolean {
    if (this.level === 0 || this.tailCalls >= MAX_TAIL_CALL_CNT) return false;
    const insns = this.env.tailCallTarget?.(target);
    if (insns === undefined) return false;
    this.tailCalls++;
    this.pendingTail = decodeProgram(insns);
    return true;
  }

  /** Returns the stack frames to the arena (the program is being freed). */
  release(): void {
    for (const base of this.frames.splice(0)) if (base !== undefined) this.arena.free(base);
  }

  private frameTop(depth: number): number {
    let base = this.frames[depth];
    if (base === undefined) {
      base = this.arena.alloc(MAX_BPF_STACK, ARENA_ACCESS_RW, 8);
      this.frames[depth] = base;
    }
    return base + MAX_BPF_STACK;
  }

  private enter(pc: number, args: readonly bigint[]): bigint {
    if (!Number.isInteger(pc) || pc < 0 || pc >= this.prog.length) {
      throw new VmError('entry', -1, `entry point ${pc} is outside the program (${this.prog.length} insns)`);
    }
    if (args.length > 5) throw new VmError('entry', -1, `at most 5 arguments, got ${args.length}`);
    let rf = this.regFiles[this.level];
    if (rf === undefined) {
      rf = { lo: new Int32Array(16), hi: new Int32Array(16) };
      this.regFiles[this.level] = rf;
    }
    rf.lo.fill(0);
    rf.hi.fill(0);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a !== 'bigint') throw new VmError('entry', -1, `argument r${i + 1} is not a bigint`);
      rf.lo[i + 1] = I.split64(a);
      rf.hi[i + 1] = I.hi64;
    }
    rf.lo[10] = this.frameTop(this.depth);
    this.level++;
    let ok = false;
    try {
      this.exec(rf.lo, rf.hi, pc);
      ok = true;
    } finally {
      if (this.tracer !== undefined) this.traceFlush(rf.lo, rf.hi, !ok);
      this.level--;
    }
    return I.u64(rf.lo[0]!, rf.hi[0]!);
  }

  private memFault(pc: number, lo: number, hi: number, off: number, size: number, what: string): VmError {
    const addr = BigInt.asUintN(64, I.u64(lo, hi) + BigInt(off));
    return new VmError('memory', pc, `invalid ${what} of ${size} bytes at 0x${addr.toString(16)}`, addr);
  }

  /**
   * The slice ran out: a new one, or the typed error of the cap or the
   * watchdog. Returns the new budget (the caller's local copy).
   */
  private refill(pc: number, prog: DecodedProgram, lo: Int32Array, hi: Int32Array): number {
    if (this.tracer !== undefined) this.traceStep(pc, prog, lo, hi);
    if (this.granted >= this.maxInsns) {
      this.budget = 0;
      throw budgetError(pc, this.maxInsns);
    }
    if (Number.isNaN(this.deadline)) this.deadline = this.timeoutMs === Infinity ? Infinity : performance.now() + this.timeoutMs;
    if (performance.now() > this.deadline) {
      this.budget = 0;
      throw watchdogError(pc, this.timeoutMs, this.granted);
    }
    const n = this.nextSlice();
    this.granted += n;
    // the decrement that found the slice empty belongs to this instruction
    return n - 1;
  }

  /** Reports the instruction this level ran last, then remembers the next one. */
  private traceStep(pc: number, prog: DecodedProgram, lo: Int32Array, hi: Int32Array): void {
    this.traceFlush(lo, hi, false);
    this.pending[this.level] = { insns: prog.insns, pc, lo: lo.slice(), hi: hi.slice() };
  }

  private traceFlush(lo: Int32Array, hi: Int32Array, faulted: boolean): void {
    const p = this.pending[this.level];
    const tracer = this.tracer;
    if (p === undefined || tracer === undefined) return;
    this.pending[this.level] = undefined;
    const changed: InsnStep['changed'] = [];
    for (let r = 0; r < 11; r++) {
      if (lo[r] !== p.lo[r] || hi[r] !== p.hi[r]) changed.push({ reg: r, value: I.u64(lo[r]!, hi[r]!) });
    }
    const step: InsnStep = { insns: p.insns, pc: p.pc, level: this.level, changed };
    if (faulted) step.faulted = true;
    tracer(step);
  }

  private depthError(pc: number): VmError {
    return new VmError('call-depth', pc, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
  }

  private trap(pc: number): VmError {
    return new VmError('invalid-insn', pc, this.prog.traps.get(pc) ?? 'invalid instruction');
  }

  /** Calls helper `id` with r1..r5 and puts its result in r0. */
  private callHelper(pc: number, id: number, lo: Int32Array, hi: Int32Array): void {
    const fn: HelperFn | undefined = this.env.helper(id);
    if (fn === undefined) throw new VmError('helper', pc, `unknown helper ${id}`);
    let r: bigint;
    try {
      r = fn(this, I.u64(lo[1]!, hi[1]!), I.u64(lo[2]!, hi[2]!), I.u64(lo[3]!, hi[3]!),
        I.u64(lo[4]!, hi[4]!), I.u64(lo[5]!, hi[5]!));
    } catch (e) {
      if (e instanceof VmError) throw e;
      throw new VmError('helper', pc, `helper ${id} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    }
    if (typeof r !== 'bigint') throw new VmError('helper', pc, `helper ${id} returned ${typeof r}, not a bigint`);
    lo[0] = I.split64(r);
    hi[0] = I.hi64;
  }

  // The dispatch loop. `pc` is the slot index; `at` the slot being executed.
  private exec(lo: Int32Array, hi: Int32Array, pc: number): void {
    const arena = this.arena;
    let prog = this.prog;
    let w = prog.words;
    let dv = arena.dv;
    let budget = this.budget;
    const baseDepth = this.depth;
    // saved state of the caller frames of this level: [retPc, r6..r9 lo/hi] and the program
    const saved: number[] = [];
    const savedProg: DecodedProgram[] = [];
    this.mayGoto[baseDepth] = BPF_MAX_LOOPS;

    for (;;) {
      // cold paths build their errors out of line: a template literal in
      // this loop body halves its speed under TurboFan
      if (--budget < 0) budget = this.refill(pc, prog, lo, hi);
      const at = pc;
      const p = pc << 2;
      const w0 = w[p]!;
      const d = (w0 >> 8) & 0xf;
      const s = (w0 >> 12) & 0xf;
      const imm = w[p + 2]!;
      pc++;
      switch (w0 & 0xff) {
        // ---- ALU64, immediate (imm sign-extended to 64 bits) ----
        case 0x07: { // add
          const l = (lo[d]! >>> 0) + (imm >>> 0);
          hi[d] = (hi[d]! + (imm >> 31) + (l >= TWO32 ? 1 : 0)) | 0;
          lo[d] = l | 0;
          break;
        }
        case 0x17: { // sub
          const l = (lo[d]! >>> 0) - (imm >>> 0);
          hi[d] = (hi[d]! - (imm >> 31) - (l < 0 ? 1 : 0)) | 0;
          lo[d] = l | 0;
          break;
        }
        case 0x27: I.mul64(lo, hi, d, imm, imm >> 31); break;
        case 0x37: I.udiv64(lo, hi, d, imm, imm >> 31); break;
        case 0x47: lo[d] = lo[d]! | imm; hi[d] = hi[d]! | (imm >> 31); break;
        case 0x57: lo[d] = lo[d]! & imm; hi[d] = hi[d]! & (imm >> 31); break;
        case 0x67: I.lsh64(lo, hi, d, imm); break;
        case 0x77: I.rsh64(lo, hi, d, imm); break;
        case 0x87: { // neg
          const l = lo[d]!;
          lo[d] = -l | 0;
          hi[d] = (~hi[d]! + (l === 0 ? 1 : 0)) | 0;
          break;
        }
        case 0x97: I.umod64(lo, hi, d, imm, imm >> 31); break;
        case 0xa7: lo[d] = lo[d]! ^ imm; hi[d] = hi[d]! ^ (imm >> 31); break;
        case 0xb7: lo[d] = imm; hi[d] = imm >> 31; break;
        case 0xc7: I.arsh64(lo, hi, d, imm); break;
        case 0xd7: { // bswap16/32/64 (ALU64 | END)
          const l = lo[d]!;
          if (imm === 16) { lo[d] = I.bswap16(l); hi[d] = 0; }
          else if (imm === 32) { lo[d] = I.bswap32(l); hi[d] = 0; }
          else { lo[d] = I.bswap32(hi[d]!); hi[d] = I.bswap32(l); }
          break;
        }
        case 0x08: I.sdiv64(lo, hi, d, imm, imm >> 31); break; // OP_SDIV64_K
        case 0x20: I.smod64(lo, hi, d, imm, imm >> 31); break; // OP_SMOD64_K

        // ---- ALU64, register ----
        case 0x0f: {
          const l = (lo[d]! >>> 0) + (lo[s]! >>> 0);
          hi[d] = (hi[d]! + hi[s]! + (l >= TWO32 ? 1 : 0)) | 0;
          lo[d] = l | 0;
          break;
        }
        case 0x1f: {
          const l = (lo[d]! >>> 0) - (lo[s]! >>> 0);
          hi[d] = (hi[d]! - hi[s]! - (l < 0 ? 1 : 0)) | 0;
          lo[d] = l | 0;
          break;
        }
        case 0x2f: I.mul64(lo, hi, d, lo[s]!, hi[s]!); break;
        case 0x3f: I.udiv64(lo, hi, d, lo[s]!, hi[s]!); break;
        case 0x4f: lo[d] = lo[d]! | lo[s]!; hi[d] = hi[d]! | hi[s]!; break;
        case 0x5f: lo[d] = lo[d]! & lo[s]!; hi[d] = hi[d]! & hi[s]!; break;
        case 0x6f: I.lsh64(lo, hi, d, lo[s]!); break;
        case 0x7f: I.rsh64(lo, hi, d, lo[s]!); break;
        case 0x9f: I.umod64(lo, hi, d, lo[s]!, hi[s]!); break;
        case 0xaf: lo[d] = lo[d]! ^ lo[s]!; hi[d] = hi[d]! ^ hi[s]!; break;
        case 0xbf: lo[d] = lo[s]!; hi[d] = hi[s]!; break;
        case 0xcf: I.arsh64(lo, hi, d, lo[s]!); break;
        case 0x10: I.sdiv64(lo, hi, d, lo[s]!, hi[s]!); break; // OP_SDIV64_X
        case 0x28: I.smod64(lo, hi, d, lo[s]!, hi[s]!); break; // OP_SMOD64_X
        case 0x50: { const v = (lo[s]! << 24) >> 24; lo[d] = v; hi[d] = v >> 31; break; } // OP_MOVSX64_8
        case 0x58: { const v = (lo[s]! << 16) >> 16; lo[d] = v; hi[d] = v >> 31; break; } // OP_MOVSX64_16
        case 0x60: { const v = lo[s]!; lo[d] = v; hi[d] = v >> 31; break; } // OP_MOVSX64_32

        // ---- ALU (32-bit): results are zero-extended ----
        case 0x04: lo[d] = (lo[d]! + imm) | 0; hi[d] = 0; break;
        case 0x0c: lo[d] = (lo[d]! + lo[s]!) | 0; hi[d] = 0; break;
        case 0x14: lo[d] = (lo[d]! - imm) | 0; hi[d] = 0; break;
        case 0x1c: lo[d] = (lo[d]! - lo[s]!) | 0; hi[d] = 0; break;
        case 0x24: lo[d] = Math.imul(lo[d]!, imm); hi[d] = 0; break;
        case 0x2c: lo[d] = Math.imul(lo[d]!, lo[s]!); hi[d] = 0; break;
        case 0x34: lo[d] = imm === 0 ? 0 : ((lo[d]! >>> 0) / (imm >>> 0)) | 0; hi[d] = 0; break;
        case 0x3c: { const b = lo[s]!; lo[d] = b === 0 ? 0 : ((lo[d]! >>> 0) / (b >>> 0)) | 0; hi[d] = 0; break; }
        case 0x44: lo[d] = lo[d]! | imm; hi[d] = 0; break;
        case 0x4c: lo[d] = lo[d]! | lo[s]!; hi[d] = 0; break;
        case 0x54: lo[d] = lo[d]! & imm; hi[d] = 0; break;
        case 0x5c: lo[d] = lo[d]! & lo[s]!; hi[d] = 0; break;
        case 0x64: lo[d] = lo[d]! << (imm & 31); hi[d] = 0; break;
        case 0x6c: lo[d] = lo[d]! << (lo[s]! & 31); hi[d] = 0; break;
        case 0x74: lo[d] = (lo[d]! >>> (imm & 31)) | 0; hi[d] = 0; break;
        case 0x7c: lo[d] = (lo[d]! >>> (lo[s]! & 31)) | 0; hi[d] = 0; break;
        case 0x84: lo[d] = -lo[d]! | 0; hi[d] = 0; break;
        case 0x94: lo[d] = imm === 0 ? lo[d]! : ((lo[d]! >>> 0) % (imm >>> 0)) | 0; hi[d] = 0; break;
        case 0x9c: { const b = lo[s]!; lo[d] = b === 0 ? lo[d]! : ((lo[d]! >>> 0) % (b >>> 0)) | 0; hi[d] = 0; break; }
        case 0xa4: lo[d] = lo[d]! ^ imm; hi[d] = 0; break;
        case 0xac: lo[d] = lo[d]! ^ lo[s]!; hi[d] = 0; break;
        case 0xb4: lo[d] = imm; hi[d] = 0; break;
        case 0xbc: lo[d] = lo[s]!; hi[d] = 0; break;
        case 0xc4: lo[d] = lo[d]! >> (imm & 31); hi[d] = 0; break;
        case 0xcc: lo[d] = lo[d]! >> (lo[s]! & 31); hi[d] = 0; break;
        case 0xd4: // le16/32/64: truncate (the host order is little-endian)
          if (imm === 16) { lo[d] = lo[d]! & 0xffff; hi[d] = 0; }
          else if (imm === 32) hi[d] = 0;
          break;
        case 0xdc: { // be16/32/64
          const l = lo[d]!;
          if (imm === 16) { lo[d] = I.bswap16(l); hi[d] = 0; }
          else if (imm === 32) { lo[d] = I.bswap32(l); hi[d] = 0; }
          else { lo[d] = I.bswap32(hi[d]!); hi[d] = I.bswap32(l); }
          break;
        }
        case 0x30: lo[d] = imm === 0 ? 0 : Math.trunc(lo[d]! / imm) | 0; hi[d] = 0; break; // OP_SDIV32_K
        case 0x38: { const b = lo[s]!; lo[d] = b === 0 ? 0 : Math.trunc(lo[d]! / b) | 0; hi[d] = 0; break; } // OP_SDIV32_X
        case 0x40: lo[d] = imm === 0 ? lo[d]! : (lo[d]! % imm) | 0; hi[d] = 0; break; // OP_SMOD32_K
        case 0x48: { const b = lo[s]!; lo[d] = b === 0 ? lo[d]! : (lo[d]! % b) | 0; hi[d] = 0; break; } // OP_SMOD32_X
        case 0x68: lo[d] = (lo[s]! << 24) >> 24; hi[d] = 0; break; // OP_MOVSX32_8
        case 0x70: lo[d] = (lo[s]! << 16) >> 16; hi[d] = 0; break; // OP_MOVSX32_16

        // ---- lddw ----
        case 0x18: lo[d] = imm; hi[d] = w[p + 3]!; pc++; break;

        // ---- loads ----
        case 0x61: case 0x69: case 0x71: case 0x79: // ldx{w,h,b,dw}
        case 0x81: case 0x89: case 0x91: { // ldxs{w,h,b}
          const op = w0 & 0xff;
          const size = op === 0x71 || op === 0x91 ? 1 : op === 0x69 || op === 0x89 ? 2 : op === 0x79 ? 8 : 4;
          const off = w[p + 1]!;
          let a = (lo[s]! >>> 0) + off;
          let h = hi[s]!;
          if (a >= TWO32) { a -= TWO32; h = (h + 1) | 0; } else if (a < 0) { a += TWO32; h = (h - 1) | 0; }
          if (h !== 0 || !arena.canAccess(a, size, ARENA_ACCESS_READ)) {
            throw this.memFault(at, lo[s]!, hi[s]!, off, size, 'read');
          }
          switch (op) {
            case 0x61: lo[d] = dv.getInt32(a, true); hi[d] = 0; break;
            case 0x69: lo[d] = dv.getUint16(a, true); hi[d] = 0; break;
            case 0x71: lo[d] = dv.getUint8(a); hi[d] = 0; break;
            case 0x79: lo[d] = dv.getInt32(a, true); hi[d] = dv.getInt32(a + 4, true); break;
            case 0x81: { const v = dv.getInt32(a, true); lo[d] = v; hi[d] = v >> 31; break; }
            case 0x89: { const v = dv.getInt16(a, true); lo[d] = v; hi[d] = v >> 31; break; }
            default: { const v = dv.getInt8(a); lo[d] = v; hi[d] = v >> 31; break; }
          }
          break;
        }

        // ---- BPF_PROBE_MEM(SX) loads: through kernel pointers, a fault reads 0 ----
        case 0x21: case 0x29: case 0x31: case 0x39: case 0x41: case 0x49: case 0x51: {
          const op = w0 & 0xff;
          const size = [4, 2, 1, 8][(op >> 3) & 3]!;
          const v = probeLoad(arena, this.env, at, I.u64(lo[s]!, hi[s]!) + BigInt(w[p + 1]!), size, op >= 0x41);
          lo[d] = Number(v & 0xffffffffn) | 0;
          hi[d] = Number(v >> 32n) | 0;
          break;
        }

        // ---- stores: st (imm) and stx (register) ----
        case 0x62: case 0x6a: case 0x72: case 0x7a:
        case 0x63: case 0x6b: case 0x73: case 0x7b: {
          const op = w0 & 0xff;
          const sz = op & 0x18;
          const size = sz === 0x10 ? 1 : sz === 0x08 ? 2 : sz === 0x18 ? 8 : 4;
          const off = w[p + 1]!;
          let a = (lo[d]! >>> 0) + off;
          let h = hi[d]!;
          if (a >= TWO32) { a -= TWO32; h = (h + 1) | 0; } else if (a < 0) { a += TWO32; h = (h - 1) | 0; }
          if (h !== 0 || !arena.canAccess(a, size, ARENA_ACCESS_WRITE)) {
            throw this.memFault(at, lo[d]!, hi[d]!, off, size, 'write');
          }
          const isReg = (op & 7) === 3;
          const vlo = isReg ? lo[s]! : imm;
          if (size === 4) dv.setInt32(a, vlo, true);
          else if (size === 8) { dv.setInt32(a, vlo, true); dv.setInt32(a + 4, isReg ? hi[s]! : imm >> 31, true); }
          else if (size === 2) dv.setInt16(a, vlo, true);
          else dv.setInt8(a, vlo);
          break;
        }

        // ---- atomics (single-threaded: plain read-modify-write) ----
        case 0xc3: case 0xdb: case 0xcb: case 0xd3: {
          const op = w0 & 0xff;
          const size = op === 0xdb ? 8 : op === 0xc3 ? 4 : op === 0xcb ? 2 : 1;
          const off = w[p + 1]!;
          const isLoadAcq = imm === 0x100;
          const base = isLoadAcq ? s : d;
          let a = (lo[base]! >>> 0) + off;
          let h = hi[base]!;
          if (a >= TWO32) { a -= TWO32; h = (h + 1) | 0; } else if (a < 0) { a += TWO32; h = (h - 1) | 0; }
          const access = isLoadAcq ? ARENA_ACCESS_READ : imm === 0x110 ? ARENA_ACCESS_WRITE : ARENA_ACCESS_RW;
          if (h !== 0 || !arena.canAccess(a, size, access)) {
            throw this.memFault(at, lo[base]!, hi[base]!, off, size, 'atomic access');
          }
          this.atomic(dv, a, size, imm, d, s, lo, hi);
          break;
        }

        // ---- jumps ----
        case 0x05: pc = w[p + 1]!; break; // ja
        case 0xe5: { // may_goto
          const k = baseDepth + saved.length / 9;
          if (this.mayGoto[k] === 0) pc = w[p + 1]!;
          else this.mayGoto[k]!--;
          break;
        }
        case 0x06: pc = w[p + 1]!; break; // gotol (JMP32 | JA)

        case 0x15: if (lo[d] === imm && hi[d] === imm >> 31) pc = w[p + 1]!; break;
        case 0x1d: if (lo[d] === lo[s] && hi[d] === hi[s]) pc = w[p + 1]!; break;
        case 0x55: if (lo[d] !== imm || hi[d] !== imm >> 31) pc = w[p + 1]!; break;
        case 0x5d: if (lo[d] !== lo[s] || hi[d] !== hi[s]) pc = w[p + 1]!; break;
        case 0x45: if ((lo[d]! & imm) !== 0 || (hi[d]! & (imm >> 31)) !== 0) pc = w[p + 1]!; break;
        case 0x4d: if ((lo[d]! & lo[s]!) !== 0 || (hi[d]! & hi[s]!) !== 0) pc = w[p + 1]!; break;
        case 0x25: if (ucmp(lo[d]!, hi[d]!, imm, imm >> 31) > 0) pc = w[p + 1]!; break;
        case 0x2d: if (ucmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) > 0) pc = w[p + 1]!; break;
        case 0x35: if (ucmp(lo[d]!, hi[d]!, imm, imm >> 31) >= 0) pc = w[p + 1]!; break;
        case 0x3d: if (ucmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) >= 0) pc = w[p + 1]!; break;
        case 0xa5: if (ucmp(lo[d]!, hi[d]!, imm, imm >> 31) < 0) pc = w[p + 1]!; break;
        case 0xad: if (ucmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) < 0) pc = w[p + 1]!; break;
        case 0xb5: if (ucmp(lo[d]!, hi[d]!, imm, imm >> 31) <= 0) pc = w[p + 1]!; break;
        case 0xbd: if (ucmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) <= 0) pc = w[p + 1]!; break;
        case 0x65: if (scmp(lo[d]!, hi[d]!, imm, imm >> 31) > 0) pc = w[p + 1]!; break;
        case 0x6d: if (scmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) > 0) pc = w[p + 1]!; break;
        case 0x75: if (scmp(lo[d]!, hi[d]!, imm, imm >> 31) >= 0) pc = w[p + 1]!; break;
        case 0x7d: if (scmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) >= 0) pc = w[p + 1]!; break;
        case 0xc5: if (scmp(lo[d]!, hi[d]!, imm, imm >> 31) < 0) pc = w[p + 1]!; break;
        case 0xcd: if (scmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) < 0) pc = w[p + 1]!; break;
        case 0xd5: if (scmp(lo[d]!, hi[d]!, imm, imm >> 31) <= 0) pc = w[p + 1]!; break;
        case 0xdd: if (scmp(lo[d]!, hi[d]!, lo[s]!, hi[s]!) <= 0) pc = w[p + 1]!; break;

        // JMP32: compare the low words only
        case 0x16: if (lo[d] === imm) pc = w[p + 1]!; break;
        case 0x1e: if (lo[d] === lo[s]) pc = w[p + 1]!; break;
        case 0x56: if (lo[d] !== imm) pc = w[p + 1]!; break;
        case 0x5e: if (lo[d] !== lo[s]) pc = w[p + 1]!; break;
        case 0x46: if ((lo[d]! & imm) !== 0) pc = w[p + 1]!; break;
        case 0x4e: if ((lo[d]! & lo[s]!) !== 0) pc = w[p + 1]!; break;
        case 0x26: if ((lo[d]! >>> 0) > (imm >>> 0)) pc = w[p + 1]!; break;
        case 0x2e: if ((lo[d]! >>> 0) > (lo[s]! >>> 0)) pc = w[p + 1]!; break;
        case 0x36: if ((lo[d]! >>> 0) >= (imm >>> 0)) pc = w[p + 1]!; break;
        case 0x3e: if ((lo[d]! >>> 0) >= (lo[s]! >>> 0)) pc = w[p + 1]!; break;
        case 0xa6: if ((lo[d]! >>> 0) < (imm >>> 0)) pc = w[p + 1]!; break;
        case 0xae: if ((lo[d]! >>> 0) < (lo[s]! >>> 0)) pc = w[p + 1]!; break;
        case 0xb6: if ((lo[d]! >>> 0) <= (imm >>> 0)) pc = w[p + 1]!; break;
        case 0xbe: if ((lo[d]! >>> 0) <= (lo[s]! >>> 0)) pc = w[p + 1]!; break;
        case 0x66: if (lo[d]! > imm) pc = w[p + 1]!; break;
        case 0x6e: if (lo[d]! > lo[s]!) pc = w[p + 1]!; break;
        case 0x76: if (lo[d]! >= imm) pc = w[p + 1]!; break;
        case 0x7e: if (lo[d]! >= lo[s]!) pc = w[p + 1]!; break;
        case 0xc6: if (lo[d]! < imm) pc = w[p + 1]!; break;
        case 0xce: if (lo[d]! < lo[s]!) pc = w[p + 1]!; break;
        case 0xd6: if (lo[d]! <= imm) pc = w[p + 1]!; break;
        case 0xde: if (lo[d]! <= lo[s]!) pc = w[p + 1]!; break;

        // ---- calls ----
        case 0x85: // helper call
        case 0x8d: { // callx: as in bpf_conformance, the register in dst holds a helper id
          const id = (w0 & 0xff) === 0x85 ? imm : hi[d] === 0 && lo[d]! >= 0 ? lo[d]! : -1;
          this.budget = budget;
          this.depth = baseDepth + (saved.length / 9);
          this.prog = prog;
          this.callHelper(at, id, lo, hi);
          budget = this.budget;
          dv = arena.dv; // a helper may have grown the arena
          if (this.pendingTail !== null) {
            prog = this.pendingTail;
            this.pendingTail = null;
            this.prog = prog;
            w = prog.words;
            pc = 0;
            this.mayGoto[baseDepth + saved.length / 9] = BPF_MAX_LOOPS;
          }
          break;
        }
        case 0x78: { // OP_CALL_LOCAL: bpf-to-bpf call
          const depth = baseDepth + saved.length / 9;
          if (depth + 1 >= MAX_CALL_FRAMES) throw this.depthError(at);
          saved.push(pc, lo[6]!, hi[6]!, lo[7]!, hi[7]!, lo[8]!, hi[8]!, lo[9]!, hi[9]!);
          savedProg.push(prog);
          lo[10] = this.frameTop(depth + 1);
          this.mayGoto[depth + 1] = BPF_MAX_LOOPS;
          dv = arena.dv; // the first use of a frame allocates it
          pc = w[p + 3]!;
          break;
        }
        // exit, and the legacy packet loads: R0 = big-endian bytes at skb->data + off,
        // as bpf_skb_load_helper_{8,16,32} (R6 holds the __sk_buff); out of range, the
        // current frame returns 0 (the exit the kernel emits after the helper call)
        case 0x80: case 0x88: case 0x90: case 0x98: case 0xa0: case 0xa8: // OP_LD_{ABS,IND}_{W,H,B}
        case 0x95: {
          const op = w0 & 0xff;
          if (op !== 0x95) {
            const size = op === 0x80 || op === 0x98 ? 4 : op === 0x88 || op === 0xa0 ? 2 : 1;
            const off = op >= 0x98 ? (lo[s]! + imm) | 0 : imm;
            const ctx = lo[6]! >>> 0;
            if (hi[6] !== 0 || !arena.canAccess(ctx + SKB_DATA, 8, ARENA_ACCESS_READ)) throw this.memFault(at, lo[6]!, hi[6]!, SKB_DATA, 8, 'read');
            const data = dv.getUint32(ctx + SKB_DATA, true), end = dv.getUint32(ctx + SKB_DATA + 4, true);
            if (off < 0 && off >= SKF_LL_OFF) {
              throw new VmError('invalid-insn', at, `legacy packet load at SKF_NET_OFF/SKF_LL_OFF offset ${off}: not supported by tsbpf`);
            }
            for (let r = 1; r <= 5; r++) { lo[r] = 0; hi[r] = 0; }
            lo[0] = 0; hi[0] = 0;
            if (off >= 0 && end - data >= size && off <= end - data - size && arena.canAccess(data + off, size, ARENA_ACCESS_READ)) {
              const a = data + off;
              lo[0] = size === 4 ? dv.getInt32(a, false) : size === 2 ? dv.getUint16(a, false) : dv.getUint8(a);
              break;
            }
          }
          const k = saved.length;
          if (k === 0) {
            this.budget = budget;
            return;
          }
          pc = saved[k - 9]!;
          lo[6] = saved[k - 8]!; hi[6] = saved[k - 7]!;
          lo[7] = saved[k - 6]!; hi[7] = saved[k - 5]!;
          lo[8] = saved[k - 4]!; hi[8] = saved[k - 3]!;
          lo[9] = saved[k - 2]!; hi[9] = saved[k - 1]!;
          saved.length = k - 9;
          prog = savedProg.pop()!;
          w = prog.words;
          lo[10] = this.frameTop(baseDepth + saved.length / 9);
          break;
        }

        default:
          this.budget = budget;
          this.prog = prog;
          throw this.trap(at);
      }
    }
  }

  private atomic(dv: DataView, a: number, size: number, imm: number, d: number, s: number, lo: Int32Array, hi: Int32Array): void {
    if (imm === 0x100) { // load-acquire
      if (size === 8) { lo[d] = dv.getInt32(a, true); hi[d] = dv.getInt32(a + 4, true); }
      else { lo[d] = size === 4 ? dv.getInt32(a, true) : size === 2 ? dv.getUint16(a, true) : dv.getUint8(a); hi[d] = 0; }
      return;
    }
    if (imm === 0x110) { // store-release
      if (size === 8) { dv.setInt32(a, lo[s]!, true); dv.setInt32(a + 4, hi[s]!, true); }
      else if (size === 4) dv.setInt32(a, lo[s]!, true);
      else if (size === 2) dv.setInt16(a, lo[s]!, true);
      else dv.setInt8(a, lo[s]!);
      return;
    }
    const oldLo = dv.getInt32(a, true);
    const oldHi = size === 8 ? dv.getInt32(a + 4, true) : 0;
    const sLo = lo[s]!;
    const sHi = size === 8 ? hi[s]! : 0;
    let nLo: number;
    let nHi: number;
    switch (imm & ~1) {
      case 0x00: { // add
        const l = (oldLo >>> 0) + (sLo >>> 0);
        nLo = l | 0;
        nHi = (oldHi + sHi + (l >= TWO32 ? 1 : 0)) | 0;
        break;
      }
      case 0x40: nLo = oldLo | sLo; nHi = oldHi | sHi; break;
      case 0x50: nLo = oldLo & sLo; nHi = oldHi & sHi; break;
      case 0xa0: nLo = oldLo ^ sLo; nHi = oldHi ^ sHi; break;
      case 0xe0: nLo = sLo; nHi = sHi; break; // xchg
      default: { // 0xf0 cmpxchg: compare with r0, old value to r0
        const eq = size === 8 ? lo[0] === oldLo && hi[0] === oldHi : lo[0] === oldLo;
        nLo = eq ? sLo : oldLo;
        nHi = eq ? sHi : oldHi;
        lo[0] = oldLo;
        hi[0] = oldHi;
        break;
      }
    }
    dv.setInt32(a, nLo, true);
    if (size === 8) dv.setInt32(a + 4, nHi, true);
    if ((imm & 1) !== 0 && (imm & ~1) !== 0xf0) {
      lo[s] = oldLo;
      hi[s] = oldHi;
    }
  }
}

/** BPF_MAX_LOOPS: may_goto's budget per frame (include/linux/bpf.h) */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** unsigned 64-bit compare: -1, 0, 1 */
function ucmp(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return (ahi >>> 0) > (bhi >>> 0) ? 1 : -1;
  if (alo === blo) return 0;
  return (alo >>> 0) > (blo >>> 0) ? 1 : -1;
}

/** signed 64-bit compare: -1, 0, 1 */
function scmp(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return ahi > bhi ? 1 : -1;
  if (alo === blo) return 0;
  return (alo >>> 0) > (blo >>> 0) ? 1 : -1;
}

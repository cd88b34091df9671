// The JIT engine: the interpreter's contract (VmContext for helpers, run(),
// callFunction(), tailCall(), the budget and the watchdog, insnCount) over
// WebAssembly compiled by compile.ts. The wasm code calls back in here for
// helpers, block-cache misses, budget refills, traps, frames and tail calls.

import type { Insn } from '../isa/insn.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from '../isa/opcodes.js';
import { ARENA_ACCESS_READ, ARENA_ACCESS_RW, ARENA_ACCESS_WRITE, Arena } from '../memory/arena.js';
import { decodeProgram, type DecodedProgram } from '../vm/decode.js';
import type { HelperFn, InlinableLookup, InlinableValue, LookupLayout, SplitArgsHelper, VmContext, VmEnv } from '../vm/env.js';
import { BPF_FUNC_ktime_get_ns, BPF_FUNC_map_delete_elem, BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_timer_start } from '../uapi/bpf_func.js';
import { slowTstart, type LaneCallback } from './lane.js';
import { MAX_TAIL_CALL_CNT } from '../vm/env.js';
import { VmError, WATCHDOG_SLICE, budgetError, watchdogError } from '../vm/errors.js';
import { probeLoad } from '../vm/probe_mem.js';
import { DEFAULT_RUN_TIMEOUT_MS, SKB_DATA, SKF_LL_OFF, type InsnTracer, type InterpreterOptions } from '../vm/interpreter.js';
import { compileProgram, IMPORT_GLOBALS, WHAT, type CompiledModule } from './compile.js';
import { sameLayout } from './inline.js';

const TWO32 = 0x1_0000_0000;

type ExecFn = (pc: number, depth: number, ...regs: bigint[]) => bigint;
type RunFn = (pc: number, depth: number, budget: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;
type CallFn = (pc: number, depth: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;
type Run1Fn = (pc: number, budget: number, r1: bigint) => bigint;
type CbFn = (pc: number, budget: number, r1: number, r2: number, r3: number) => number;

/** one program (the engine's own or a tail-call target) instantiated against this engine */
interface Unit {
  readonly prog: DecodedProgram;
  compiled: CompiledModule;
  /** the compiled entries: a run, a callback inside a run, the budget left */
  run: RunFn;
  /** run with r1 only (fewer BigInt conversions on the way in: the test-run path) */
  run1: Run1Fn;
  call: CallFn;
  /** a run with three 32-bit arguments and no result (a timer callback): no bigints */
  cb: CbFn;
  budget: () => number;
  /** the internal entry tail calls use (all registers) */
  exec: ExecFn;
}

// compiled modules are shared by every engine running the same instructions
// (by layout: loops or plain dispatch, and exact or loop-head budget checks)
const moduleCache = Array.from({ length: 4 }, () => new WeakMap<readonly Insn[], CompiledModule>());

// the verifier's directAccess of loaded programs (the loader registers it; a tail-call target finds its own here)
const directAccessOf = new WeakMap<readonly Insn[], Uint8Array>();

/**
 * Hands the verifier's directAccess for `insns` (VerifierResult.directAccess) to the JIT: before the
 * program's first compile, and only for the exact instructions that were verified. Without it
 * every load and store is checked against the arena's live blocks.
 */
export function setDirectAccess(insns: readonly Insn[], direct: Uint8Array): void {
  if (direct.length !== insns.length) throw new RangeError(`directAccess has ${direct.length} entries for ${insns.length} instructions`);
  directAccessOf.set(insns, direct);
}

// the callbacks' first instructions of loaded programs (their ld_imm64 markers are gone after relocation)
const callbackEntriesOf = new WeakMap<readonly Insn[], readonly number[]>();

/**
 * Names the callback subprograms' first instructions of `insns` (the loader knows them from the
 * BPF_PSEUDO_FUNC ld_imm64s relocation turns into plain constants), so the first compile has an
 * entry for each: a timer callback is then called at once, by the timer lane too, without a recompile.
 */
export function setCallbackEntries(insns: readonly Insn[], entries: readonly number[]): void {
  for (const e of entries) {
    if (!Number.isInteger(e) || e < 0 || e >= insns.length) throw new RangeError(`callback entry ${e} is outside the program (${insns.length} insns)`);
  }
  callbackEntriesOf.set(insns, entries);
}

function compiledFor(prog: DecodedProgram, loops: boolean, exactBudget: boolean, inl: Inlining, entry?: number): CompiledModule {
  const cache = moduleCache[(loops ? 1 : 0) + (exactBudget ? 2 : 0)]!;
  let c = cache.get(prog.insns);
  if (c === undefined || (entry !== undefined && !c.entries.has(entry)) || !inlinedHold(c, inl)) {
    const extra = c === undefined ? [...(callbackEntriesOf.get(prog.insns) ?? [])] : [...c.entries];
    if (entry !== undefined) extra.push(entry);
    const direct = directAccessOf.get(prog.insns);
    c = compileProgram(prog, extra, { loops, exactBudget, ...inl, ...(direct === undefined ? {} : { direct }) });
    cache.set(prog.insns, c);
  }
  return c;
}

/** what this runtime's helpers let the JIT compile inline (src/jit/inline.ts) */
interface Inlining {
  lookupLayout?: (mapPtr: number) => LookupLayout | undefined;
  updateLayout?: (mapPtr: number) => LookupLayout | undefined;
  deleteLayout?: (mapPtr: number) => LookupLayout | undefined;
  ktimeCell?: () => number | undefined;
}

/** a module compiled with inlined helpers runs here only if this runtime's maps and cells are the same */
function inlinedHold(c: CompiledModule, inl: Inlining): boolean {
  for (const s of c.inlined) {
    if (s.layout.kind === 'cell') {
      if (inl.ktimeCell?.() !== s.layout.cell) return false;
      continue;
    }
    const l = (s.op === 'update' ? inl.updateLayout : s.op === 'delete' ? inl.deleteLayout : inl.lookupLayout)?.(s.mapPtr);
    if (l === undefined || !sameLayout(l, s.layout)) return false;
  }
  return true;
}

export interface JitOptions extends InterpreterOptions {
  /** lay natural loops out as wasm loops (default true); false: plain block dispatch (for measuring) */
  loops?: boolean;
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const join = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/**
 * Only a verifier-proven (unchecked) access can trap on the wasm memory's bounds: a wrongly
 * accepted program, stopped at the arena's edge.
 */
export function outsideArena(e: unknown): unknown {
  if (e instanceof WebAssembly.RuntimeError) {
    return new VmError('memory', -1, `access outside the arena (${e.message}): the verifier proved this access in bounds, so this is a verifier bug`, undefined, { cause: e });
  }
  return e;
}

export class JitEngine implements VmContext {
  readonly arena: Arena;
  cpu: number;
  /** fixed at construction: it chose the budget checks the code was compiled with */
  readonly maxInsns: number;
  timeoutMs: number;
  /** the unit and the instructions granted of the last (outermost) run: insnCount reads its budget when asked */
  private lastUnit: Unit | undefined;
  private lastGranted = 0;

  private readonly env: VmEnv;
  private readonly loops: boolean;
  private readonly exactBudget: boolean;
  private readonly root: Unit;
  private readonly units = new Map<readonly Insn[], Unit>();
  private readonly g: Record<string, WebAssembly.Global> = {};
  private readonly frames: number[] = [];
  /** r0s, r0l, r1s, r1l, w0s, w0l, w1s, w1l */
  private readonly cache: WebAssembly.Global[];
  private cur: Unit;
  private level = 0;
  private depth = 0;
  private granted = 0;
  private deadline = 0;
  private tailCalls = 0;
  private pendingTail: Unit | null = null;
  /** the arena's liveVersion the block caches were filled under */
  private seenVersion = 0;

  constructor(program: readonly Insn[], env: VmEnv, opts: JitOptions = {}) {
    this.loops = opts.loops ?? true;
    // an explicit cap stops at the interpreter's instruction: the budget is looked at in every
    // block; without one only the watchdog needs it, at loop heads (the count stays exact)
    this.exactBudget = opts.maxInsns !== undefined && opts.maxInsns !== Infinity;
    this.env = env;
    this.arena = env.arena;
    this.cpu = opts.cpu ?? 0;
    this.maxInsns = opts.maxInsns ?? Infinity;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    if (!(this.maxInsns > 0) || !(this.timeoutMs > 0)) throw new RangeError('maxInsns and timeoutMs must be positive');
    for (const [name, t] of IMPORT_GLOBALS) {
      this.g[name] = new WebAssembly.Global({ value: t === 0x7f ? 'i32' : 'i64', mutable: true }, t === 0x7f ? 0 : 0n);
    }
    this.cache = ['r0s', 'r0l', 'r1s', 'r1l', 'w0s', 'w0l', 'w1s', 'w1l'].map((n) => this.g[n]!);
    this.root = this.unit(program);
    this.cur = this.root;
  }

  /**
   * Instructions executed by the last (outermost) run, including nested calls:
   * read from the budget left when asked (a JS read of a wasm global costs about
   * as much as a whole short run, and only the last repetition's count is used).
   */
  get insnCount(): number {
    const u = this.lastUnit;
    if (u === undefined) return 0;
    // loop-head checks: the blocks since the last check may have run past the slice (budget < 0)
    const b = u.budget();
    return this.lastGranted - (this.exactBudget ? Math.max(0, b) : b);
  }

  /** Instruction tracing single-steps the interpreter; compiled code has no steps to report. */
  get tracer(): InsnTracer | undefined {
    return undefined;
  }
  set tracer(t: InsnTracer | undefined) {
    if (t !== undefined) {
      throw new TypeError("instruction tracing (rt.on('insn'), tsbpf run --trace-insn) needs the interpreter: use engine 'interp' (--engine interp)");
    }
  }

  /** Runs from instruction `entryPc` with r1..r5 = args; returns r0 (unsigned 64-bit). */
  run(entryPc: number, args: readonly bigint[] = []): bigint {
    if (this.level > 0) return this.callFunction(entryPc, args);
    const u = this.root;
    // the common entry (slot 0, r1 only) needs none of checkEntry's work but the type check
    const short = entryPc === 0 && args.length <= 1 && u.prog.length > 0;
    if (!short || (args.length === 1 && typeof args[0] !== 'bigint')) {
      try {
        this.checkEntry(u, entryPc, args);
      } catch (e) {
        this.lastUnit = undefined;
        throw e;
      }
    }
    const slice = this.enter(u);
    try {
      if (short) return u64(u.run1(0, slice, args.length === 0 ? 0n : args[0]!));
      return u64(u.run(entryPc, 0, slice, args[0] ?? 0n, args[1] ?? 0n, args[2] ?? 0n, args[3] ?? 0n, args[4] ?? 0n));
    } catch (e) {
      throw outsideArena(e);
    } finally {
      this.leave();
    }
  }

  /** a top-level entry's set-up: the first budget slice (returned), fresh frame state, the block caches checked */
  private enter(u: Unit): number {
    this.granted = 0;
    const slice = this.nextSlice();
    this.granted = slice;
    // the watchdog's clock starts at the first slice boundary (refill): a run shorter
    // than one slice (4 M instructions) never reads the clock
    this.deadline = NaN;
    this.depth = 0;
    this.tailCalls = 0;
    this.pendingTail = null;
    // the block caches live on across runs while no block went away or changed its access
    if (this.arena.liveVersion !== this.seenVersion) this.dropCache();
    this.level++;
    this.cur = u;
    this.lastUnit = u;
    return slice;
  }

  private leave(): void {
    this.level--;
    this.lastGranted = this.granted;
    this.cur = this.root;
  }

  /**
   * run(pc, [r1, r2, r3]) with 32-bit arguments, r0 not returned: a timer callback
   * (map, key, value) entered without making a bigint. Nested in a run, or at an
   * entry no block starts at, it is run() itself.
   */
  runCallback(pc: number, r1: number, r2: number, r3: number): void {
    const u = this.root;
    if (this.level > 0 || !u.compiled.entries.has(pc) || !(r1 >= 0 && r1 <= 0xffffffff && r2 >= 0 && r2 <= 0xffffffff && r3 >= 0 && r3 <= 0xffffffff)) {
      this.run(pc, [BigInt(r1), BigInt(r2), BigInt(r3)]);
      return;
    }
    const slice = this.enter(u);
    try {
      u.cb(pc, slice, r1, r2, r3);
    } catch (e) {
      throw outsideArena(e);
    } finally {
      this.leave();
    }
  }

  /**
   * How the timer lane may call the callback at `pc` itself (src/jit/lane.ts): this engine's
   * `cb` entry and the budget slice a run starts with; undefined if `pc` is not an entry yet
   * (the JS path's first call compiles it).
   */
  laneCallback(pc: number): LaneCallback | undefined {
    const u = this.root;
    if (!u.compiled.entries.has(pc)) return undefined;
    return { cb: u.cb as unknown as (...a: number[]) => number, slice: Math.min(WATCHDOG_SLICE, this.maxInsns) };
  }

  /** before the lane calls callbacks: the block caches forget blocks freed or changed since they were filled */
  laneSync(): void {
    if (this.arena.liveVersion !== this.seenVersion) this.dropCache();
  }

  /** a lane-fired callback called into JS: the engine state runCallback would have set up */
  laneEnter(): void {
    this.enter(this.root);
  }

  /** ...and its end */
  laneLeave(): void {
    this.leave();
  }

  callFunction(pc: number, args: readonly bigint[]): bigint {
    if (this.level === 0) return this.run(pc, args);
    if (this.depth + 1 >= MAX_CALL_FRAMES) {
      throw new VmError('call-depth', pc, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
    }
    const savedDepth = this.depth;
    const u = this.cur;
    this.checkEntry(u, pc, args);
    this.level++;
    try {
      return u64(u.call(pc, this.depth + 1, args[0] ?? 0n, args[1] ?? 0n, args[2] ?? 0n, args[3] ?? 0n, args[4] ?? 0n));
    } finally {
      this.level--;
      this.depth = savedDepth;
      this.cur = u;
    }
  }

  tailCall(target: unknown): boolean {
    if (this.level === 0 || this.tailCalls >= MAX_TAIL_CALL_CNT) return false;
    const insns = this.env.tailCallTarget?.(target);
    if (insns === undefined) return false;
    this.tailCalls++;
    this.pendingTail = this.unit(insns);
    this.g['tailPending']!.value = 1;
    return true;
  }

  /** Returns the stack frames to the arena (the program is being freed). */
  release(): void {
    this.frames.splice(0).forEach((base, k) => {
      if (base !== undefined) this.arena.free(base);
      this.g[`f${k}`]!.value = 0n;
    });
  }

  private nextSlice(): number {
    return Math.min(WATCHDOG_SLICE, this.maxInsns - this.granted);
  }

  /** the interpreter's entry checks; an entry no block starts at gets a recompile */
  private checkEntry(u: Unit, pc: number, args: readonly bigint[]): void {
    if (!Number.isInteger(pc) || pc < 0 || pc >= u.prog.length) {
      throw new VmError('entry', -1, `entry point ${pc} is outside the program (${u.prog.length} insns)`);
    }
    if (args.length > 5) throw new VmError('entry', -1, `at most 5 arguments, got ${args.length}`);
    for (let i = 0; i < args.length; i++) {
      if (typeof args[i] !== 'bigint') throw new VmError('entry', -1, `argument r${i + 1} is not a bigint`);
    }
    if (!u.compiled.entries.has(pc)) this.recompile(u, pc);
  }

  /** after a helper: if it freed a block or changed one's access, the compiled code's block caches forget */
  private dropCache(): void {
    this.seenVersion = this.arena.liveVersion;
    const c = this.cache;
    c[1]!.value = 0n; c[3]!.value = 0n; c[5]!.value = 0n; c[7]!.value = 0n;
  }

  private unit(insns: readonly Insn[]): Unit {
    let u = this.units.get(insns);
    if (u === undefined) {
      const prog = decodeProgram(insns);
      const compiled = compiledFor(prog, this.loops, this.exactBudget, this.inlining());
      u = { prog, compiled } as Unit;
      this.instantiate(u);
      this.units.set(insns, u);
    }
    return u;
  }

  /**
   * The runtime's own helpers say what the JIT may compile inline
   * (src/jit/inline.ts): bpf_map_lookup_elem which maps, bpf_ktime_get_ns its
   * arena word. A helper wrapped by an observer says nothing, so every call reaches it.
   */
  private inlining(): Inlining {
    const lookup = this.env.helper(BPF_FUNC_map_lookup_elem) as (HelperFn & InlinableLookup) | undefined;
    const update = this.env.helper(BPF_FUNC_map_update_elem) as (HelperFn & InlinableLookup) | undefined;
    const del = this.env.helper(BPF_FUNC_map_delete_elem) as (HelperFn & InlinableLookup) | undefined;
    const ktime = this.env.helper(BPF_FUNC_ktime_get_ns) as (HelperFn & InlinableValue) | undefined;
    return { lookupLayout: lookup?.layout, updateLayout: update?.layout, deleteLayout: del?.layout, ktimeCell: ktime?.valueCell };
  }

  /** a callback entry no block starts at: compile again with it as a block start */
  private recompile(u: Unit, pc: number): void {
    u.compiled = compiledFor(u.prog, this.loops, this.exactBudget, this.inlining(), pc);
    this.instantiate(u);
  }

  private instantiate(u: Unit): void {
    const arena = this.arena;
    const g = this.g;
    const env = this.env;
    // a lane-fired timer callback calling into JS gets its JS side set up first (src/jit/lane.ts);
    // block-cache misses and frames need none of it
    const lane = env.timerLane;
    const js = lane === undefined ? undefined : (): void => {
      if (lane.looping && !lane.materialized) lane.materialize();
    };
    const laneStart = lane !== undefined && (env.helper(BPF_FUNC_timer_start) as { laneStart?: true } | undefined)?.laneStart === true;
    const imports: WebAssembly.Imports = {
      bpf: {
        mem: arena.memory,
        ...g,
        tstart: laneStart ? lane.tstart : slowTstart(),
        helper: (id: number, pc: number, depth: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint => {
          js?.();
          const fn: HelperFn | undefined = env.helper(id);
          if (fn === undefined) throw new VmError('helper', pc, `unknown helper ${id}`);
          this.cur = u;
          this.depth = depth;
          let r: bigint;
          try {
            r = fn(this, u64(r1), u64(r2), u64(r3), u64(r4), u64(r5));
          } catch (e) {
            if (e instanceof VmError) throw e;
            throw new VmError('helper', pc, `helper ${id} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
          }
          if (typeof r !== 'bigint') throw new VmError('helper', pc, `helper ${id} returned ${typeof r}, not a bigint`);
          if (arena.liveVersion !== this.seenVersion) this.dropCache();
          return r;
        },
        helperSplit: (id: number, pc: number, depth: number, r1lo: number, r1hi: number, r2lo: number, r2hi: number, r3lo: number, r3hi: number): bigint => {
          js?.();
          const fn = env.helper(id) as (HelperFn & SplitArgsHelper) | undefined;
          if (fn === undefined) throw new VmError('helper', pc, `unknown helper ${id}`);
          this.cur = u;
          this.depth = depth;
          let r: bigint;
          try {
            r = fn.splitArgs !== undefined
              ? fn.splitArgs(this, r1lo, r1hi, r2lo, r2hi, r3lo, r3hi)
              : fn(this, join(r1lo, r1hi), join(r2lo, r2hi), join(r3lo, r3hi), 0n, 0n);
          } catch (e) {
            if (e instanceof VmError) throw e;
            throw new VmError('helper', pc, `helper ${id} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
          }
          if (typeof r !== 'bigint') throw new VmError('helper', pc, `helper ${id} returned ${typeof r}, not a bigint`);
          if (arena.liveVersion !== this.seenVersion) this.dropCache();
          return r;
        },
        miss: (a: bigint, size: number, access: number, what: number, pc: number): bigint => {
          const addr = u64(a);
          const n = Number(addr);
          if (addr < TWO32 && arena.canAccess(n, size, access)) {
            // an instrumented arena (a test's finer check in place of canAccess) sees every access
            if (arena.canAccess !== Arena.prototype.canAccess) return 0n;
            const [start, end] = arena.blockOf(n)!;
            // the block, with the accesses it allows, for the caches (start is 8-aligned: the low bits are free)
            const rw = (arena.canAccess(n, size, ARENA_ACCESS_READ) ? 1 : 0) | (arena.canAccess(n, size, ARENA_ACCESS_WRITE) ? 2 : 0);
            return (BigInt(start + rw) << 32n) | BigInt(end - start);
          }
          throw new VmError('memory', pc, `invalid ${WHAT[what]} of ${size} bytes at 0x${addr.toString(16)}`, addr);
        },
        refill: (start: number, k: number): number => {
          js?.();
          return this.refill(u, start, k);
        },
        trap: (pc: number): never => {
          throw new VmError('invalid-insn', pc, u.prog.traps.get(pc) ?? 'invalid instruction');
        },
        frame: (depth: number): bigint => {
          let base = this.frames[depth];
          if (base === undefined) {
            base = arena.alloc(MAX_BPF_STACK, ARENA_ACCESS_RW, 8);
            this.frames[depth] = base;
          }
          const top = BigInt(base + MAX_BPF_STACK);
          g[`f${depth}`]!.value = top;
          return top;
        },
        tail: (depth: number, ...regs: bigint[]): bigint => {
          js?.();
          const t = this.pendingTail!;
          this.pendingTail = null;
          g['tailPending']!.value = 0;
          // the target runs on the same frame; its r0 is this frame's result
          this.cur = t;
          return t.exec(0, depth, ...regs);
        },
        ldabs: (pc: number, op: number, r6: bigint, off: number): bigint => {
          js?.();
          const size = op === 0x80 || op === 0x98 ? 4 : op === 0x88 || op === 0xa0 ? 2 : 1;
          const ctx6 = u64(r6);
          const ctx = Number(ctx6 & 0xffffffffn);
          if (ctx6 >= TWO32 || !arena.canAccess(ctx + SKB_DATA, 8, ARENA_ACCESS_READ)) {
            const addr = u64(ctx6 + BigInt(SKB_DATA));
            throw new VmError('memory', pc, `invalid read of 8 bytes at 0x${addr.toString(16)}`, addr);
          }
          const dv = arena.dv;
          const data = dv.getUint32(ctx + SKB_DATA, true), end = dv.getUint32(ctx + SKB_DATA + 4, true);
          if (off < 0 && off >= SKF_LL_OFF) {
            throw new VmError('invalid-insn', pc, `legacy packet load at SKF_NET_OFF/SKF_LL_OFF offset ${off}: not supported by tsbpf`);
          }
          if (off >= 0 && end - data >= size && off <= end - data - size && arena.canAccess(data + off, size, ARENA_ACCESS_READ)) {
            const a = data + off;
            return BigInt(size === 4 ? dv.getUint32(a, false) : size === 2 ? dv.getUint16(a, false) : dv.getUint8(a));
          }
          return -1n;
        },
        probe: (pc: number, op: number, addr: bigint): bigint => {
          js?.();
          return probeLoad(arena, this.env, pc, u64(addr), [4, 2, 1, 8][(op >> 3) & 3]!, op >= 0x41);
        },
        depthErr: (pc: number): never => {
          throw new VmError('call-depth', pc, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
        },
      },
    };
    const inst = new WebAssembly.Instance(u.compiled.module, imports);
    u.run = inst.exports['run'] as unknown as RunFn;
    u.run1 = inst.exports['run1'] as unknown as Run1Fn;
    u.call = inst.exports['call'] as unknown as CallFn;
    u.cb = inst.exports['cb'] as unknown as CbFn;
    u.budget = inst.exports['budget'] as unknown as () => number;
    u.exec = inst.exports['exec'] as unknown as ExecFn;
  }

  /**
   * The budget ran out in the block at `start` (k instructions): a new slice (0), or the
   * interpreter's typed error at the instruction that exceeded it — under an explicit cap
   * the block first runs the instructions that still fit (returns their number + 1; the
   * compiled block then calls refill(slot, -1) at the one that does not: the error).
   */
  private refill(u: Unit, start: number, k: number): number {
    if (k < 0) throw budgetError(start, this.maxInsns);
    const budget = this.g['budget']!;
    let b = budget.value as number; // negative: -b instructions of this block are not granted yet
    if (Number.isNaN(this.deadline)) this.deadline = this.timeoutMs === Infinity ? Infinity : performance.now() + this.timeoutMs;
    while (b < 0) {
      if (this.granted >= this.maxInsns || performance.now() > this.deadline) {
        // the instruction the interpreter would have stopped at
        const at = this.slotOf(u, start, k + b);
        const ran = this.granted;
        budget.value = 0;
        if (ran >= this.maxInsns) {
          if (this.exactBudget) return k + b + 1;
          throw budgetError(at, this.maxInsns);
        }
        throw watchdogError(at, this.timeoutMs, ran);
      }
      const n = this.nextSlice();
      this.granted += n;
      b += n;
    }
    budget.value = b;
    return 0;
  }

  /** the slot of the i-th instruction of the block at `start` */
  private slotOf(u: Unit, start: number, i: number): number {
    let s = start;
    for (let j = 0; j < i && s < u.prog.length; j++) s += (u.prog.words[s * 4]! & 0xff) === 0x18 ? 2 : 1;
    return s;
  }
}

// The timer lane: the monotonic timer queue of a JIT runtime on the virtual
// clock as a binary heap in the arena, with the two operations a
// self-re-arming timer repeats — bpf_timer_start and the expiry — in
// WebAssembly. Compiled programs call `tstart` directly (no JS hop); the
// clock's expiry loop calls `run`, which pops due timers and calls their
// callbacks through a funcref table of the engines' `cb` entries
// (call_indirect), so a callback that calls only inlined helpers never
// leaves WebAssembly. Anything else — a trace observer, flags, a clock jump,
// an overdue timer, an interpreter callback, a limit — is refused (SLOW, or
// `run` stops) and taken by the JS path over the same records
// (src/timers/queue.ts QueueLane), so there is one queue and one order.
//
// When a lane-fired callback calls into JS (a helper, a fault, a budget
// refill), the engine asks the host to set up the JS side of a callback first
// (materialize: current program and CPU, RCU section, engine entry, running
// timer); `run` then calls the host's settle when the callback returns and
// goes back to JS, which re-reads everything.

import { ARENA_ACCESS_NONE, ArenaError, type Arena } from '../memory/arena.js';
import type { QueueLane, TimerEntry } from '../timers/queue.js';
import { Bytes, encodeModule, F64, I32, I64, OP, VOID, type FuncType } from './wasm.js';

/** what the lane needs of the runtime */
export interface LaneHost {
  /**
   * the arena words the lane reads: the one the virtual clock keeps CLOCK_MONOTONIC in
   * (VirtualClock.mirrorMonotonic) and the one holding the running CPU; asked for once, at the first timer
   */
  cells(): { now: number; cpu: number };
  /** a lane-fired callback (timer `id`) called into JS: set up the JS side of its callback */
  materialize(id: number): void;
  /** the materialized callback returned (or failed): tear that down */
  settle(): void;
  /**
   * run() is about to call callbacks without the engines' entry: each engine the lane may call
   * checks its block caches against the arena's live blocks (as a run's entry does). False:
   * not now — a program is running (a syscall program's start fired due timers inside its run),
   * and its engine's frames are in use: the JS path nests the callback in that run.
   */
  beforeRun(): boolean;
  /** the callback of timer `id` threw `error` (if it was materialized, settle ran already) */
  failed(id: number, error: unknown, materialized: boolean): void;
}

// record layout (REC bytes per timer id; id 0 unused): the queue state, what the callback is
// called with, and a copy of the element's key (R_KBYTES), which the callback gets copied into its
// map's key word (R_KEY) as the JS path's keyOf does, at every expiry
const REC = 128;
const R_EXP = 0, R_SEQ = 8, R_POS = 16, R_FIELD = 20, R_FLAGS = 24, R_CB = 28, R_PC = 32, R_MAP = 36, R_KEY = 40, R_VAL = 44, R_CPU = 48, R_SLICE = 52;
const R_KLEN = 56, R_KBYTES = 64;
/** the longest key a lane record holds (longer: the JS path fires it) */
export const LANE_KEY_MAX = REC - R_KBYTES;
/** has a callback (bpf_timer_start may arm it) */
const F_PROG = 1;
/** its callback can be called from `run` (a JIT engine's cb entry in the table) */
const F_FIRE = 2;
const F_PINNED = 4;
/** tstart's "not here": the caller runs the helper (bpf_timer_start never returns 1) */
export const LANE_SLOW = 1n;
/** G_FAST bits: starts and expiries may run in WebAssembly */
const FAST_START = 1, FAST_FIRE = 2;

// imported globals, in this order
const G_REC = 0, G_HEAP = 1, G_CAP = 2, G_SIZE = 3, G_SEQ = 4, G_NOW = 5, G_CPU = 6, G_FAST = 7, G_CUR = 8, G_COUNT = 9, G_MAT = 10, G_HDR = 11;
/**
 * the header word pair JS reads instead of the globals (a JS read of a wasm global costs far more than a
 * DataView read): the heap's size (i32 at 0) and the next arm sequence (f64 at 8), kept by every change
 */
const HDR_SIZE = 0, HDR_SEQ = 8;
const GLOBALS: readonly [string, number][] = [
  ['rec', I32], ['heap', I32], ['cap', I32], ['size', I32], ['seq', F64], ['now', I32], ['cpu', I32],
  ['fast', I32], ['cur', I32], ['count', I32], ['mat', I32], ['hdr', I32],
];
const T = (params: number[], results: number[]): FuncType => ({ params, results });
/** the engines' `cb(pc, budget, r1, r2, r3) -> r0` (src/jit/compile.ts callbackEntryBody) */
const CB_TYPE = T([I32, I32, I32, I32, I32], [I32]);
// function indices: the import first
const F_SETTLE = 0, F_PLACE = 1;

/** a small stack-machine writer over Bytes */
class Asm {
  readonly b = new Bytes();
  op(...o: number[]): this { for (const x of o) this.b.byte(x); return this; }
  lget(l: number): this { this.b.byte(OP.local_get).u32(l); return this; }
  lset(l: number): this { this.b.byte(OP.local_set).u32(l); return this; }
  ltee(l: number): this { this.b.byte(OP.local_tee).u32(l); return this; }
  gget(g: number): this { this.b.byte(OP.global_get).u32(g); return this; }
  gset(g: number): this { this.b.byte(OP.global_set).u32(g); return this; }
  i32(v: number): this { this.b.byte(OP.i32_const).s32(v); return this; }
  i64(v: bigint): this { this.b.byte(OP.i64_const).s64(v); return this; }
  f64(v: number): this { this.b.byte(OP.f64_const).f64(v); return this; }
  mem(o: number, off: number, align: number): this { this.b.byte(o).u32(align).u32(off); return this; }
  ld32(off = 0): this { return this.mem(OP.i32_load, off, 2); }
  st32(off = 0): this { return this.mem(OP.i32_store, off, 2); }
  ld64(off = 0): this { return this.mem(OP.i64_load, off, 3); }
  st64(off = 0): this { return this.mem(OP.i64_store, off, 3); }
  ldf(off = 0): this { return this.mem(OP.f64_load, off, 3); }
  stf(off = 0): this { return this.mem(OP.f64_store, off, 3); }
  call(f: number): this { this.b.byte(OP.call).u32(f); return this; }
  if_(t = VOID): this { this.b.byte(OP.if).byte(t); return this; }
  block(): this { this.b.byte(OP.block).byte(VOID); return this; }
  loop(): this { this.b.byte(OP.loop).byte(VOID); return this; }
  br(n: number): this { this.b.byte(OP.br).u32(n); return this; }
  brIf(n: number): this { this.b.byte(OP.br_if).u32(n); return this; }
  end(): this { this.b.byte(OP.end); return this; }
  /** the record address of the id in local l */
  rec(l: number): this { return this.gget(G_REC).lget(l).i32(7).op(OP.i32_shl, OP.i32_add); }
}

// The heap (4-ary): HENT-byte entries (expiry i64, arm sequence f64, id i32) in arena order, so a sift
// compares neighbouring memory; each record remembers its entry's position (R_POS) for remove.
// Node 20's V8 does not inline wasm calls, so the sifts are emitted inline (macros below) into
// every function that needs one.
const HENT = 32, H_EXP = 0, H_SEQ = 8, H_ID = 16;
/** children per node: a 4-ary heap moves half the entries a binary one does per sift */
const ARITY = 4;

/** local indices a sift uses: the entry being placed (id, exp, seq) into the hole at pos */
interface SiftLocals {
  pos: number; id: number; exp: number; seq: number;
  h: number; n: number; c: number; ca: number; pa: number; p: number; fc: number; x64: number; y64: number; xf: number;
}

/** entry address of the position in local l into local dst */
function entryAt(a: Asm, L: SiftLocals, l: number, dst: number): Asm {
  return a.lget(L.h).lget(l).i32(5).op(OP.i32_shl, OP.i32_add).lset(dst);
}

/** writes the placed entry at pos and its record's position */
function settleEntry(a: Asm, L: SiftLocals): void {
  entryAt(a, L, L.pos, L.ca);
  a.lget(L.ca).lget(L.exp).st64(H_EXP);
  a.lget(L.ca).lget(L.seq).stf(H_SEQ);
  a.lget(L.ca).lget(L.id).st32(H_ID);
  a.rec(L.id).lget(L.pos).st32(R_POS);
}

/** sift up from the hole at pos: parents later than (exp, seq) move down */
function siftUp(a: Asm, L: SiftLocals): void {
  a.gget(G_HEAP).lset(L.h);
  a.block().loop();
  a.lget(L.pos).op(OP.i32_eqz).brIf(1);
  // c = parent position, pa = its entry
  a.lget(L.pos).i32(1).op(OP.i32_sub).i32(2).op(OP.i32_shr_u).lset(L.c);
  entryAt(a, L, L.c, L.pa);
  a.lget(L.pa).ld64(H_EXP).lset(L.x64);
  a.lget(L.exp).lget(L.x64).op(OP.i64_gt_s).brIf(1);
  a.lget(L.exp).lget(L.x64).op(OP.i64_eq).lget(L.seq).lget(L.pa).ldf(H_SEQ).op(OP.f64_ge, OP.i32_and).brIf(1);
  // the parent moves down into the hole
  entryAt(a, L, L.pos, L.ca);
  a.lget(L.ca).lget(L.x64).st64(H_EXP);
  a.lget(L.ca).lget(L.pa).ldf(H_SEQ).stf(H_SEQ);
  a.lget(L.ca).lget(L.pa).ld32(H_ID).ltee(L.n).st32(H_ID);
  a.rec(L.n).lget(L.pos).st32(R_POS);
  a.lget(L.c).lset(L.pos).br(0);
  a.end().end();
  settleEntry(a, L);
}

/** sift down from the hole at pos over G_SIZE entries: the earliest of the ARITY children moves up while earlier */
function siftDown(a: Asm, L: SiftLocals): void {
  a.gget(G_HEAP).lset(L.h).gget(G_SIZE).lset(L.n);
  a.block().loop();
  a.lget(L.pos).i32(2).op(OP.i32_shl).i32(1).op(OP.i32_add).ltee(L.c).lget(L.n).op(OP.i32_ge_u).brIf(1);
  entryAt(a, L, L.c, L.fc);
  a.lget(L.fc).lset(L.ca).lget(L.fc).ld64(H_EXP).lset(L.x64).lget(L.fc).ldf(H_SEQ).lset(L.xf);
  // the other children, each if it exists and is earlier than the best so far
  for (let j = 1; j < ARITY; j++) {
    a.lget(L.c).i32(j).op(OP.i32_add).lget(L.n).op(OP.i32_lt_u).if_();
    a.lget(L.fc).i32(j * HENT).op(OP.i32_add).ltee(L.pa).ld64(H_EXP).ltee(L.y64).lget(L.x64).op(OP.i64_lt_s);
    a.lget(L.y64).lget(L.x64).op(OP.i64_eq).lget(L.pa).ldf(H_SEQ).lget(L.xf).op(OP.f64_lt, OP.i32_and);
    a.op(OP.i32_or).if_();
    a.lget(L.pa).lset(L.ca).lget(L.y64).lset(L.x64).lget(L.pa).ldf(H_SEQ).lset(L.xf);
    a.end();
  }
  for (let j = 1; j < ARITY; j++) a.end();
  // stop when the best child is not earlier than (exp, seq)
  a.lget(L.x64).lget(L.exp).op(OP.i64_gt_s).brIf(1);
  a.lget(L.x64).lget(L.exp).op(OP.i64_eq).lget(L.xf).lget(L.seq).op(OP.f64_ge, OP.i32_and).brIf(1);
  // the child moves up into the hole
  entryAt(a, L, L.pos, L.pa);
  a.lget(L.pa).lget(L.x64).st64(H_EXP);
  a.lget(L.pa).lget(L.xf).stf(H_SEQ);
  a.lget(L.pa).lget(L.ca).ld32(H_ID).ltee(L.p).st32(H_ID);
  a.rec(L.p).lget(L.pos).st32(R_POS);
  a.lget(L.ca).lget(L.h).op(OP.i32_sub).i32(5).op(OP.i32_shr_u).lset(L.pos).br(0);
  a.end().end();
  settleEntry(a, L);
}

/** (exp, seq) moved at a queued position: up, or if it stays, down */
function siftEither(a: Asm, L: SiftLocals, orig: number): void {
  a.lget(L.pos).lset(orig);
  siftUp(a, L);
  a.lget(L.pos).lget(orig).op(OP.i32_eq).if_();
  siftDown(a, L);
  a.end();
}

// the sift's locals after each function's parameters (SIFT_N of them), then the function's own
const SIFT_LOCAL_TYPES = [I32, I32, I32, I32, I32, I32, I32, I32, I32, I64, I64, F64];
const SIFT_N = SIFT_LOCAL_TYPES.length;
function siftLocals(first: number, id: number, exp: number, seq: number): SiftLocals & { orig: number } {
  const k = first;
  return { pos: k, h: k + 1, n: k + 2, c: k + 3, ca: k + 4, pa: k + 5, p: k + 6, orig: k + 7, fc: k + 8, x64: k + 9, y64: k + 10, xf: k + 11, id, exp, seq };
}

/** place(id, exp): queue or move `id` to `exp` with a fresh arm sequence */
function placeBody(): Asm {
  const a = new Asm(); // params id 0, exp 1 (i64); locals: sift, then seq (f64)
  const L = siftLocals(2, 0, 1, 2 + SIFT_N);
  a.gget(G_SEQ).lset(L.seq).gget(G_SEQ).f64(1).op(OP.f64_add).gset(G_SEQ);
  a.gget(G_HDR).gget(G_SEQ).stf(HDR_SEQ);
  a.rec(0).lget(1).st64(R_EXP);
  a.rec(0).lget(L.seq).stf(R_SEQ);
  a.rec(0).ld32(R_POS).ltee(L.pos).i32(0).op(OP.i32_lt_s).if_();
  a.gget(G_SIZE).ltee(L.pos).i32(1).op(OP.i32_add).ltee(L.n).gset(G_SIZE);
  a.gget(G_HDR).lget(L.n).st32(HDR_SIZE);
  siftUp(a, L);
  a.op(OP.else);
  siftEither(a, L, L.orig);
  a.end().end();
  return a;
}

/** remove(id) -> 1 if it was queued: the last entry fills its hole */
function removeBody(): Asm {
  const a = new Asm(); // param rid 0; locals: sift, then the last entry's id, exp (i64), seq (f64)
  const L = siftLocals(1, 1 + SIFT_N, 2 + SIFT_N, 3 + SIFT_N);
  a.rec(0).ld32(R_POS).ltee(L.pos).i32(0).op(OP.i32_lt_s).if_().i32(0).op(OP.return).end();
  a.rec(0).i32(-1).st32(R_POS);
  a.gget(G_SIZE).i32(1).op(OP.i32_sub).ltee(L.n).gset(G_SIZE);
  a.gget(G_HDR).lget(L.n).st32(HDR_SIZE);
  a.lget(L.pos).lget(L.n).op(OP.i32_ne).if_();
  a.gget(G_HEAP).lset(L.h);
  entryAt(a, L, L.n, L.ca);
  a.lget(L.ca).ld32(H_ID).lset(L.id).lget(L.ca).ld64(H_EXP).lset(L.exp).lget(L.ca).ldf(H_SEQ).lset(L.seq);
  siftEither(a, L, L.orig);
  a.end();
  a.i32(1).end();
  return a;
}

/**
 * tstart(timer, nsecs, flags) -> 0, or LANE_SLOW: bpf_timer_start's common
 * case (flags 0, an initialized timer with a callback, nsecs below 2^53, no
 * saturation) exactly as BpfTimerTable.start does it, on the CPU the cpu word
 * names; everything else (errors included) is the helper's.
 */
function tstartBody(): Asm {
  const a = new Asm(); // params field 0, ns 1, flags 2 (i64); locals f 3, id 4, r 5 (i32), at 6 (i64)
  const slow = (): Asm => a.if_().i64(LANE_SLOW).op(OP.return).end();
  a.gget(G_FAST).i32(FAST_START).op(OP.i32_and, OP.i32_eqz);
  a.lget(2).op(OP.i64_eqz, OP.i32_eqz, OP.i32_or);
  // a 32-bit, 8-aligned, non-null address whose 16 bytes lie in memory
  a.lget(0).i64(7n).op(OP.i64_and).op(OP.i64_eqz, OP.i32_eqz, OP.i32_or);
  a.lget(0).op(OP.i64_eqz, OP.i32_or);
  a.lget(0).i64(32n).op(OP.i64_shr_u).op(OP.i64_eqz, OP.i32_eqz, OP.i32_or);
  a.lget(0).i64(16n).op(OP.i64_add).op(OP.memory_size).b.byte(0);
  a.op(OP.i64_extend_i32_u).i64(16n).op(OP.i64_shl, OP.i64_gt_u, OP.i32_or);
  slow();
  a.lget(0).op(OP.i32_wrap_i64).ltee(3).ld32().ltee(4).op(OP.i32_eqz);
  a.lget(4).gget(G_CAP).op(OP.i32_gt_u, OP.i32_or);
  slow();
  a.rec(4).lset(5);
  // a stale id (the field not zeroed by its owner) is not this timer; no callback: -EINVAL is the helper's
  a.lget(5).ld32(R_FIELD).lget(3).op(OP.i32_ne);
  a.lget(5).ld32(R_FLAGS).i32(F_PROG).op(OP.i32_and, OP.i32_eqz, OP.i32_or);
  a.lget(1).i64(2n ** 53n).op(OP.i64_ge_u, OP.i32_or);
  slow();
  // ktime_add_safe would saturate only past 2^63 - 1: not here
  a.gget(G_NOW).ld64().lget(1).op(OP.i64_add).ltee(6).i64(0n).op(OP.i64_lt_s);
  slow();
  a.lget(5).gget(G_CPU).ld32().st32(R_CPU);
  a.lget(5).lget(5).ld32(R_FLAGS).i32(~F_PINNED).op(OP.i32_and).st32(R_FLAGS);
  a.lget(4).lget(6).call(F_PLACE);
  a.i64(0n).end();
  return a;
}

/**
 * run(target, maxSeq, limit, jsExp, jsSeq): the expiry loop over the lane's
 * head while it is due by `target`, armed no later than `maxSeq`, earlier
 * than the JS heaps' head (jsExp, jsSeq), fast-fireable, not overdue, and
 * fewer than `limit` callbacks ran (G_COUNT, also when a callback throws).
 * Time stands at each timer's expiry while its callback runs, on its CPU.
 */
function runBody(): Asm {
  // params target 0 (i64), maxSeq 1 (f64), limit 2 (i32), jsExp 3 (i64), jsSeq 4 (f64);
  // locals: sift, then the last entry moving to the top: id, exp (i64), seq (f64);
  // the timer firing: fid, fr (its record), fexp (i64), fseq (f64); the saved cpu
  const X = 5 + SIFT_N;
  const L = siftLocals(5, X, X + 1, X + 2);
  const FID = X + 3, FR = X + 4, FEXP = X + 5, FSEQ = X + 6, SAVED = X + 7;
  const a = new Asm();
  a.i32(0).gset(G_COUNT);
  a.block().loop();
  a.gget(G_SIZE).op(OP.i32_eqz).brIf(1);
  a.gget(G_HEAP).lset(L.h);
  a.lget(L.h).ld32(H_ID).lset(FID).lget(L.h).ld64(H_EXP).lset(FEXP).lget(L.h).ldf(H_SEQ).lset(FSEQ);
  a.rec(FID).lset(FR);
  a.lget(FEXP).lget(0).op(OP.i64_gt_s).brIf(1);
  a.lget(FSEQ).lget(1).op(OP.f64_gt).brIf(1);
  a.lget(FEXP).lget(3).op(OP.i64_gt_s).brIf(1);
  a.lget(FEXP).lget(3).op(OP.i64_eq).lget(FSEQ).lget(4).op(OP.f64_ge, OP.i32_and).brIf(1);
  a.gget(G_COUNT).lget(2).op(OP.i32_ge_u).brIf(1);
  a.gget(G_FAST).i32(FAST_FIRE).op(OP.i32_and, OP.i32_eqz).brIf(1);
  a.lget(FR).ld32(R_FLAGS).i32(F_FIRE).op(OP.i32_and, OP.i32_eqz).brIf(1);
  a.lget(FEXP).gget(G_NOW).ld64().op(OP.i64_lt_s).brIf(1);
  // pop the head: the last entry sifts down from the top
  a.lget(FR).i32(-1).st32(R_POS);
  a.gget(G_SIZE).i32(1).op(OP.i32_sub).ltee(L.n).gset(G_SIZE);
  a.gget(G_HDR).lget(L.n).st32(HDR_SIZE);
  a.lget(L.n).if_();
  entryAt(a, L, L.n, L.ca);
  a.lget(L.ca).ld32(H_ID).lset(L.id).lget(L.ca).ld64(H_EXP).lset(L.exp).lget(L.ca).ldf(H_SEQ).lset(L.seq);
  a.i32(0).lset(L.pos);
  siftDown(a, L);
  a.end();
  // time stands at the expiry; the key word gets this element's key (as keyOf copies it)
  a.gget(G_NOW).lget(FEXP).st64();
  a.lget(FR).ld32(R_KEY).lget(FR).i32(R_KBYTES).op(OP.i32_add).lget(FR).ld32(R_KLEN);
  a.op(0xfc).b.u32(10).byte(0).byte(0); // memory.copy
  a.gget(G_COUNT).i32(1).op(OP.i32_add).gset(G_COUNT);
  a.lget(FID).gset(G_CUR);
  a.gget(G_CPU).ld32().lset(SAVED);
  a.gget(G_CPU).lget(FR).ld32(R_CPU).st32();
  a.lget(FR).ld32(R_PC).lget(FR).ld32(R_SLICE).lget(FR).ld32(R_MAP).lget(FR).ld32(R_KEY).lget(FR).ld32(R_VAL);
  a.lget(FR).ld32(R_CB).b.byte(OP.call_indirect).u32(0).byte(0);
  a.op(OP.drop);
  a.gget(G_CPU).lget(SAVED).st32();
  a.i32(0).gset(G_CUR);
  a.gget(G_MAT).if_().call(F_SETTLE).br(2).end();
  a.br(0);
  a.end().end();
  a.gget(G_COUNT).end();
  return a;
}

let laneModule: WebAssembly.Module | undefined;

function compileLane(): WebAssembly.Module {
  if (laneModule !== undefined) return laneModule;
  const bytes = encodeModule([
    { module: 'lane', name: 'settle', kind: 'func', type: T([], []) },
    { module: 'lane', name: 'mem', kind: 'memory' },
    { module: 'lane', name: 'cbs', kind: 'table' },
    ...GLOBALS.map(([name, valType]) => ({ module: 'lane', name, kind: 'global' as const, valType, mutable: true })),
  ], [
    { type: T([I32, I64], []), locals: [...SIFT_LOCAL_TYPES, F64], body: placeBody().b, export: 'place' },
    { type: T([I32], [I32]), locals: [...SIFT_LOCAL_TYPES, I32, I64, F64], body: removeBody().b, export: 'remove' },
    { type: T([I64, I64, I64], [I64]), locals: [I32, I32, I32, I64], body: tstartBody().b, export: 'tstart' },
    { type: T([I64, F64, I32, I64, F64], [I32]), locals: [...SIFT_LOCAL_TYPES, I32, I64, F64, I32, I32, I64, F64, I32], body: runBody().b, export: 'run' },
  ], [CB_TYPE]);
  laneModule = new WebAssembly.Module(bytes);
  return laneModule;
}

let stub: ((field: bigint, ns: bigint, flags: bigint) => bigint) | undefined;

/** tstart for engines without a lane: always LANE_SLOW, in WebAssembly (no JS hop on the way to the helper) */
export function slowTstart(): (field: bigint, ns: bigint, flags: bigint) => bigint {
  if (stub === undefined) {
    const bytes = encodeModule([], [
      { type: T([I64, I64, I64], [I64]), locals: [], body: new Asm().i64(LANE_SLOW).end().b, export: 'tstart' },
    ]);
    stub = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports['tstart'] as unknown as typeof stub;
  }
  return stub!;
}

const I64_MAX = (1n << 63n) - 1n;
const TWO32 = 0x1_0000_0000;
const SAFE = Number.MAX_SAFE_INTEGER;

interface LaneExports {
  place(id: number, exp: bigint): void;
  remove(id: number): number;
  tstart(field: bigint, ns: bigint, flags: bigint): bigint;
  run(target: bigint, maxSeq: number, limit: number, jsExp: bigint, jsSeq: number): number;
}

/** What a callback needs to be fired from the lane: the engine's cb entry and its budget slice. */
export interface LaneCallback {
  readonly cb: (...a: number[]) => number;
  readonly slice: number;
}

/** ...and whose it is (forget() lets go of an owner's entries) */
export interface LaneOwned extends LaneCallback {
  readonly owner: object;
}

/** ...and its arguments: r1 = map, r2 = the map's key word (0: none) holding `keyBytes` at each expiry */
export interface LaneFire extends LaneOwned {
  readonly map: number;
  readonly key: number;
  readonly keyBytes: Uint8Array;
}

export class TimerLane implements QueueLane {
  /** true while run() is on the stack (a JS call from compiled code then comes from a lane-fired callback) */
  looping = false;
  /** the running lane-fired callback has its JS side set up */
  materialized = false;
  private readonly arena: Arena;
  private readonly host: LaneHost;
  private readonly g: WebAssembly.Global[];
  private readonly x: LaneExports;
  private readonly table: WebAssembly.Table;
  /** table slot of each entry, the entries each owner handed out, the slots free again */
  private readonly slots = new Map<unknown, number>();
  private readonly owned = new Map<object, unknown[]>();
  private readonly freeSlots: number[] = [];
  private readonly byId: (TimerEntry | undefined)[] = [];
  /** the arena blocks of the records and the heap (0: not yet) */
  private recBlock = 0;
  private heapBlock = 0;
  /** the header (HDR_SIZE, HDR_SEQ): made with the first record, kept for the lane's life */
  private hdr = 0;
  private cap = 0;
  private observed = false;
  private startAllowed = true;

  constructor(arena: Arena, host: LaneHost) {
    this.arena = arena;
    this.host = host;
    this.g = GLOBALS.map(([, t]) => new WebAssembly.Global({ value: t === F64 ? 'f64' : 'i32', mutable: true }, 0));
    this.g[G_SEQ]!.value = 1;
    this.g[G_FAST]!.value = FAST_START | FAST_FIRE;
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
    const imports: WebAssembly.Imports = {
      lane: {
        settle: () => this.host.settle(),
        mem: arena.memory,
        cbs: this.table,
        ...Object.fromEntries(GLOBALS.map(([name], i) => [name, this.g[i]!])),
      },
    };
    this.x = new WebAssembly.Instance(compileLane(), imports).exports as unknown as LaneExports;
  }

  /** compiled code's bpf_timer_start (src/jit/compile.ts imports it as `tstart`) */
  get tstart(): LaneExports['tstart'] {
    return this.x.tstart;
  }

  /** the arena blocks the lane keeps (rt.stats() leaves them out) */
  blocks(): number[] {
    return this.recBlock === 0 ? (this.hdr === 0 ? [] : [this.hdr]) : [this.hdr, this.recBlock, this.heapBlock];
  }

  // ---- records ----

  private recAddr(id: number): number {
    return this.recBlock + id * REC;
  }

  /** room for ids up to `id`: records and heap move to bigger blocks (the rest keeps its place) */
  private ensure(id: number): void {
    if (id <= this.cap) return;
    if (this.cap === 0) {
      const c = this.host.cells();
      if (c.now === 0 || c.cpu === 0) throw new ArenaError('no room for the timer lane', -12);
      if (this.hdr === 0) {
        this.hdr = this.arena.alloc(16, ARENA_ACCESS_NONE);
        this.arena.dv.setUint32(this.hdr + HDR_SIZE, this.g[G_SIZE]!.value as number, true);
        this.arena.dv.setFloat64(this.hdr + HDR_SEQ, this.g[G_SEQ]!.value as number, true);
        this.g[G_HDR]!.value = this.hdr;
      }
      this.g[G_NOW]!.value = c.now;
      this.g[G_CPU]!.value = c.cpu;
    }
    const cap = Math.max(64, this.cap * 2, id);
    const rec = this.arena.alloc((cap + 1) * REC, ARENA_ACCESS_NONE);
    let heap: number;
    try {
      heap = this.arena.alloc(cap * HENT, ARENA_ACCESS_NONE);
    } catch (e) {
      this.arena.free(rec);
      throw e;
    }
    const u8 = this.arena.u8;
    if (this.recBlock !== 0) {
      u8.copyWithin(rec, this.recBlock, this.recBlock + (this.cap + 1) * REC);
      u8.copyWithin(heap, this.heapBlock, this.heapBlock + this.cap * HENT);
      this.arena.free(this.recBlock);
      this.arena.free(this.heapBlock);
    }
    this.recBlock = rec;
    this.heapBlock = heap;
    this.cap = cap;
    this.g[G_REC]!.value = rec;
    this.g[G_HEAP]!.value = heap;
    this.g[G_CAP]!.value = cap;
  }

  /**
   * A new timer `id` whose bpf_timer field is at `field`, in the map value at `value`.
   * False when the arena has no room for its record: the queue keeps it in its own heap.
   */
  init(e: TimerEntry, id: number, field: number, value: number): boolean {
    try {
      this.ensure(id);
    } catch (err) {
      if (err instanceof ArenaError) return false;
      throw err;
    }
    const dv = this.arena.dv;
    const r = this.recAddr(id);
    dv.setBigInt64(r + R_EXP, 0n, true);
    dv.setFloat64(r + R_SEQ, 0, true);
    dv.setInt32(r + R_POS, -1, true);
    dv.setUint32(r + R_FIELD, field, true);
    dv.setUint32(r + R_FLAGS, 0, true);
    dv.setUint32(r + R_CB, 0, true);
    dv.setUint32(r + R_PC, 0, true);
    dv.setUint32(r + R_MAP, 0, true);
    dv.setUint32(r + R_KEY, 0, true);
    dv.setUint32(r + R_KLEN, 0, true);
    dv.setUint32(r + R_VAL, value, true);
    dv.setUint32(r + R_CPU, 0, true);
    dv.setUint32(r + R_SLICE, 0, true);
    this.byId[id] = e;
    e.lane = this;
    e.laneId = id;
    return true;
  }

  /** timer `id` has a callback at `pc` (fire: how the lane may call it; undefined: only through JS), or none (pc < 0) */
  setCallback(id: number, pc: number, fire: LaneFire | undefined): void {
    const dv = this.arena.dv;
    const r = this.recAddr(id);
    let flags = dv.getUint32(r + R_FLAGS, true) & ~(F_PROG | F_FIRE);
    if (pc >= 0) {
      flags |= F_PROG;
      if (fire !== undefined && fire.keyBytes.length <= LANE_KEY_MAX) {
        flags |= F_FIRE;
        dv.setUint32(r + R_CB, this.slotOf(fire.cb, fire.owner), true);
        dv.setUint32(r + R_PC, pc, true);
        dv.setUint32(r + R_SLICE, fire.slice, true);
        dv.setUint32(r + R_MAP, fire.map, true);
        dv.setUint32(r + R_KEY, fire.key, true);
        dv.setUint32(r + R_KLEN, fire.key === 0 ? 0 : fire.keyBytes.length, true);
        this.arena.u8.set(fire.keyBytes, r + R_KBYTES);
      }
    }
    dv.setUint32(r + R_FLAGS, flags, true);
  }

  /** whether run() may call timer `id`'s callback itself */
  firesItself(id: number): boolean {
    return (this.arena.dv.getUint32(this.recAddr(id) + R_FLAGS, true) & F_FIRE) !== 0;
  }

  /** timer `id` is freed (dequeued already): its record names no field, so tstart refuses it */
  free(id: number): void {
    const e = this.byId[id];
    if (e !== undefined) {
      e.lane = null;
      e.laneId = 0;
    }
    this.byId[id] = undefined;
    const r = this.recAddr(id);
    this.arena.dv.setUint32(r + R_FIELD, 0, true);
    this.arena.dv.setUint32(r + R_FLAGS, 0, true);
  }

  private slotOf(fn: unknown, owner: object): number {
    let i = this.slots.get(fn);
    if (i === undefined) {
      i = this.freeSlots.pop() ?? this.table.grow(1);
      this.table.set(i, fn as never);
      this.slots.set(fn, i);
      let mine = this.owned.get(owner);
      if (mine === undefined) this.owned.set(owner, mine = []);
      mine.push(fn);
    }
    return i;
  }

  /** `owner`'s entries leave the table (no record names them any more: their timers are gone) */
  forget(owner: object): void {
    for (const fn of this.owned.get(owner) ?? []) {
      const i = this.slots.get(fn)!;
      this.slots.delete(fn);
      this.table.set(i, null as never);
      this.freeSlots.push(i);
    }
    this.owned.delete(owner);
  }

  /** starts (flags 0) and expiries in WebAssembly only while nothing observes them (a trace) */
  setObserved(on: boolean): void {
    this.observed = on;
    this.syncFast();
  }

  /** starts in WebAssembly allowed (false while a syscall program runs: its starts fire due timers at once); returns the previous setting */
  allowStart(on: boolean): boolean {
    const was = this.startAllowed;
    this.startAllowed = on;
    this.syncFast();
    return was;
  }

  private syncFast(): void {
    this.g[G_FAST]!.value = this.observed ? 0 : (this.startAllowed ? FAST_START : 0) | FAST_FIRE;
  }

  /** the timer whose lane-fired callback is running (0: none) */
  get current(): number {
    return this.g[G_CUR]!.value as number;
  }

  /** compiled code called into JS during a lane-fired callback: set up its JS side first (src/jit/engine.ts) */
  materialize(): void {
    this.host.materialize(this.current);
  }

  /** the materialized callback's JS side is set up (the settle after it returns is due) */
  markMaterialized(): void {
    this.materialized = true;
    this.g[G_MAT]!.value = 1;
  }

  /** settle done */
  markSettled(): void {
    this.materialized = false;
    this.g[G_MAT]!.value = 0;
  }

  // ---- QueueLane ----

  place(id: number, exp: bigint): void {
    this.x.place(id, BigInt.asIntN(64, exp));
  }

  placeN(id: number, exp: number): void {
    this.x.place(id, BigInt(exp));
  }

  remove(id: number): boolean {
    return this.x.remove(id) === 1;
  }

  queued(id: number): boolean {
    return this.recBlock !== 0 && this.arena.dv.getInt32(this.recAddr(id) + R_POS, true) >= 0;
  }

  head(): number {
    return this.size === 0 ? 0 : this.arena.dv.getUint32(this.heapBlock + H_ID, true);
  }

  get size(): number {
    // (nothing is queued before the first record made the header)
    return this.hdr === 0 ? 0 : this.arena.dv.getUint32(this.hdr + HDR_SIZE, true);
  }

  takeSeq(): number {
    const s = this.g[G_SEQ]!.value as number;
    this.g[G_SEQ]!.value = s + 1;
    if (this.hdr !== 0) this.arena.dv.setFloat64(this.hdr + HDR_SEQ, s + 1, true);
    return s;
  }

  get lastSeq(): number {
    return (this.hdr === 0 ? this.g[G_SEQ]!.value as number : this.arena.dv.getFloat64(this.hdr + HDR_SEQ, true)) - 1;
  }

  load(e: TimerEntry): void {
    const dv = this.arena.dv;
    const r = this.recAddr(e.laneId);
    const lo = dv.getUint32(r + R_EXP, true), hi = dv.getInt32(r + R_EXP + 4, true);
    const n = hi * TWO32 + lo;
    if (n >= -SAFE && n <= SAFE) {
      e.expN = n;
      e.expX = undefined;
    } else {
      e.expX = dv.getBigInt64(r + R_EXP, true);
      e.expN = Number(e.expX);
    }
    e.seq = dv.getFloat64(r + R_SEQ, true);
  }

  entry(id: number): TimerEntry | undefined {
    return this.byId[id];
  }

  *ids(): IterableIterator<number> {
    const n = this.size;
    for (let i = 0; i < n; i++) yield this.arena.dv.getUint32(this.heapBlock + HENT * i + H_ID, true);
  }

  cpuOf(id: number): number {
    return this.arena.dv.getUint32(this.recAddr(id) + R_CPU, true);
  }

  setCpu(id: number, cpu: number): void {
    this.arena.dv.setUint32(this.recAddr(id) + R_CPU, cpu, true);
  }

  pinnedOf(id: number): boolean {
    return (this.arena.dv.getUint32(this.recAddr(id) + R_FLAGS, true) & F_PINNED) !== 0;
  }

  setPinned(id: number, v: boolean): void {
    const a = this.recAddr(id) + R_FLAGS;
    const f = this.arena.dv.getUint32(a, true);
    this.arena.dv.setUint32(a, v ? f | F_PINNED : f & ~F_PINNED, true);
  }

  // ---- the expiry loop ----

  /**
   * Fires the lane's head timers in WebAssembly while they are due by
   * `target` (undefined: no bound), armed no later than `maxSeq`, before the
   * JS heaps' head (`jsExp`, `jsSeq`; undefined: none) and fewer than `limit`
   * ran; stops at the first it cannot fire. Returns callbacks run (a failed
   * one included: the host was told).
   */
  fire(target: bigint | undefined, maxSeq: number, limit: number, jsExp: bigint | undefined, jsSeq: number): number {
    if (this.observed || this.size === 0) return 0;
    if (!this.host.beforeRun()) return 0;
    this.looping = true;
    try {
      // (a bound past KTIME_MAX is no bound: nothing is queued beyond it)
      const t = target === undefined || target > I64_MAX ? I64_MAX : target;
      const j = jsExp === undefined || jsExp > I64_MAX ? I64_MAX : jsExp;
      return this.x.run(t, maxSeq, limit >= 0x7fffffff ? 0x7fffffff : limit, j, jsExp === undefined ? Infinity : jsSeq);
    } catch (e) {
      const id = this.current;
      this.g[G_CUR]!.value = 0;
      const materialized = this.materialized;
      if (materialized) this.host.settle();
      this.host.failed(id, e, materialized);
      return this.g[G_COUNT]!.value as number;
    } finally {
      this.looping = false;
    }
  }
}

// The helper ABI shared by every engine (this interpreter, later the JIT) and
// the runtime: helpers see 64-bit arguments and return a 64-bit result as
// unsigned bigints, whatever the engine keeps in its registers.

import type { Insn } from '../isa/insn.js';
import type { Arena } from '../memory/arena.js';

/** What a helper can see of the running program. */
export interface VmContext {
  readonly arena: Arena;
  /** the simulated CPU this run is on (bpf_get_smp_processor_id, per-CPU maps) */
  readonly cpu: number;
  /**
   * Runs the subprogram of the current program starting at instruction `pc`
   * with r1..r5 = args on a fresh frame, and returns its r0 (unsigned).
   * Re-entrant: bpf_loop and timer callbacks use it from inside a helper.
   */
  callFunction(pc: number, args: readonly bigint[]): bigint;
  /**
   * Requests a tail call (bpf_tail_call). Returns false when the target does not
   * resolve or the 33-call limit is hit; the helper then returns an error and the
   * program falls through. On true, once the helper returns, execution continues
   * at the first instruction of the target with the same registers and frame.
   */
  tailCall(target: unknown): boolean;
}

export type HelperFn = (vm: VmContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

/** Where an array map's elements are: what an engine needs to inline bpf_map_lookup_elem on it. */
export interface ArrayLookupLayout {
  readonly kind: 'array';
  /** arena address of element 0 */
  readonly base: number;
  readonly maxEntries: number;
  /** round_up(value_size, 8) */
  readonly elemSize: number;
  /** per-CPU arrays: the arena word holding the running CPU, and the bytes between two CPUs' copies */
  readonly cpuCell?: number;
  readonly cpuStride?: number;
}

/**
 * A hash map's table as the arena holds it for compiled lookups: element slot
 * s (0-based) has its value at slab + s * slotSize, its hash at hashes + 4s,
 * its key at keys + s * keySize and the next slot of its bucket (+1, 0 = end)
 * at next + 4s; bucket b's first slot (+1) is at heads + 4b, b = hash & mask.
 */
export interface HashLookupLayout {
  readonly kind: 'hash';
  readonly heads: number;
  readonly mask: number;
  readonly next: number;
  readonly hashes: number;
  readonly keys: number;
  readonly keySize: number;
  readonly seed: number;
  readonly slab: number;
  readonly slotSize: number;
  /**
   * Present when updates and deletes may be compiled inline too (a plain
   * preallocated hash without special fields, values up to 64 bytes): the
   * value bytes copied, the arena word holding the running CPU, nSpare u32
   * words at `spare` holding each CPU's spare slot (htab->extra_elems), and
   * the change log at `log` (u32 count, then logCap entries of logEntry
   * bytes: u32 old slot or 0xffffffff for an insert, u32 new slot or
   * 0xffffffff for a delete, u32 CPU or an insert's hash, an insert's key)
   * the map replays into its own structures before it next reads them; the free list at `free` (u32 count, then the free slots, the last
   * one taken first) and at `fresh` the first slot never handed out (slots
   * from there to maxEntries are free too).
   */
  readonly valueSize?: number;
  /** the arena word holding the running CPU (per-CPU maps, and writable layouts) */
  readonly cpuCell?: number;
  /** per-CPU hash maps: the bytes between two CPUs' copies of a value (the running CPU's is returned) */
  readonly cpuStride?: number;
  /** LRU hash maps: one byte per slot at refs + s, the element's ref bit a lookup sets (bpf_lru_node_set_ref) */
  readonly refs?: number;
  readonly spare?: number;
  readonly nSpare?: number;
  readonly log?: number;
  readonly logCap?: number;
  readonly logEntry?: number;
  readonly free?: number;
  readonly fresh?: number;
  readonly maxEntries?: number;
  /**
   * LRU hash maps whose updates and deletes compile inline (the common LRU):
   * a byte per slot at `pend` (CPU + 1 while the element is on that CPU's
   * pending list, else 0), each CPU's local free stack as a u32 head at
   * lfree + 4 * cpu and a u32 link per slot at lnext + 4 * s (slot + 1, 0
   * ends it). Their log entries: old slot or 0xffffffff, new slot or
   * 0xffffffff, hash, CPU, the new element's key.
   */
  readonly pend?: number;
  readonly lfree?: number;
  /** hash of maps: the lookup returns the u32 the value holds (the inner map's pointer), not the value's address */
  readonly deref?: boolean;
  readonly lnext?: number;
}

export type LookupLayout = ArrayLookupLayout | HashLookupLayout;

/**
 * The runtime's own bpf_map_lookup_elem carries this (the kernel's
 * map_gen_lookup): for a map pointer, the layout of a map whose lookups
 * may be compiled inline, or undefined. A helper wrapped to observe its calls
 * does not carry it, so nothing is inlined behind the observer's back.
 */
export interface InlinableLookup {
  layout?(mapPtr: number): LookupLayout | undefined;
}

/**
 * A helper whose result is a value the runtime keeps in an arena word
 * (bpf_ktime_get_ns on the virtual clock): the word's address, which an
 * engine may load instead of calling, or undefined (e.g. on the real clock).
 */
export interface InlinableValue {
  valueCell?(): number | undefined;
  /** the word if valueCell made it (0: not), without making it (rt.stats() leaves such runtime-lifetime words out) */
  allocatedCell?(): number;
}

/**
 * A helper the JIT may call with r1..r3 as 32-bit halves (lo, hi; r4 and r5
 * unused), so no bigint is made on the way in (bpf_timer_start on a timer
 * callback's path). Same checks, errors and result as the helper itself.
 */
export interface SplitArgsHelper {
  splitArgs?(vm: VmContext, r1lo: number, r1hi: number, r2lo: number, r2hi: number, r3lo: number, r3hi: number): bigint;
}

/** What an engine needs from the runtime. */
/** The JIT's timer lane (src/jit/lane.ts) as an engine sees it. */
export interface TimerLaneHook {
  /** a lane-fired callback is running (a JS call from compiled code comes from it) */
  readonly looping: boolean;
  /** ...and its JS side is set up */
  readonly materialized: boolean;
  /** set up the running lane-fired callback's JS side (current program, CPU, RCU, engine entry) */
  materialize(): void;
  /** bpf_timer_start in WebAssembly (compiled code imports it) */
  readonly tstart: (timer: bigint, nsecs: bigint, flags: bigint) => bigint;
}

export interface VmEnv {
  readonly arena: Arena;
  /** the runtime's timer lane, if it has one (a JIT runtime on the virtual clock) */
  readonly timerLane?: TimerLaneHook;
  helper(id: number): HelperFn | undefined;
  /** resolves a tail-call target (e.g. a prog-array slot) to a program */
  tailCallTarget?(target: unknown): readonly Insn[] | undefined;
  /**
   * A BPF_PROBE_MEM load outside the arena: the bytes of kernel memory at
   * `addr`, undefined where nothing is mapped (the load then reads 0, as the
   * kernel's exception fixup does), or a message when the address lies inside
   * an object tsbpf simulates only in part (the load then fails, never guesses).
   */
  kernelRead?(addr: bigint, size: number): Uint8Array | string | undefined;
}

/** Kernel limit on chained tail calls per run (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALL_CNT = 33;

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

/** What an engine needs from the runtime. */
export interface VmEnv {
  readonly arena: Arena;
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

// Typed run-time failures of an engine. A VmError always names the
// instruction index it happened at, so a user can find it in a dump.

export type VmErrorKind =
  | 'invalid-insn' // malformed bytecode reached at run time (unknown opcode, bad register, ...)
  | 'memory' // a load/store/atomic outside any live arena block, or without the needed access
  | 'budget' // an explicit instruction cap (InterpreterOptions.maxInsns) ran out
  | 'timeout' // the wall-clock watchdog stopped the run (only a verifier bug makes a verified program run that long)
  | 'call-depth' // more than MAX_CALL_FRAMES nested frames
  | 'helper' // unknown helper id, or a helper failed
  | 'entry'; // bad run() arguments (entry pc, argument count)

export class VmError extends Error {
  constructor(
    readonly kind: VmErrorKind,
    /** index of the instruction slot that failed, -1 if before the first one ran */
    readonly pc: number,
    message: string,
    /** the faulting address, for kind 'memory' */
    readonly addr?: bigint,
    options?: { cause?: unknown },
  ) {
    super(pc >= 0 ? `insn ${pc}: ${message}` : message, options);
    this.name = 'VmError';
  }
}

/** instructions between two looks at the watchdog's clock (about 20-100 ms of interpretation) */
export const WATCHDOG_SLICE = 1 << 22;

/** An explicit instruction cap ran out at `pc` (both engines give this one text). */
export function budgetError(pc: number, maxInsns: number): VmError {
  return new VmError('budget', pc, `instruction budget of ${maxInsns} exhausted (endless loop?)`);
}

/** The watchdog stopped a run at `pc` after `ran` instructions (both engines give this one text). */
export function watchdogError(pc: number, timeoutMs: number, ran: number): VmError {
  return new VmError('timeout', pc, `run stopped by the watchdog after ${timeoutMs} ms (${ran} instructions): ` +
    'a verified program cannot loop forever, so this is a verifier bug or a limit set too low (RuntimeOptions.runTimeoutMs, --run-timeout)');
}

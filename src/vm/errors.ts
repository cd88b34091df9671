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

// The public API of tsbpf. Nothing else is exported from the package.

// the runtime: load objects, run programs, drive time
export { Runtime, DEFAULT_VIRTUAL_START_NS, type RuntimeOptions, type RuntimeClockOptions, type RuntimeStats, type AsyncError, type TimerRecorder } from './runtime/runtime.js';
export {
  BpfObject, LoadError, RUNNABLE_PROG_TYPES, type LoadOptions, type GlobalValue, type GlobalInfo, type ProgramOptions,
  type ProgramLoadResult, type GlobalInit,
} from './runtime/loader.js';
export { DEFAULT_KCONFIG, kernelVersion, type KconfigValue } from './runtime/kconfig.js';
export { MapHandle, type KeyLike } from './runtime/map.js';
export { type KeyInput, type TimerMarker } from './runtime/typed.js';
export { decodeValue, encodeValue, type TypedValue, type CodecOptions } from './btf/codec.js';
export { RingBuffer, UserRingBuffer, type RingbufSample, type RingbufOptions } from './runtime/ringbuf.js';
export { PerfBuffer, type PerfSample, type PerfBufferOptions } from './runtime/perf_buffer.js';
export { Program, type RunOptions, type RunResult } from './runtime/program.js';
export { TestRunError } from './runtime/test_run.js';
export { InputError, readInputFile, DEFAULT_MAX_OBJECT_BYTES, DEFAULT_MAX_PACKET_BYTES } from './runtime/input.js';
export { type TriggerInput, type PtRegs, PT_REGS_FIELDS } from './runtime/trigger.js';
export { type Task, SimMemory, AddressSpace, TASK_SIZE_MAX } from './runtime/task.js';
export type { RunEffectsReport, SkbMetadata } from './runtime/run_effects.js';
// the simulated host networking helpers and test runs see (rt.host)
export { Host, HostError, type HostSpec, type NetInterface, type Route, type Neighbour, type NetSocket, type Cgroup } from './net/host.js';
export { RefError } from './runtime/refcount.js';
export { VirtualClock } from './timers/virtual.js';
export { RealClock } from './timers/real.js';
export { type Clock, TimerLimitError } from './timers/clock.js';
export { parseDuration, ClockError, type Duration } from './timers/ktime.js';

// what the timers did: events, live timers, the timeline picture
export {
  type TimerEvent, type TimerEventType, type TimerFreeReason, type TimerInfo, type RunEvent, formatTimerEvent,
} from './timers/trace.js';
// what a program did, instruction by instruction (rt.on('insn'), tsbpf run --trace-insn)
export { type InsnEvent, formatInsnEvent } from './runtime/insn_trace.js';
export { renderTimelineSvg, renderTimelineHtml, timelineModel, type TimelineOptions, type TimelineModel } from './timeline/render.js';

// errors a user can act on
export { MapError } from './maps/map.js';
export { VmError } from './vm/errors.js';
export { ElfError } from './elf/elf.js';
export { BtfError } from './btf/btf.js';
export { ObjectError } from './object/errors.js';
export { ArenaError } from './memory/arena.js';
export { BtfEncodeError } from './btf/encode.js';
export { VerifierError } from './verifier/env.js';

// the instruction set: encode/decode, assemble, validate, disassemble
export * from './isa/opcodes.js';
export { type Insn, InsnError, decode, encode, insn, ldImm64 } from './isa/insn.js';
export { assemble, AsmError } from './isa/asm.js';
export { validateProgram } from './isa/validate.js';
export { formatInsn, disassemble } from './isa/disasm.js';

// CO-RE: the built-in target BTF (what tsbpf emulates) and the layout it gives a struct
export { builtinKernelBtf, structLayout } from './btf/kernel/kernel_btf.js';
export { Btf } from './btf/btf.js';

// parsing without a runtime (cilium/ebpf's CollectionSpec)
export {
  parseObject, type ObjectSpec, type ProgramSpec, SECTION_DEFS, findSectionDef, type SectionDef, type KconfigExtern,
  PROG_TYPE_NAMES, ATTACH_TYPE_NAMES, progTypeByName, attachTypeByName,
} from './object/index.js';
export { errnoName } from './uapi/errno.js';

// kfuncs and the connection table the conntrack kfuncs use (Runtime.conntrack)
export { KFUNCS, type KfuncProto, type KfuncArg, type KfuncRet } from './kfuncs/index.js';
export { ConntrackTable, ConntrackError, type CtAddOptions, type CtEntry, type CtTuple } from './net/conntrack.js';

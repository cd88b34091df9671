// Firing a tracing program as its hook would: the context a kprobe,
// tracepoint, raw tracepoint, fentry or perf_event program gets, built from
// what the test supplies (registers, a tracepoint record, raw arguments).
// The kernel cannot BPF_PROG_TEST_RUN kprobes or tracepoints; tsbpf can
// fire them directly, the way an attached probe hitting would.
import { Arena, ARENA_ACCESS_READ } from '../memory/arena.js';
import {
  BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
  BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_TRACING,
} from '../uapi/bpf.js';
import { EINVAL, ENOTSUPP } from '../uapi/errno.js';
import { TestRunError } from './test_run.js';

/** struct pt_regs on x86-64, in field order */
export const PT_REGS_FIELDS = [
  'r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di',
  'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss',
] as const;
export type PtRegName = typeof PT_REGS_FIELDS[number];
/** the uapi <asm/ptrace.h> spelling (rdi, rsi, rip, eflags, ...) of the same registers */
const UAPI_ALIAS = {
  rbp: 'bp', rbx: 'bx', rax: 'ax', rcx: 'cx', rdx: 'dx', rsi: 'si', rdi: 'di', orig_rax: 'orig_ax', rip: 'ip', eflags: 'flags', rsp: 'sp',
} as const;
/** a register name as the kernel's struct pt_regs or the uapi's spells it */
export function ptRegIndex(name: string): number {
  return PT_REGS_FIELDS.indexOf(((UAPI_ALIAS as Record<string, string>)[name] ?? name) as PtRegName);
}
export type PtRegs = Partial<Record<PtRegName | keyof typeof UAPI_ALIAS, bigint | number>>;
/** sizeof(struct pt_regs) */
export const PT_REGS_SIZE = 8 * PT_REGS_FIELDS.length;
/** the largest tracepoint record (PERF_MAX_TRACE_SIZE) */
const PERF_MAX_TRACE_SIZE = 2048;

export interface TriggerInput {
  /** kprobe / perf_event: the probed context's registers (x86-64 names: di, si, dx, cx, r8, r9, ip, sp, ax, ...) */
  regs?: PtRegs;
  /** tracepoint: the raw trace record (8 bytes of common fields, then the event's fields) */
  record?: Uint8Array;
  /** raw_tp / fentry: the u64 arguments */
  args?: readonly (bigint | number)[];
  /** perf_event: bpf_perf_event_data.sample_period and .addr */
  samplePeriod?: bigint | number;
  addr?: bigint | number;
  /** bpf_get_func_ip: the probed function's address (kprobe default: regs.ip) */
  funcIp?: bigint | number;
  /** bpf_get_attach_cookie: the cookie of the link (default 0) */
  cookie?: bigint | number;
  /** the simulated CPU */
  cpu?: number;
}

export interface PreparedTrigger {
  r1: bigint;
  release(): void;
}

export function canTrigger(progType: number): boolean {
  return [BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
    BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_PERF_EVENT].includes(progType);
}

const u64 = (v: bigint | number | undefined): bigint => BigInt.asUintN(64, BigInt(v ?? 0));

function writeRegs(arena: Arena, at: number, regs: PtRegs): void {
  for (const [name, v] of Object.entries(regs)) {
    const i = ptRegIndex(name);
    if (i < 0) throw new TestRunError(`unknown pt_regs field '${name}' (x86-64: ${PT_REGS_FIELDS.join(', ')})`, -EINVAL);
    arena.dv.setBigUint64(at + 8 * i, u64(v), true);
  }
}

export function prepareTrigger(arena: Arena, progType: number, input: TriggerInput): PreparedTrigger {
  const ro = (size: number): number => arena.alloc(Math.max(size, 8), ARENA_ACCESS_READ);
  switch (progType) {
    case BPF_PROG_TYPE_KPROBE: {
      const ctx = ro(PT_REGS_SIZE);
      arena.u8.fill(0, ctx, ctx + PT_REGS_SIZE);
      writeRegs(arena, ctx, input.regs ?? {});
      return { r1: BigInt(ctx), release: () => arena.free(ctx) };
    }
    case BPF_PROG_TYPE_PERF_EVENT: {
      const ctx = ro(PT_REGS_SIZE + 16);
      arena.u8.fill(0, ctx, ctx + PT_REGS_SIZE + 16);
      writeRegs(arena, ctx, input.regs ?? {});
      arena.dv.setBigUint64(ctx + PT_REGS_SIZE, u64(input.samplePeriod), true);
      arena.dv.setBigUint64(ctx + PT_REGS_SIZE + 8, u64(input.addr), true);
      return { r1: BigInt(ctx), release: () => arena.free(ctx) };
    }
    case BPF_PROG_TYPE_TRACEPOINT: {
      const rec = input.record ?? new Uint8Array(8);
      if (rec.length > PERF_MAX_TRACE_SIZE) throw new TestRunError(`tracepoint record of ${rec.length} bytes exceeds ${PERF_MAX_TRACE_SIZE}`, -EINVAL);
      const ctx = ro(rec.length);
      arena.u8.fill(0, ctx, ctx + Math.max(rec.length, 8));
      arena.u8.set(rec, ctx);
      return { r1: BigInt(ctx), release: () => arena.free(ctx) };
    }
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
    case BPF_PROG_TYPE_TRACING: {
      const args = input.args ?? [];
      if (args.length > 12) throw new TestRunError(`at most 12 arguments (MAX_BPF_FUNC_ARGS), got ${args.length}`, -EINVAL);
      const ctx = ro(8 * Math.max(args.length, 1));
      arena.u8.fill(0, ctx, ctx + 8 * Math.max(args.length, 1));
      args.forEach((a, i) => arena.dv.setBigUint64(ctx + 8 * i, u64(a), true));
      return { r1: BigInt(ctx), release: () => arena.free(ctx) };
    }
    default:
      throw new TestRunError(`program type ${progType} is not a tracing program: use run()`, -ENOTSUPP);
  }
}

/** What bpf_get_func_ip returns for this trigger. */
export function triggerFuncIp(progType: number, input: TriggerInput): bigint {
  if (input.funcIp !== undefined) return u64(input.funcIp);
  return progType === BPF_PROG_TYPE_KPROBE ? u64(input.regs?.ip ?? input.regs?.rip) : 0n;
}

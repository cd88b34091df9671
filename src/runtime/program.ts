// A loaded program: relocated instructions, the maps it holds references on,
// and its engine. Armed timers reference it through BpfTimerProg (ref/unref),
// so a program whose user handle was closed lives on while a timer needs it.

import type { Insn } from '../isa/insn.js';
import { createEngine, type EngineKind, type VmEngine } from '../jit/index.js';
import type { VmEnv } from '../vm/env.js';
import type { BpfTimerProg } from '../timers/bpf_timer.js';
import { KernelObject, RefError } from './refcount.js';
import type { MapObject } from './map.js';
import type { ProgCompat } from '../maps/map.js';
import { prepareTestRun, hasPacket, checkDataSizeOut, TestRunError, type TestRunInput } from './test_run.js';
import { collectEffects, type RunEffectsReport } from './run_effects.js';
import type { PacketRun } from '../helpers/env.js';
import type { Host } from '../net/host.js';
import { EINVAL } from '../uapi/errno.js';
import { prepareTrigger, triggerFuncIp, type TriggerInput } from './trigger.js';
import type { TraceRun } from '../helpers/env.js';
import { PROG_TYPE_NAMES } from '../object/prog_types.js';

export interface ProgOwner {
  progFreed(p: ProgObject): void;
  /**
   * runs `fn` with `p` as the current program on `cpu` (helpers read it); `run` is the
   * identity of the run's cgroup storage (bpf_get_local_storage), a fresh one when omitted
   */
  withProg<T>(p: ProgObject, cpu: number, pkt: PacketRun | undefined, fn: () => T, run?: object): T;
  /** the simulated host test runs see (ctx_in ifindex, redirect targets) */
  readonly host: Host;
  readonly defaultCpu: number;
  /** largest test-run repeat (RuntimeOptions.maxRepeat) */
  readonly maxRepeat: number;
  /** runs `fn` with `t` as the tracing trigger helpers see (bpf_get_func_ip, bpf_get_attach_cookie) */
  withTrace<T>(t: TraceRun, fn: () => T): T;
  /** local_bh_enable() after a test run: the hrtimer softirq runs the timers already due */
  runSoftirqs(): void;
  /** runs `fn` as one RCU read-side section (freed element memory is reused only after it) */
  readSection<T>(fn: () => T): T;
}

export class ProgObject extends KernelObject implements BpfTimerProg {
  readonly id: number;
  readonly vm: VmEngine;

  constructor(
    readonly owner: ProgOwner,
    id: number,
    readonly name: string,
    readonly type: number,
    readonly insns: readonly Insn[],
    /** maps this program uses; one reference each, dropped when it is freed */
    readonly maps: readonly MapObject[],
    env: VmEnv,
    maxInsns?: number,
    /** prog->aux->max_ctx_offset from the verifier */
    readonly maxCtxOffset = 0,
    timeoutMs?: number,
    /** what prog arrays compare (bpf_prog_map_compatible) */
    readonly compat: ProgCompat = { type, expectedAttachType: 0, xdpHasFrags: false, sleepable: false, attachTo: '' },
    engine: EngineKind = 'interp',
  ) {
    super();
    this.id = id;
    this.vm = createEngine(engine, insns, env, {
      ...(maxInsns === undefined ? {} : { maxInsns }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  ref(): void {
    this.inc();
  }

  unref(): void {
    this.put();
  }

  protected free(): void {
    for (const m of this.maps) m.put();
    this.vm.release();
    this.owner.progFreed(this);
  }

  describe(): string {
    return `prog '${this.name}'`;
  }

  /** Runs a subprogram (a timer callback) at instruction `pc` with r1..r5 = args. */
  callAt(pc: number, args: readonly bigint[], cpu: number): bigint {
    return this.owner.withProg(this, cpu, undefined, () => {
      this.vm.cpu = cpu;
      return this.vm.run(pc, args);
    });
  }
}

export interface RunOptions extends TestRunInput {
  /**
   * BPF_PROG_TEST_RUN repeat: run the program this many times on the same
   * context, as the kernel does (a packet the program changes is seen changed
   * by the next repetition); the last run's result is returned. Syscall and
   * raw_tp programs refuse it (-EINVAL), as in the kernel.
   */
  repeat?: number;
  /** the simulated CPU to run on */
  cpu?: number;
}

/** the most repetitions one run takes (the kernel's u32 is bounded by time instead) */
export const MAX_REPEAT = 1_000_000;

export interface RunResult {
  /** r0 as the kernel reports it: a u32 */
  retval: number;
  /** the full 64-bit r0 */
  r0: bigint;
  /** packet programs: the packet as the program left it */
  data?: Uint8Array;
  /** syscall programs: the context as the program left it */
  ctx?: Uint8Array;
  /** instructions executed in the last repetition */
  insns: number;
  /** data_size_out: the full output size (data may be clamped by dataSizeOut) */
  dataSizeOut?: number;
  /** what the kernel would do with the packet after the run: redirects, clones, skb/XDP metadata */
  effects?: RunEffectsReport;
}

/** A user handle on a program: one reference, like a prog fd. */
export class Program {
  private closed = false;

  constructor(readonly object: ProgObject) {
    object.inc();
  }

  get name(): string {
    return this.object.name;
  }
  get type(): number {
    return this.object.type;
  }
  get typeName(): string {
    return PROG_TYPE_NAMES[this.object.type] ?? `type ${this.object.type}`;
  }
  get hasPacket(): boolean {
    return hasPacket(this.object.type);
  }
  get insns(): readonly Insn[] {
    return this.object.insns;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** BPF_PROG_TEST_RUN. Throws TestRunError (with errno) or VmError. */
  run(opts: RunOptions = {}): RunResult {
    if (this.closed) throw new RefError(`program handle '${this.name}' is closed`);
    const p = this.object;
    const arena = p.vm.arena;
    // the uapi's repeat is a u32 (0 means once); tsbpf bounds it (RuntimeOptions.maxRepeat, default MAX_REPEAT)
    const limit = Math.min(p.owner.maxRepeat, 0xffffffff);
    if (opts.repeat !== undefined && (!Number.isInteger(opts.repeat) || opts.repeat < 0 || opts.repeat > limit)) {
      throw new TestRunError(`repeat must be an integer 0..${limit} (RuntimeOptions.maxRepeat), got ${opts.repeat}`, -EINVAL);
    }
    const repeat = Math.max(1, opts.repeat ?? 1);
    const cpu = opts.cpu ?? p.owner.defaultCpu;
    return p.owner.readSection(() => this.runIn(p, arena, repeat, cpu, opts));
  }

  /**
   * Fires a tracing program (kprobe, tracepoint, raw_tp, fentry, perf_event)
   * as its hook would, with the context the test supplies; helpers see the
   * runtime's simulated task (rt.task) and memory (rt.memory).
   */
  trigger(input: TriggerInput = {}): RunResult {
    if (this.closed) throw new RefError(`program handle '${this.name}' is closed`);
    const p = this.object;
    const arena = p.vm.arena;
    const cpu = input.cpu ?? p.owner.defaultCpu;
    const trace: TraceRun = { funcIp: triggerFuncIp(p.type, input), cookie: BigInt.asUintN(64, BigInt(input.cookie ?? 0)) };
    return p.owner.readSection(() => {
      const prep = prepareTrigger(arena, p.type, input);
      try {
        const r0 = p.owner.withTrace(trace, () => p.owner.withProg(p, cpu, undefined, () => {
          p.vm.cpu = cpu;
          return p.vm.run(0, [prep.r1]);
        }));
        return { retval: Number(r0 & 0xffffffffn), r0, insns: p.vm.insnCount };
      } finally {
        prep.release();
        p.owner.runSoftirqs();
      }
    });
  }

  private runIn(p: ProgObject, arena: import('../memory/arena.js').Arena, repeat: number, cpu: number, opts: RunOptions): RunResult {
    const prep = prepareTestRun(arena, p.owner.host, { type: p.type, maxCtxOffset: p.maxCtxOffset, expectedAttachType: p.compat.expectedAttachType }, opts);
    try {
      let r0 = 0n;
      // bpf_test_run: every repetition runs on the same context (one argument
      // array and one closure for all of them: nothing allocated per repetition here)
      const args = [prep.r1];
      const vm = p.vm;
      const once = (): bigint => {
        vm.cpu = cpu;
        return vm.run(0, args);
      };
      // bpf_test_run allocates the cgroup storage once (bpf_cgroup_storages_alloc) and
      // every repetition runs on it: one storage identity for the whole test run
      const run = {};
      for (let i = 0; i < repeat; i++) {
        r0 = p.owner.withProg(p, cpu, prep.pkt, once, run);
        // bpf_test_run brackets each repetition with local_bh_disable/enable;
        // a timer that fell due during it (e.g. started with 0 ns) runs at the
        // enable, before BPF_PROG_TEST_RUN returns. Time does not move.
        p.owner.runSoftirqs();
      }
      const data = prep.dataOut();
      const ctx = prep.ctxOut();
      const result: RunResult = { retval: Number(r0 & 0xffffffffn), r0, insns: p.vm.insnCount };
      if (data) {
        result.data = data;
        result.dataSizeOut = data.length;
      }
      if (ctx) result.ctx = ctx;
      if (prep.pkt) result.effects = collectEffects(arena, p.owner.host, prep.pkt);
      try {
        checkDataSizeOut(opts, data);
      } catch (e) {
        // the kernel still reports retval and the full size with -ENOSPC
        throw Object.assign(e as Error, { retval: result.retval });
      }
      return result;
    } finally {
      prep.release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.object.put();
  }
}

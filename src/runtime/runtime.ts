// The "kernel": one arena, one clock, one timer table, the live maps and
// programs with their reference counts, and a bpffs-like pin namespace.
// Helpers reach the runtime through the HelperEnv it implements.

import { resolveEngine, setCallbackEntries, setDirectAccess, type EngineKind } from '../jit/index.js';
import { Btf } from '../btf/btf.js';
import { builtinKernelBtf, structLayout } from '../btf/kernel/kernel_btf.js';
import { setMapHeaderBtf, setMapHeaderBypassSpec } from '../maps/map_header.js';
import type { CoreTarget } from './core_load.js';
import { Arena } from '../memory/arena.js';
import { MapEnv, type BpfMap, type ProgCompat } from '../maps/map.js';
import '../maps/index.js';
import { RuntimeTimerLane } from './timer_lane.js';
import { BpfTimerTable, type BpfTimer, type BpfTimerProg, type BpfTimerTableEvent } from '../timers/bpf_timer.js';
import { timerClockName, type RunEvent, type TimerEvent, type TimerInfo } from '../timers/trace.js';
import { DEFAULT_MAX_OBJECT_BYTES, readInputFile } from './input.js';
import { insnText, type InsnEvent } from './insn_trace.js';
import type { InsnTracer } from '../vm/interpreter.js';
import { CLOCK_MONOTONIC, parseDuration, type Duration } from '../timers/ktime.js';
import type { Clock } from '../timers/clock.js';
import { VirtualClock, type VirtualClockOptions } from '../timers/virtual.js';
import { RealClock } from '../timers/real.js';
import type { HelperEnv, HelperMap, PacketRun, TraceRun, XdpBuff } from '../helpers/env.js';
import { BTF_KIND_STRUCT } from '../btf/types.js';
import { PARENT_TASK_OFFSET, SimMemory, credFields, defaultTask, parentTaskStruct, taskCred, taskStructFields, type Task } from './task.js';
import { Host, type HostSpec } from '../net/host.js';
import { createHelpers } from '../helpers/index.js';
import { createKfuncs } from '../kfuncs/index.js';
import { ConntrackTable } from '../net/conntrack.js';

/**
 * Kernel symbols a typeless .ksyms extern may name, at addresses in a
 * kernel-like range the arena never hands out (a program can only use them
 * as numbers: typeless ksyms are scalars to the verifier).
 */
const RUNTIME_KSYMS: readonly [string, bigint][] = [
  ['_stext', 0xffff_ffff_8100_0000n], ['_text', 0xffff_ffff_8100_0000n], ['jiffies', 0xffff_ffff_8380_5000n],
  ['bpf_prog_active', 0x0000_0000_0003_1a20n], ['__preempt_count', 0x0000_0000_0003_1a24n],
];
import { BPF_FUNC_loop_inlined, bpf_loop_inlined } from '../helpers/loop.js';
import type { HelperFn, InlinableValue, VmEnv } from '../vm/env.js';
import { BPF_FUNC_ktime_get_ns } from '../uapi/bpf_func.js';
import type { Insn } from '../isa/insn.js';
import { MapObject, MapHandle } from './map.js';
import type { TimerFieldState } from './typed.js';
import { ProgObject, Program, MAX_REPEAT, type ProgOwner } from './program.js';
import { loadCollection, type BpfObject, type LoadOptions } from './loader.js';
import { RefError } from './refcount.js';
import { KernelObjects } from './kernel_objects.js';
import { KsymVars } from './ksym_vars.js';
import type { KconfigValue } from './kconfig.js';
import { EBADF } from '../uapi/errno.js';
import { BPF_PROG_TYPE_SYSCALL } from '../uapi/bpf.js';
/** the kernel objects the runtime simulates for the current task */
type SimObject = 'task' | 'parent' | 'cred';
const SIM_OBJECTS: readonly SimObject[] = ['task', 'parent', 'cred'];

/** The virtual clock's starting point (RuntimeOptions.clock as an object). */
export interface RuntimeClockOptions {
  kind?: 'virtual';
  /** CLOCK_MONOTONIC at start: a duration since boot, e.g. '100s' (default 1000 s: DEFAULT_VIRTUAL_START_NS) */
  start?: Duration;
  /** CLOCK_BOOTTIME at start (default = start) */
  boottime?: Duration;
  /** CLOCK_REALTIME at start: a Date or ns since the epoch (default 2025-01-01T00:00:00Z) */
  realtime?: Date | Duration;
}

export interface RuntimeOptions {
  /** 'virtual' (default): time moves only when told; 'real': the Node event loop drives timers */
  clock?: 'virtual' | 'real' | RuntimeClockOptions;
  /** number of simulated CPUs (per-CPU maps, bpf_get_smp_processor_id); default 1 */
  cpus?: number;
  /** arena limit in bytes (maps, stacks, packets); default and most: 4 GiB - 64 KiB (a wasm32 memory; pages are committed as touched) */
  memoryLimit?: number;
  /** live bpf_timer limit before bpf_timer_init returns -ENOMEM */
  maxTimers?: number;
  /**
   * An explicit instruction cap per run (default: none): a run that executes
   * more fails with VmError kind 'budget'. Verified programs always end; the
   * default guard against a verifier bug is the watchdog, runTimeoutMs.
   */
  maxInsns?: number;
  /**
   * Watchdog: wall-clock ms one run (with its bpf_loop callbacks and tail
   * calls) may take before it fails with VmError kind 'timeout' (default
   * 60 000; Infinity: off). bpf_loop(8M) with a long callback finishes well
   * within it; only a verifier bug can make a verified program run longer.
   */
  runTimeoutMs?: number;
  /**
   * Largest object file loadObject reads from a path (default 256 MiB); the
   * size is checked before reading, and non-regular files are refused.
   */
  maxObjectBytes?: number;
  /**
   * Largest BPF_PROG_TEST_RUN repeat (default 1 000 000; the kernel takes any
   * u32 and runs for as long as that takes): beyond it a run fails with -EINVAL.
   */
  maxRepeat?: number;
  /** seed of bpf_get_prandom_u32, for reproducible runs */
  seed?: number;
  /**
   * The loading process has CAP_BPF (default true). false models an
   * unprivileged loader (kernel.unprivileged_bpf_disabled=0): only socket
   * filter and cgroup skb programs load (-EPERM otherwise), the object's BTF
   * cannot be loaded (BPF_BTF_LOAD needs CAP_BPF; libbpf goes on without it),
   * so maps have no bpf_timer/bpf_spin_lock fields, and the verifier
   * withholds the CAP_BPF helpers (bpf_timer_*, bpf_spin_*, bpf_loop):
   * "program of this type cannot use helper bpf_timer_init#169".
   */
  capBpf?: boolean;
  /**
   * The emulated kernel's Kconfig for .kconfig externs (CONFIG_*, and the
   * LINUX_* values libbpf computes), over DEFAULT_KCONFIG; a load's own
   * `kconfig` option wins over both.
   */
  kconfig?: Readonly<Record<string, KconfigValue>>;
  /**
   * Target BTF of CO-RE relocations: a vmlinux BTF (raw BTF bytes, or a path
   * such as a copy of /sys/kernel/btf/vmlinux). Default: the built-in BTF of
   * what tsbpf emulates (src/btf/kernel/).
   */
  btf?: Uint8Array | string;
  /**
   * The kernel variables typed `.ksyms` externs may name (the kernel's
   * kallsyms for them). Default: every variable of the built-in BTF
   * (`runqueues`, `bpf_prog_active`, `__preempt_count`); a name outside it is
   * refused. `[]` models a kernel built without CONFIG_KALLSYMS_ALL, where
   * every typed variable fails ("ldimm64 failed to find the address for
   * kernel symbol", -ENOENT).
   */
  ksymVars?: readonly string[];
  /** the simulated host (interfaces, routes, neighbours, sockets, cgroups): a Host or its JSON form */
  host?: Host | HostSpec;
  /**
   * The engine programs run on: 'interp' (the reference interpreter) or 'jit'
   * (compiled to WebAssembly at load; an instruction it cannot translate fails
   * the load with JitError). Default: the TSBPF_ENGINE environment variable,
   * else 'jit' where WebAssembly exists ('interp' where it does not).
   * Instruction tracing (`rt.on('insn')`) needs 'interp'.
   */
  engine?: EngineKind;
}

/** RuntimeOptions.maxRepeat's default: the test-run repeat bound (MAX_REPEAT of program.ts) */
export const DEFAULT_MAX_REPEAT = MAX_REPEAT;

export interface RuntimeStats {
  maps: number;
  programs: number;
  timers: number;
  armedTimers: number;
  timerProgRefs: number;
  /**
   * arena memory in use: maps, programs' frames, contexts, timers... but not the runtime-lifetime
   * words the JIT's inlined helpers read (the running CPU, CLOCK_MONOTONIC), made once on first use
   */
  arenaBytes: number;
  arenaBlocks: number;
}

/** Anything a bpf_timer callback or a helper threw: kept, since nobody is there to catch it. */
export interface AsyncError {
  prog: string;
  error: unknown;
}

export type Pinnable = MapHandle | Program;

/** An opt-in record of timer events and program runs (Runtime.recordTimers). */
export interface TimerRecorder {
  /** every event since the recorder started, oldest first */
  readonly events: (TimerEvent | RunEvent)[];
  /** stops recording (the events stay) */
  stop(): void;
}

/**
 * Where a runtime's virtual clock starts: a kernel-like uptime, not 0, since
 * programs use a timestamp of 0 to mean "never seen" (RuntimeClockOptions.start).
 */
export const DEFAULT_VIRTUAL_START_NS = 1_000_000_000_000n; // 1000 s after boot

function virtualClockOptions(c: RuntimeOptions['clock']): VirtualClockOptions {
  if (c === undefined || typeof c === 'string') return { monotonic: DEFAULT_VIRTUAL_START_NS };
  const o: VirtualClockOptions = { monotonic: DEFAULT_VIRTUAL_START_NS };
  if (c.start !== undefined) o.monotonic = parseDuration(c.start);
  if (c.boottime !== undefined) o.boottime = parseDuration(c.boottime);
  if (c.realtime !== undefined) o.realtime = c.realtime instanceof Date ? BigInt(c.realtime.getTime()) * 1_000_000n : parseDuration(c.realtime);
  return o;
}

/** a program running now: its CPU, XDP buffer or sk_buff, and the run's identity for per-run storage */
interface RunFrame {
  prog: ProgObject;
  cpu: number;
  pkt: PacketRun | undefined;
  key: object | undefined;
}

export class Runtime implements HelperEnv, ProgOwner {
  readonly arena: Arena;
  readonly clock: Clock;
  readonly timers: BpfTimerTable<HelperMap, BpfTimerProg>;
  readonly mapEnv: MapEnv;
  readonly cpus: number;
  readonly defaultCpu = 0;
  readonly maxInsns: number | undefined;
  readonly runTimeoutMs: number | undefined;
  /** RuntimeOptions.engine */
  readonly engine: EngineKind;
  readonly maxObjectBytes: number;
  readonly maxRepeat: number;
  /** RuntimeOptions.capBpf */
  readonly capBpf: boolean;
  /** RuntimeOptions.kconfig */
  readonly kconfig: Readonly<Record<string, KconfigValue>>;
  private readonly btfSource: Uint8Array | undefined;
  private target: CoreTarget | undefined;
  /** bpf_trace_printk output, oldest first */
  readonly traceLog: string[] = [];
  /** errors thrown inside timer callbacks */
  readonly asyncErrors: AsyncError[] = [];
  /** the simulated current task tracing helpers see (bpf_get_current_pid_tgid, comm, ...); set its fields freely */
  task: Task = defaultTask();
  /** kernel and user memory bpf_probe_read_* can read (unmapped addresses fault with -EFAULT) */
  readonly memory = new SimMemory();
  /** the tracing triggers running now (innermost last) */
  private readonly traceRuns: TraceRun[] = [];
  /** the simulated host the networking helpers and test runs see (set it up before running) */
  readonly host: Host;

  private readonly helperTable: Map<number, HelperFn>;
  /** the connection tracking table the conntrack kfuncs look up and insert into; tests fill it */
  readonly conntrack: ConntrackTable;
  /**
   * The kernel symbol table typeless `.ksyms` externs resolve against (the
   * kernel's /proc/kallsyms): name -> address. A few are predefined (per-CPU
   * ones at their offsets in the per-CPU area, as kallsyms shows them); tests may add more.
   */
  readonly ksyms = new Map<string, bigint>();
  /**
   * The kernel variables typed `.ksyms` externs name (`runqueues`,
   * `bpf_prog_active`, `__preempt_count`: the VARs of the built-in BTF), laid
   * out by the target BTF, one copy per CPU; `ksymVars.bytes(name, cpu)` shows
   * (and lets a test set) their contents.
   */
  readonly ksymVars: KsymVars;
  /** the kernel structs rt.kernelObject() placed */
  private readonly kernelObjects: KernelObjects;
  private readonly mapsByPtr = new Map<number, MapObject>();
  private readonly progs = new Set<ProgObject>();
  private readonly pins = new Map<string, MapObject | ProgObject>();
  private nextProgId = 1;
  private rng: number;
  private readonly timerListeners = new Set<(e: TimerEvent) => void>();
  private readonly runListeners = new Set<(e: RunEvent) => void>();
  private readonly insnListeners = new Set<(e: InsnEvent) => void>();
  private lastTraced: ProgObject | undefined;
  /** each traced timer's key (see timerWhere) */
  private readonly timerKeys = new WeakMap<object, Uint8Array>();
  /** timer callbacks running now (their runs are not test runs) */
  private inCallback = 0;
  // the program running now, its CPU and XDP buffer (a stack: callbacks nest in helpers)
  private readonly running: RunFrame[] = [];
  /** the timer callbacks' frames, one per nesting depth, reused (a callback allocates none) */
  private readonly callbackFrames: RunFrame[] = [];
  /** the CPU each running callback's caller had */
  private readonly callbackCpus: number[] = [];
  /** the timer lane (a JIT runtime on the virtual clock) */
  private readonly lane: RuntimeTimerLane | undefined;
  /** withProg's frames, one per nesting depth, reused (a test run's repetitions allocate none) */
  private readonly runFrames: RunFrame[] = [];

  constructor(opts: RuntimeOptions = {}) {
    // the current task's task_struct fields, where the test mapped nothing at its address
    this.memory.kernel.fallback = (addr) => this.taskStructByte(addr);
    this.cpus = Math.max(1, opts.cpus ?? 1);
    this.maxInsns = opts.maxInsns;
    this.runTimeoutMs = opts.runTimeoutMs;
    this.engine = resolveEngine(opts.engine);
    this.maxObjectBytes = opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.maxRepeat = opts.maxRepeat ?? DEFAULT_MAX_REPEAT;
    this.capBpf = opts.capBpf ?? true;
    this.kconfig = { ...(opts.kconfig ?? {}) };
    // a path is read now (a missing file fails here), parsed on first use
    this.btfSource = typeof opts.btf === 'string' ? readInputFile(opts.btf, 'BTF file', this.maxObjectBytes) : opts.btf;
    this.host = opts.host instanceof Host ? opts.host : new Host(opts.host);
    this.arena = new Arena(opts.memoryLimit === undefined ? {} : { maxBytes: opts.memoryLimit });
    this.clock = opts.clock === 'real' ? new RealClock() : new VirtualClock(virtualClockOptions(opts.clock));
    this.rng = (opts.seed ?? 0x9e3779b9) >>> 0 || 1;
    this.mapEnv = new MapEnv({
      arena: this.arena,
      nCpus: this.cpus,
      onFreeSpecial: (map, valuePtr) => this.freeSpecial(map, valuePtr),
    });
    // devmap entries name devices of the simulated host
    this.mapEnv.netdevExists = (ifindex) => this.host.dev(ifindex) !== undefined;
    // an outer map's slots hold references (bpf_map_inc, not a uref) on its inner maps
    this.mapEnv.mapRefs = {
      get: (ufd) => {
        const m = this.mapEnv.byId.get(ufd);
        const o = m === undefined ? undefined : this.mapsByPtr.get(m.ptr);
        if (m === undefined || o === undefined || o.isFreed) return -EBADF;
        o.inc();
        return m;
      },
      put: (m) => this.mapsByPtr.get(m.ptr)?.put(),
      id: (m) => m.id,
    };
    // a prog array's slots hold program references; user space names a program by its id
    this.mapEnv.progs = {
      get: (ufd) => {
        const p = this.progById(ufd);
        if (p === undefined) return -EBADF;
        p.inc();
        return p;
      },
      put: (p) => (p as ProgObject).put(),
      id: (p) => (p as ProgObject).id,
      compat: (p) => (p as ProgObject).compat,
    };
    this.timers = new BpfTimerTable<HelperMap, BpfTimerProg>({
      clock: this.clock,
      memory: this.arena,
      fire: (map, keyPtr, valuePtr, prog, pc, cpu) => this.fireTimer(map, keyPtr, valuePtr, prog as ProgObject, pc, cpu),
      ...(opts.maxTimers === undefined ? {} : { maxTimers: opts.maxTimers }),
    });
    // a JIT runtime on the virtual clock keeps its monotonic timers in the timer lane (src/jit/lane.ts)
    if (this.engine === 'jit' && this.clock instanceof VirtualClock) {
      this.lane = new RuntimeTimerLane({
        arena: this.arena,
        clock: this.clock,
        timers: this.timers,
        cpuCell: () => this.mapEnv.currentCpuCell(),
        beginCallback: (prog, cpu) => this.beginCallback(prog, cpu),
        endCallback: () => this.endCallback(),
        restoreCpu: () => { this.mapEnv.currentCpu = this.mapEnv.currentCpu; },
        callbackFailed: (prog, error) => { this.asyncErrors.push({ prog: prog.name, error }); },
        programRunning: () => this.running.length > 0,
      });
    }
    this.helperTable = createHelpers(this);
    // a bpf_loop call the verifier inlines runs as the inlined sequence (the loader patches its id)
    this.helperTable.set(BPF_FUNC_loop_inlined, bpf_loop_inlined);
    // verified kfunc calls run as internal helper ids (the loader rewrites them)
    this.conntrack = new ConntrackTable(() => this.clock.now(CLOCK_MONOTONIC));
    for (const [id, fn] of createKfuncs(this)) this.helperTable.set(id, fn);
    for (const [name, addr] of RUNTIME_KSYMS) this.ksyms.set(name, addr);
    this.ksymVars = new KsymVars(this.arena, this.cpus, () => this.coreTarget.btf, opts.ksymVars);
    this.kernelObjects = new KernelObjects(this.arena, () => this.coreTarget.btf);
  }

  /**
   * A kernel struct for a tracing program's arguments (`struct filename`,
   * `struct task_struct`, ...), laid out by the target BTF in memory programs
   * read directly; pointer members take strings and nested objects too.
   * Returns its address: `prog.trigger({ args: [-100, rt.kernelObject('filename', { name: '/tmp/x' })] })`.
   */
  kernelObject(struct: string, fields: Record<string, unknown> = {}): bigint {
    return this.kernelObjects.create(struct, fields);
  }

  /** bpf_per_cpu_ptr / bpf_this_cpu_ptr: CPU `cpu`'s copy of a per-CPU variable, 0 when there is none. */
  percpuPtr(ptr: number, cpu: number): number {
    return this.ksymVars.percpuPtr(ptr, cpu);
  }

  /** The target BTF of CO-RE relocations (RuntimeOptions.btf, or the built-in one), parsed on first use. */
  get coreTarget(): CoreTarget {
    if (!this.target) {
      const src = this.btfSource;
      this.target = { btf: src === undefined ? builtinKernelBtf() : new Btf(src), name: 'vmlinux' };
    }
    return this.target;
  }

  /** The virtual clock (throws on a real-clock runtime). */
  get virtualClock(): VirtualClock {
    if (!(this.clock instanceof VirtualClock)) throw new Error('this runtime runs on the real clock');
    return this.clock;
  }

  /** Parses an object file (path or bytes), creates its maps, verifies and loads its programs. */
  async loadObject(source: string | Uint8Array, opts: LoadOptions = {}): Promise<BpfObject> {
    // node:fs is reached through a dynamic import, not at the top, so the core bundles for the browser
    const bytes = typeof source === 'string'
      ? readInputFile(source, 'object file', this.maxObjectBytes) : source;
    const name = opts.name ?? (typeof source === 'string' ? source : undefined);
    return loadCollection(this, bytes, name === undefined ? opts : { ...opts, name });
  }

  /** Synchronous variant of loadObject for bytes already in memory. */
  loadObjectBytes(bytes: Uint8Array, opts: LoadOptions = {}): BpfObject {
    return loadCollection(this, bytes, opts);
  }

  // ---- object registry (used by the loader) ----

  /** @internal */
  registerMap(map: BpfMap, btfInfo?: { btf: import('../btf/btf.js').Btf; keyTypeId: number; valueTypeId: number }): MapObject {
    const obj = new MapObject(this, map, btfInfo?.btf, btfInfo?.valueTypeId ?? 0, btfInfo?.keyTypeId ?? 0);
    // struct bpf_map as a map-pointer load reads it: the creator's BTF ids and CAP_PERFMON
    setMapHeaderBtf(this.arena.dv, map.ptr, btfInfo?.keyTypeId ?? 0, btfInfo?.valueTypeId ?? 0);
    setMapHeaderBypassSpec(this.arena.dv, map.ptr, map.type, this.capBpf);
    this.mapsByPtr.set(map.ptr, obj);
    return obj;
  }

  /** Does this runtime implement helper id (enum bpf_func_id)? */
  implementsHelper(id: number): boolean {
    return this.helperTable.has(id);
  }

  /** @internal */
  createProg(name: string, type: number, insns: readonly Insn[], maps: MapObject[], info: { maxCtxOffset?: number; directAccess?: Uint8Array; callbacks?: readonly number[]; compat?: Partial<ProgCompat> } = {}): ProgObject {
    // the verifier's proven accesses, for the JIT (the interpreter checks every access)
    if (info.directAccess !== undefined) setDirectAccess(insns, info.directAccess);
    // the callbacks' entries, for the JIT's first compile
    if (info.callbacks !== undefined && info.callbacks.length > 0) setCallbackEntries(insns, info.callbacks);
    const env: VmEnv = {
      arena: this.arena,
      helper: (id) => this.helperTable.get(id),
      ...(this.lane === undefined ? {} : { timerLane: this.lane.lane }),
      tailCallTarget: (t) => (t instanceof ProgObject ? t.insns : undefined),
      kernelRead: (addr, size) => this.kernelRead(addr, size),
    };
    const c: ProgCompat = { type, expectedAttachType: 0, xdpHasFrags: false, sleepable: false, attachTo: '', ...info.compat };
    const p = new ProgObject(this, this.nextProgId++, name, type, insns, maps, env, this.maxInsns, info.maxCtxOffset ?? 0, this.runTimeoutMs, c, this.engine);
    this.progs.add(p);
    if (this.insnListeners.size > 0) p.vm.tracer = this.insnTracer;
    return p;
  }

  /** A live program by id (what BPF_PROG_GET_FD_BY_ID finds), or undefined. */
  progById(id: number): ProgObject | undefined {
    for (const p of this.progs) if (p.id === id && !p.isFreed) return p;
    return undefined;
  }

  mapFreed(m: MapObject): void {
    this.mapsByPtr.delete(m.ptr);
  }

  progFreed(p: ProgObject): void {
    this.progs.delete(p);
    this.lane?.progFreed(p);
  }

  // ---- pinning (bpffs) ----

  /** Pins a map or program at `path`: it stays alive (and a map keeps its timers) without handles. */
  pin(obj: Pinnable, path: string): void {
    if (this.pins.has(path)) throw new RefError(`pin path '${path}' already exists (EEXIST)`);
    if (obj.isClosed) throw new RefError(`cannot pin a closed handle`);
    if (obj instanceof MapHandle) obj.object.incUref();
    else obj.object.inc();
    this.pins.set(path, obj.object);
  }

  unpin(path: string): void {
    const o = this.pins.get(path);
    if (!o) throw new RefError(`no pin at '${path}' (ENOENT)`);
    this.pins.delete(path);
    if (o instanceof MapObject) o.putUref();
    else o.put();
  }

  /** A new handle on a pinned object (like BPF_OBJ_GET). */
  getPinned(path: string): MapHandle | Program {
    const o = this.pins.get(path);
    if (!o) throw new RefError(`no pin at '${path}' (ENOENT)`);
    return o instanceof MapObject ? new MapHandle(o) : new Program(o);
  }

  pinnedPaths(): string[] {
    return [...this.pins.keys()];
  }

  stats(): RuntimeStats {
    const t = this.timers.stats();
    const internal = this.internalArena();
    return {
      maps: this.mapsByPtr.size,
      programs: this.progs.size,
      timers: t.live,
      armedTimers: t.armed,
      timerProgRefs: t.progRefs,
      arenaBytes: this.arena.bytesInUse - internal.bytes,
      arenaBlocks: this.arena.liveBlocks - internal.blocks,
    };
  }

  /** the runtime-lifetime words of the JIT's inlined helpers (RuntimeStats.arenaBytes leaves them out) */
  private internalArena(): { bytes: number; blocks: number } {
    const ktime = this.helperTable.get(BPF_FUNC_ktime_get_ns) as (HelperFn & InlinableValue) | undefined;
    let bytes = 0, blocks = 0;
    for (const cell of [this.mapEnv.cpuCellAllocated, ktime?.allocatedCell?.() ?? 0, ...(this.lane?.internalBlocks() ?? [])]) {
      const b = cell === 0 ? undefined : this.arena.blockOf(cell);
      if (b !== undefined) { bytes += b[1] - b[0]; blocks++; }
    }
    return { bytes, blocks };
  }

  // ---- HelperEnv ----

  currentTask(): Task {
    return this.task;
  }

  mapFromPtr(ptr: number): HelperMap | undefined {
    return this.mapsByPtr.get(ptr);
  }

  currentProg(): BpfTimerProg {
    const top = this.running[this.running.length - 1];
    if (!top) throw new Error('no program is running');
    return top.prog;
  }

  currentRun(): object | undefined {
    const top = this.running[this.running.length - 1];
    // the run's identity (bpf_get_local_storage's storage of this run), made when first asked for
    return top === undefined ? undefined : (top.key ??= {});
  }

  private kernelLayouts = new Map<string, { fields: ReadonlyMap<string, { offset: number; size: number }>; size: number }>();
  private taskImage: { key: string; images: Record<SimObject, [number, Uint8Array][]> } | undefined;

  /** the target BTF's struct `name`: member offsets and the struct's size */
  private kernelLayout(name: string): { fields: ReadonlyMap<string, { offset: number; size: number }>; size: number } {
    let l = this.kernelLayouts.get(name);
    if (!l) {
      const btf = this.coreTarget.btf;
      const t = btf.typeByName(name, BTF_KIND_STRUCT);
      this.kernelLayouts.set(name, l = { fields: structLayout(btf, name) ?? new Map(), size: t && 'size' in t ? t.size : 0 });
    }
    return l;
  }

  /** Which simulated kernel object `addr` lies in (the current task's task_struct, its parent's, its cred) and at what offset. */
  private simObjectAt(addr: bigint): { obj: SimObject; off: number } | undefined {
    const t = this.task;
    for (const obj of SIM_OBJECTS) {
      const base = obj === 'task' ? BigInt.asUintN(64, t.taskStruct) : obj === 'parent' ? parentTaskStruct(t) : taskCred(t);
      const size = BigInt(Math.min(this.kernelLayout(obj === 'cred' ? 'cred' : 'task_struct').size || 1 << 16, Number(PARENT_TASK_OFFSET)));
      const off = addr - base;
      if (off >= 0n && off < size) return { obj, off: Number(off) };
    }
    return undefined;
  }

  /** A byte of a simulated kernel object (the fields taskStructFields / credFields lay out at the target BTF's offsets), or undefined. */
  private taskStructByte(addr: bigint): number | undefined {
    const at = this.simObjectAt(addr);
    if (!at) return undefined;
    const t = this.task;
    const key = `${t.pid}:${t.tgid}:${t.exitCode}:${t.comm}:${t.ppid}:${t.uid}:${t.gid}:${t.taskStruct}`;
    if (this.taskImage?.key !== key) {
      const ts = this.kernelLayout('task_struct').fields;
      this.taskImage = { key, images: { task: taskStructFields(t, ts), parent: taskStructFields(t, ts, true), cred: credFields(t, this.kernelLayout('cred').fields) } };
    }
    const o = at.off;
    for (const [f, b] of this.taskImage.images[at.obj]) if (o >= f && o < f + b.length) return b[o - f];
    return undefined;
  }

  /** VmEnv.kernelRead: kernel memory for BPF_PROBE_MEM loads; a simulated object's other fields are an error, not 0. */
  private kernelRead(addr: bigint, size: number): Uint8Array | string | undefined {
    const b = this.memory.kernel.read(addr, size);
    if (b) return b;
    const at = this.simObjectAt(addr);
    if (!at) return undefined;
    let field = '';
    for (const [n, m] of this.kernelLayout(at.obj === 'cred' ? 'cred' : 'task_struct').fields) if (at.off >= m.offset && at.off < m.offset + m.size) field = ` (${n})`;
    const what = at.obj === 'task' ? 'task_struct' : at.obj === 'parent' ? 'parent\'s task_struct' : 'cred';
    return `read of ${size} bytes at 0x${addr.toString(16)}: offset ${at.off}${field} of the simulated ${what}, which tsbpf does not fill in `
      + '(task_struct: pid, tgid, comm, exit_code, real_parent, parent, group_leader, real_cred, cred; the parent: pid, tgid, group_leader; cred: the uids and gids)';
  }

  /** Sets fields of the simulated current task (the rest keep their values). */
  setTask(t: Partial<Task>): void {
    this.task = { ...this.task, ...t };
  }

  currentTrace(): TraceRun | undefined {
    return this.traceRuns[this.traceRuns.length - 1];
  }

  /** @internal runs fn while `t` is the current tracing trigger */
  withTrace<T>(t: TraceRun, fn: () => T): T {
    this.traceRuns.push(t);
    try {
      return fn();
    } finally {
      this.traceRuns.pop();
    }
  }

  currentXdp(): XdpBuff | undefined {
    return this.running[this.running.length - 1]?.pkt?.xdp;
  }

  currentPacket(): PacketRun | undefined {
    return this.running[this.running.length - 1]?.pkt;
  }

  trace(line: string): void {
    this.traceLog.push(line);
  }

  /** xorshift32: deterministic per runtime seed */
  prandomU32(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  tailCallTarget(map: BpfMap, index: number): unknown {
    const at = (map as unknown as { at?: (i: number) => unknown }).at;
    return typeof at === 'function' ? at.call(map, index) : undefined;
  }

  withProg<T>(prog: ProgObject, cpu: number, pkt: PacketRun | undefined, fn: () => T, run?: object): T {
    const traced = this.runListeners.size > 0 && this.running.length === 0 && this.inCallback === 0;
    const depth = this.running.length;
    let f = this.runFrames[depth];
    if (f === undefined) {
      f = { prog, cpu, pkt, key: run };
      this.runFrames[depth] = f;
    } else {
      f.prog = prog;
      f.cpu = cpu;
      f.pkt = pkt;
      f.key = run;
    }
    this.running.push(f);
    const savedCpu = this.mapEnv.currentCpu;
    this.mapEnv.currentCpu = cpu;
    this.mapEnv.rcuReadLock();
    // a syscall program's bpf_timer_start fires due timers at once (timerStarted): not in the lane
    const laneStart = this.lane !== undefined && prog.type === BPF_PROG_TYPE_SYSCALL ? this.lane.lane.allowStart(false) : undefined;
    try {
      const r = fn();
      if (traced) {
        const e: RunEvent = { type: 'run', time: this.clock.now(CLOCK_MONOTONIC), prog: prog.name, cpu, retval: Number(BigInt(r as bigint) & 0xffffffffn) };
        for (const l of this.runListeners) l(e);
      }
      return r;
    } finally {
      if (laneStart !== undefined) this.lane!.lane.allowStart(laneStart);
      this.mapEnv.rcuReadUnlock();
      this.mapEnv.currentCpu = savedCpu;
      this.running.pop();
    }
  }

  /**
   * A read-side section around a whole test run: memory freed during the run
   * or the callbacks it triggers is reused only after all of them returned.
   */
  readSection<T>(fn: () => T): T {
    this.mapEnv.rcuReadLock();
    try {
      return fn();
    } finally {
      this.mapEnv.rcuReadUnlock();
    }
  }

  // ---- timers ----

  /** the map layer releases an element's special fields: free its timer */
  private freeSpecial(map: BpfMap, valuePtr: number): void {
    for (const off of map.special.timers) {
      const field = valuePtr + off;
      if (this.arena.dv.getUint32(field, true) !== 0) this.timers.cancelAndFree(field, this.mapEnv.freeReason ?? 'element');
    }
  }

  /**
   * bpf_timer_cb's call of callback_fn(map, key, value): withProg's bookkeeping
   * (current program and CPU, an RCU read-side section) without a closure, a
   * frame object or bigint arguments, so a callback allocates nothing.
   */
  private fireTimer(map: HelperMap, keyPtr: number, valuePtr: number, prog: ProgObject, pc: number, cpu: number): void {
    const m = map as MapObject;
    this.beginCallback(prog, cpu);
    try {
      prog.vm.runCallback(pc, m.ptr, keyPtr, valuePtr);
    } catch (error) {
      this.asyncErrors.push({ prog: prog.name, error });
    } finally {
      this.endCallback();
    }
  }

  /** a timer callback of `prog` on `cpu` begins: it is the running program, in an RCU read-side section */
  private beginCallback(prog: ProgObject, cpu: number): void {
    this.inCallback++;
    const depth = this.running.length;
    let f = this.callbackFrames[depth];
    if (f === undefined) {
      f = { prog, cpu, pkt: undefined, key: undefined };
      this.callbackFrames[depth] = f;
    } else {
      f.prog = prog;
      f.cpu = cpu;
      f.key = undefined;
    }
    this.running.push(f);
    this.callbackCpus.push(this.mapEnv.currentCpu);
    this.mapEnv.currentCpu = cpu;
    this.mapEnv.rcuReadLock();
    prog.vm.cpu = cpu;
  }

  private endCallback(): void {
    this.mapEnv.rcuReadUnlock();
    this.mapEnv.currentCpu = this.callbackCpus.pop()!;
    this.running.pop();
    this.inCallback--;
  }

  // ---- the timer trace (src/timers/trace.ts) ----

  /**
   * Subscribes to timer events ('timer': init, set_callback, start, cancel,
   * fire, free) or program test runs ('run'). Returns the unsubscribe function.
   */
  on(event: 'timer', fn: (e: TimerEvent) => void): () => void;
  on(event: 'run', fn: (e: RunEvent) => void): () => void;
  /** every executed instruction with the registers it changed (slow: the interpreter single-steps) */
  on(event: 'insn', fn: (e: InsnEvent) => void): () => void;
  on(event: 'timer' | 'run' | 'insn', fn: ((e: TimerEvent) => void) | ((e: RunEvent) => void) | ((e: InsnEvent) => void)): () => void {
    if (event === 'insn') {
      // refused here, before any load: the JIT has no single-step hook
      if (this.engine !== 'interp') {
        throw new TypeError("instruction tracing (rt.on('insn'), tsbpf run --trace-insn) needs the interpreter: use engine 'interp' (--engine interp)");
      }
      const f = fn as (e: InsnEvent) => void;
      this.insnListeners.add(f);
      for (const p of this.progs) p.vm.tracer = this.insnTracer;
      return () => {
        this.insnListeners.delete(f);
        if (this.insnListeners.size === 0) for (const p of this.progs) p.vm.tracer = undefined;
      };
    }
    if (event === 'run') {
      const f = fn as (e: RunEvent) => void;
      this.runListeners.add(f);
      return () => { this.runListeners.delete(f); };
    }
    if (event !== 'timer') throw new TypeError(`unknown event '${String(event)}' (timer, run, insn)`);
    const f = fn as (e: TimerEvent) => void;
    this.timerListeners.add(f);
    this.timers.observer = (e) => this.emitTimer(e);
    return () => {
      this.timerListeners.delete(f);
      if (this.timerListeners.size === 0) this.timers.observer = undefined;
    };
  }

  /** the interpreters' single-step hook: names the program and formats the instruction */
  private readonly insnTracer: InsnTracer = (step) => {
    let prog = this.lastTraced;
    if (prog?.insns !== step.insns) {
      prog = undefined;
      for (const p of this.progs) if (p.insns === step.insns) { prog = p; break; }
      this.lastTraced = prog;
    }
    const e: InsnEvent = {
      type: 'insn', prog: prog?.name ?? '?', progId: prog?.id ?? 0, pc: step.pc, level: step.level - 1,
      text: insnText(step.insns, step.pc), changed: step.changed,
    };
    if (step.faulted) e.faulted = true;
    for (const l of this.insnListeners) l(e);
  };

  /** Records every timer event and program run from now on. */
  recordTimers(): TimerRecorder {
    const events: (TimerEvent | RunEvent)[] = [];
    const offT = this.on('timer', (e) => events.push(e));
    const offR = this.on('run', (e) => events.push(e));
    return { events, stop: () => { offT(); offR(); } };
  }

  /** MapOwner: the timer in field `fieldOff` of `map`'s element `key`, for typed reads */
  timerAt(map: MapObject, key: Uint8Array, fieldOff: number): TimerFieldState {
    for (const t of this.timers.live()) {
      if (t.map !== map || t.field - t.value !== fieldOff) continue;
      const k = this.timerWhere(t).key;
      if (k.length !== key.length || k.some((b, i) => b !== key[i])) continue;
      const state = this.timers.running === t ? 'running' : t.queued ? 'armed' : 'idle';
      return t.queued ? { state, expires: t.expires } : { state };
    }
    return { state: 'uninit' };
  }

  /** Every live bpf_timer now: map, key, state, expiry, callback. */
  liveTimers(): TimerInfo[] {
    const out: TimerInfo[] = [];
    for (const t of this.timers.live()) {
      const info: TimerInfo = {
        ...this.timerWhere(t),
        state: this.timers.running === t ? 'running' : t.queued ? 'armed' : 'idle',
        cpu: t.cpu,
        pinned: t.pinned,
      };
      if (t.queued) info.expires = t.expires;
      if (t.prog !== null) {
        info.prog = (t.prog as ProgObject).name;
        info.callbackPc = t.callbackPc;
      }
      out.push(info);
    }
    return out;
  }

  private timerWhere(t: BpfTimer<HelperMap, BpfTimerProg>): Pick<TimerEvent, 'timer' | 'map' | 'mapId' | 'key' | 'value' | 'clock'> {
    const m = t.map as MapObject;
    // an element's key never changes while it lives; remembered, because at
    // free time (delete/evict) the element has already left its map
    let key = this.timerKeys.get(t);
    if (key === undefined) {
      const keyPtr = m.keyOf(t.value);
      const size = m.map.keySize;
      key = size > 0 && keyPtr > 0 ? this.arena.u8.slice(keyPtr, keyPtr + size) : new Uint8Array(0);
      if (key.length > 0) this.timerKeys.set(t, key);
    }
    return { timer: t.id, map: m.name, mapId: m.map.id, key, value: t.value, clock: timerClockName(t.flags) };
  }

  private emitTimer(raw: BpfTimerTableEvent<HelperMap, BpfTimerProg>): void {
    const t = raw.timer;
    const e: TimerEvent = { type: raw.type, time: this.clock.now(CLOCK_MONOTONIC), ...this.timerWhere(t) };
    if (raw.ret !== undefined) e.ret = raw.ret;
    if (raw.nsecs !== undefined) e.nsecs = raw.nsecs;
    if (raw.flags !== undefined) e.flags = raw.flags;
    if (raw.reason !== undefined) e.reason = raw.reason;
    if (raw.type === 'start' || raw.type === 'fire') {
      e.expires = t.expires;
      e.cpu = t.cpu;
    }
    if ((raw.type === 'set_callback' || raw.type === 'fire') && t.prog !== null) {
      e.prog = (t.prog as ProgObject).name;
      e.callbackPc = t.callbackPc;
    }
    if (raw.type === 'fire') e.lateness = this.clock.stats().latenessLastNs;
    for (const l of this.timerListeners) l(e);
  }

  /** ProgOwner: local_bh_enable after a test run — timers already due fire (time does not move). */
  runSoftirqs(): void {
    // virtual clock, nothing armed: nothing can be due, skip the expiry loop (its set-up was most
    // of a nop run's softirq cost, bench/RESULTS.md 9j). The real clock's runDue drains its list of
    // timers raised since the last pass (cancelled ones included) and exits early when it is empty.
    const c = this.clock;
    if (c.kind === 'virtual' && c.pending === 0) return;
    c.runDue();
  }

  /**
   * HelperEnv: a SEC("syscall") program runs with softirqs enabled (the
   * kernel's bpf_prog_test_run_syscall does not disable BHs), so a timer it
   * starts already due (0 ns, or an absolute time passed) fires inside
   * bpf_timer_start, before the program's next instruction. Other program
   * types run with BHs disabled: such a timer fires when the run ends
   * (runSoftirqs); callbacks run in the softirq, whose loop picks it up.
   */
  timerStarted(): void {
    const top = this.running[this.running.length - 1];
    if (top && top.prog.type === BPF_PROG_TYPE_SYSCALL && this.timers.running === null) this.clock.runDue();
  }

  /** Lets the process exit while timers are armed (real clock). */
  unref(): void {
    if (this.clock instanceof RealClock) this.clock.unref();
  }

  ref(): void {
    if (this.clock instanceof RealClock) this.clock.ref();
  }
}

// The bpf_timer state machine: kernel/bpf/helpers.c's bpf_timer_init,
// bpf_timer_set_callback, bpf_timer_start, bpf_timer_cancel,
// bpf_timer_cancel_and_free and bpf_timer_cb, as of Linux 6.18.
//
// A `struct bpf_timer` field (16 bytes in a map value) holds only a u32 id
// into this table (0 = not initialized), as the kernel's holds a pointer to
// its struct bpf_hrtimer. The table knows maps and programs only through the
// small interfaces below, so the runtime can glue it to its own objects.
//
// Sequential model: callbacks never run concurrently with anything, so the
// kernel's cross-CPU cases (bpf_timer_cancel waiting for a callback running on
// another CPU, two callbacks cancelling each other -> -EDEADLK via
// t->cancelling, cancel_and_free punting to a workqueue) collapse to their
// single-CPU outcome.

import { EBUSY, EDEADLK, EINVAL, ENOMEM, EPERM } from '../uapi/errno.js';
import type { Clock } from './clock.js';
import {
  BPF_F_TIMER_ABS, BPF_F_TIMER_CPU_PIN, CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, MAX_CLOCKS,
} from './ktime.js';
import { TimerEntry } from './queue.js';
import type { TimerEventType, TimerFreeReason } from './trace.js';

/** What the table needs of a map. */
export interface BpfTimerMap {
  /**
   * Whether user space holds the map (an fd or a bpffs pin). Maps with
   * timers must be: otherwise nothing would ever cancel them (map_release_uref).
   */
  hasUserRefs(): boolean;
  /**
   * The key pointer a callback gets for the element whose value starts at
   * valuePtr: array maps pass a pointer to the u32 index, hash/LRU maps the
   * element's key (value - round_up(key_size, 8) in the kernel's layout).
   */
  keyOf(valuePtr: number): number;
}

/** What the table needs of a program: a reference count. */
export interface BpfTimerProg {
  ref(): void;
  unref(): void;
}

/** Where `struct bpf_timer` fields live (the Arena satisfies this). */
export interface TimerMemory {
  readonly dv: DataView;
}

/**
 * Runs a timer's callback: callback_fn(map, key, value) in BPF terms, on the
 * CPU that armed the timer. The callback's return value is ignored (the
 * verifier makes it 0).
 */
export type BpfTimerFire<M extends BpfTimerMap, P extends BpfTimerProg> = (
  map: M, keyPtr: number, valuePtr: number, prog: P, callbackPc: number, cpu: number, timer: BpfTimer<M, P>,
) => void;

export interface BpfTimerTableOptions<M extends BpfTimerMap, P extends BpfTimerProg> {
  clock: Clock;
  memory: TimerMemory;
  fire: BpfTimerFire<M, P>;
  /** live timers allowed before bpf_timer_init fails with -ENOMEM (default 2^24) */
  maxTimers?: number;
}

/**
 * The monotonic lane's view of the table (src/runtime/timer_lane.ts): told of
 * every timer's birth and death and of its callback changing, so it can keep
 * the records its WebAssembly code arms and fires from.
 */
export interface BpfTimerLane<M extends BpfTimerMap, P extends BpfTimerProg> {
  /** a new timer on the monotonic queue base: the lane may take it (sets t.lane) */
  init(t: BpfTimer<M, P>): void;
  /** t.prog / t.callbackPc changed (t.prog null: no callback) */
  progChanged(t: BpfTimer<M, P>): void;
  /**
   * t's callback ran through JS: if the lane could not call it itself (its entry not compiled yet,
   * no key word), it may now
   */
  firedByJs(t: BpfTimer<M, P>): void;
  /** t is being freed (already dequeued) */
  free(t: BpfTimer<M, P>): void;
  /** a trace observer came or went: the lane leaves starts and expiries to this table while one is set */
  observed(on: boolean): void;
}

/** A state change, for the trace (src/timers/trace.ts); the runtime adds names and keys. */
export interface BpfTimerTableEvent<M extends BpfTimerMap, P extends BpfTimerProg> {
  type: TimerEventType;
  timer: BpfTimer<M, P>;
  ret?: number;
  nsecs?: bigint;
  flags?: number;
  reason?: TimerFreeReason;
}

export interface BpfTimerStats {
  /** initialized timers (table slots in use) */
  live: number;
  /** live timers that are queued to fire */
  armed: number;
  /** program references held by timers (incl. ones released when the running callback returns) */
  progRefs: number;
}

/** struct bpf_hrtimer: one initialized timer. It is its own queue entry. */
export class BpfTimer<M extends BpfTimerMap = BpfTimerMap, P extends BpfTimerProg = BpfTimerProg> extends TimerEntry {
  /** the clock bpf_timer_init was given (the queue entry's clock may differ, see init) */
  readonly flags: number;
  prog: P | null = null;
  /** callback_fn, as the runtime identifies it (e.g. the subprogram's first insn) */
  callbackPc = -1;
  private pinned0 = false;
  freed = false;

  constructor(
    readonly id: number,
    readonly map: M,
    readonly value: number,
    readonly field: number,
    clockid: number,
    queueClock: number,
    fn: (e: TimerEntry) => void,
  ) {
    super(queueClock, fn);
    this.flags = clockid;
  }

  /** armed with BPF_F_TIMER_CPU_PIN */
  get pinned(): boolean {
    return this.lane !== null ? this.lane.pinnedOf(this.laneId) : this.pinned0;
  }
  set pinned(v: boolean) {
    if (this.lane !== null) this.lane.setPinned(this.laneId, v);
    else this.pinned0 = v;
  }
}

const U64 = (x: bigint | number): bigint => BigInt.asUintN(64, typeof x === 'bigint' ? x : BigInt(Math.trunc(x)));
const TIMER_FLAGS = BigInt(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN);
const F_PIN = BigInt(BPF_F_TIMER_CPU_PIN);
const F_ABS = BigInt(BPF_F_TIMER_ABS);

export class BpfTimerTable<M extends BpfTimerMap = BpfTimerMap, P extends BpfTimerProg = BpfTimerProg> {
  readonly clock: Clock;
  private readonly memory: TimerMemory;
  private readonly fireFn: BpfTimerFire<M, P>;
  readonly maxTimers: number;
  private readonly slots: (BpfTimer<M, P> | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private liveCount = 0;
  private refCount = 0;
  /** hrtimer_running: the timer whose callback is executing */
  private cur: BpfTimer<M, P> | null = null;
  /** program puts deferred until the running callback returns (the kernel frees progs after RCU) */
  private deferredPuts: P[] = [];
  private readonly onExpire = (e: TimerEntry): void => this.timerCb(e as BpfTimer<M, P>);
  private observer0: ((e: BpfTimerTableEvent<M, P>) => void) | undefined;
  /** the monotonic lane, if the runtime has one (attachLane) */
  private lane: BpfTimerLane<M, P> | undefined;

  constructor(opts: BpfTimerTableOptions<M, P>) {
    this.clock = opts.clock;
    this.memory = opts.memory;
    this.fireFn = opts.fire;
    this.maxTimers = opts.maxTimers ?? 1 << 24;
  }

  /** told of every state change when set (the timer trace); unset costs one check per call */
  get observer(): ((e: BpfTimerTableEvent<M, P>) => void) | undefined {
    return this.observer0;
  }
  set observer(fn: ((e: BpfTimerTableEvent<M, P>) => void) | undefined) {
    this.observer0 = fn;
    this.lane?.observed(fn !== undefined);
  }

  /** Lets `lane` keep the monotonic timers' queue state; before the first timer exists. */
  attachLane(lane: BpfTimerLane<M, P>): void {
    if (this.liveCount !== 0) throw new Error('a lane attaches before the first timer');
    this.lane = lane;
    lane.observed(this.observer0 !== undefined);
  }

  /** The timer with table id `id` (1-based), if live. */
  byId(id: number): BpfTimer<M, P> | undefined {
    return this.slots[id - 1];
  }

  /** The timer a bpf_timer field refers to, or undefined if not initialized. */
  lookup(field: number): BpfTimer<M, P> | undefined {
    const id = this.memory.dv.getUint32(field, true);
    if (id === 0) return undefined;
    const t = this.slots[id - 1];
    // a stale id (field not zeroed by its owner) is not a timer
    return t !== undefined && t.field === field ? t : undefined;
  }

  /** Every live timer, in id order. */
  *live(): IterableIterator<BpfTimer<M, P>> {
    for (const t of this.slots) if (t !== undefined) yield t;
  }

  /** The timer whose callback is running, if any. */
  get running(): BpfTimer<M, P> | null {
    return this.cur;
  }

  /**
   * bpf_timer_init(timer, map, flags). Order of checks as in the kernel:
   * flags/clock (-EINVAL), already initialized (-EBUSY), allocation
   * (-ENOMEM), then the map's user references (-EPERM).
   */
  init(map: M, value: number, field: number, flags: bigint | number): number {
    const f = U64(flags);
    const clockid = Number(f & BigInt(MAX_CLOCKS - 1));
    if (f >= BigInt(MAX_CLOCKS) ||
        (clockid !== CLOCK_MONOTONIC && clockid !== CLOCK_REALTIME && clockid !== CLOCK_BOOTTIME)) {
      return -EINVAL;
    }
    if (this.lookup(field) !== undefined) return -EBUSY;
    if (this.liveCount >= this.maxTimers) return -ENOMEM;
    // checked after publishing the timer in the kernel (racing uref release);
    // failing here frees it again, so the field stays 0
    if (!map.hasUserRefs()) return -EPERM;
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.slots.length + 1;
    // bpf_timer_init sets the hrtimer up with HRTIMER_MODE_REL_SOFT, and
    // hrtimer_setup turns a relative CLOCK_REALTIME timer into CLOCK_MONOTONIC
    // ("POSIX magic"): a BPF realtime timer runs on the monotonic base, even
    // when later started with BPF_F_TIMER_ABS.
    const queueClock = clockid === CLOCK_REALTIME ? CLOCK_MONOTONIC : clockid;
    const t = new BpfTimer<M, P>(id, map, value, field, clockid, queueClock, this.onExpire);
    this.slots[id - 1] = t;
    this.liveCount++;
    this.memory.dv.setUint32(field, id, true);
    this.lane?.init(t);
    this.observer?.({ type: 'init', timer: t, ret: 0 });
    return 0;
  }

  /**
   * bpf_timer_set_callback(timer, callback_fn). Takes one reference on the
   * calling program; a different program moves it.
   */
  setCallback(field: number, prog: P, callbackPc: number): number {
    const t = this.lookup(field);
    if (t === undefined) return -EINVAL;
    if (!t.map.hasUserRefs()) return -EPERM;
    const prev = t.prog;
    const same = prev === prog && t.callbackPc === callbackPc;
    if (prev !== prog) {
      prog.ref();
      this.refCount++;
      if (prev !== null) this.put(prev);
      t.prog = prog;
    }
    t.callbackPc = callbackPc;
    // (the same callback again: the lane's record already says so)
    if (t.lane !== null && !same) this.lane!.progChanged(t);
    this.observer?.({ type: 'set_callback', timer: t, ret: 0 });
    return 0;
  }

  /**
   * bpf_timer_start(timer, nsecs, flags) on CPU `cpu`. Relative nsecs, or
   * absolute with BPF_F_TIMER_ABS, on the timer's clock; re-starting an armed
   * timer moves it.
   */
  start(field: number, nsecs: bigint | number, flags: bigint | number, cpu = 0): number {
    // flags 0, the common case, costs no bigint arithmetic
    const f = flags === 0n || flags === 0 ? 0n : U64(flags);
    if (f !== 0n && (f & ~TIMER_FLAGS) !== 0n) return -EINVAL;
    const t = this.lookup(field);
    if (t === undefined || t.prog === null) return -EINVAL;
    t.cpu = cpu;
    t.pinned = f !== 0n && (f & F_PIN) !== 0n;
    this.clock.schedule(t, U64(nsecs), f !== 0n && (f & F_ABS) !== 0n);
    this.observer?.({ type: 'start', timer: t, ret: 0, nsecs: U64(nsecs), flags: Number(f) });
    return 0;
  }

  /**
   * start() with flags 0 and a relative nsecs below 2^53 given as a number
   * (the JIT's bpf_timer_start, src/helpers/timer.ts): the same state changes
   * and results; the virtual clock arms it without a bigint, anything else
   * (the real clock, a trace observer, other clocks) goes through start().
   */
  startRelN(field: number, nsecs: number, cpu: number): number {
    const sched = this.clock.scheduleRelN;
    if (this.observer !== undefined || sched === undefined) return this.start(field, BigInt(nsecs), 0n, cpu);
    const t = this.lookup(field);
    if (t === undefined || t.prog === null) return -EINVAL;
    t.cpu = cpu;
    t.pinned = false;
    if (!sched.call(this.clock, t, nsecs)) this.clock.schedule(t, BigInt(nsecs), false);
    return 0;
  }

  /**
   * bpf_timer_cancel(timer): 1 if it was armed, 0 if not. As in 6.18 it also
   * drops the callback and the program reference, so the timer must get a
   * new bpf_timer_set_callback before it can be started again. From the
   * timer's own callback: -EDEADLK, and nothing changes.
   */
  cancel(field: number): number {
    const t = this.lookup(field);
    if (t === undefined) return -EINVAL;
    if (this.cur === t) {
      this.observer?.({ type: 'cancel', timer: t, ret: -EDEADLK });
      return -EDEADLK;
    }
    this.dropProg(t);
    const ret = this.clock.cancel(t) ? 1 : 0;
    this.observer?.({ type: 'cancel', timer: t, ret });
    return ret;
  }

  /**
   * bpf_timer_cancel_and_free(value's timer field): the element is being
   * deleted/updated/evicted, or its map lost its last user reference.
   * Cancels, drops the program reference, frees the id and zeroes the field.
   * From the timer's own callback the callback runs to its end and the timer
   * is gone (even if it re-armed itself first).
   */
  cancelAndFree(field: number, reason: TimerFreeReason = 'element'): void {
    const t = this.lookup(field);
    if (t === undefined) return;
    this.observer?.({ type: 'free', timer: t, reason });
    this.dropProg(t);
    this.memory.dv.setUint32(field, 0, true);
    this.clock.cancel(t);
    if (t.lane !== null) this.lane!.free(t);
    this.slots[t.id - 1] = undefined;
    this.freeIds.push(t.id);
    this.liveCount--;
    t.freed = true;
  }

  /** Cancels and frees every timer of `map` (uref release / map free). Returns how many. */
  cancelAndFreeMap(map: M, reason: TimerFreeReason = 'uref'): number {
    let n = 0;
    for (const t of this.slots) {
      if (t !== undefined && t.map === map) {
        this.cancelAndFree(t.field, reason);
        n++;
      }
    }
    return n;
  }

  stats(): BpfTimerStats {
    let armed = 0;
    for (const t of this.slots) if (t !== undefined && t.queued) armed++;
    return { live: this.liveCount, armed, progRefs: this.refCount };
  }

  /** bpf_timer_cb(): the queue entry expired. */
  private timerCb(t: BpfTimer<M, P>): void {
    const prog = t.prog;
    if (prog === null || t.freed) return; // callback_fn NULL: nothing to run
    const prev = this.enterCallback(t);
    this.observer?.({ type: 'fire', timer: t });
    try {
      this.fireFn(t.map, t.map.keyOf(t.value), t.value, prog, t.callbackPc, t.cpu, t);
    } finally {
      this.leaveCallback(prev);
    }
    if (t.lane !== null && t.prog !== null) this.lane!.firedByJs(t);
  }

  /** hrtimer_running = t for the callback's duration; returns what it was */
  enterCallback(t: BpfTimer<M, P>): BpfTimer<M, P> | null {
    const prev = this.cur;
    this.cur = t;
    return prev;
  }

  /** the callback returned: the outer running timer back, and the program puts it deferred */
  leaveCallback(prev: BpfTimer<M, P> | null): void {
    this.cur = prev;
    if (prev === null && this.deferredPuts.length > 0) {
      const puts = this.deferredPuts;
      this.deferredPuts = [];
      for (const p of puts) {
        this.refCount--;
        p.unref();
      }
    }
  }

  private dropProg(t: BpfTimer<M, P>): void {
    const prog = t.prog;
    if (prog === null) return;
    t.prog = null;
    t.callbackPc = -1;
    if (t.lane !== null) this.lane!.progChanged(t);
    this.put(prog);
  }

  /** bpf_prog_put; while a callback runs the program stays alive until it returns (RCU). */
  private put(prog: P): void {
    if (this.cur !== null) {
      this.deferredPuts.push(prog);
      return;
    }
    this.refCount--;
    prog.unref();
  }
}

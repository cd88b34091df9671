// Clocks: what the rest of the runtime sees of time. A clock owns the timer
// queue and decides when entries fire; the two implementations (virtual.ts,
// real.ts) differ only in where monotonic time comes from and who drives
// expiry. Both keep the kernel's relations between the clocks:
//
//   CLOCK_MONOTONIC  does not count suspend, never jumps
//   CLOCK_BOOTTIME   = monotonic + time spent suspended
//   CLOCK_REALTIME   = monotonic + an offset that settimeofday and suspend move
//
// A queued entry is due by its own clock, as on hrtimer's per-clock bases:
// a suspend makes boottime and realtime entries due, a realtime jump forward
// makes realtime entries due, monotonic entries notice neither.

import {
  BASE_BOOTTIME, BASE_REALTIME, CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_TAI,
  ClockError, NSEC_PER_SEC, TAI_OFFSET_NS, clockName, ktimeAddSafe, parseDuration, toKtime,
  type Duration,
} from './ktime.js';
import { TimerQueue, type TimerEntry } from './queue.js';

export interface ClockStats {
  /** callbacks run since creation (or resetStats) */
  fired: number;
  /** sum of (time the callback started - expiry), ns */
  latenessTotalNs: bigint;
  latenessMaxNs: bigint;
  latenessLastNs: bigint;
}

/** runDue's default callback limit */
export const DUE_CALLBACK_LIMIT = 10_000;

/** Thrown when a run hits its callback limit with timers still due (a self re-arming timer never idles). */
export class TimerLimitError extends ClockError {
  constructor(readonly fired: number, readonly pending: number, why?: string) {
    super(why === undefined
      ? `timer callback limit reached after ${fired} callbacks with ${pending} timer(s) still armed (a timer that re-arms itself never idles)`
      : `${why}: ${fired} callbacks ran, ${pending} timer(s) still armed (a timer that re-arms itself never idles); time stands at the last callback`);
    this.name = 'TimerLimitError';
  }
}

/** The interface the runtime, helpers and bpf_timer table program against. */
export interface Clock {
  readonly kind: 'virtual' | 'real';
  readonly queue: TimerQueue;
  /** (virtual clock) keeps an 8-byte word of `memory` equal to CLOCK_MONOTONIC; see VirtualClock */
  mirrorMonotonic?(memory: { readonly dv: DataView }, addr: number): boolean;
  /** (virtual clock) the word mirrorMonotonic set up in `memory`, 0 if none */
  mirrorCell?(memory: { readonly dv: DataView }): number;
  /** current time on clockid: CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME or CLOCK_TAI */
  now(clockid: number): bigint;
  /** bpf_ktime_get_ns: CLOCK_MONOTONIC */
  ktime_get_ns(): bigint;
  /** bpf_ktime_get_boot_ns: CLOCK_BOOTTIME */
  ktime_get_boot_ns(): bigint;
  /** bpf_ktime_get_coarse_ns: CLOCK_MONOTONIC as of the last tick */
  ktime_get_coarse_ns(): bigint;
  /** CLOCK_REALTIME */
  ktime_get_real_ns(): bigint;
  /** bpf_ktime_get_tai_ns: CLOCK_TAI */
  ktime_get_tai_ns(): bigint;
  /**
   * hrtimer_start(): arms or re-arms `entry`. `ns` is absolute on the entry's
   * clock when `abs`, else relative to now (saturating like ktime_add_safe).
   * `ns` is taken as a u64/s64 as the kernel's ns_to_ktime() does.
   */
  schedule(entry: TimerEntry, ns: bigint, abs: boolean): void;
  /**
   * (virtual clock) schedule(entry, ns, false) without a bigint where that is exact: false when it
   * is not (the caller then uses schedule). Arming never fires anything on the virtual clock.
   */
  scheduleRelN?(entry: TimerEntry, ns: number): boolean;
  /** hrtimer_try_to_cancel() without a running callback: true if it was queued */
  cancel(entry: TimerEntry): boolean;
  /** number of armed entries */
  readonly pending: number;
  /**
   * The hrtimer softirq: runs every timer already due (expiry <= now, e.g.
   * armed with 0 ns) without moving time, including ones those callbacks arm
   * for now; at most `limit` callbacks (a 0 ns timer that re-arms itself is
   * left armed). Does nothing from inside a callback (the running expiry
   * loop picks them up). Returns callbacks run.
   */
  runDue(limit?: number): number;
  /** time passes while "suspended": boottime and realtime move, monotonic does not. Returns callbacks fired. */
  suspend(d: Duration): number;
  /** clock_settime(CLOCK_REALTIME): realtime jumps to t (ns since the epoch, or a Date). Returns callbacks fired. */
  setRealtime(t: Duration | Date): number;
  stats(): ClockStats;
  resetStats(): void;
}

export interface ClockOptions {
  /** CONFIG_HZ, for ktime_get_coarse_ns (default 250, Debian's) */
  hz?: number;
  /** initial CLOCK_REALTIME (ns since the epoch) */
  realtime?: bigint;
}

/** Shared bookkeeping: offsets between the clocks, arming, stats. */
export abstract class ClockBase implements Clock {
  abstract readonly kind: 'virtual' | 'real';
  readonly queue = new TimerQueue();
  protected readonly tickNs: bigint;
  private fired = 0;
  private latenessTotal = 0n;
  private latenessMax = 0n;
  private latenessLast = 0n;

  constructor(opts: ClockOptions, mono: bigint, realtime: bigint) {
    const hz = opts.hz ?? 250;
    if (!Number.isInteger(hz) || hz <= 0) throw new ClockError(`bad hz ${hz}`);
    this.tickNs = NSEC_PER_SEC / BigInt(hz);
    this.queue.offset[BASE_REALTIME] = (opts.realtime ?? realtime) - mono;
  }

  abstract runDue(limit?: number): number;
  /** CLOCK_MONOTONIC now */
  protected abstract mono(): bigint;
  /** called after the queue head may have changed or clocks jumped */
  protected abstract changed(jumped: boolean): number;

  now(clockid: number): bigint {
    switch (clockid) {
      case CLOCK_MONOTONIC: return this.mono();
      case CLOCK_BOOTTIME: return this.mono() + this.queue.offset[BASE_BOOTTIME]!;
      case CLOCK_REALTIME: return this.mono() + this.queue.offset[BASE_REALTIME]!;
      case CLOCK_TAI: return this.mono() + this.queue.offset[BASE_REALTIME]! + TAI_OFFSET_NS;
      default: throw new ClockError(`unsupported ${clockName(clockid)}`);
    }
  }

  ktime_get_ns(): bigint {
    return this.mono();
  }

  ktime_get_boot_ns(): bigint {
    return this.now(CLOCK_BOOTTIME);
  }

  ktime_get_coarse_ns(): bigint {
    const m = this.mono();
    return m - (m % this.tickNs);
  }

  ktime_get_real_ns(): bigint {
    return this.now(CLOCK_REALTIME);
  }

  ktime_get_tai_ns(): bigint {
    return this.now(CLOCK_TAI);
  }

  get pending(): number {
    return this.queue.size;
  }

  schedule(entry: TimerEntry, ns: bigint, abs: boolean): void {
    const t = toKtime(ns);
    const expires = abs ? t : ktimeAddSafe(this.now(entry.clockid), t);
    this.queue.enqueue(entry, expires);
    this.changed(false);
  }

  cancel(entry: TimerEntry): boolean {
    if (!this.queue.remove(entry)) return false;
    this.changed(false);
    return true;
  }

  suspend(d: Duration): number {
    const ns = parseDuration(d);
    this.queue.offset[BASE_BOOTTIME]! += ns;
    this.queue.offset[BASE_REALTIME]! += ns;
    return this.changed(true);
  }

  setRealtime(t: Duration | Date): number {
    const ns = t instanceof Date ? BigInt(t.getTime()) * 1_000_000n : parseDuration(t);
    this.queue.offset[BASE_REALTIME] = ns - this.mono();
    return this.changed(true);
  }

  stats(): ClockStats {
    return {
      fired: this.fired,
      latenessTotalNs: this.latenessTotal,
      latenessMaxNs: this.latenessMax,
      latenessLastNs: this.latenessLast,
    };
  }

  resetStats(): void {
    this.fired = 0;
    this.latenessTotal = 0n;
    this.latenessMax = 0n;
    this.latenessLast = 0n;
  }

  /** `k` callbacks ran on time elsewhere (the timer lane): the stats see them */
  protected countOnTime(k: number): void {
    this.fired += k;
    this.latenessLast = 0n;
  }

  /** Runs a dequeued entry's callback at its expiry (lateness 0): no bigint arithmetic. */
  protected expireOnTime(e: TimerEntry): void {
    this.fired++;
    this.latenessLast = 0n;
    e.fn(e);
  }

  /** Runs a dequeued entry's callback at monotonic time `now`, recording lateness. */
  protected expire(e: TimerEntry, at: bigint, now: bigint): void {
    this.fired++;
    if (now === at) {
      // on time (always, on the virtual clock): no bigint arithmetic
      this.latenessLast = 0n;
    } else {
      const late = now - at;
      this.latenessLast = late;
      this.latenessTotal += late;
      if (late > this.latenessMax) this.latenessMax = late;
    }
    e.fn(e);
  }
}

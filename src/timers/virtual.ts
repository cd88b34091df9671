// The deterministic clock: time moves only when told. Timers fire in
// (expiry, arm order); while a callback runs, time stands at that timer's
// expiry (or at "now" if it was already overdue, e.g. a boottime timer that
// fell due during a suspend — monotonic time never goes backwards).

import { ClockBase, DUE_CALLBACK_LIMIT, TimerLimitError, type ClockOptions } from './clock.js';
import { BASE_MONOTONIC, ClockError, NSEC_PER_SEC, formatDuration, parseDuration, type Duration } from './ktime.js';
import type { TimerEntry } from './queue.js';

export const DEFAULT_CALLBACK_LIMIT = 1_000_000;
/** runUntilIdle's defaults: a periodic timer stops it quickly and cleanly */
export const RUN_UNTIL_IDLE_EVENTS = 100_000;
export const RUN_UNTIL_IDLE_TIME = '1h';

export interface RunUntilIdleOptions {
  /** callbacks to run at most (default 100 000) */
  maxEvents?: number;
  /** virtual time to cover at most (default '1h') */
  maxTime?: Duration;
}

export interface VirtualClockOptions extends ClockOptions {
  /** initial CLOCK_MONOTONIC: ns, or a duration since boot like '100s' (default 0) */
  monotonic?: Duration;
  /** initial CLOCK_BOOTTIME (default = monotonic) */
  boottime?: bigint;
}

// a fixed default epoch so runs are reproducible: 2025-01-01T00:00:00Z
const DEFAULT_REALTIME = 1_735_689_600n * NSEC_PER_SEC;

export class VirtualClock extends ClockBase {
  readonly kind = 'virtual' as const;
  /**
   * CLOCK_MONOTONIC as a number (exact up to 2^53 ns, ~104 days), with the
   * exact bigint beside it past that: time moves and timers fire without
   * allocating (src/timers/queue.ts keeps expiries the same way)
   */
  private nowN = 0;
  private nowX: bigint | undefined = undefined;
  /** BigInt(nowN), made when first asked for after a change */
  private nowB: bigint | undefined = 0n;
  private running = false;
  /** the arena word kept equal to CLOCK_MONOTONIC (mirrorMonotonic), if any */
  private mirror: { readonly dv: DataView } | undefined;
  private mirrorAt = 0;

  /** CLOCK_MONOTONIC; every change also lands in the mirror word */
  private get t(): bigint {
    return this.nowX ?? (this.nowB ??= BigInt(this.nowN));
  }
  private set t(v: bigint) {
    const n = Number(v);
    if (n <= Number.MAX_SAFE_INTEGER) {
      this.setN(n);
      return;
    }
    this.nowN = n;
    this.nowX = v;
    this.nowB = undefined;
    if (this.mirror !== undefined) this.mirror.dv.setBigUint64(this.mirrorAt, v, true);
  }

  /** time to `n` ns, a safe integer (monotonic time is never negative) */
  private setN(n: number): void {
    this.nowN = n;
    this.nowX = undefined;
    this.nowB = undefined;
    const m = this.mirror;
    if (m !== undefined) {
      m.dv.setUint32(this.mirrorAt, n % 0x1_0000_0000, true);
      m.dv.setUint32(this.mirrorAt + 4, Math.floor(n / 0x1_0000_0000), true);
    }
  }

  constructor(opts: VirtualClockOptions = {}) {
    const mono = parseDuration(opts.monotonic ?? 0n);
    super(opts, mono, DEFAULT_REALTIME);
    this.t = mono;
    if (opts.boottime !== undefined) {
      if (opts.boottime < mono) throw new ClockError('boottime cannot be behind monotonic');
      this.queue.offset[1] = opts.boottime - mono;
    }
  }

  protected mono(): bigint {
    return this.t;
  }

  /**
   * Keeps the 8 bytes at `addr` of `memory` equal to CLOCK_MONOTONIC from now
   * on, so compiled code can read bpf_ktime_get_ns instead of calling it.
   * One word per clock: false if another one was set up already.
   */
  mirrorMonotonic(memory: { readonly dv: DataView }, addr: number): boolean {
    if (this.mirror !== undefined) return this.mirror === memory && this.mirrorAt === addr;
    this.mirror = memory;
    this.mirrorAt = addr;
    memory.dv.setBigUint64(addr, this.t, true);
    return true;
  }

  mirrorCell(memory: { readonly dv: DataView }): number {
    return this.mirror === memory ? this.mirrorAt : 0;
  }

  /**
   * Time as the mirror word says: the timer lane moves it there while it
   * fires (src/jit/lane.ts); this reads it back.
   */
  syncMirror(): void {
    const m = this.mirror;
    if (m === undefined) return;
    const lo = m.dv.getUint32(this.mirrorAt, true), hi = m.dv.getUint32(this.mirrorAt + 4, true);
    const n = hi * 0x1_0000_0000 + lo;
    if (n === this.nowN && this.nowX === undefined) return;
    if (n <= Number.MAX_SAFE_INTEGER) {
      this.nowN = n;
      this.nowX = undefined;
      this.nowB = undefined;
    } else {
      this.nowX = m.dv.getBigUint64(this.mirrorAt, true);
      this.nowN = Number(this.nowX);
      this.nowB = undefined;
    }
  }

  /**
   * bpf_timer_start's common case without a bigint: `entry` (a monotonic-base
   * entry) armed `ns` ns from now, when now + ns is a safe integer (then
   * ktime_add_safe cannot saturate and the sum is exact). False: use schedule().
   */
  scheduleRelN(entry: TimerEntry, ns: number): boolean {
    const at = this.nowN + ns;
    if (entry.base !== BASE_MONOTONIC || this.nowX !== undefined || !(at <= Number.MAX_SAFE_INTEGER)) return false;
    this.queue.enqueueN(entry, at);
    return true;
  }

  protected changed(jumped: boolean): number {
    // arming never fires anything; a jump fires what it made due, as
    // clock_was_set() retriggers the hrtimer bases on resume/settime
    if (!jumped || this.running) return 0;
    return this.fire(this.t, DEFAULT_CALLBACK_LIMIT, Infinity);
  }

  /**
   * Moves time forward by d, firing every timer due up to now+d — including
   * ones armed by callbacks during the advance if they fall due within it.
   * Returns the number of callbacks run. Throws TimerLimitError after `limit`
   * callbacks if more are still due (e.g. a 0 ns self re-arming timer).
   */
  advance(d: Duration, limit = DEFAULT_CALLBACK_LIMIT): number {
    const target = this.t + parseDuration(d);
    const n = this.fire(target, limit, Infinity);
    this.t = target;
    return n;
  }

  /** Moves time to an absolute monotonic instant (not backwards) and fires what is due. */
  advanceTo(t: bigint, limit = DEFAULT_CALLBACK_LIMIT): number {
    if (t < this.t) throw new ClockError(`cannot move monotonic time backwards (${t} < ${this.t})`);
    return this.advance(t - this.t, limit);
  }

  /**
   * Fires until no timer is armed, moving time to each expiry in turn; time
   * ends at the last expiry fired. A periodic timer never idles, so this
   * stops with a TimerLimitError when `maxEvents` callbacks ran (default
   * 100 000) or the next expiry lies more than `maxTime` ahead of where it
   * started (default 1 h): either way between two callbacks, with time at the
   * last one fired, so nothing is half done. A number is `maxEvents`.
   */
  runUntilIdle(opts: number | RunUntilIdleOptions = {}): number {
    const o = typeof opts === 'number' ? { maxEvents: opts } : opts;
    const maxEvents = o.maxEvents ?? RUN_UNTIL_IDLE_EVENTS;
    const span = parseDuration(o.maxTime ?? RUN_UNTIL_IDLE_TIME);
    const n = this.fire(this.t + span, maxEvents, Infinity);
    if (this.queue.peek() !== undefined) {
      throw new TimerLimitError(n, this.queue.size, `no idle within ${formatDuration(span)} of virtual time`);
    }
    return n;
  }

  /**
   * Jumps to the next expiry and fires the timers due then that were armed
   * before this call: it stops at the first timer armed during the call (so
   * a timer re-armed for the same instant waits for the next call). Returns callbacks run; 0 and no time change if idle.
   */
  next(): number {
    const e = this.queue.peek();
    if (e === undefined) return 0;
    const at = this.queue.monoExpiry(e);
    return this.fire(at > this.t ? at : this.t, Infinity, this.queue.lastSeq);
  }

  /** Fires what is due now (expiry <= now) without moving time; see Clock.runDue. */
  runDue(limit = DUE_CALLBACK_LIMIT): number {
    if (this.running) return 0;
    return this.fire(this.t, limit, Infinity, false);
  }

  /** Monotonic time of the next expiry, or undefined when idle. */
  nextExpiry(): bigint | undefined {
    const e = this.queue.peek();
    if (e === undefined) return undefined;
    const at = this.queue.monoExpiry(e);
    return at > this.t ? at : this.t;
  }

  /**
   * The expiry loop. target undefined = until idle. Only entries with
   * seq <= maxSeq fire (next() uses it to skip same-instant re-arms).
   */
  private fire(target: bigint | undefined, limit: number, maxSeq: number, throwAtLimit = true): number {
    if (this.running) throw new ClockError('time cannot be moved from inside a timer callback');
    this.running = true;
    let n = 0;
    // the target as a number: compared with a safe-integer expiry it gives the exact answer
    // (a comparison of a number with a bigint would allocate on every callback)
    const targetN = target === undefined ? Infinity : Number(target);
    const q = this.queue;
    const lane = q.lane;
    try {
      for (;;) {
        if (lane !== null && lane.fire !== undefined && n < limit) {
          // the lane fires what it can in WebAssembly: up to the other heaps' head
          const j = q.peekHeaps();
          const k = lane.fire(target, maxSeq, limit - n, j === undefined ? undefined : q.monoExpiry(j), j === undefined ? Infinity : j.seq);
          if (k > 0) {
            n += k;
            this.syncMirror();
            this.countOnTime(k);
          }
        }
        const e = this.queue.peek();
        if (e === undefined || e.seq > maxSeq) break;
        if (e.base === BASE_MONOTONIC && e.expX === undefined) {
          // the common case, in numbers: `at` is exact; number-bigint comparisons are exact too
          const at = e.expN;
          if (at > targetN) break;
          if (n >= limit) {
            if (!throwAtLimit) break;
            throw new TimerLimitError(n, this.queue.size);
          }
          this.queue.remove(e);
          n++;
          if (this.nowX === undefined && at >= this.nowN) {
            if (at > this.nowN) this.setN(at);
            this.expireOnTime(e);
          } else {
            this.expire(e, BigInt(at), this.t);
          }
          continue;
        }
        const at = this.queue.monoExpiry(e);
        if (target !== undefined && at > target) break;
        if (n >= limit) {
          if (!throwAtLimit) break;
          throw new TimerLimitError(n, this.queue.size);
        }
        this.queue.remove(e);
        if (at > this.t) this.t = at;
        n++;
        this.expire(e, at, this.t);
      }
    } finally {
      this.running = false;
    }
    return n;
  }
}

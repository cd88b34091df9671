// The real clock: the same queue driven from the Node event loop, with
// process.hrtime.bigint() (CLOCK_MONOTONIC on Linux) as monotonic time.
//
// - A timer never fires before its expiry: a Node timer may wake us up to a
//   millisecond early (libuv timers run on a millisecond loop clock), so each
//   wake re-checks hrtime and sleeps again (setImmediate for the last < 1 ms).
// - A callback storm cannot starve the loop: at most `batch` callbacks run per
//   turn, then we yield with setImmediate, which runs after I/O polling and
//   lets timers of the timers phase run on the next iteration.
// - While a timer is armed the process stays alive unless unref() was called.

import { ClockBase, DUE_CALLBACK_LIMIT, type ClockOptions } from './clock.js';
import { BASE_BOOTTIME, ClockError } from './ktime.js';

export interface RealClockOptions extends ClockOptions {
  /** callbacks per event-loop turn before yielding (default 256) */
  batch?: number;
  /** initial boottime - monotonic (the host's suspended time is not visible to Node; default 0) */
  bootOffset?: bigint;
}

const MS = 1_000_000n;

export class RealClock extends ClockBase {
  readonly kind = 'real' as const;
  readonly batch: number;
  private timeout: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** monotonic time the pending Node handle was set for (immediate: -1) */
  private wakeAt = 0n;
  private refed = true;
  /** the timeout outlived the entries it was set for and is unref'd */
  private parked = false;
  private inWake = false;
  private closed = false;

  constructor(opts: RealClockOptions = {}) {
    const mono = process.hrtime.bigint();
    super(opts, mono, BigInt(Date.now()) * MS);
    const batch = opts.batch ?? 256;
    if (!Number.isInteger(batch) || batch <= 0) throw new ClockError(`bad batch ${batch}`);
    this.batch = batch;
    if (opts.bootOffset !== undefined) this.queue.offset[BASE_BOOTTIME] = opts.bootOffset;
  }

  protected mono(): bigint {
    return process.hrtime.bigint();
  }

  /** Armed timers keep the process alive (the default). */
  ref(): this {
    this.refed = true;
    if (!this.parked) this.timeout?.ref();
    this.immediate?.ref();
    return this;
  }

  /** Armed timers do not keep the process alive. */
  unref(): this {
    this.refed = false;
    this.timeout?.unref();
    this.immediate?.unref();
    return this;
  }

  get hasRef(): boolean {
    return this.refed;
  }

  /** Stops driving the queue (armed entries stay queued but never fire). */
  close(): void {
    this.closed = true;
    this.clearHandle();
  }

  /** Fires what is due now, synchronously (see Clock.runDue); not from inside a callback. */
  runDue(limit = DUE_CALLBACK_LIMIT): number {
    if (this.inWake || this.closed) return 0;
    this.inWake = true;
    let n = 0;
    try {
      while (n < limit) {
        const e = this.queue.peek();
        if (e === undefined) break;
        const at = this.queue.monoExpiry(e);
        const now = this.mono();
        if (at > now) break;
        this.queue.remove(e);
        n++;
        this.expire(e, at, now);
      }
    } finally {
      this.inWake = false;
      this.program(false);
    }
    return n;
  }

  protected changed(_jumped: boolean): number {
    if (!this.inWake) this.program(false);
    return 0; // expiry happens on the event loop, never synchronously
  }

  private clearHandle(): void {
    if (this.timeout !== undefined) {
      clearTimeout(this.timeout);
      this.timeout = undefined;
      this.parked = false;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
  }

  /** Points the Node handle at the queue head; `yieldNow` forces a setImmediate. */
  private program(yieldNow: boolean): void {
    if (this.closed) return;
    const e = this.queue.peek();
    if (e === undefined) {
      // nothing armed: do not hold the process. A timeout is parked (unref'd)
      // rather than cleared, so arm+cancel cycles reuse it cheaply.
      if (this.immediate !== undefined) {
        clearImmediate(this.immediate);
        this.immediate = undefined;
      }
      if (this.timeout !== undefined && !this.parked) {
        this.parked = true;
        if (this.refed) this.timeout.unref();
      }
      return;
    }
    const at = this.queue.monoExpiry(e);
    const delay = yieldNow ? 0n : at - this.mono();
    if (delay < MS) {
      if (this.immediate !== undefined) return;
      this.clearHandle();
      this.wakeAt = -1n;
      this.immediate = setImmediate(this.wake);
      if (!this.refed) this.immediate.unref();
      return;
    }
    // an existing wake-up at or before `at` will do: it re-programs on waking
    if (this.immediate !== undefined) return;
    if (this.timeout !== undefined && this.wakeAt <= at) {
      if (this.parked) {
        this.parked = false;
        if (this.refed) this.timeout.ref();
      }
      return;
    }
    this.clearHandle();
    // round down: an early wake re-checks, a late one adds latency
    const ms = Number(delay / MS);
    this.wakeAt = at - (delay % MS);
    this.timeout = setTimeout(this.wake, Math.min(ms, 0x7fffffff));
    if (!this.refed) this.timeout.unref();
  }

  private readonly wake = (): void => {
    this.timeout = undefined;
    this.parked = false;
    this.immediate = undefined;
    if (this.closed) return;
    this.inWake = true;
    let n = 0;
    try {
      while (n < this.batch) {
        const e = this.queue.peek();
        if (e === undefined) break;
        const at = this.queue.monoExpiry(e);
        const now = this.mono();
        if (at > now) break;
        this.queue.remove(e);
        n++;
        this.expire(e, at, now);
      }
    } finally {
      this.inWake = false;
      this.program(n >= this.batch);
    }
  };
}

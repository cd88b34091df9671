// The real clock: the same queue driven from the Node event loop, with
// process.hrtime.bigint() (CLOCK_MONOTONIC on Linux) as monotonic time.
//
// - A timer never fires before its expiry: a Node timer may wake us up to a
//   millisecond early (libuv timers run on a millisecond loop clock), so each
//   wake re-checks hrtime and sleeps again (setImmediate for the last < 1 ms).
// - Expiry works as the kernel's hrtimer softirq: one pass takes "now" once
//   and fires each timer that had expired by then at most once; a timer
//   re-armed during the pass (even for an instant already passed) waits for
//   the next pass. Passes run from the event loop (the timer interrupt's
//   analog), at most `batch` callbacks or `sliceNs` of work each, then we
//   yield with setImmediate, which runs after I/O polling, so a callback
//   storm cannot starve the loop.
// - runDue() (the local_bh_enable at the end of a test run) is a pass over
//   the timers that were armed already expired (0 ns, an absolute time
//   passed): the kernel raises the softirq for those at once. Timers that
//   expire while synchronous code runs wait for the event loop, as a busy
//   CPU's timers wait for the interrupt: so arming N timers runs O(N)
//   callbacks at most, however long the arming takes.
// - While a timer is armed the process stays alive unless unref() was called.

import { ClockBase, DUE_CALLBACK_LIMIT, type ClockOptions } from './clock.js';
import { BASE_BOOTTIME, ClockError } from './ktime.js';
import type { TimerEntry } from './queue.js';

export interface RealClockOptions extends ClockOptions {
  /** callbacks per event-loop turn before yielding (default 256) */
  batch?: number;
  /** wall time one event-loop pass may spend in callbacks before yielding (default 200 us) */
  sliceNs?: bigint;
  /** initial boottime - monotonic (the host's suspended time is not visible to Node; default 0) */
  bootOffset?: bigint;
}

const MS = 1_000_000n;

export class RealClock extends ClockBase {
  readonly kind = 'real' as const;
  readonly batch: number;
  readonly sliceNs: bigint;
  /** entries armed already expired since the last pass, with the arm sequence they got */
  private raised: TimerEntry[] = [];
  private raisedSeq: number[] = [];
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
    const slice = opts.sliceNs ?? 200_000n;
    if (typeof slice !== 'bigint' || slice <= 0n) throw new ClockError(`bad sliceNs ${String(slice)}`);
    this.sliceNs = slice;
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

  override schedule(entry: TimerEntry, ns: bigint, abs: boolean): void {
    super.schedule(entry, ns, abs);
    // armed already expired: the kernel raises the softirq at once
    if (this.queue.monoExpiry(entry) <= this.mono()) {
      this.raised.push(entry);
      this.raisedSeq.push(entry.seq);
    }
  }

  /**
   * The softirq run by local_bh_enable (see Clock.runDue): one pass over the
   * timers armed already expired since the last pass, each fired at most
   * once, in (expiry, arm order); what they re-arm waits for the next pass.
   * Not from inside a callback.
   */
  runDue(limit = DUE_CALLBACK_LIMIT): number {
    if (this.inWake || this.closed || this.raised.length === 0) return 0;
    const list = this.raised;
    const seqs = this.raisedSeq;
    this.raised = [];
    this.raisedSeq = [];
    const order = list.map((_, i) => i).sort((a, b) => {
      const d = this.queue.monoExpiry(list[a]!) - this.queue.monoExpiry(list[b]!);
      return d < 0n ? -1 : d > 0n ? 1 : seqs[a]! - seqs[b]!;
    });
    const snapshot = this.mono();
    this.inWake = true;
    let n = 0;
    try {
      for (const i of order) {
        const e = list[i]!;
        // cancelled, or re-armed since (it belongs to that arm's pass now)
        if (!e.queued || e.seq !== seqs[i]) continue;
        const at = this.queue.monoExpiry(e);
        if (at > snapshot) continue;
        if (n >= limit) {
          this.raised.push(e);
          this.raisedSeq.push(e.seq);
          continue;
        }
        this.queue.remove(e);
        n++;
        this.expire(e, at, this.mono());
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
    // one pass: "now" is taken once; entries armed during the pass (a higher
    // sequence) wait for the next one, so each timer fires at most once here
    const snapshot = this.mono();
    const lastSeq = this.queue.lastSeq;
    const deadline = snapshot + this.sliceNs;
    // this pass covers whatever was raised before it
    this.raised = [];
    this.raisedSeq = [];
    this.inWake = true;
    let n = 0;
    let more = false;
    try {
      for (;;) {
        const e = this.queue.peek();
        if (e === undefined) break;
        const at = this.queue.monoExpiry(e);
        if (at > snapshot) break;
        if (e.seq > lastSeq) {
          more = true; // re-armed into the past during this pass: next pass
          break;
        }
        if (n >= this.batch || ((n & 15) === 0 && n > 0 && this.mono() >= deadline)) {
          more = true;
          break;
        }
        this.queue.remove(e);
        n++;
        this.expire(e, at, this.mono());
      }
    } finally {
      this.inWake = false;
      this.program(more);
    }
  };
}

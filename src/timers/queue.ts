// The timer queue: the hrtimer_clock_base analog. One binary min-heap per
// clock base (monotonic, boottime, realtime), each ordered by (expiry on its
// own clock, arm sequence). Within a base the order never changes when clocks
// jump, so a suspend or settimeofday needs no re-sorting: only the base's
// offset from monotonic moves. The queue as a whole is read through peek(),
// which picks the earliest head by (expiry projected onto monotonic, arm
// sequence) — one logical queue, FIFO on ties.
//
// Each entry remembers its heap index, so remove and re-arm are O(log n)
// without a search.
//
// Expiries are kept as numbers where that is exact (|t| <= 2^53 ns, about
// 104 days: every virtual-clock run in practice), so arming and firing
// allocate no bigint; a larger ktime keeps its exact bigint beside the
// rounded number, and ordering falls back to it only on a tie of the numbers
// (rounding to a double is monotone, so a < of the numbers is a < of the values).

import { BASE_MONOTONIC, NR_BASES, clockBase, clockName, ClockError } from './ktime.js';

export type TimerFn = (entry: TimerEntry) => void;

/**
 * A monotonic-base heap kept outside this file (src/jit/lane.ts: in the
 * arena, driven by WebAssembly). Its entries are named by a small id; their
 * expiry, arm sequence, queue position and CPU live in the lane's records, so
 * code that arms and fires in WebAssembly and code that does it here see one
 * queue. One arm sequence counter serves both.
 */
export interface QueueLane {
  /** queues (or moves) entry `id` to expire at `exp` (absolute, monotonic) with a fresh arm sequence */
  place(id: number, exp: bigint): void;
  /** place() with a safe-integer expiry */
  placeN(id: number, exp: number): void;
  /** dequeues `id`; true if it was queued */
  remove(id: number): boolean;
  queued(id: number): boolean;
  /** the id at the lane's head, 0 when empty */
  head(): number;
  readonly size: number;
  /** a fresh arm sequence (for the queue's own heaps) */
  takeSeq(): number;
  readonly lastSeq: number;
  /** copies `e`'s expiry and sequence from its record into expN/expX/seq */
  load(e: TimerEntry): void;
  entry(id: number): TimerEntry | undefined;
  ids(): IterableIterator<number>;
  cpuOf(id: number): number;
  setCpu(id: number, cpu: number): void;
  /**
   * (virtual clock) fires the lane's head entries itself while they are due by `target`, armed no
   * later than `maxSeq`, before (`jsExp`, `jsSeq`) — the other heaps' head, undefined: none — on
   * time and fewer than `limit` ran, with the clock's time at each expiry in the mirror word;
   * stops at the first it leaves to the caller. Returns callbacks run.
   */
  fire?(target: bigint | undefined, maxSeq: number, limit: number, jsExp: bigint | undefined, jsSeq: number): number;
  /** BPF_F_TIMER_CPU_PIN of the last start (bpf_timer only) */
  pinnedOf(id: number): boolean;
  setPinned(id: number, v: boolean): void;
}

export class TimerEntry {
  /** clock the expiry is measured on */
  readonly clockid: number;
  readonly base: number;
  /** absolute expiry on `clockid` as a number (rounded when not a safe integer); meaningful while queued */
  expN = 0;
  /** the exact expiry when expN is not a safe integer, else undefined (expN is exact) */
  expX: bigint | undefined = undefined;
  /** arm order; a later arm with the same expiry fires later */
  seq = 0;
  /** index in its base's heap; -1 when not queued (or kept in a lane) */
  index = -1;
  /** the lane keeping this entry's queue state, with its id there (0: none) */
  lane: QueueLane | null = null;
  laneId = 0;
  private cpu0 = 0;
  fn: TimerFn;

  constructor(clockid: number, fn: TimerFn) {
    const base = clockBase(clockid);
    if (base < 0) throw new ClockError(`timers cannot use ${clockName(clockid)}`);
    this.clockid = clockid;
    this.base = base;
    this.fn = fn;
  }

  get queued(): boolean {
    return this.lane !== null ? this.lane.queued(this.laneId) : this.index >= 0;
  }

  /** CPU the timer was armed on; its callback runs there */
  get cpu(): number {
    return this.lane !== null ? this.lane.cpuOf(this.laneId) : this.cpu0;
  }
  set cpu(v: number) {
    if (this.lane !== null) this.lane.setCpu(this.laneId, v);
    else this.cpu0 = v;
  }

  /** absolute expiry on `clockid` (ktime_t ns); meaningful while queued */
  get expires(): bigint {
    if (this.lane !== null) this.lane.load(this);
    return this.expX ?? BigInt(this.expN);
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  if (a.expN !== b.expN) return a.expN < b.expN;
  if (a.expX !== undefined || b.expX !== undefined) {
    const x = a.expires, y = b.expires;
    if (x !== y) return x < y;
  }
  return a.seq < b.seq;
}

/** the largest magnitude a number holds exactly as an integer */
const SAFE = Number.MAX_SAFE_INTEGER;

export class TimerQueue {
  private readonly heaps: TimerEntry[][] = [];
  /** per base: base clock = monotonic + offset[base] */
  readonly offset: bigint[] = [];
  private nextSeq = 1;
  private count = 0;
  /** the monotonic lane (attach), if any: its entries are queued there, not in heaps[0] */
  lane: QueueLane | null = null;

  constructor() {
    for (let b = 0; b < NR_BASES; b++) {
      this.heaps.push([]);
      this.offset.push(0n);
    }
  }

  /**
   * From now on, entries with a `lane` are queued in it. Before any entry is
   * queued: the lane takes over the arm sequence counter.
   */
  attach(lane: QueueLane): void {
    if (this.count !== 0 || this.lane !== null) throw new Error('a lane attaches to an empty queue, once');
    this.lane = lane;
  }

  /** the arm sequence given most recently (entries armed later have a higher seq) */
  get lastSeq(): number {
    return this.lane !== null ? this.lane.lastSeq : this.nextSeq - 1;
  }

  /** number of queued entries */
  get size(): number {
    return this.lane !== null ? this.count + this.lane.size : this.count;
  }

  /**
   * Queues `e` to expire at `expires` (absolute, on its own clock), or moves
   * it there if already queued. Either way it gets a fresh arm sequence, as
   * re-starting an hrtimer puts it behind timers already queued for the same
   * instant.
   */
  enqueue(e: TimerEntry, expires: bigint): void {
    if (e.lane !== null) {
      e.lane.place(e.laneId, expires);
      return;
    }
    const n = Number(expires);
    e.expN = n;
    e.expX = n >= -SAFE && n <= SAFE ? undefined : expires;
    this.place(e);
  }

  /** enqueue with an expiry that is a safe integer (the allocation-free path of the virtual clock) */
  enqueueN(e: TimerEntry, expires: number): void {
    if (e.lane !== null) {
      e.lane.placeN(e.laneId, expires);
      return;
    }
    e.expN = expires;
    e.expX = undefined;
    this.place(e);
  }

  private place(e: TimerEntry): void {
    e.seq = this.lane !== null ? this.lane.takeSeq() : this.nextSeq++;
    const h = this.heaps[e.base]!;
    if (e.index >= 0) {
      // the key may have moved either way
      this.siftUp(h, e.index);
      this.siftDown(h, e.index);
      return;
    }
    e.index = h.length;
    h.push(e);
    this.count++;
    this.siftUp(h, e.index);
  }

  /** Dequeues `e`; true if it was queued (hrtimer_try_to_cancel's 1). */
  remove(e: TimerEntry): boolean {
    if (e.lane !== null) return e.lane.remove(e.laneId);
    const i = e.index;
    if (i < 0) return false;
    const h = this.heaps[e.base]!;
    const last = h.pop()!;
    this.count--;
    e.index = -1;
    if (last !== e) {
      h[i] = last;
      last.index = i;
      this.siftUp(h, i);
      this.siftDown(h, last.index);
    }
    return true;
  }

  /** Expiry of `e` projected onto monotonic time. */
  monoExpiry(e: TimerEntry): bigint {
    return e.base === BASE_MONOTONIC ? e.expires : e.expires - this.offset[e.base]!;
  }

  /** The entry that fires first: earliest (monotonic-projected expiry, seq). */
  peek(): TimerEntry | undefined {
    const best = this.peekHeaps();
    const lane = this.lane;
    if (lane === null) return best;
    const id = lane.head();
    if (id === 0) return best;
    const e = lane.entry(id)!;
    lane.load(e);
    if (best === undefined) return e;
    const at = this.monoExpiry(best);
    const le = e.expires;
    return le < at || (le === at && e.seq < best.seq) ? e : best;
  }

  /** peek() over this file's heaps only (not the lane) */
  peekHeaps(): TimerEntry | undefined {
    const h0 = this.heaps[0]!;
    const h1 = this.heaps[1]!;
    const h2 = this.heaps[2]!;
    if (h1.length === 0 && h2.length === 0) return h0[0];
    let best: TimerEntry | undefined;
    let bestAt = 0n;
    for (let b = 0; b < NR_BASES; b++) {
      const e = this.heaps[b]![0];
      if (e === undefined) continue;
      const at = this.monoExpiry(e);
      if (best === undefined || at < bestAt || (at === bestAt && e.seq < best.seq)) {
        best = e;
        bestAt = at;
      }
    }
    return best;
  }

  /** Removes and returns the first entry if it is due at monotonic time `now`. */
  popDue(now: bigint): TimerEntry | undefined {
    const e = this.peek();
    if (e === undefined || this.monoExpiry(e) > now) return undefined;
    this.remove(e);
    return e;
  }

  /** All queued entries (unordered); for stats and debugging. */
  *entries(): IterableIterator<TimerEntry> {
    for (const h of this.heaps) yield* h;
    if (this.lane !== null) for (const id of this.lane.ids()) yield this.lane.entry(id)!;
  }

  private siftUp(h: TimerEntry[], i: number): void {
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p]!;
      if (!before(e, pe)) break;
      h[i] = pe;
      pe.index = i;
      i = p;
    }
    h[i] = e;
    e.index = i;
  }

  private siftDown(h: TimerEntry[], i: number): void {
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      const ce = h[c]!;
      if (!before(ce, e)) break;
      h[i] = ce;
      ce.index = i;
      i = c;
    }
    h[i] = e;
    e.index = i;
  }
}

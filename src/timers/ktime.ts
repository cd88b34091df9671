// Clock ids, hrtimer-style time arithmetic and the duration parser.
// All times are bigint nanoseconds (ktime_t is a signed 64-bit count of ns).

// uapi/linux/time.h
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_TAI = 11;
export const MAX_CLOCKS = 16;

// uapi/linux/bpf.h, enum { BPF_F_TIMER_ABS, BPF_F_TIMER_CPU_PIN }
export const BPF_F_TIMER_ABS = 1;
export const BPF_F_TIMER_CPU_PIN = 2;

export const NSEC_PER_USEC = 1_000n;
export const NSEC_PER_MSEC = 1_000_000n;
export const NSEC_PER_SEC = 1_000_000_000n;
export const KTIME_MAX = (1n << 63n) - 1n;
export const KTIME_SEC_MAX = KTIME_MAX / NSEC_PER_SEC;
/** where ktime_add_safe() saturates: KTIME_SEC_MAX seconds, not KTIME_MAX */
export const KTIME_SAFE_MAX = KTIME_SEC_MAX * NSEC_PER_SEC;
/** TAI - UTC since 2017 (what ktime_get_clocktai adds to realtime on a synced host) */
export const TAI_OFFSET_NS = 37n * NSEC_PER_SEC;

/** Clock bases of the queue, as hrtimer's HRTIMER_BASE_* (one heap each). */
export const BASE_MONOTONIC = 0;
export const BASE_BOOTTIME = 1;
export const BASE_REALTIME = 2;
export const NR_BASES = 3;

export class ClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClockError';
  }
}

/** Queue base for a clock id that timers may use, or -1. */
export function clockBase(clockid: number): number {
  switch (clockid) {
    case CLOCK_MONOTONIC: return BASE_MONOTONIC;
    case CLOCK_BOOTTIME: return BASE_BOOTTIME;
    case CLOCK_REALTIME: return BASE_REALTIME;
    default: return -1;
  }
}

export function clockName(clockid: number): string {
  switch (clockid) {
    case CLOCK_REALTIME: return 'CLOCK_REALTIME';
    case CLOCK_MONOTONIC: return 'CLOCK_MONOTONIC';
    case CLOCK_BOOTTIME: return 'CLOCK_BOOTTIME';
    case CLOCK_TAI: return 'CLOCK_TAI';
    default: return `clock ${clockid}`;
  }
}

const S64_MIN = -(1n << 63n);

/** u64 -> s64, as the kernel's ns_to_ktime() does with a u64 argument. */
export function toKtime(ns: bigint): bigint {
  return BigInt.asIntN(64, ns);
}

/**
 * ktime_add_safe(): lhs + rhs, saturating to KTIME_SEC_MAX seconds when the
 * sum overflows or goes negative — so a "negative" relative timeout (a u64
 * >= 2^63) means "never", not "now".
 */
export function ktimeAddSafe(lhs: bigint, rhs: bigint): bigint {
  const res = BigInt.asIntN(64, lhs + rhs);
  if (res < 0n || res < lhs || res < rhs) return KTIME_SAFE_MAX;
  return res;
}

export function isS64(v: bigint): boolean {
  return v >= S64_MIN && v <= KTIME_MAX;
}

/** A duration or a point in time: bigint ns, number ns, or a string like '50us'. */
export type Duration = bigint | number | string;

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: NSEC_PER_USEC,
  'µs': NSEC_PER_USEC,
  ms: NSEC_PER_MSEC,
  s: NSEC_PER_SEC,
  m: 60n * NSEC_PER_SEC,
  h: 3600n * NSEC_PER_SEC,
};

const DURATION_RE = /^\s*(\d+)(?:\.(\d+))?\s*(ns|us|µs|ms|s|m|h)?\s*$/;

/**
 * Parses a non-negative duration to bigint ns: 10n, 10, '10ns', '50us',
 * '1.5ms', '35s', '2m', '1h'. A bare number or numeric string is ns.
 * Throws ClockError for anything else (negative, fractional ns, junk).
 */
export function parseDuration(d: Duration): bigint {
  if (typeof d === 'bigint') {
    if (d < 0n) throw new ClockError(`negative duration ${d}ns`);
    return d;
  }
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d) || d < 0) throw new ClockError(`bad duration ${d}: want a non-negative integer of ns`);
    return BigInt(d);
  }
  if (typeof d !== 'string') throw new ClockError(`bad duration ${String(d)}`);
  const m = DURATION_RE.exec(d);
  if (!m) throw new ClockError(`bad duration '${d}': want e.g. 10ns, 50us, 1ms, 35s`);
  const scale = UNITS[m[3] ?? 'ns']!;
  const frac = m[2] ?? '';
  const fracScale = 10n ** BigInt(frac.length);
  const whole = BigInt(m[1]!) * scale;
  const fracNs = frac ? BigInt(frac) * scale : 0n;
  if (fracNs % fracScale !== 0n) throw new ClockError(`bad duration '${d}': not a whole number of ns`);
  return whole + fracNs / fracScale;
}

/** Formats ns for messages: '1.5ms', '35s', '10ns'. */
export function formatDuration(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const units: [bigint, string][] = [[NSEC_PER_SEC, 's'], [NSEC_PER_MSEC, 'ms'], [NSEC_PER_USEC, 'us']];
  for (const [scale, name] of units) {
    if (a >= scale) {
      const whole = a / scale;
      const rem = a % scale;
      let s = whole.toString();
      if (rem !== 0n) s += '.' + rem.toString().padStart(scale.toString().length - 1, '0').replace(/0+$/, '');
      return (neg ? '-' : '') + s + name;
    }
  }
  return (neg ? '-' : '') + a.toString() + 'ns';
}

// The timer trace: what every bpf_timer did, as events a test can watch or
// record (init, set_callback, start, cancel, fire, free). BpfTimerTable emits
// raw events to one observer; the runtime names the map and key and fans them
// out to listeners, so a runtime nobody watches pays one null check per call.

import { clockName } from './ktime.js';
import type { FreeReason } from '../maps/map.js';

export type TimerEventType = 'init' | 'set_callback' | 'start' | 'cancel' | 'fire' | 'free';

/**
 * Why a timer was freed (bpf_timer_cancel_and_free's callers in the kernel):
 * 'delete' (map_delete_elem, from a program or user space), 'update' (a value
 * replaced over an existing key), 'evict' (an LRU map made room), 'uref' (the
 * map lost its last user reference: map_release_uref), 'map_free', or
 * 'element' (another path released the element).
 */
export type TimerFreeReason = FreeReason;

export interface TimerEvent {
  type: TimerEventType;
  /** CLOCK_MONOTONIC when it happened (ns) */
  time: bigint;
  /** the timer's id (stable while it lives; reused after free) */
  timer: number;
  /** the map holding the timer, by name, and its id */
  map: string;
  mapId: number;
  /** the element's key bytes (array maps: the u32 index) */
  key: Uint8Array;
  /** arena address of the map value holding the timer */
  value: number;
  /** the clock bpf_timer_init was given: 'monotonic', 'boottime', 'realtime' */
  clock: string;
  /** init/set_callback/start/cancel: the helper's return value */
  ret?: number;
  /** start: the requested ns and flags; start/fire: absolute expiry on the timer's queue clock */
  nsecs?: bigint;
  flags?: number;
  expires?: bigint;
  /** start/fire: CPU the callback runs on */
  cpu?: number;
  /** set_callback/fire: the program and the callback's first instruction */
  prog?: string;
  callbackPc?: number;
  /** fire: how late the callback ran (0 on the virtual clock) */
  lateness?: bigint;
  /** free: why */
  reason?: TimerFreeReason;
}

/** One live timer, as `Runtime.liveTimers()` lists it. */
export interface TimerInfo {
  timer: number;
  map: string;
  mapId: number;
  key: Uint8Array;
  value: number;
  clock: string;
  /** 'armed' (queued), 'idle' (initialized, callback set or not, not queued), 'running' (its callback runs now) */
  state: 'armed' | 'idle' | 'running';
  /** armed: absolute expiry on the queue clock (ns) */
  expires?: bigint;
  prog?: string;
  callbackPc?: number;
  cpu: number;
  pinned: boolean;
}

/** A run of a program (a BPF_PROG_TEST_RUN), for timelines. */
export interface RunEvent {
  type: 'run';
  time: bigint;
  prog: string;
  cpu: number;
  retval: number;
}

export const timerClockName = (clockid: number): string => clockName(clockid).replace(/^CLOCK_/, '').toLowerCase();

/** "fire t3 flows[0a000001] at 1.050000000s (expires 1.050000000s) cpu 0" — one line per event for --trace. */
export function formatTimerEvent(e: TimerEvent | RunEvent): string {
  const at = formatSeconds(e.time);
  if (e.type === 'run') return `${at} run ${e.prog} retval=${e.retval} cpu=${e.cpu}`;
  const key = Array.from(e.key, (b) => b.toString(16).padStart(2, '0')).join('');
  let s = `${at} ${e.type} timer=${e.timer} map=${e.map} key=${key}`;
  switch (e.type) {
    case 'init': s += ` clock=${e.clock} ret=${e.ret}`; break;
    case 'set_callback': s += ` prog=${e.prog} pc=${e.callbackPc} ret=${e.ret}`; break;
    case 'start': s += ` nsecs=${e.nsecs} flags=${e.flags} expires=${formatSeconds(e.expires!)} cpu=${e.cpu} ret=${e.ret}`; break;
    case 'cancel': s += ` ret=${e.ret}`; break;
    case 'fire': s += ` prog=${e.prog} expires=${formatSeconds(e.expires!)} lateness=${e.lateness}ns cpu=${e.cpu}`; break;
    case 'free': s += ` reason=${e.reason}`; break;
  }
  return s;
}

/** ns -> "12.000050000s" (fixed nine decimals, so lines sort and align) */
export function formatSeconds(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}s`;
}

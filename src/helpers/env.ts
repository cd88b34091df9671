// What helper implementations may ask of the runtime. The runtime implements
// this once per Runtime; `createHelpers(env)` (helpers/index.ts) turns it into
// the id -> HelperFn table the engines call. Per-run state (which program,
// which XDP buffer) is read through the `current*` accessors at call time.

import type { Arena } from '../memory/arena.js';
import type { BpfMap, MapEnv } from '../maps/map.js';
import type { Clock } from '../timers/clock.js';
import type { BpfTimerTable, BpfTimerProg, BpfTimerMap } from '../timers/bpf_timer.js';

/** The XDP buffer of a test run (the kernel's struct xdp_buff, simplified). */
export interface XdpBuff {
  /** arena address of the struct xdp_md the program got (data, data_end, data_meta are u32 at 0, 4, 8) */
  readonly ctx: number;
  /** lowest address data/data_meta may move to (start of the headroom) */
  readonly hardStart: number;
  /** highest address data_end may move to (end of the tailroom) */
  readonly frameEnd: number;
}

/** A live map as helpers see it: its ops, plus what the timer table asks (user refs, keyOf). */
export interface HelperMap extends BpfTimerMap {
  readonly map: BpfMap;
}

export interface HelperEnv {
  readonly arena: Arena;
  readonly clock: Clock;
  /** the bpf_timer table */
  readonly timers: BpfTimerTable<HelperMap, BpfTimerProg>;
  /** the maps of this runtime (ring buffer samples are found by address, as the kernel does from the record header) */
  readonly mapEnv?: MapEnv;
  /** the map a register value (a map pointer from ld_imm64 or an inner-map lookup) stands for */
  mapFromPtr(ptr: number): HelperMap | undefined;
  /** the program running now (bpf_timer_set_callback takes a reference on it) */
  currentProg(): BpfTimerProg;
  /** the XDP buffer of the running program, if it is an XDP run */
  currentXdp(): XdpBuff | undefined;
  /** a bpf_trace_printk line (already formatted) */
  trace(line: string): void;
  /** bpf_get_prandom_u32 */
  prandomU32(): number;
  /**
   * bpf_timer_start armed a timer: where softirqs are enabled (a SEC("syscall")
   * program, not a timer callback) one that is already due runs right away.
   */
  timerStarted?(): void;
  /** the program stored in a prog_array slot, as an opaque tail-call target */
  tailCallTarget(map: BpfMap, index: number): unknown;
}

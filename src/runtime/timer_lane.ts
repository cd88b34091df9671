// The timer lane glued to the runtime (src/jit/lane.ts): a JIT runtime on the
// virtual clock keeps its monotonic bpf_timers in the lane, so bpf_timer_start
// and the expiry of a callback that calls only inlined helpers stay in
// WebAssembly. This file tells the lane which callbacks it may call (a JIT
// engine's entry, the map and key arguments), and sets up and tears down the
// JS side of a lane-fired callback when its code calls into JS.

import { ARENA_ACCESS_NONE, type Arena } from '../memory/arena.js';
import { JitEngine, outsideArena } from '../jit/engine.js';
import { TimerLane, type LaneFire, type LaneHost } from '../jit/lane.js';
import type { BpfTimer, BpfTimerLane, BpfTimerProg, BpfTimerTable } from '../timers/bpf_timer.js';
import { BASE_MONOTONIC } from '../timers/ktime.js';
import type { VirtualClock } from '../timers/virtual.js';
import type { HelperMap } from '../helpers/env.js';
import type { MapObject } from './map.js';
import type { ProgObject } from './program.js';

/** what the lane needs of the runtime */
export interface LaneRuntime {
  readonly arena: Arena;
  readonly clock: VirtualClock;
  readonly timers: BpfTimerTable<HelperMap, BpfTimerProg>;
  /** the arena word holding the running CPU (allocating it) */
  cpuCell(): number;
  /** bpf_timer_cb's set-up around callback_fn (current program and CPU, RCU section) */
  beginCallback(prog: ProgObject, cpu: number): void;
  endCallback(): void;
  /** the CPU word back to the runtime's current CPU (a lane-fired callback failed before any JS ran) */
  restoreCpu(): void;
  callbackFailed(prog: ProgObject, error: unknown): void;
  /** a program (or a callback the JS path runs) is on the stack */
  programRunning(): boolean;
}

type Timer = BpfTimer<HelperMap, BpfTimerProg>;

export class RuntimeTimerLane implements BpfTimerLane<HelperMap, BpfTimerProg>, LaneHost {
  readonly lane: TimerLane;
  private readonly rt: LaneRuntime;
  /** the now word, if the lane allocated it (else the ktime helper's) */
  private ownNow = 0;
  /** the materialized callback: its timer's program and the running timer before it */
  private prog: ProgObject | undefined;
  private prev: Timer | null = null;
  /** the engines whose callbacks the lane may call */
  private readonly engines = new Set<JitEngine>();

  constructor(rt: LaneRuntime) {
    this.rt = rt;
    this.lane = new TimerLane(rt.arena, this);
    rt.clock.queue.attach(this.lane);
    rt.timers.attachLane(this);
  }

  /** the arena blocks the lane keeps for the runtime's lifetime (rt.stats() leaves them out) */
  internalBlocks(): number[] {
    return this.ownNow === 0 ? this.lane.blocks() : [this.ownNow, ...this.lane.blocks()];
  }

  // ---- BpfTimerLane ----

  init(t: Timer): void {
    if (t.base === BASE_MONOTONIC) this.lane.init(t, t.id, t.field, t.value);
  }

  progChanged(t: Timer): void {
    const prog = t.prog as ProgObject | null;
    this.lane.setCallback(t.id, prog === null ? -1 : t.callbackPc, prog === null ? undefined : this.fireOf(t, prog));
  }

  firedByJs(t: Timer): void {
    if (!this.lane.firesItself(t.id)) this.progChanged(t);
  }

  free(t: Timer): void {
    this.lane.free(t.id);
  }

  observed(on: boolean): void {
    this.lane.setObserved(on);
  }

  /** how the lane calls t's callback itself, if it can: a JIT engine's entry and a key it already holds */
  private fireOf(t: Timer, prog: ProgObject): LaneFire | undefined {
    const vm = prog.vm;
    if (!(vm instanceof JitEngine)) return undefined;
    const m = t.map as MapObject;
    const key = m.laneKey(t.value);
    if (key === undefined) return undefined;
    const c = vm.laneCallback(t.callbackPc);
    if (c === undefined) return undefined;
    this.engines.add(vm);
    return { cb: c.cb, owner: vm, slice: c.slice, map: m.ptr, key: key.addr, keyBytes: key.bytes };
  }

  /** a program is gone (no timer holds it any more): the lane lets go of its engine's entries */
  progFreed(prog: ProgObject): void {
    const vm = prog.vm;
    if (!(vm instanceof JitEngine) || !this.engines.delete(vm)) return;
    this.lane.forget(vm);
  }

  // ---- LaneHost ----

  cells(): { now: number; cpu: number } {
    const clock = this.rt.clock;
    let now = clock.mirrorCell(this.rt.arena);
    if (now === 0) {
      now = this.rt.arena.alloc(8, ARENA_ACCESS_NONE);
      if (!clock.mirrorMonotonic(this.rt.arena, now)) {
        this.rt.arena.free(now);
        throw new Error('the virtual clock mirrors into another memory');
      }
      this.ownNow = now;
    }
    return { now, cpu: this.rt.cpuCell() };
  }

  beforeRun(): boolean {
    if (this.rt.programRunning()) return false;
    for (const e of this.engines) e.laneSync();
    return true;
  }

  materialize(id: number): void {
    const rt = this.rt;
    const t = rt.timers.byId(id)!;
    const prog = t.prog as ProgObject;
    this.prog = prog;
    rt.clock.syncMirror();
    this.prev = rt.timers.enterCallback(t);
    rt.beginCallback(prog, t.cpu);
    (prog.vm as JitEngine).laneEnter();
    this.lane.markMaterialized();
  }

  settle(): void {
    const rt = this.rt;
    (this.prog!.vm as JitEngine).laneLeave();
    rt.endCallback();
    rt.timers.leaveCallback(this.prev);
    this.prev = null;
    this.lane.markSettled();
  }

  failed(id: number, error: unknown, materialized: boolean): void {
    const rt = this.rt;
    let prog = this.prog;
    if (!materialized) {
      rt.restoreCpu();
      prog = rt.timers.byId(id)?.prog as ProgObject | undefined;
    }
    if (prog !== undefined) rt.callbackFailed(prog, outsideArena(error));
  }
}

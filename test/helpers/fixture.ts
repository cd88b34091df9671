// A HelperEnv around real parts: one Arena, maps from src/maps, a
// VirtualClock and a BpfTimerTable whose callbacks run on the interpreter.
import assert from 'node:assert/strict';
import { assemble, assembleProgram } from '../../src/isa/asm.js';
import type { Insn } from '../../src/isa/insn.js';
import { Arena } from '../../src/memory/arena.js';
import '../../src/maps/index.js';
import { createMap, MapEnv, type BpfMap, type MapSpec } from '../../src/maps/map.js';
import { VirtualClock } from '../../src/timers/virtual.js';
import { BpfTimerTable, type BpfTimerProg } from '../../src/timers/bpf_timer.js';
import type { HelperEnv, HelperMap, PacketRun, TraceRun, XdpBuff } from '../../src/helpers/env.js';
import { SimMemory, defaultTask } from '../../src/runtime/task.js';
import { Host } from '../../src/net/host.js';
import { createHelpers } from '../../src/helpers/index.js';
import type { HelperFn } from '../../src/vm/env.js';
import { Interpreter } from '../../src/vm/interpreter.js';
import { VmError } from '../../src/vm/errors.js';

export const U64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));

export class TestProg implements BpfTimerProg {
  refs = 0;
  ref(): void { this.refs++; }
  unref(): void { this.refs--; }
}

export interface Fixture {
  /** the simulated task and memory tracing helpers read */
  task: ReturnType<typeof defaultTask>;
  memory: SimMemory;
  traceRun: TraceRun | undefined;
  arena: Arena;
  mapEnv: MapEnv;
  clock: VirtualClock;
  timers: BpfTimerTable<HelperMap, BpfTimerProg>;
  env: HelperEnv;
  helpers: Map<number, HelperFn>;
  lines: string[];
  prog: TestProg;
  /** per-map user refs (the timer table's -EPERM check) */
  urefs: Map<BpfMap, boolean>;
  /** prog_array slots: map -> index -> program */
  progArrays: Map<BpfMap, Map<number, readonly Insn[]>>;
  xdp: XdpBuff | undefined;
  /** the packet run helpers see (skb or xdp + side effects) */
  pkt?: PacketRun;
  host?: Host;
  /** interpreter of the last load(), also used for timer callbacks */
  vm?: Interpreter;
  /** calls fired by the timer table: [valuePtr, keyPtr, callbackPc, cpu] */
  fired: [number, number, number, number][];
  map(spec: Partial<MapSpec> & { type: number }): BpfMap;
  helperMap(m: BpfMap): HelperMap;
  load(src: string, cpu?: number): Interpreter;
  /** a fresh RW arena block holding bytes */
  place(bytes: Uint8Array | number[]): number;
}

export function fixture(nCpus = 2): Fixture {
  const arena = new Arena();
  const mapEnv = new MapEnv({ arena, nCpus });
  const clock = new VirtualClock();
  const lines: string[] = [];
  const urefs = new Map<BpfMap, boolean>();
  const wrappers = new Map<BpfMap, HelperMap>();
  const progArrays = new Map<BpfMap, Map<number, readonly Insn[]>>();
  let rand = 0x12345678;
  const f = {} as Fixture;
  const helperMap = (m: BpfMap): HelperMap => {
    let w = wrappers.get(m);
    if (w === undefined) {
      const keyBuf = arena.alloc(Math.max(8, m.keySize));
      w = {
        map: m,
        hasUserRefs: () => urefs.get(m) ?? true,
        keyOf: (valuePtr: number) => {
          const k = m.elemKey(valuePtr);
          if (k === undefined) return 0;
          arena.u8.set(k, keyBuf);
          return keyBuf;
        },
      };
      wrappers.set(m, w);
    }
    return w;
  };
  const timers = new BpfTimerTable<HelperMap, BpfTimerProg>({
    clock,
    memory: arena,
    fire: (map, keyPtr, valuePtr, _prog, pc, cpu) => {
      f.fired.push([valuePtr, keyPtr, pc, cpu]);
      const vm = f.vm!;
      vm.cpu = cpu;
      vm.run(pc, [BigInt(map.map.ptr), BigInt(keyPtr), BigInt(valuePtr)]);
    },
  });
  const task = defaultTask();
  const memory = new SimMemory();
  const env: HelperEnv = {
    arena,
    clock,
    timers,
    mapFromPtr: (ptr) => {
      const m = mapEnv.mapAt(ptr);
      return m === undefined ? undefined : helperMap(m);
    },
    currentProg: () => f.prog,
    currentXdp: () => f.xdp ?? f.pkt?.xdp,
    currentPacket: () => f.pkt ?? (f.xdp ? { xdp: f.xdp, effects: { clones: [] } } : undefined),
    get host() { return f.host ?? (f.host = new Host()); },
    trace: (line) => { lines.push(line); },
    prandomU32: () => {
      rand = (Math.imul(rand, 1103515245) + 12345) >>> 0;
      return rand;
    },
    tailCallTarget: (map, index) => progArrays.get(map)?.get(index),
    currentTask: () => task,
    memory,
    currentTrace: () => f.traceRun,
  };
  const helpers = createHelpers(env);
  Object.assign(f, {
    arena, mapEnv, clock, timers, env, helpers, lines, prog: new TestProg(), urefs, progArrays,
    xdp: undefined, fired: [], task, memory, traceRun: undefined,
    map: (spec: Partial<MapSpec> & { type: number }) => createMap(mapEnv, {
      keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, name: 'm', ...spec,
    }),
    helperMap,
    load: (src: string, cpu = 0) => {
      const vm = new Interpreter(assemble(src), {
        arena,
        helper: (id) => helpers.get(id),
        tailCallTarget: (t) => t as readonly Insn[],
      }, { cpu });
      f.vm = vm;
      return vm;
    },
    place: (bytes: Uint8Array | number[]) => {
      const p = arena.alloc(bytes.length);
      arena.u8.set(bytes, p);
      return p;
    },
  });
  return f;
}

/** `lddw %rN, <map pointer>` */
export const ldMap = (reg: number, m: BpfMap): string => `lddw %r${reg}, ${m.ptr}`;

/** Calls helper `id` directly with up to five args (as the engine would, unsigned). */
export function call(f: Fixture, id: number, args: (number | bigint)[], vm?: Interpreter): bigint {
  const fn = f.helpers.get(id);
  assert.ok(fn, `helper ${id} is registered`);
  const r = args.map(U64);
  while (r.length < 5) r.push(0n);
  const ctx = vm ?? f.vm ?? f.load('exit');
  return fn(ctx, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!);
}

/** The VmError thrown by fn. */
export function vmError(fn: () => unknown): VmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VmError) return e;
    throw e;
  }
  assert.fail('expected a VmError');
}

/** Expect a fault from a direct call (a HelperFault, which the engine wraps). */
export function faults(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof Error && e.name === 'HelperFault' && re.test(e.message));
}

export const errno = (e: number): bigint => U64(-e);

/**
 * Replaces each `@label` with the label's absolute slot index (what the
 * loader's BPF_PSEUDO_FUNC relocation gives a callback's ld_imm64).
 */
export function resolveLabels(src: string): string {
  const labels = assembleProgram(src.replace(/@(\w+)/g, '0')).labels;
  return src.replace(/@(\w+)/g, (_m, name: string) => {
    const at = labels.get(name);
    assert.ok(at !== undefined, `label ${name}`);
    return String(at);
  });
}

// Engine selection: the reference interpreter or the WebAssembly JIT, one
// contract (VmContext for helpers, run/callFunction/tailCall, the budget and
// the watchdog, insnCount), one semantics.

import type { Insn } from '../isa/insn.js';
import type { Arena } from '../memory/arena.js';
import type { VmContext, VmEnv } from '../vm/env.js';
import { Interpreter, type InsnTracer, type InterpreterOptions } from '../vm/interpreter.js';
import { JitEngine } from './engine.js';

export type EngineKind = 'interp' | 'jit';
export const ENGINE_KINDS: readonly EngineKind[] = ['interp', 'jit'];

/** What the runtime needs of an engine. */
export interface VmEngine extends VmContext {
  readonly arena: Arena;
  cpu: number;
  /** instructions executed by the last (outermost) run */
  readonly insnCount: number;
  run(entryPc: number, args?: readonly bigint[]): bigint;
  /** run(pc, [r1, r2, r3]) without its result: a timer callback (map, key, value as arena addresses) */
  runCallback(pc: number, r1: number, r2: number, r3: number): void;
  release(): void;
  /** the single-step hook of rt.on('insn') (the interpreter only: the JIT refuses it) */
  tracer: InsnTracer | undefined;
}

/** whether this host has WebAssembly (the JIT's target); asking for 'jit' without it is an error */
export const HAS_WASM = typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function';

/**
 * The engine a runtime uses when none is asked for: the JIT where WebAssembly
 * exists, else the interpreter. (Documented, not a fallback: an explicit
 * 'jit' on a host without WebAssembly fails.)
 */
export const DEFAULT_ENGINE: EngineKind = HAS_WASM ? 'jit' : 'interp';

/**
 * The engine of a runtime: the option, else the TSBPF_ENGINE environment
 * variable (so a whole test run can switch), else DEFAULT_ENGINE. A bad value is an error.
 */
export function resolveEngine(opt: unknown): EngineKind {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['TSBPF_ENGINE'];
  const v = opt ?? (env === undefined || env === '' ? DEFAULT_ENGINE : env);
  if (!isEngineKind(v)) {
    throw new TypeError(`unknown engine '${String(v)}'${opt === undefined ? ' in TSBPF_ENGINE' : ''} (expected 'interp' or 'jit')`);
  }
  return v;
}

export function isEngineKind(v: unknown): v is EngineKind {
  return v === 'interp' || v === 'jit';
}

/** Builds an engine; the JIT compiles here, so a program it cannot translate fails now (JitError). */
export function createEngine(kind: EngineKind, program: readonly Insn[], env: VmEnv, opts: InterpreterOptions = {}): VmEngine {
  if (kind === 'jit') {
    if (!HAS_WASM) throw new TypeError("engine 'jit' needs WebAssembly, which this host does not have: use engine 'interp'");
    return new JitEngine(program, env, opts);
  }
  if (kind === 'interp') return new Interpreter(program, env, opts);
  throw new TypeError(`unknown engine '${String(kind)}' (expected 'interp' or 'jit')`);
}

export { JitEngine, setCallbackEntries, setDirectAccess } from './engine.js';
export { JitError } from './compile.js';

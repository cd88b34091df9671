// Shared fixtures for the vm tests: run assembly on a fresh arena, on the
// engine TSBPF_ENGINE names (default: the interpreter; test/jit runs these
// files again under the JIT).
import { assemble } from '../../src/isa/asm.js';
import type { Insn } from '../../src/isa/insn.js';
import { Arena } from '../../src/memory/arena.js';
import type { HelperFn, VmEnv } from '../../src/vm/env.js';
import type { InterpreterOptions } from '../../src/vm/interpreter.js';
import { createEngine, resolveEngine, type VmEngine } from '../../src/jit/index.js';

export interface Setup {
  arena: Arena;
  vm: VmEngine & { maxInsns: number; timeoutMs: number };
  helpers: Map<number, HelperFn>;
  env: VmEnv & { tailTargets: Map<unknown, readonly Insn[]> };
}

export function setup(prog: string | readonly Insn[], opts: InterpreterOptions = {}): Setup {
  const insns = typeof prog === 'string' ? assemble(prog) : prog;
  const arena = new Arena();
  const helpers = new Map<number, HelperFn>();
  const tailTargets = new Map<unknown, readonly Insn[]>();
  const env = {
    arena,
    helper: (id: number) => helpers.get(id),
    tailCallTarget: (t: unknown) => tailTargets.get(t),
    tailTargets,
  };
  const vm = createEngine(resolveEngine(undefined), insns, env, opts) as Setup['vm'];
  return { arena, vm, helpers, env };
}

/** r0 of running the assembly with r1..r5 = args. */
export function run(src: string, args: bigint[] = []): bigint {
  return setup(src).vm.run(0, args);
}

/** A copy of `bytes` in a fresh arena block of the setup; returns its address. */
export function place(s: Setup, bytes: Uint8Array | number[]): number {
  const p = s.arena.alloc(bytes.length);
  s.arena.u8.set(bytes, p);
  return p;
}

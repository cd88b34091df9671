// Global options of every tsbpf command: `--btf FILE` (target BTF of CO-RE
// relocations, e.g. a copy of /sys/kernel/btf/vmlinux), `--engine jit|interp`
// and `-d`/`--debug`.

import { readInputFile, DEFAULT_MAX_OBJECT_BYTES } from '../runtime/input.js';
import type { RuntimeOptions } from '../runtime/runtime.js';
import { isEngineKind, type EngineKind } from '../jit/index.js';

let btf: Uint8Array | undefined;
let engine: EngineKind | undefined;
let debug = false;

/** Takes `--btf FILE` / `--btf=FILE` / `-d` out of argv (anywhere); returns the rest, or an error message. */
export function takeGlobalOptions(argv: string[]): string[] | string {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-d' || a === '--debug') {
      debug = true;
    } else if (a === '--engine' || a.startsWith('--engine=')) {
      const v = a === '--engine' ? argv[++i] : a.slice(9);
      if (!isEngineKind(v)) return `--engine takes 'jit' or 'interp'${v ? `, not '${v}'` : ''}`;
      engine = v;
    } else if (a === '--btf' || a.startsWith('--btf=')) {
      const v = a === '--btf' ? argv[++i] : a.slice(6);
      if (!v) return '--btf takes a BTF file (e.g. /sys/kernel/btf/vmlinux)';
      try {
        btf = readInputFile(v, 'BTF file', DEFAULT_MAX_OBJECT_BYTES);
      } catch (e) {
        return `--btf ${v}: ${(e as Error).message}`;
      }
    } else rest.push(a);
  }
  return rest;
}

/** `-d`/`--debug` (bpftool's): libbpf-style debug lines (CO-RE relocations) on stderr. */
export function cliDebug(): boolean {
  return debug;
}

/** `--engine`: the engine programs run on (undefined: the runtime's default) */
export function cliEngine(): EngineKind | undefined {
  return engine;
}

/** RuntimeOptions with the global options applied. */
export function cliRuntimeOptions(opts: RuntimeOptions = {}): RuntimeOptions {
  return { ...opts, ...(btf === undefined ? {} : { btf }), ...(engine === undefined ? {} : { engine }) };
}

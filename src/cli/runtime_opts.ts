// Global options of every tsbpf command: `--btf FILE` (target BTF of CO-RE
// relocations, e.g. a copy of /sys/kernel/btf/vmlinux) and `-d`/`--debug`.

import { readInputFile, DEFAULT_MAX_OBJECT_BYTES } from '../runtime/input.js';
import type { RuntimeOptions } from '../runtime/runtime.js';

let btf: Uint8Array | undefined;
let debug = false;

/** Takes `--btf FILE` / `--btf=FILE` / `-d` out of argv (anywhere); returns the rest, or an error message. */
export function takeGlobalOptions(argv: string[]): string[] | string {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-d' || a === '--debug') {
      debug = true;
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

/** RuntimeOptions with the global options applied. */
export function cliRuntimeOptions(opts: RuntimeOptions = {}): RuntimeOptions {
  return btf === undefined ? opts : { ...opts, btf };
}

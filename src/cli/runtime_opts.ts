// Options every tsbpf command passes to its Runtime: the global `--btf FILE`
// (target BTF of CO-RE relocations, e.g. a copy of /sys/kernel/btf/vmlinux).

import type { RuntimeOptions } from '../runtime/runtime.js';

let btfPath: string | undefined;

/** Takes `--btf FILE` / `--btf=FILE` out of argv (anywhere); returns the rest, or an error message. */
export function takeGlobalOptions(argv: string[]): string[] | string {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--btf' || a.startsWith('--btf=')) {
      const v = a === '--btf' ? argv[++i] : a.slice(6);
      if (!v) return '--btf takes a BTF file (e.g. /sys/kernel/btf/vmlinux)';
      btfPath = v;
    } else rest.push(a);
  }
  return rest;
}

/** RuntimeOptions with the global options applied. */
export function cliRuntimeOptions(opts: RuntimeOptions = {}): RuntimeOptions {
  return btfPath === undefined ? opts : { ...opts, btf: btfPath };
}

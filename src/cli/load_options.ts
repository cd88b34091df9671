// Load options shared by `tsbpf run`, `prog load|run|dump` and the `map`
// verbs: what a libbpf loader sets between open and load.
//   --type PROG=TYPE      bpf_program__set_type (libbpf's names: xdp, sched_cls, ... or a number)
//   --attach-type PROG=T  bpf_program__set_expected_attach_type (xdp_devmap, tcx_ingress, ...)
//   --no-autoload PROG    bpf_program__set_autoload(false); --autoload PROG for SEC("?...")
//   --kconfig NAME=VALUE  a Kconfig line (CONFIG_HZ=250, CONFIG_BPF_JIT=y, CONFIG_X="str"; also LINUX_*)
//   --set VAR=VALUE       a global variable's initial value (integer, or a string for char arrays / enum names)

import type { LoadOptions, ProgramOptions } from '../runtime/loader.js';
import { parseKconfigLine, type KconfigValue } from '../runtime/kconfig.js';

export const LOAD_OPTIONS_USAGE =
  '[--type PROG=TYPE] [--attach-type PROG=TYPE] [--no-autoload PROG] [--autoload PROG] [--kconfig NAME=VALUE] [--set VAR=VALUE]';

export class LoadOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadOptionError';
  }
}

function pair(opt: string, arg: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) throw new LoadOptionError(`${opt} takes NAME=VALUE, got '${arg}'`);
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** An integer as bigint ("53", "-2", "0x35"), else the text itself. */
function globalValue(text: string): bigint | string {
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(text)) return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/**
 * If argv[i] is a load option, records it into `into` and returns how many
 * arguments it took (2); else 0. Throws LoadOptionError on a malformed one.
 */
export function parseLoadOption(argv: readonly string[], i: number, into: LoadOptions): number {
  const opt = argv[i]!;
  if (!['--type', '--attach-type', '--no-autoload', '--autoload', '--kconfig', '--set'].includes(opt)) return 0;
  const arg = argv[i + 1];
  if (arg === undefined) throw new LoadOptionError(`${opt} needs an argument`);
  const prog = (name: string): ProgramOptions => {
    const programs = (into.programs ?? {}) as Record<string, ProgramOptions>;
    into.programs = programs;
    return (programs[name] ??= {});
  };
  switch (opt) {
    case '--type': {
      const [p, t] = pair(opt, arg);
      prog(p).type = t;
      break;
    }
    case '--attach-type': {
      const [p, t] = pair(opt, arg);
      prog(p).expectedAttachType = t;
      break;
    }
    case '--no-autoload':
      prog(arg).autoload = false;
      break;
    case '--autoload':
      prog(arg).autoload = true;
      break;
    case '--kconfig': {
      let kv: [string, KconfigValue];
      try {
        kv = parseKconfigLine(arg);
      } catch (e) {
        throw new LoadOptionError(`--kconfig: ${(e as Error).message}`);
      }
      into.kconfig = { ...(into.kconfig ?? {}), [kv[0]]: kv[1] };
      break;
    }
    case '--set': {
      const [v, text] = pair(opt, arg);
      into.globals = { ...(into.globals ?? {}), [v]: globalValue(text) };
      break;
    }
  }
  return 2;
}

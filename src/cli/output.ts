// What the `prog` and `map` verbs share, in bpftool's manner: `--json`/`-j`,
// errors as `Error: ...` on stderr (or {"error": ...} on stdout with --json),
// and loading an object with libbpf's report when a program is rejected.

import { Runtime } from '../runtime/runtime.js';
import type { BpfObject } from '../runtime/loader.js';
import { VerifierError, type VerifierResult } from '../verifier/env.js';
import { describeLoadFailure } from './load_failure.js';
import { strerror } from './strerror.js';
import { cliDebug } from './runtime_opts.js';

/** Exit statuses: 1 an operation failed, 2 usage (bad arguments or names), 3 the object did not load (as `tsbpf run`). */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_LOAD = 3;

export class Output {
  constructor(readonly json: boolean) {}

  /** Pulls --json/-j out of argv. */
  static fromArgv(argv: readonly string[]): { out: Output; args: string[] } {
    const args = argv.filter((a) => a !== '--json' && a !== '-j');
    return { out: new Output(args.length !== argv.length), args };
  }

  write(text: string): void {
    process.stdout.write(text);
  }

  /** bpftool's p_err. */
  error(message: string, extra: Record<string, unknown> = {}): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ error: message, ...extra })}\n`);
    else process.stderr.write(`Error: ${message}\n`);
  }

  /** A JSON document on stdout. */
  emitJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

/** The verifier's word on each program of a loaded object. */
export type Verdicts = Map<string, VerifierResult>;

/** libbpf's framing of a verifier log. */
export function progLoadLog(prog: string, log: string): string {
  return `tsbpf: prog '${prog}': -- BEGIN PROG LOAD LOG --\n${log}${log.endsWith('\n') || log === '' ? '' : '\n'}-- END PROG LOAD LOG --\n`;
}

/**
 * Loads OBJ as `bpftool prog loadall` would, verifying every program. On
 * failure prints what libbpf and bpftool print (the rejected program's
 * verifier log on stderr, then `Error: failed to load object file`) and
 * returns undefined: the caller exits with EXIT_LOAD.
 */
export async function openObject(
  rt: Runtime, path: string, out: Output, logLevel?: 0 | 1 | 2,
): Promise<{ obj: BpfObject; verdicts: Verdicts } | undefined> {
  const verdicts: Verdicts = new Map();
  let rejected: { prog: string; err: VerifierError } | undefined;
  try {
    const obj = await rt.loadObject(path, {
      ...(logLevel === undefined ? {} : { logLevel }),
      ...(cliDebug() ? { onCoreLog: (lines: string[]) => process.stderr.write(lines.map((l) => `libbpf: ${l}\n`).join('')) } : {}),
      onVerified: (prog, v) => {
        if (v instanceof VerifierError) rejected = { prog, err: v };
        else verdicts.set(prog, v);
      },
    });
    return { obj, verdicts };
  } catch (e) {
    const f = describeLoadFailure(e);
    if (rejected) {
      const { prog, err } = rejected;
      process.stderr.write(
        `tsbpf: prog '${prog}': BPF program load failed: ${strerror(err.errno)}\n` +
        progLoadLog(prog, err.log) +
        `tsbpf: prog '${prog}': failed to load: -${Math.abs(err.errno)}\n` +
        `tsbpf: failed to load object '${path}'\n`,
      );
      out.error('failed to load object file', { prog, errno: f.errno, verifier_error: f.verifierError, log: err.log });
    } else {
      // libbpf's warning lines of a failure before the verifier (CO-RE relocations)
      const log = (e as { log?: unknown }).log;
      if (typeof log === 'string' && log) process.stderr.write(log);
      process.stderr.write(`tsbpf: ${f.message}\n`);
      out.error('failed to load object file', { errno: f.errno, message: f.message });
    }
    return undefined;
  }
}

// The loader's CO-RE step (libbpf's bpf_object__relocate_core before
// BPF_PROG_LOAD): resolve the object's relocations against the runtime's
// target BTF, hand each program its patched instructions, and fix up the
// verifier log of a program that reaches a poisoned instruction.

import type { ObjectSpec, ProgramSpec } from '../object/index.js';
import {
  type CoreResolution, CoreReloError, applyCoreRelos, fixupCoreVerifierLog, resolveCoreRelos,
} from '../object/core_relo.js';
import type { Btf } from '../btf/btf.js';
import { VerifierError } from '../verifier/env.js';

export interface CoreTarget {
  btf: Btf;
  /** how libbpf names it in its log: "vmlinux" */
  name: string;
}

/** Thrown for a CO-RE failure that fails the load (ambiguity, a malformed record, an instruction that does not fit). */
export class CoreLoadError extends Error {
  constructor(message: string, readonly errno: number, readonly log: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/** Resolves every relocation; undefined when the object has none. */
export function resolveObjectCore(spec: ObjectSpec, target: () => CoreTarget, skip?: (func: string) => boolean): CoreResolution | undefined {
  if (spec.coreRelos.length === 0) return undefined;
  // the target is parsed only for an object that has relocations (a vmlinux BTF takes a while)
  const t = target();
  try {
    return resolveCoreRelos(spec, t.btf, t.name, skip);
  } catch (e) {
    if (!(e instanceof CoreReloError)) throw e;
    throw new CoreLoadError(`${e.message} (failed to perform CO-RE relocations)`, -e.errno,
      `${e.log.split('\n').map((l) => `libbpf: ${l}`).join('\n')}\nlibbpf: failed to perform CO-RE relocations: ${-e.errno}\n`);
  }
}

/** The program as the verifier and the engines get it: CO-RE sites patched. */
export function coreProgram(spec: ObjectSpec, ps: ProgramSpec, core: CoreResolution | undefined): ProgramSpec {
  if (!core || ps.coreSites.length === 0) return ps;
  try {
    return { ...ps, insns: applyCoreRelos(spec, ps, core) };
  } catch (e) {
    if (!(e instanceof CoreReloError)) throw e;
    throw new CoreLoadError(e.message, -e.errno, `libbpf: ${e.log}\n`);
  }
}

/** A rejection at a poisoned instruction reads as libbpf shows it ("failed to resolve CO-RE relocation ..."). */
export function fixupCoreRejection(spec: ObjectSpec, ps: ProgramSpec, e: unknown): unknown {
  if (!(e instanceof VerifierError) || ps.coreSites.length === 0) return e;
  const log = fixupCoreVerifierLog(spec, ps, e.log);
  if (log === e.log) return e;
  const lines = log.split('\n');
  const failed = lines.find((l) => l.startsWith('failed to resolve CO-RE relocation')) ?? e.message;
  return new VerifierError(failed, e.errno, log, e.insnIndex);
}

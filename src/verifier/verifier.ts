// bpf_check: the passes in the kernel's order, producing a log and a verdict.
//
// Input instructions are already relocated: ld_imm64 src=1 imm = map index,
// src=2 imm = map index with the value offset in the second slot, src=4
// imm = relative offset of a callback subprogram; call src=1 imm = relative
// offset of a bpf-to-bpf callee.
import type { VerifierInput, VerifierRejection, VerifierResult } from './env.js';
import { VerifierError } from './env.js';
import { CheckError, checkCfg, checkSubprogs, findSubprogs } from './cfg.js';
import { Verifier } from './check.js';
import { VerifierLog, formatInsn } from './log.js';
import { computeLiveRegs, liveRegsTable } from './live_regs.js';
import { helperProto } from '../helpers/protos.js';
import { kfuncById } from '../kfuncs/table.js';
import { checkMaxStackDepth } from './stack_depth.js';
import { resolvePseudoLdimm64 } from './pseudo_ldimm64.js';
import { helpersCalled, inlinedLoopCalls } from './helper_call.js';
import { EINVAL, E2BIG } from '../uapi/errno.js';

/** bpf_check: the verdict; a rejection is thrown as a VerifierError (with the caller's stack). */
export function verify(input: VerifierInput): VerifierResult {
  const r = verifyOrReject(input);
  if ('rejected' in r) throw new VerifierError(r.message, r.errno, r.log, r.insnIndex);
  return r;
}

/**
 * verify() without building the thrown error: a rejection is returned. An
 * Error's stack trace costs ~5 µs, more than the whole check of a small
 * program; the loader's level-0 load (whose refusal is replaced by the
 * level-1 retry's) and the benchmarks call this.
 */
export function verifyOrReject(input: VerifierInput): VerifierResult | VerifierRejection {
  const log = new VerifierLog(input.logLevel ?? 1);
  const insns = input.insns;
  let v: Verifier | undefined;
  const stats = () => v?.stats ?? { processedInsns: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 };
  try {
    if (insns.length === 0) throw new CheckError('empty program', EINVAL);
    if (insns.length > 1_000_000) throw new CheckError('BPF program is too large', E2BIG);
    const subprogs = findSubprogs(insns, input.funcInfo);
    // add_subprog_and_kfunc lists the subprograms at level 2
    if (log.level >= 2) for (let i = 0; i < subprogs.length; i++) log.write(`func#${i} @${subprogs[i]!.start}\n`);
    checkSubprogs(insns, subprogs);
    // resolve_pseudo_ldimm64: reserved LDX fields, ld_imm64 forms and maps, the opcode table
    resolvePseudoLdimm64(insns, input.maps, input.progType, input.sleepable ?? false, input);
    checkCfg(insns);
    // compute_live_registers prints its table at level 2
    if (log.level >= 2) {
      const live = computeLiveRegs(insns, input.helperProto ?? helperProto, input.kfunc ?? kfuncById);
      log.write(liveRegsTable(insns, live, (i) => formatInsn(insns, i)));
    }
    v = new Verifier(input, subprogs, log);
    v.run();
    checkMaxStackDepth(insns, subprogs);
    // fixup_kfunc_call: a call of an unresolved __weak kfunc (imm 0) must have been dead code
    if (v.unresolvedKfuncCall) throw new CheckError('invalid kernel function call not eliminated in verifier pass', EINVAL);
    // do_check_common: a verified program leaves no path in a level-1 log
    if (log.level === 1) log.reset(0);
    log.stats(stats());
    return {
      log: log.text(), stats: stats(), subprogs, inlinedLoops: inlinedLoopCalls(v), maxCtxOffset: v.maxCtxOffset, helpers: helpersCalled(v),
      directAccess: v.directAccess, leaksPointers: v.leaksPointers, readsUninitStack: v.readsUninitStack,
      probeMem: [...v.probeMemInsns].sort((a, b) => a - b),
    };
  } catch (e) {
    if (!(e instanceof CheckError)) throw e;
    const at = e.insnIndex ?? v?.insnIdx;
    log.error(e.message);
    for (const l of (e as CheckError & { trailer?: string[] }).trailer ?? []) log.write(`${l}\n`);
    log.stats(stats());
    return { rejected: true, message: e.message, errno: -e.errno, log: log.text(), insnIndex: at };
  }
}



// Applying CO-RE relocations to an object's programs, as libbpf's
// bpf_object__relocate_core + bpf_core_patch_insn do before BPF_PROG_LOAD:
// every record resolved once against the target BTF (candidates cached and
// pruned per local root type), then each instruction it names patched in
// every program that contains a copy. An unresolvable relocation poisons its
// instruction (call 0xbad2310), so the verifier refuses it only if reachable.

import type { Btf } from '../btf/btf.js';
import {
  BPF_CORE_TYPE_ID_LOCAL, CoreError, type CoreCand, type CoreReloOutcome, type CoreReloRes, type CoreSpec,
  btfKindStr, calcCoreReloInsn, findCoreCands, formatCoreSpec, parseCoreSpec,
} from '../btf/core.js';
import { type Insn, LD_IMM64 } from '../isa/insn.js';
import {
  BPF_ALU, BPF_ALU64, BPF_B, BPF_CALL, BPF_DW, BPF_H, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_W,
} from '../isa/opcodes.js';
import type { CoreReloRecord, ObjectSpec, ProgramSpec } from './object.js';

/** The imm of a poisoned instruction: 0xbad2310, "bad relo". */
export const CORE_POISON_IMM = 195896080;

const EINVAL = 22;
const ERANGE = 34;
const SHRT_MAX = 0x7fff;

/** A CO-RE failure that fails the whole object load, with libbpf's warning lines. */
export class CoreReloError extends Error {
  constructor(readonly errno: number, readonly log: string) {
    super(log.split('\n').filter(Boolean).pop() ?? `CO-RE relocation failed: ${-errno}`);
    this.name = 'CoreReloError';
  }
}

/** One record's outcome, shared by every program holding a copy of its instruction. */
export interface ResolvedCoreRelo {
  record: CoreReloRecord;
  res: CoreReloRes;
  localSpec: CoreSpec;
  targSpec?: CoreSpec;
}

export interface CoreResolution {
  relos: ResolvedCoreRelo[];
  /** libbpf's debug lines (without the "libbpf: " prefix) */
  log: string[];
}

/**
 * Resolves every CO-RE record of the object against `target` (libbpf's order:
 * section by section, record by record). `skip(func)`: records of programs
 * that will not be loaded (libbpf: autoload off) are left alone.
 */
export function resolveCoreRelos(spec: ObjectSpec, target: Btf, targetName = 'vmlinux', skip?: (func: string) => boolean): CoreResolution {
  const log: string[] = [];
  const relos: ResolvedCoreRelo[] = [];
  if (spec.coreRelos.length === 0) return { relos, log };
  const local = spec.btf;
  if (!local) throw new CoreReloError(EINVAL, 'CO-RE relocations without a .BTF section');
  const cache = new Map<number, CoreCand[]>();
  let sec = '';
  for (const r of spec.coreRelos) {
    if (r.section !== sec) {
      sec = r.section;
      log.push(`sec '${sec}': found ${spec.coreRelos.filter((x) => x.section === sec).length} CO-RE relocations`);
    }
    if (skip?.(r.func)) continue;
    const fail = (errno: number, lines: string[]): never => {
      lines.push(`prog '${r.func}': relo #${r.index}: failed to relocate: ${-errno}`);
      throw new CoreReloError(errno, [...log, ...lines].join('\n'));
    };
    if (r.typeId <= 0 || r.typeId >= local.length) fail(EINVAL, []);
    let out: CoreReloOutcome;
    try {
      let cands = cache.get(r.typeId);
      if (r.kind !== BPF_CORE_TYPE_ID_LOCAL && !cands) {
        try {
          cands = findCoreCands(local, r.typeId, target);
        } catch (e) {
          if (!(e instanceof CoreError)) throw e;
          const lt = local.type(r.typeId);
          throw new CoreError(e.errno, `prog '${r.func}': relo #${r.index}: target candidate search failed for [${r.typeId}] ${btfKindStr(lt)} ${lt.name}: ${-e.errno}`);
        }
        const lt = local.type(r.typeId);
        for (const c of cands) {
          const t = c.btf.type(c.id);
          log.push(`CO-RE relocating [${r.typeId}] ${btfKindStr(lt)} ${lt.name}: found target candidate [${c.id}] ${btfKindStr(t)} ${t.name} in [${targetName}]`);
        }
        cache.set(r.typeId, cands);
      }
      out = calcCoreReloInsn(r.func, r.kind, r.typeId, r.accessStr, r.funcInsnIndex, r.index, local, cands ?? []);
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      fail(e.errno, e.warning ? [e.warning] : []);
    }
    log.push(...out!.log);
    relos.push({ record: r, res: out!.res, localSpec: out!.localSpec, ...(out!.targSpec ? { targSpec: out!.targSpec } : {}) });
    // patch a scratch copy now, for libbpf's patch lines and errors (the same for every copy);
    // libbpf patches a .text function no program calls too (its own copy of the section)
    const prog = spec.programs.find((p) => p.functions.some((f) => f.name === r.func && f.section === r.section));
    const site = prog?.coreSites.find((s) => spec.coreRelos[s.relo] === r);
    const orig = prog && site ? prog.insns.slice(site.insnIndex, site.insnIndex + 2) : r.siteInsns;
    if (orig?.length) {
      const scratch = orig.map((x) => ({ ...x }));
      const lines: string[] = [];
      const err = patchCoreInsn(r.func, scratch, 0, r.funcInsnIndex, r.index, out!.res, lines);
      log.push(...lines);
      if (err) {
        lines.push(`prog '${r.func}': relo #${r.index}: failed to patch insn #${r.funcInsnIndex}: ${-err}`);
        throw new CoreReloError(err, [...log, lines[lines.length - 1]!].join('\n'));
      }
    }
  }
  return { relos, log };
}

const bpfSizeBytes = (code: number): number => ({ [BPF_DW]: 8, [BPF_W]: 4, [BPF_H]: 2, [BPF_B]: 1 } as Record<number, number>)[code & 0x18]!;
const bytesToBpfSize = (sz: number): number | undefined => ({ 8: BPF_DW, 4: BPF_W, 2: BPF_H, 1: BPF_B } as Record<number, number>)[sz];

/** bpf_core_poison_insn */
function poison(insns: Insn[], at: number): void {
  insns[at] = { code: BPF_JMP | BPF_CALL, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
}

/**
 * bpf_core_patch_insn on insns[at] (idx: the instruction number libbpf
 * prints). Returns 0, or a positive errno with libbpf's warning in `log`.
 */
export function patchCoreInsn(prog: string, insns: Insn[], at: number, idx: number, reloIdx: number, res: CoreReloRes, log: string[]): number {
  const insn = insns[at]!;
  const cls = insn.code & 0x07;
  const doPoison = (): number => {
    // poison the second half of an ld_imm64 too, so the verifier does not complain about opcode 00
    if (insn.code === LD_IMM64) {
      log.push(`prog '${prog}': relo #${reloIdx}: substituting insn #${idx + 1} w/ invalid insn`);
      poison(insns, at + 1);
    }
    log.push(`prog '${prog}': relo #${reloIdx}: substituting insn #${idx} w/ invalid insn`);
    poison(insns, at);
    return 0;
  };
  if (res.poison) return doPoison();
  const { origVal, newVal } = res;
  const u32 = (v: bigint) => BigInt.asUintN(32, v);
  switch (cls) {
    case BPF_ALU: case BPF_ALU64: {
      if ((insn.code & 0x08) !== BPF_K) return EINVAL;
      // libbpf compares the s32 imm with a u64: the imm sign-extends
      if (res.validate && BigInt.asUintN(64, BigInt(insn.imm)) !== origVal) {
        log.push(`prog '${prog}': relo #${reloIdx}: unexpected insn #${idx} (ALU/ALU64) value: got ${insn.imm >>> 0}, exp ${u32(origVal)} -> ${u32(newVal)}`);
        return EINVAL;
      }
      const was = insn.imm >>> 0;
      insns[at] = { ...insn, imm: Number(BigInt.asIntN(32, newVal)) };
      log.push(`prog '${prog}': relo #${reloIdx}: patched insn #${idx} (ALU/ALU64) imm ${was} -> ${u32(newVal)}`);
      return 0;
    }
    case BPF_LDX: case BPF_ST: case BPF_STX: {
      if (res.validate && BigInt.asUintN(64, BigInt(insn.off)) !== origVal) {
        log.push(`prog '${prog}': relo #${reloIdx}: unexpected insn #${idx} (LDX/ST/STX) value: got ${insn.off >>> 0}, exp ${u32(origVal)} -> ${u32(newVal)}`);
        return EINVAL;
      }
      if (newVal > BigInt(SHRT_MAX)) {
        log.push(`prog '${prog}': relo #${reloIdx}: insn #${idx} (LDX/ST/STX) value too big: ${u32(newVal)}`);
        return ERANGE;
      }
      if (res.failMemszAdjust) {
        log.push(`prog '${prog}': relo #${reloIdx}: insn #${idx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return doPoison();
      }
      const was = insn.off;
      let code = insn.code;
      insns[at] = { ...insn, off: Number(newVal) };
      log.push(`prog '${prog}': relo #${reloIdx}: patched insn #${idx} (LDX/ST/STX) off ${was >>> 0} -> ${newVal}`);
      if (res.newSz !== res.origSz) {
        const have = bpfSizeBytes(code);
        if (have !== res.origSz) {
          log.push(`prog '${prog}': relo #${reloIdx}: insn #${idx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz}`);
          return EINVAL;
        }
        const sz = bytesToBpfSize(res.newSz);
        if (sz === undefined) {
          log.push(`prog '${prog}': relo #${reloIdx}: insn #${idx} (LDX/ST/STX) invalid new mem size: ${res.newSz}`);
          return EINVAL;
        }
        code = (code & 0xe0) | sz | cls;
        insns[at] = { ...insns[at]!, code };
        log.push(`prog '${prog}': relo #${reloIdx}: patched insn #${idx} (LDX/ST/STX) mem_sz ${res.origSz} -> ${res.newSz}`);
      }
      return 0;
    }
    case BPF_LD: {
      const next = insns[at + 1];
      if (insn.code !== LD_IMM64 || insn.src !== 0 || insn.off !== 0 || !next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        log.push(`prog '${prog}': relo #${reloIdx}: insn #${idx} (LDIMM64) has unexpected form`);
        return EINVAL;
      }
      const imm = (BigInt(insn.imm >>> 0) + (BigInt(next.imm >>> 0) << 32n)) & 0xffffffffffffffffn;
      if (res.validate && imm !== origVal) {
        log.push(`prog '${prog}': relo #${reloIdx}: unexpected insn #${idx} (LDIMM64) value: got ${imm}, exp ${origVal} -> ${newVal}`);
        return EINVAL;
      }
      insns[at] = { ...insn, imm: Number(BigInt.asIntN(32, newVal)) };
      insns[at + 1] = { ...next, imm: Number(BigInt.asIntN(32, newVal >> 32n)) };
      log.push(`prog '${prog}': relo #${reloIdx}: patched insn #${idx} (LDIMM64) imm64 ${imm} -> ${newVal}`);
      return 0;
    }
    default:
      log.push(`prog '${prog}': relo #${reloIdx}: trying to relocate unrecognized insn #${idx}, code:0x${insn.code.toString(16)}, src:0x${insn.src.toString(16)}, dst:0x${insn.dst.toString(16)}, off:0x${(insn.off & 0xffff).toString(16)}, imm:0x${(insn.imm >>> 0).toString(16)}`);
      return EINVAL;
  }
}

/** The program's instructions with every CO-RE site patched (a copy; the spec stays target-independent). */
export function applyCoreRelos(spec: ObjectSpec, ps: ProgramSpec, resolved: CoreResolution): Insn[] {
  const insns = ps.insns.map((x) => ({ ...x }));
  for (const site of ps.coreSites) {
    const record = spec.coreRelos[site.relo]!;
    const r = resolved.relos.find((x) => x.record === record);
    if (!r) continue; // a program that is not loaded
    const err = patchCoreInsn(record.func, insns, site.insnIndex, record.funcInsnIndex, record.index, r.res, []);
    if (err) throw new CoreReloError(err, `prog '${record.func}': relo #${record.index}: failed to patch insn #${record.funcInsnIndex}: ${-err}`);
  }
  return insns;
}

/**
 * libbpf's fixup_log_failed_core_relo: a reachable poisoned instruction makes
 * the verifier say "N: (85) call unknown#195896080" and "invalid func
 * unknown#195896080"; libbpf replaces those two lines with the relocation
 * that failed.
 */
export function fixupCoreVerifierLog(spec: ObjectSpec, ps: ProgramSpec, log: string): string {
  const re = new RegExp(`^(\\d+): \\(\\d+\\) call unknown#${CORE_POISON_IMM}\\n(invalid func unknown#${CORE_POISON_IMM}\\n)`, 'm');
  const m = re.exec(log);
  if (!m) return log;
  const insnIdx = Number(m[1]);
  const site = ps.coreSites.find((s) => s.insnIndex === insnIdx);
  if (!site || !spec.btf) return log;
  const r = spec.coreRelos[site.relo]!;
  let specStr: string;
  try {
    specStr = formatCoreSpec(parseCoreSpec(spec.btf, r.typeId, r.accessStr, r.kind, r.func));
  } catch {
    return log;
  }
  const patch = `${insnIdx}: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation ${specStr}\n`;
  return log.slice(0, m.index) + patch + log.slice(m.index + m[0].length);
}

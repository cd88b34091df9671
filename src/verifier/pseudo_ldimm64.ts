// resolve_pseudo_ldimm64: the kernel's walk over every instruction, reachable
// or not, before check_cfg and the main pass. Per slot, in its order: the
// BPF_LDX reserved fields, the ld_imm64 forms (second slot, pseudo kinds,
// the map each names and check_map_prog_compatibility), then the opcode table.
// A rejection here has no instruction trace in the log.
import { BPF_CLASS, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MODE, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../isa/opcodes.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { EINVAL } from '../uapi/errno.js';
import type { MapMeta, VerifierInput } from './env.js';
import { checkPseudoBtfId } from './btf_access.js';
import { CheckError } from './cfg.js';
import { checkUsedMap } from './map_compat.js';
import { opcodeInTable } from './opcode_table.js';

/** BPF_PSEUDO_BTF_ID: a typed .ksyms variable, imm = its VAR id in the target BTF */
const BPF_PSEUDO_BTF_ID = 3;

export function resolvePseudoLdimm64(insns: readonly Insn[], maps: readonly MapMeta[], progType: number, sleepable = false, input?: VerifierInput): void {
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (BPF_CLASS(x.code) === BPF_LDX && ((BPF_MODE(x.code) !== BPF_MEM && BPF_MODE(x.code) !== BPF_MEMSX) || x.imm !== 0)) {
      throw new CheckError('BPF_LDX uses reserved fields', EINVAL, i);
    }
    if (x.code === LD_IMM64) {
      const hi = insns[i + 1];
      if (!hi || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) throw new CheckError('invalid bpf_ld_imm64 insn', EINVAL, i);
      if (x.src === BPF_PSEUDO_BTF_ID) {
        try {
          checkPseudoBtfId(input ?? { insns, progType, gpl: false, maps }, x.imm);
        } catch (e) {
          if (e instanceof CheckError) throw new CheckError(e.message, e.errno, i);
          throw e;
        }
      }
      if (x.src !== 0 && x.src !== BPF_PSEUDO_FUNC && x.src !== BPF_PSEUDO_BTF_ID) {
        // only the fd form insists on an empty second imm; the value form keeps its offset there
        const known = x.src === BPF_PSEUDO_MAP_VALUE || (x.src === BPF_PSEUDO_MAP_FD && hi.imm === 0);
        if (!known) throw new CheckError('unrecognized bpf_ld_imm64 insn', EINVAL, i);
        checkUsedMap(insns, i, maps, progType, sleepable);
      }
      i++;
      continue;
    }
    if (!opcodeInTable(x.code)) throw new CheckError(`unknown opcode ${x.code.toString(16).padStart(2, '0')}`, EINVAL, i);
  }
}

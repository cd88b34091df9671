// The program tag `bpftool prog show` prints (bpf_prog_calc_tag): the first 8
// bytes of a hash of the instructions as loaded, with the map fd / map value
// immediates zeroed so the tag does not depend on fd numbers. Linux 6.18
// hashes with SHA-256 (older kernels used SHA-1).

import { createHash } from 'node:crypto';
import { encode, LD_IMM64, type Insn } from '../isa/insn.js';
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../isa/opcodes.js';

/** Tag of a program's loaded instructions (ld_imm64 map references in any numbering). */
export function progTag(insns: readonly Insn[]): string {
  const copy = insns.map((x) => ({ ...x }));
  for (let i = 0; i < copy.length; i++) {
    const x = copy[i]!;
    if (x.code === LD_IMM64 && (x.src === BPF_PSEUDO_MAP_FD || x.src === BPF_PSEUDO_MAP_VALUE) && i + 1 < copy.length) {
      x.imm = 0;
      copy[++i]!.imm = 0;
    }
  }
  return createHash('sha256').update(encode(copy)).digest('hex').slice(0, 16);
}

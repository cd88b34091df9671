// The instruction trace (`rt.on('insn')`, `tsbpf run --trace-insn`): every
// instruction a program executes, after it ran, with the registers it
// changed, printed in the kernel's verifier-log notation:
//
//   12: (07) r1 += 14                     ; R1=0x2a0e
//
// Values are the run's real 64-bit register contents (the verifier prints
// what it knows about them instead); values within +-512 in decimal, the
// rest in hex (verbose_snum's form with a lower cut, so the arena's low
// addresses read as addresses). The interpreter single-steps while someone
// listens, so tracing costs nothing when off.

import { formatInsn } from '../isa/disasm.js';
import type { Insn } from '../isa/insn.js';
import { vlogAlignment } from '../verifier/log.js';

export interface InsnEvent {
  type: 'insn';
  /** the program the instruction belongs to (a tail call switches programs) */
  prog: string;
  progId: number;
  /** instruction index in that program */
  pc: number;
  /** 0 for the run (or timer callback) itself, 1+ inside the bpf_loop / for_each_map_elem callbacks it calls */
  level: number;
  /** the instruction in the kernel's notation, e.g. `(07) r1 += 14` */
  text: string;
  /** registers whose value the instruction changed */
  changed: { reg: number; value: bigint }[];
  /** the instruction raised the run's error (memory fault, division trap, watchdog...) */
  faulted?: boolean;
}

/** `(07) r1 += 14` for slot `pc` of `insns`. */
export function insnText(insns: readonly Insn[], pc: number): string {
  const x = insns[pc];
  if (x === undefined) return '(??) <outside the program>';
  return `(${x.code.toString(16).padStart(2, '0')}) ${formatInsn(insns, pc)}`;
}

const traceNum = (n: bigint): string => (n >= -512n && n <= 512n ? n.toString() : `0x${BigInt.asUintN(64, n).toString(16)}`);

/** `12: (07) r1 += 14                     ; R1=0x2a0e` (no program name). */
export function formatInsnEvent(e: InsnEvent): string {
  const head = `${e.pc}: ${e.text}`;
  const regs = e.changed.map((c) => `R${c.reg}=${traceNum(BigInt.asIntN(64, c.value))}`);
  if (e.faulted) regs.push('(faulted)');
  if (regs.length === 0) return head;
  return `${head}${' '.repeat(vlogAlignment(head.length))}; ${regs.join(' ')}`;
}

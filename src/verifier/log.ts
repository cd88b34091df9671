// The verifier log (struct bpf_verifier_log): kernel-style lines, the final
// error, and the stats line. Instructions are printed with the project's
// disassembler (print_bpf_insn style) when it is present, else a plain form.
import type { Insn } from '../isa/insn.js';
import type { VerifierStats } from './env.js';

type FormatInsn = (insns: readonly Insn[], i: number) => string;

let formatInsnImpl: FormatInsn | undefined;
try {
  // Loaded by a computed specifier so this file compiles before disasm.ts exists.
  const spec = '../isa/disasm.js';
  const mod = (await import(spec)) as { formatInsn?: FormatInsn };
  formatInsnImpl = mod.formatInsn;
} catch {
  formatInsnImpl = undefined;
}

/** "(b7) r0 = 0"-like text for slot i, as the kernel's log prints it. */
export function formatInsn(insns: readonly Insn[], i: number): string {
  const x = insns[i]!;
  const hex = x.code.toString(16).padStart(2, '0');
  if (formatInsnImpl) {
    try { return `(${hex}) ${formatInsnImpl(insns, i)}`; } catch { /* fall through to the plain form */ }
  }
  return `(${hex}) dst=r${x.dst} src=r${x.src} off=${x.off} imm=${x.imm}`;
}

export class VerifierLog {
  readonly lines: string[] = [];
  constructor(readonly level: number) {}

  /** Always kept: errors and the summary. */
  error(line: string): void { this.lines.push(line); }

  /** Level 1 and up. */
  info(line: string): void { if (this.level >= 1) this.lines.push(line); }

  /** Level 2: per-instruction state. */
  trace(line: string): void { if (this.level >= 2) this.lines.push(line); }

  stats(s: VerifierStats): void {
    this.lines.push(
      `processed ${s.processedInsns} insns (limit 1000000) max_states_per_insn ${s.maxStatesPerInsn} ` +
      `total_states ${s.totalStates} peak_states ${s.peakStates} mark_read ${s.markRead}`,
    );
  }

  text(): string { return this.lines.length ? this.lines.join('\n') + '\n' : ''; }
}

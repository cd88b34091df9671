// The context-access sweep (issue #11.3): every offset and size a program of
// each type might load or store, as `r2 = 0; <access via r1>; r0 = 0; exit`.
// The kernel's verdicts are recorded in ctx_sweep.kernel.json by
// `node dist/bench/ctx-sweep.js --record` and checked by ctx_sweep.test.ts.
import type { Insn } from '../../src/isa/insn.js';

export const SWEEP_TYPES: Record<number, { name: string; ctxSize: number }> = {
  1: { name: 'socket_filter', ctxSize: 192 },
  3: { name: 'sched_cls', ctxSize: 192 },
  4: { name: 'sched_act', ctxSize: 192 },
  6: { name: 'xdp', ctxSize: 24 },
  8: { name: 'cgroup_skb', ctxSize: 192 },
};
export const SWEEP_SIZES = [1, 2, 4, 8] as const;
export const SWEEP_MODES = ['ldx', 'st', 'stx'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];
/** offsets swept: the whole context and 8 bytes past it */
export const sweepOffsets = (type: number): number => SWEEP_TYPES[type]!.ctxSize + 8;

const SZ: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

export function sweepProgram(mode: SweepMode, off: number, size: number): Insn[] {
  const acc = mode === 'ldx' ? I(0x61 | SZ[size]!, 2, 1, off) : mode === 'st' ? I(0x62 | SZ[size]!, 1, 0, off, 0) : I(0x63 | SZ[size]!, 1, 2, off);
  return [I(0xb7, 2, 0, 0, 0), acc, I(0xb7, 0, 0, 0, 0), I(0x95)];
}

/** The recorded verdicts: per "type/mode", one char per (offset, size): '1' accepted, '0' rejected. */
export type SweepRecord = Record<string, string>;
export const sweepKey = (type: number, mode: SweepMode): string => `${type}/${mode}`;
export const sweepIndex = (off: number, sizeIdx: number): number => off * SWEEP_SIZES.length + sizeIdx;

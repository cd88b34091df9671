// The verifier log (struct bpf_verifier_log and kernel/bpf/log.c): a text
// buffer written the way the kernel writes it, so the lines come out the
// same. The kernel's log is a byte stream with positions: level 1 rewinds it
// to where a branch was queued when that branch is taken up (only the path
// that fails stays), and the state after an instruction replaces the
// instruction line's newline with padding and "; R0=...". Both are
// position arithmetic, modelled here as such.
import type { Insn } from '../isa/insn.js';
import { LD_IMM64 } from '../isa/insn.js';
import { formatInsn as formatInsnImpl } from '../isa/disasm.js';
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../isa/opcodes.js';
import type { LineInfo, VerifierStats } from './env.js';
import { type RegState, RegType, S32_MAX, S32_MIN, S64_MAX, S64_MIN, isBtfIdType, isMemType, nonNullType } from './reg_state.js';
import { type FuncState, Stk } from './state.js';
import { U32_MAX, U64_MAX, tnumIsConst } from './tnum.js';

/**
 * The address a map (or a map value) has in the log. The kernel prints the
 * struct bpf_map pointer it resolved the fd to; tsbpf prints a stable
 * kernel-looking address per map index instead.
 */
export function mapAddress(mapIndex: number, valueOff?: number): bigint {
  const base = 0xffff888100000000n + BigInt(mapIndex) * 0x10000n;
  return valueOff === undefined ? base : base + 0x8000n + BigInt(valueOff);
}

/** formatInsn's text per program and slot (a path prints the same slots over and over) */
const insnTexts = new WeakMap<readonly Insn[], { insn: Insn; next: Insn | undefined; text: string }[]>();

/** "(b7) r0 = 0"-like text for slot i, as the kernel's log prints it. */
export function formatInsn(insns: readonly Insn[], i: number): string {
  let texts = insnTexts.get(insns);
  if (!texts) insnTexts.set(insns, texts = []);
  const c = texts[i];
  // the text depends on the slot and (ld_imm64) the next one
  if (c && c.insn === insns[i] && c.next === insns[i + 1]) return c.text;
  const text = formatInsnText(insns, i);
  texts[i] = { insn: insns[i]!, next: insns[i + 1], text };
  return text;
}

function formatInsnText(insns: readonly Insn[], i: number): string {
  const x = insns[i]!;
  const hex = x.code.toString(16).padStart(2, '0');
  const immName = (insn: Insn): string | undefined => {
    if (insn.code !== LD_IMM64) return undefined;
    if (insn.src === BPF_PSEUDO_MAP_FD) return `0x${mapAddress(insn.imm).toString(16)}`;
    if (insn.src === BPF_PSEUDO_MAP_VALUE) return `0x${mapAddress(insn.imm, (insns[i + 1]?.imm ?? 0) >>> 0).toString(16)}`;
    return undefined;
  };
  try { return `(${hex}) ${formatInsnImpl(insns, i, { immName })}`; } catch { /* fall through to the plain form */ }
  return `(${hex}) dst=r${x.dst} src=r${x.src} off=${x.off} imm=${x.imm}`;
}

// ---- numbers as print_reg_state writes them -----------------------------------

const isSnumDecimal = (n: bigint): boolean => n >= -32768n && n <= 32767n; // S16_MIN..S16_MAX
const isUnumDecimal = (n: bigint): boolean => n <= 65535n; // U16_MAX
/** verbose_snum: small values in decimal, others as %#llx of the 64-bit pattern */
export function snum(n: bigint): string {
  return isSnumDecimal(n) ? n.toString() : `0x${BigInt.asUintN(64, n).toString(16)}`;
}
/** verbose_unum */
export function unum(n: bigint): string {
  const u = BigInt.asUintN(64, n);
  return isUnumDecimal(u) ? u.toString() : `0x${u.toString(16)}`;
}

/** print_scalar_ranges: equal bounds share one value ("smax=umax=255"). */
const RANGE_NAMES = ['smin', 'smax', 'umin', 'umax', 'smin32', 'smax32', 'umin32', 'umax32'] as const;
function scalarRanges(r: RegState): string[] {
  const s32 = (v: bigint): bigint => (isSnumDecimal(v) ? v : BigInt.asUintN(32, v));
  const val = [r.smin, r.smax, r.umin, r.umax, s32(r.s32min), s32(r.s32max), r.u32min, r.u32max];
  const omit = [r.smin === S64_MIN, r.smax === S64_MAX, r.umin === 0n, r.umax === U64_MAX,
    r.s32min === S32_MIN, r.s32max === S32_MAX, r.u32min === 0n, r.u32max === U32_MAX];
  // signed bounds are at even-in-pairs positions 0, 1, 4, 5
  const signed = (k: number): boolean => (k & 2) === 0;
  const out: string[] = [];
  for (let a = 0; a < 8; a++) {
    if (omit[a]) continue;
    const v1 = val[a]!;
    const u1 = BigInt.asUintN(64, v1);
    const neg1 = signed(a) && BigInt.asIntN(64, v1) < 0n;
    let s = `${RANGE_NAMES[a]}=`;
    for (let b = a + 2; b < 8; b += 2) {
      if (omit[b]) continue;
      const v2 = val[b]!;
      if (BigInt.asUintN(64, v2) !== u1) continue;
      const neg2 = signed(b) && BigInt.asIntN(64, v2) < 0n;
      if (neg2 !== neg1) continue;
      omit[b] = true;
      s += `${RANGE_NAMES[b]}=`;
    }
    s += signed(a) ? snum(BigInt.asIntN(64, v1)) : unum(v1);
    out.push(s);
  }
  return out;
}

const tnumText = (t: { value: bigint; mask: bigint }): string => `(0x${t.value.toString(16)}; 0x${t.mask.toString(16)})`;

/** print_reg_state: "scalar(smin=0,smax=10)", "fp-8", "map_value(id=1,map=m,ks=4,vs=8)". */
export function regStateStr(r: RegState, frameno: number, precise = false): string {
  const t = r.type;
  if ((t === RegType.SCALAR_VALUE || t === RegType.PTR_TO_STACK) && tnumIsConst(r.varOff)) {
    if (t === RegType.SCALAR_VALUE) return (precise ? 'P' : '') + snum(BigInt.asIntN(64, r.varOff.value));
    const fr = r.frameno !== frameno ? `[${r.frameno}]` : '';
    return `fp${fr}${snum(BigInt.asIntN(64, r.varOff.value) + BigInt(r.off))}`;
  }
  const parts: string[] = [];
  // a linked scalar's constant delta follows its id: "id=1+4" (BPF_ADD_CONST)
  const addConst = t === RegType.SCALAR_VALUE && r.id & ((1 << 30) | (1 << 29));
  if (r.id) parts.push(`id=${addConst ? `${r.id & ~addConst}${r.off >= 0 ? '+' : ''}${r.off}` : r.id}`);
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  if (t !== RegType.SCALAR_VALUE && r.off) parts.push(`off=${r.off}`);
  if (t === RegType.PTR_TO_PACKET || t === RegType.PTR_TO_PACKET_META) parts.push(`r=${unum(BigInt(r.range))}`);
  else if (r.map && (t === RegType.CONST_PTR_TO_MAP || t === RegType.CONST_PTR_TO_MAP_OR_NULL || t === RegType.PTR_TO_MAP_KEY
    || t === RegType.PTR_TO_MAP_VALUE || t === RegType.PTR_TO_MAP_VALUE_OR_NULL)) {
    parts.push(`map=${r.map.name}`, `ks=${r.map.keySize}`, `vs=${r.map.valueSize}`);
  } else if (isMemType(nonNullType(t))) parts.push(`sz=${r.memSize}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.value !== 0n) parts.push(`imm=${snum(BigInt.asIntN(64, r.varOff.value))}`);
  } else {
    parts.push(...scalarRanges(r));
    if (r.varOff.mask !== U64_MAX) parts.push(`var_off=${tnumText(r.varOff)}`);
  }
  return `${precise && t === RegType.SCALAR_VALUE ? 'P' : ''}${t}${isBtfIdType(t) && r.btf ? r.btf.name : ''}(${parts.join(',')})`;
}

const SLOT_CHAR: Record<number, string> = { [Stk.INVALID]: '?', [Stk.MISC]: 'm', [Stk.ZERO]: '0', [Stk.SPILL]: 'r' };
const MAX_BPF_STACK = 512;
const ALL_SLOTS = Array.from({ length: MAX_BPF_STACK / 8 }, (_, k) => k);
const NO_SLOTS: number[] = [];

/** Which registers and stack slots print_verifier_state shows (all, or the scratched ones). */
export interface Scratch { regs: number; slots: Set<number> | 'all' }

/**
 * print_verifier_state for one frame: " frame1: R0=1 R10=fp0 fp-8=mmmm???? cb".
 * Stack slot k is fp-8(k+1); its kernel byte order runs from fp-1-8k down.
 */
export function funcStateStr(f: FuncState, scratch: Scratch | undefined, refs: number[], precise?: (kind: 'reg' | 'slot', i: number) => boolean): string {
  let s = f.frameno ? ` frame${f.frameno}:` : '';
  const regs = f.regs;
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i]!;
    if (r.type === RegType.NOT_INIT) continue;
    if (scratch && !(scratch.regs & (1 << i))) continue;
    s += ` R${i}=${regStateStr(r, f.frameno, precise?.('reg', i))}`;
  }
  const slots = scratch && scratch.slots !== 'all'
    ? (scratch.slots.size ? [...scratch.slots].sort((a, b) => a - b) : NO_SLOTS) : ALL_SLOTS;
  const stype = f.stype;
  let dynptrHalf = -1;
  for (const k of slots) {
    if (k < 0 || k >= MAX_BPF_STACK / 8 || k === dynptrHalf) continue;
    const hi = MAX_BPF_STACK - 8 * k - 1; // our index of the slot's byte at fp-1-8k
    let valid = false;
    for (let j = 0; j < 8; j++) if (stype[hi - j] !== Stk.INVALID) { valid = true; break; }
    if (!valid) continue;
    const sp = f.spills[(MAX_BPF_STACK - 8 * (k + 1)) >> 3];
    // a dynptr's two slots print once, at its lower slot, with the type and ids
    const lower = f.spills[(MAX_BPF_STACK - 8 * (k + 2)) >> 3];
    if (stype[hi] === Stk.DYNPTR && sp?.reg.dynptr?.first && lower?.reg.dynptr) {
      const r = lower.reg;
      s += ` fp${-8 * (k + 2)}=dynptr_${r.dynptr!.type}(id=${r.id}${r.refObjId ? `,ref_id=${r.refObjId}` : ''},dynptr_id=${r.id})`;
      dynptrHalf = k + 1;
      continue;
    }
    if (stype[hi - 7] === Stk.SPILL && sp) {
      s += ` fp${-8 * (k + 1)}=${regStateStr(sp.reg, f.frameno, precise?.('slot', k))}`;
      continue;
    }
    let types = '';
    for (let j = 0; j < 8; j++) types += SLOT_CHAR[stype[hi - j]!] ?? '?';
    s += ` fp${-8 * (k + 1)}=${types}`;
  }
  if (refs.length) s += ` refs=${refs.join(',')}`;
  if (f.inCallbackFn) s += ' cb';
  if (f.inAsyncCallbackFn) s += ' async_cb';
  return s;
}

/** vlog_alignment: the column of "; " after an instruction line of `pos` bytes. */
export function vlogAlignment(pos: number): number {
  const MIN = 8, ALIGN = 40;
  return Math.ceil(Math.max(pos + MIN / 2, ALIGN) / MIN) * MIN - pos - 1;
}

/** bytes of log kept (the kernel keeps the last log_size bytes; 16 MiB as libbpf's largest buffer) */
const LOG_KEEP = 1 << 24;
/** small appends joined into one block */
const SEAL_CHUNKS = 256;

export class VerifierLog {
  /**
   * The text as chunks (appends and truncations near the end stay cheap on a
   * million-line path); `start`/`end` are absolute positions as the kernel's
   * start_pos/end_pos, so positions survive dropping the oldest chunks.
   */
  private chunks: string[] = [];
  /**
   * chunks[0..sealed) are blocks joined from many small appends: a long
   * level-1 log is kept as a few thousand flat strings, not millions of tiny
   * ones the garbage collector has to trace and promote.
   */
  private sealed = 0;
  private start = 0;
  private end = 0;
  /** env->prev_log_pos, env->prev_insn_print_pos */
  private prevLogPos = 0;
  private prevInsnPrintPos = 0;
  private prevLinfo: LineInfo | undefined;
  constructor(readonly level: number) {}

  private append(s: string): void {
    this.chunks.push(s);
    this.end += s.length;
    if (this.chunks.length - this.sealed >= SEAL_CHUNKS) {
      const block = this.chunks.slice(this.sealed).join('');
      this.chunks.length = this.sealed;
      this.chunks.push(block);
      this.sealed++;
    }
    if (this.end - this.start > 2 * LOG_KEEP) {
      // drop whole old chunks beyond what is kept
      let drop = 0;
      while (drop < this.chunks.length && this.end - (this.start + this.chunks[drop]!.length) >= LOG_KEEP) {
        this.start += this.chunks[drop]!.length;
        drop++;
      }
      this.chunks = this.chunks.slice(drop);
      this.sealed = Math.max(0, this.sealed - drop);
    }
  }

  /** verbose(): written at level 1 and up */
  write(s: string): void { if (this.level >= 1) this.append(s); }

  /** env->log.end_pos */
  get pos(): number { return this.end; }

  /** bpf_vlog_reset */
  reset(pos: number): void {
    if (pos >= this.end) return;
    if (pos <= this.start) { this.chunks = []; this.sealed = 0; this.start = this.end = pos; return; }
    while (this.end > pos) {
      const wasSealed = this.chunks.length <= this.sealed;
      const last = this.chunks.pop()!;
      this.end -= last.length;
      if (this.sealed > this.chunks.length) this.sealed = this.chunks.length;
      if (this.end < pos) {
        this.chunks.push(last.slice(0, pos - this.end));
        this.end = pos;
        // a cut block stays a block: joined again, a block rewound into
        // at every instruction would be copied over and over
        if (wasSealed) this.sealed = this.chunks.length;
      }
    }
  }

  /** Always kept (the message of a rejection), at every level. */
  error(line: string): void { this.append(line + '\n'); }

  /** Level 1 and up. */
  info(line: string): void { this.write(line + '\n'); }

  /** Level 2 only. */
  trace(line: string): void { if (this.level >= 2) this.append(line + '\n'); }

  /** verbose_linfo: "; source @ file.c:12" when the line changes. */
  linfo(lineInfo: readonly LineInfo[] | undefined, insn: number, prefix = '; '): void {
    if (this.level < 1 || !lineInfo?.length || insn < 0) return;
    let i = 1;
    for (; i < lineInfo.length; i++) if (insn < lineInfo[i]!.insnOff) break;
    const l = lineInfo[i - 1]!;
    const p = this.prevLinfo;
    // records for other columns of the line just printed print nothing
    if (p && (l === p || (l.line === p.line && l.lineNum === p.lineNum && l.fileName === p.fileName))) return;
    const file = l.fileName ? ` @ ${l.fileName.slice(l.fileName.lastIndexOf('/') + 1)}:${l.lineNum ?? 0}` : '';
    this.write(`${prefix}${l.line.trimStart()}${file}\n`);
    this.prevLinfo = l;
  }

  /** The "N: (xx) insn" line of do_check. */
  insn(idx: number, text: string): void {
    if (this.level < 1) return;
    this.prevLogPos = this.pos;
    this.write(`${idx}: ${text}\n`);
    this.prevInsnPrintPos = this.pos - this.prevLogPos;
    this.prevLogPos = this.pos;
  }

  /** print_insn_state: appended to the instruction line when nothing came between. */
  insnState(idx: number, state: string): void {
    if (this.level < 1) return;
    if (this.prevLogPos && this.prevLogPos === this.pos) {
      this.reset(this.prevLogPos - 1);
      this.append(`${' '.repeat(vlogAlignment(this.prevInsnPrintPos))};${state}\n`);
    } else {
      this.append(`${idx}:${state}\n`);
    }
  }

  stats(s: VerifierStats): void {
    this.append(
      `processed ${s.processedInsns} insns (limit 1000000) max_states_per_insn ${s.maxStatesPerInsn} ` +
      `total_states ${s.totalStates} peak_states ${s.peakStates} mark_read ${s.markRead}\n`);
  }

  get lines(): string[] {
    const l = this.text().split('\n');
    if (l[l.length - 1] === '') l.pop();
    return l;
  }

  text(): string {
    const t = this.chunks.join('');
    return t.length > LOG_KEEP ? t.slice(t.length - LOG_KEEP) : t;
  }
}

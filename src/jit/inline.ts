// Helpers the JIT emits as WebAssembly instead of calling out to JS: the
// kernel's map_gen_lookup (array_map_gen_lookup in kernel/bpf/arraymap.c),
// which turns bpf_map_lookup_elem on an array map into
// `index < max_entries ? base + index * elem_size : NULL`.
//
// The map must be known at compile time: the call's r1 is a constant set by a
// ld_imm64 earlier in the same basic block (what every compiled program does:
// `r1 = map ll; call bpf_map_lookup_elem`), and the runtime's own lookup helper
// says that constant is an array map and gives its layout (a helper wrapped to
// observe calls says nothing, so an observed runtime keeps every call).
// The key is read inline only where the helper's checkMem would pass without
// asking the arena: in the current stack frame or in one of the two cached
// readable blocks; anywhere else the helper runs, with its own checks and errors.

import type { DecodedProgram } from '../vm/decode.js';
import type { ArrayLookupLayout, HashLookupLayout, LookupLayout } from '../vm/env.js';
import { MAX_BPF_STACK } from '../isa/opcodes.js';
import { E2BIG, EEXIST, ENOENT } from '../uapi/errno.js';
import { Bytes, I64, OP, VOID } from './wasm.js';

export type { ArrayLookupLayout, HashLookupLayout, LookupLayout };

/** a helper result loaded from an arena word (bpf_ktime_get_ns on the virtual clock) */
export interface ValueCell {
  readonly kind: 'cell';
  readonly cell: number;
}

/** what one inlined call site was compiled against (checked again when another engine reuses the module) */
export interface InlinedSite {
  readonly pc: number;
  /** the map of a lookup (0 for a value cell) */
  readonly mapPtr: number;
  /** an inlined bpf_map_update_elem / bpf_map_delete_elem (absent: a lookup or a value cell) */
  readonly op?: 'update' | 'delete';
  readonly layout: LookupLayout | ValueCell;
}

/** the key bytes a lookup in this map reads */
export function keySizeOf(l: LookupLayout): number {
  return l.kind === 'array' ? 4 : l.keySize;
}

/** the same layout (a cached module compiled against `a` may run where the maps give `b`) */
export function sameLayout(a: LookupLayout, b: LookupLayout): boolean {
  const x = a as unknown as Record<string, unknown>, y = b as unknown as Record<string, unknown>;
  const k = Object.keys(x);
  return k.length === Object.keys(y).length && k.every((n) => x[n] === y[n]);
}

/**
 * The constant r1 holds at the call in slot `at`, set by a ld_imm64 earlier in
 * `slots` (one basic block, so no other path reaches the call), or undefined.
 */
export function constR1(prog: DecodedProgram, slots: readonly number[], at: number): number | undefined {
  const w = prog.words;
  const i = slots.indexOf(at);
  for (let k = i - 1; k >= 0; k--) {
    const p = slots[k]! * 4;
    const code = w[p]! & 0xff;
    const dst = (w[p]! >> 8) & 0xf;
    const src = (w[p]! >> 12) & 0xf;
    const cls = code & 7;
    if (code === 0x18) {
      if (dst !== 1) continue;
      const hi = w[p + 3]!;
      return hi === 0 && w[p + 2]! !== 0 ? w[p + 2]! >>> 0 : undefined;
    }
    // stores leave registers alone, but for the fetching atomics (they write src or r0)
    if (cls === 2 || cls === 3) {
      if ((code & 0xe0) === 0xc0 && cls === 3 && src === 1) return undefined;
      continue;
    }
    // ALU, ALU64 and LDX write dst only (ld_abs/ld_ind clobber r1-r5, calls end the search)
    if ((cls === 4 || cls === 7 || cls === 1) && dst !== 1) continue;
    return undefined;
  }
  return undefined;
}

/** The wasm locals and globals the emitted code uses (compile.ts's layout). */
export interface InlineRegs {
  /** local index of r0, r2, r3, r4, r10 */
  readonly r0: number;
  readonly r2: number;
  readonly r3: number;
  readonly r4: number;
  readonly r10: number;
  /** i64 scratch locals, and an i32 one */
  readonly scratch: number;
  readonly scratch2: number;
  readonly scratch32: number;
  /** globals: start and length of readable cache entry 0 (entry 1 follows: start + 2, length + 2) */
  readonly cacheStart: number;
}

/**
 * Pushes an i32: 1 when `size` bytes at `reg` (r2 by default) are in the current
 * frame or in a cached readable block (so checkMem would accept them), else 0.
 */
export function emitKeyReadable(b: Bytes, r: InlineRegs, size: number, reg = r.r2): void {
  // reg - (r10 - MAX_BPF_STACK) <= MAX_BPF_STACK - size, unsigned: inside the frame
  b.byte(OP.local_get).u32(reg).byte(OP.local_get).u32(r.r10).byte(OP.i64_const).s64(BigInt(MAX_BPF_STACK))
    .byte(OP.i64_sub).byte(OP.i64_sub).byte(OP.i64_const).s64(BigInt(MAX_BPF_STACK - size)).byte(OP.i64_le_u);
  for (const e of [0, 2]) {
    // d = reg - start: d < len && d + size <= len (len 0: an empty entry never hits)
    b.byte(OP.local_get).u32(reg).byte(OP.global_get).u32(r.cacheStart + e).byte(OP.i64_sub).byte(OP.local_tee).u32(r.scratch)
      .byte(OP.global_get).u32(r.cacheStart + e + 1).byte(OP.i64_lt_u);
    b.byte(OP.local_get).u32(r.scratch).byte(OP.i64_const).s64(BigInt(size)).byte(OP.i64_add)
      .byte(OP.global_get).u32(r.cacheStart + e + 1).byte(OP.i64_le_u).byte(OP.i32_and);
    b.byte(OP.i32_or);
  }
}

/** Sets r0 to the element's address or 0: array_map_gen_lookup with the layout as constants. */
export function emitArrayLookup(b: Bytes, r: InlineRegs, l: ArrayLookupLayout): void {
  b.byte(OP.local_get).u32(r.r2).byte(OP.i32_wrap_i64).byte(OP.i64_load32_u).u32(0).u32(0).byte(OP.local_tee).u32(r.scratch);
  b.byte(OP.i64_const).s64(BigInt(l.maxEntries)).byte(OP.i64_lt_u);
  b.byte(OP.if).byte(I64);
  b.byte(OP.i64_const).s64(BigInt(l.base)).byte(OP.local_get).u32(r.scratch).byte(OP.i64_const).s64(BigInt(l.elemSize))
    .byte(OP.i64_mul).byte(OP.i64_add);
  if (l.cpuCell !== undefined) {
    // + this CPU's copy: cpu * max_entries * elem_size
    b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(0).u32(l.cpuCell).byte(OP.i64_extend_i32_u)
      .byte(OP.i64_const).s64(BigInt(l.cpuStride!)).byte(OP.i64_mul).byte(OP.i64_add);
  }
  b.byte(OP.else).byte(OP.i64_const).s64(0n).byte(OP.end);
  b.byte(OP.local_set).u32(r.r0);
}

// jhash2's __jhash_mix and __jhash_final as (op, dst, src, rotate) over a, b, c
// (0, 1, 2): 'sub' d -= s; 'xrol' d ^= rol(s, r); 'add' d += s; 'xor' d ^= s; 'subrol' d -= rol(s, r)
type Step = readonly [string, number, number, number?];
const MIX: readonly Step[] = [
  ['sub', 0, 2], ['xrol', 0, 2, 4], ['add', 2, 1], ['sub', 1, 0], ['xrol', 1, 0, 6], ['add', 0, 2],
  ['sub', 2, 1], ['xrol', 2, 1, 8], ['add', 1, 0], ['sub', 0, 2], ['xrol', 0, 2, 16], ['add', 2, 1],
  ['sub', 1, 0], ['xrol', 1, 0, 19], ['add', 0, 2], ['sub', 2, 1], ['xrol', 2, 1, 4], ['add', 1, 0],
];
const FINAL: readonly Step[] = [
  ['xor', 2, 1], ['subrol', 2, 1, 14], ['xor', 0, 2], ['subrol', 0, 2, 11], ['xor', 1, 0], ['subrol', 1, 0, 25],
  ['xor', 2, 1], ['subrol', 2, 1, 16], ['xor', 0, 2], ['subrol', 0, 2, 4], ['xor', 1, 0], ['subrol', 1, 0, 14],
  ['xor', 2, 1], ['subrol', 2, 1, 24],
];

/**
 * Finds the key at r2 in the arena mirror of the table (HashLookupLayout):
 * leaves its slot + 1 in scratch32 (0: not in the table) and its hash in
 * scratch2 (u32). The key's jhash2 is unrolled for its size; the bucket's
 * chain is walked comparing hash and key words. The hash state a, b, c lives
 * in r0 and the two scratch locals as u32 (r0 is free: the call sets it).
 */
function emitHashWalk(b: Bytes, r: InlineRegs, l: HashLookupLayout): void {
  const loc = [r.r0, r.scratch, r.scratch2];
  const get = (v: number): void => { b.byte(OP.local_get).u32(loc[v]!).byte(OP.i32_wrap_i64); };
  const set = (v: number): void => { b.byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(loc[v]!); };
  const keyWord = (j: number): void => {
    b.byte(OP.local_get).u32(r.r2).byte(OP.i32_wrap_i64).byte(OP.i32_load).u32(0).u32(4 * j);
  };
  const steps = (list: readonly Step[]): void => {
    for (const [op, d, s, rot] of list) {
      get(d);
      get(s);
      if (rot !== undefined) b.byte(OP.i32_const).s32(rot).byte(OP.i32_rotl);
      b.byte(op === 'sub' || op === 'subrol' ? OP.i32_sub : op === 'add' ? OP.i32_add : OP.i32_xor);
      set(d);
    }
  };
  // jhash2(key, words, seed)
  let words = l.keySize >> 2;
  const init = (0xdeadbeef + (words << 2) + l.seed) | 0;
  for (let v = 0; v < 3; v++) { b.byte(OP.i32_const).s32(init); set(v); }
  let j = 0;
  while (words > 3) {
    for (let v = 0; v < 3; v++) { get(v); keyWord(j + v); b.byte(OP.i32_add); set(v); }
    steps(MIX);
    words -= 3;
    j += 3;
  }
  if (words > 0) {
    for (let v = 0; v < words; v++) { get(v); keyWord(j + v); b.byte(OP.i32_add); set(v); }
    steps(FINAL);
  }
  // the hash is c (scratch2); s = heads[hash & mask] (slot + 1) in scratch32
  get(2);
  b.byte(OP.i32_const).s32(l.mask).byte(OP.i32_and).byte(OP.i32_const).s32(2).byte(OP.i32_shl)
    .byte(OP.i32_load).u32(0).u32(l.heads).byte(OP.local_set).u32(r.scratch32);
  b.byte(OP.block).byte(VOID).byte(OP.loop).byte(VOID);
  // end of the chain: scratch32 stays 0
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.i32_eqz).byte(OP.br_if).u32(1);
  // hashes[s - 1] == hash && every key word matches: found
  slotTimes(b, r, 4);
  b.byte(OP.i32_load).u32(0).u32(l.hashes);
  get(2);
  b.byte(OP.i32_eq);
  for (let w = 0; w < l.keySize >> 2; w++) {
    slotTimes(b, r, l.keySize);
    b.byte(OP.i32_load).u32(0).u32(l.keys + 4 * w);
    keyWord(w);
    b.byte(OP.i32_eq).byte(OP.i32_and);
  }
  b.byte(OP.br_if).u32(1);
  // s = next[s - 1]
  slotTimes(b, r, 4);
  b.byte(OP.i32_load).u32(0).u32(l.next).byte(OP.local_set).u32(r.scratch32);
  b.byte(OP.br).u32(0);
  b.byte(OP.end).byte(OP.end);
}

/** pushes (scratch32 - 1) * scale: the found slot's offset in an array of `scale`-byte entries */
function slotTimes(b: Bytes, r: InlineRegs, scale: number): void {
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.i32_const).s32(1).byte(OP.i32_sub);
  if (scale !== 1) b.byte(OP.i32_const).s32(scale).byte(OP.i32_mul);
}

/** Sets r0 to the value of the key at r2 or 0: htab_map_lookup_elem over the arena mirror. */
export function emitHashLookup(b: Bytes, r: InlineRegs, l: HashLookupLayout): void {
  emitHashWalk(b, r, l);
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.if).byte(I64);
  if (l.refs !== undefined) {
    // LRU: the element's ref bit, which the eviction's second chance reads
    slotTimes(b, r, 1);
    b.byte(OP.i32_const).s32(1).byte(OP.i32_store8).u32(0).u32(l.refs);
  }
  b.byte(OP.i64_const).s64(BigInt(l.slab));
  slotTimes(b, r, 1);
  b.byte(OP.i64_extend_i32_u).byte(OP.i64_const).s64(BigInt(l.slotSize)).byte(OP.i64_mul).byte(OP.i64_add);
  if (l.cpuStride !== undefined) {
    // per-CPU: + the running CPU's copy (htab_percpu_map_lookup_elem's this_cpu_ptr)
    b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.cpuCell!).byte(OP.i64_extend_i32_u)
      .byte(OP.i64_const).s64(BigInt(l.cpuStride)).byte(OP.i64_mul).byte(OP.i64_add);
  }
  // hash of maps: the inner map's pointer the value holds (htab_of_map_gen_lookup's extra load)
  if (l.deref) b.byte(OP.i32_wrap_i64).byte(OP.i64_load32_u).u32(2).u32(0);
  b.byte(OP.else).byte(OP.i64_const).s64(0n).byte(OP.end).byte(OP.local_set).u32(r.r0);
}

/** the layouts whose updates and deletes may be compiled inline */
export function writable(l: LookupLayout): l is HashLookupLayout & Required<HashLookupLayout> {
  return l.kind === 'hash' && l.log !== undefined;
}

/** 0xffffffff in a log entry's old-slot word: an insert; in its new-slot word: a delete */
export const LOG_NONE = 0xffffffff;

/**
 * Removes the found slot (scratch32 - 1) from its chain: `at` (scratch, an
 * absolute address) starts at the word that may point to it and follows the
 * chain until it does, then takes the slot's own next link.
 */
function emitUnlinkFound(b: Bytes, r: InlineRegs, l: HashLookupLayout): void {
  const at = (): void => { b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64); };
  b.byte(OP.block).byte(VOID).byte(OP.loop).byte(VOID);
  at();
  b.byte(OP.i32_load).u32(0).u32(0).byte(OP.local_get).u32(r.scratch32).byte(OP.i32_eq).byte(OP.br_if).u32(1);
  // at = next + 4 * (*at - 1)
  at();
  b.byte(OP.i32_load).u32(0).u32(0).byte(OP.i32_const).s32(1).byte(OP.i32_sub).byte(OP.i32_const).s32(4).byte(OP.i32_mul)
    .byte(OP.i32_const).s32(l.next).byte(OP.i32_add).byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  b.byte(OP.br).u32(0);
  b.byte(OP.end).byte(OP.end);
  at();
  slotTimes(b, r, 4);
  b.byte(OP.i32_load).u32(0).u32(l.next).byte(OP.i32_store).u32(2).u32(0);
}

/**
 * Appends (`first`, `second`, the CPU) to the change log; each callback
 * pushes an i32. An insert (`insert`) logs the hash instead of the CPU and
 * the key at r2 after them: the slot's own copies may be overwritten by a
 * later entry before the map replays this one.
 */
function emitLog(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>, first: () => void, second: () => void, insert = false): void {
  // scratch = the entry's offset after the count word
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.log).byte(OP.i32_const).s32(l.logEntry).byte(OP.i32_mul)
    .byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  const entry = (): void => { b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64); };
  entry(); first(); b.byte(OP.i32_store).u32(2).u32(l.log + 4);
  entry(); second(); b.byte(OP.i32_store).u32(2).u32(l.log + 8);
  entry();
  if (insert) b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64);
  else emitCpu(b, l);
  b.byte(OP.i32_store).u32(2).u32(l.log + 12);
  for (let w = 0; insert && w < l.keySize >> 2; w++) {
    entry();
    b.byte(OP.local_get).u32(r.r2).byte(OP.i32_wrap_i64).byte(OP.i32_load).u32(0).u32(4 * w)
      .byte(OP.i32_store).u32(0).u32(l.log + 16 + 4 * w);
  }
  b.byte(OP.i32_const).s32(0).byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.log).byte(OP.i32_const).s32(1)
    .byte(OP.i32_add).byte(OP.i32_store).u32(2).u32(l.log);
}

/** pushes the running CPU's spare index (cpu % nSpare, as allocElem picks it) */
function emitCpu(b: Bytes, l: Required<HashLookupLayout>): void {
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.cpuCell).byte(OP.i32_const).s32(l.nSpare).byte(OP.i32_rem_u);
}

/** branches to the slow path (label `slow`) when the change log is full */
function emitLogRoom(b: Bytes, l: Required<HashLookupLayout>, slow: number): void {
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.log).byte(OP.i32_const).s32(l.logCap).byte(OP.i32_ge_u)
    .byte(OP.br_if).u32(slow);
}

/**
 * Writes the key at r2, its hash (scratch2) and the value at r3 into slot t
 * (r0) and links t at the head of its bucket: alloc_htab_elem's copies and
 * the hlist_nulls_add_head_rcu of htab_map_update_elem.
 */
function emitFillAndLink(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>, link = true): void {
  const t = (scale: number): void => {
    b.byte(OP.local_get).u32(r.r0).byte(OP.i32_wrap_i64);
    if (scale !== 1) b.byte(OP.i32_const).s32(scale).byte(OP.i32_mul);
  };
  // the value, copied as a snapshot (every load before any store: the source may overlap the slot)
  const chunks: [number, number, number][] = []; // offset, load op, store op
  let off = 0;
  for (; off + 8 <= l.valueSize; off += 8) chunks.push([off, OP.i64_load, OP.i64_store]);
  if (off + 4 <= l.valueSize) { chunks.push([off, OP.i32_load, OP.i32_store]); off += 4; }
  if (off + 2 <= l.valueSize) { chunks.push([off, OP.i32_load16_u, OP.i32_store16]); off += 2; }
  if (off < l.valueSize) chunks.push([off, OP.i32_load8_u, OP.i32_store8]);
  for (const [o, ld] of chunks) {
    t(l.slotSize);
    b.byte(OP.local_get).u32(r.r3).byte(OP.i32_wrap_i64).byte(ld).u32(0).u32(o);
  }
  for (let k = chunks.length - 1; k >= 0; k--) b.byte(chunks[k]![2]).u32(0).u32(l.slab + chunks[k]![0]);
  // the key and the hash
  for (let w = 0; w < l.keySize >> 2; w++) {
    t(l.keySize);
    b.byte(OP.local_get).u32(r.r2).byte(OP.i32_wrap_i64).byte(OP.i32_load).u32(0).u32(4 * w)
      .byte(OP.i32_store).u32(0).u32(l.keys + 4 * w);
  }
  t(4);
  b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64).byte(OP.i32_store).u32(2).u32(l.hashes);
  if (link) emitLinkHead(b, r, l);
}

/** links slot t (r0) at the head of the bucket of the hash in scratch2 */
function emitLinkHead(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  const t = (scale: number): void => {
    b.byte(OP.local_get).u32(r.r0).byte(OP.i32_wrap_i64);
    if (scale !== 1) b.byte(OP.i32_const).s32(scale).byte(OP.i32_mul);
  };
  // t at the head of the bucket: next[t] = heads[b]; heads[b] = t + 1
  const bucket = (): void => {
    b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64).byte(OP.i32_const).s32(l.mask).byte(OP.i32_and)
      .byte(OP.i32_const).s32(2).byte(OP.i32_shl);
  };
  t(4);
  bucket();
  b.byte(OP.i32_load).u32(2).u32(l.heads).byte(OP.i32_store).u32(2).u32(l.next);
  bucket();
  t(1);
  b.byte(OP.i32_const).s32(1).byte(OP.i32_add).byte(OP.i32_store).u32(2).u32(l.heads);
}

/** r0 = the errno; branch out to `done` */
function emitReturn(b: Bytes, r: InlineRegs, errno: number, done: number): void {
  b.byte(OP.i64_const).s64(BigInt(errno)).byte(OP.local_set).u32(r.r0).byte(OP.br).u32(done);
}

/** pushes r4 (the update's flags) == f */
function emitFlagsIs(b: Bytes, r: InlineRegs, f: number): void {
  b.byte(OP.local_get).u32(r.r4).byte(OP.i64_const).s64(BigInt(f)).byte(OP.i64_eq);
}

/**
 * An inline update's way out to the helper (`br 0`): flags above BPF_EXIST, a key or value the
 * helper must check, a key inside the table's own slots (`slabBytes`), no room in the log.
 */
function emitUpdateChecks(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>, slabBytes: number): void {
  // flags <= BPF_EXIST (unsigned): BPF_ANY, BPF_NOEXIST, BPF_EXIST
  b.byte(OP.local_get).u32(r.r4).byte(OP.i64_const).s64(2n).byte(OP.i64_gt_u).byte(OP.br_if).u32(0);
  emitKeyReadable(b, r, l.keySize);
  b.byte(OP.i32_eqz).byte(OP.br_if).u32(0);
  emitKeyReadable(b, r, l.valueSize, r.r3);
  b.byte(OP.i32_eqz).byte(OP.br_if).u32(0);
  emitKeyOutsideSlab(b, r, l, slabBytes);
  emitLogRoom(b, l, 0);
}

/**
 * bpf_map_update_elem with BPF_ANY, BPF_NOEXIST or BPF_EXIST, as
 * htab_map_update_elem does it on a preallocated map (check_flags' -EEXIST
 * and -ENOENT included). An existing key: the running CPU's spare element
 * (extra_elems) takes the key, the hash and the value and goes to the head
 * of the bucket, the old element leaves the chain and becomes the spare (a
 * program still holding it reads the old value). A new key: an element from
 * the free list (the arena copy of the map's: freed slots LIFO, then slots
 * never handed out), -E2BIG when there is none. Emitted inside two blocks:
 * `br 0` is the slow path (the helper: BPF_F_LOCK or invalid flags, a key or
 * value the helper must check, a full log), `br 1` is done.
 */
export function emitHashUpdate(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  if (l.lfree !== undefined) {
    emitLruUpdate(b, r, l);
    return;
  }
  const flagsIs = (f: number): void => emitFlagsIs(b, r, f);
  emitUpdateChecks(b, r, l, (l.maxEntries + l.nSpare) * l.slotSize);
  emitHashWalk(b, r, l);
  const t = (scale: number): void => {
    b.byte(OP.local_get).u32(r.r0).byte(OP.i32_wrap_i64);
    if (scale !== 1) b.byte(OP.i32_const).s32(scale).byte(OP.i32_mul);
  };
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.if).byte(VOID); // found: done is 2 in here
  flagsIs(1);
  b.byte(OP.if).byte(VOID);
  emitReturn(b, r, -EEXIST, 3);
  b.byte(OP.end);
  // scratch = 4 * cpu; t = spare[cpu] (in r0); spare[cpu] = s
  emitCpu(b, l);
  b.byte(OP.i32_const).s32(4).byte(OP.i32_mul).byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64).byte(OP.i64_load32_u).u32(2).u32(l.spare).byte(OP.local_set).u32(r.r0);
  b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64);
  slotTimes(b, r, 1);
  b.byte(OP.i32_store).u32(2).u32(l.spare);
  emitFillAndLink(b, r, l);
  // the old element out of the chain, after t: at = &next[t]
  t(4);
  b.byte(OP.i32_const).s32(l.next).byte(OP.i32_add).byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  emitUnlinkFound(b, r, l);
  emitLog(b, r, l, () => slotTimes(b, r, 1), () => t(1));
  emitReturn(b, r, 0, 2);
  b.byte(OP.end);
  // a new key
  flagsIs(2);
  b.byte(OP.if).byte(VOID);
  emitReturn(b, r, -ENOENT, 2);
  b.byte(OP.end);
  // t = the free list's top, else the next slot never handed out, else -E2BIG
  const word = (addr: number): void => { b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(addr); };
  word(l.free);
  b.byte(OP.if).byte(VOID);
  b.byte(OP.i32_const).s32(0);
  word(l.free);
  b.byte(OP.i32_const).s32(1).byte(OP.i32_sub).byte(OP.i32_store).u32(2).u32(l.free);
  word(l.free);
  b.byte(OP.i32_const).s32(4).byte(OP.i32_mul).byte(OP.i64_load32_u).u32(2).u32(l.free + 4).byte(OP.local_set).u32(r.r0);
  b.byte(OP.else);
  word(l.fresh);
  b.byte(OP.i32_const).s32(l.maxEntries).byte(OP.i32_ge_u);
  b.byte(OP.if).byte(VOID);
  emitReturn(b, r, -E2BIG, 3);
  b.byte(OP.end);
  word(l.fresh);
  b.byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.r0);
  b.byte(OP.i32_const).s32(0);
  word(l.fresh);
  b.byte(OP.i32_const).s32(1).byte(OP.i32_add).byte(OP.i32_store).u32(2).u32(l.fresh);
  b.byte(OP.end);
  emitFillAndLink(b, r, l);
  emitLog(b, r, l, () => { b.byte(OP.i32_const).s32(LOG_NONE | 0); }, () => t(1), true);
  emitReturn(b, r, 0, 1);
}

/**
 * bpf_map_delete_elem (htab_map_delete_elem): the element leaves its chain
 * for the free list, -ENOENT when the key is not there. Emitted like emitHashUpdate; the slow
 * path only when the key must be checked by the helper or the log is full.
 */
export function emitHashDelete(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  if (l.lfree !== undefined) {
    emitLruDelete(b, r, l);
    return;
  }
  emitKeyReadable(b, r, l.keySize);
  b.byte(OP.i32_eqz).byte(OP.br_if).u32(0);
  emitLogRoom(b, l, 0);
  emitHashWalk(b, r, l);
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.i32_eqz).byte(OP.if).byte(VOID)
    .byte(OP.i64_const).s64(BigInt(-ENOENT)).byte(OP.local_set).u32(r.r0).byte(OP.br).u32(2).byte(OP.end);
  // at = &heads[hash & mask]
  b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64).byte(OP.i32_const).s32(l.mask).byte(OP.i32_and)
    .byte(OP.i32_const).s32(2).byte(OP.i32_shl).byte(OP.i32_const).s32(l.heads).byte(OP.i32_add)
    .byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  emitUnlinkFound(b, r, l);
  // free_htab_elem: the slot goes on the free list (the next insert takes it)
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.free).byte(OP.i32_const).s32(4).byte(OP.i32_mul);
  slotTimes(b, r, 1);
  b.byte(OP.i32_store).u32(2).u32(l.free + 4);
  b.byte(OP.i32_const).s32(0).byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.free).byte(OP.i32_const).s32(1)
    .byte(OP.i32_add).byte(OP.i32_store).u32(2).u32(l.free);
  emitLog(b, r, l, () => slotTimes(b, r, 1), () => { b.byte(OP.i32_const).s32(LOG_NONE | 0); });
  b.byte(OP.i64_const).s64(0n).byte(OP.local_set).u32(r.r0).byte(OP.br).u32(1);
}

/**
 * Branches to the slow path when the key at r2 lies in the map's own value
 * slots: the new element's value is written before its key is copied, so a
 * key read through a stale pointer into that element would change under the
 * copy (the helper copies the key first, as the kernel does).
 */
function emitKeyOutsideSlab(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>, slabBytes: number): void {
  b.byte(OP.local_get).u32(r.r2).byte(OP.i64_const).s64(BigInt(l.slab)).byte(OP.i64_sub)
    .byte(OP.i64_const).s64(BigInt(slabBytes)).byte(OP.i64_lt_u).byte(OP.br_if).u32(0);
}

/** pushes the running CPU (the arena word the map env keeps) */
function emitCurCpu(b: Bytes, l: Required<HashLookupLayout>): void {
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.cpuCell);
}

/**
 * bpf_lru_push_free for the found slot (scratch32 - 1), just unlinked: its
 * ref bit cleared; on a CPU's pending list (pend byte CPU + 1) it goes on that
 * CPU's free stack, else (the global active or inactive list) the map's
 * replay of the log moves it to the global free list. Uses scratch.
 */
function emitLruPushFree(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  slotTimes(b, r, 1);
  b.byte(OP.i32_const).s32(0).byte(OP.i32_store8).u32(0).u32(l.refs);
  slotTimes(b, r, 1);
  b.byte(OP.i32_load8_u).u32(0).u32(l.pend).byte(OP.i64_extend_i32_u).byte(OP.local_tee).u32(r.scratch)
    .byte(OP.i64_eqz).byte(OP.i32_eqz).byte(OP.if).byte(VOID);
  const cpu4 = (): void => {
    b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64).byte(OP.i32_const).s32(1).byte(OP.i32_sub)
      .byte(OP.i32_const).s32(4).byte(OP.i32_mul);
  };
  // lnext[s] = lfree[cpu]; lfree[cpu] = s + 1; pend[s] = 0
  slotTimes(b, r, 4);
  cpu4();
  b.byte(OP.i32_load).u32(2).u32(l.lfree).byte(OP.i32_store).u32(2).u32(l.lnext);
  cpu4();
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.i32_store).u32(2).u32(l.lfree);
  slotTimes(b, r, 1);
  b.byte(OP.i32_const).s32(0).byte(OP.i32_store8).u32(0).u32(l.pend);
  b.byte(OP.end);
}

/**
 * Appends an LRU log entry: the found slot (scratch32 - 1, 0xffffffff when
 * none), `second` (pushes the new slot or LOG_NONE), the hash (scratch2), the
 * CPU and the key at r2 (`key`).
 */
function emitLruLog(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>, second: () => void, key: boolean): void {
  b.byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.log).byte(OP.i32_const).s32(l.logEntry).byte(OP.i32_mul)
    .byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  const entry = (): void => { b.byte(OP.local_get).u32(r.scratch).byte(OP.i32_wrap_i64); };
  entry(); slotTimes(b, r, 1); b.byte(OP.i32_store).u32(2).u32(l.log + 4);
  entry(); second(); b.byte(OP.i32_store).u32(2).u32(l.log + 8);
  entry(); b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64).byte(OP.i32_store).u32(2).u32(l.log + 12);
  entry(); emitCurCpu(b, l); b.byte(OP.i32_store).u32(2).u32(l.log + 16);
  for (let w = 0; key && w < l.keySize >> 2; w++) {
    entry();
    b.byte(OP.local_get).u32(r.r2).byte(OP.i32_wrap_i64).byte(OP.i32_load).u32(0).u32(4 * w)
      .byte(OP.i32_store).u32(0).u32(l.log + 20 + 4 * w);
  }
  b.byte(OP.i32_const).s32(0).byte(OP.i32_const).s32(0).byte(OP.i32_load).u32(2).u32(l.log).byte(OP.i32_const).s32(1)
    .byte(OP.i32_add).byte(OP.i32_store).u32(2).u32(l.log);
}

/**
 * bpf_map_update_elem on a (common) LRU hash, as htab_lru_map_update_elem
 * does it when the running CPU's local free list has a node: that node (the
 * free stack's top) takes the key and the value, then check_flags; on an
 * error it goes back (bpf_lru_push_free of a pending node: the top again,
 * its value overwritten, as in the kernel); else it joins the CPU's pending
 * list and the bucket's head, and an old element of the key gets the new
 * one's ref bit set, leaves the chain and is pushed free (emitLruPushFree).
 * An empty local free list (the refill rotates, shrinks, evicts and steals:
 * the JS lists' work) and everything emitHashUpdate leaves to the helper go
 * to the helper; the log tells the map what happened.
 */
function emitLruUpdate(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  const flagsIs = (f: number): void => emitFlagsIs(b, r, f);
  emitUpdateChecks(b, r, l, l.maxEntries * l.slotSize);
  const cpu4 = (): void => { emitCurCpu(b, l); b.byte(OP.i32_const).s32(4).byte(OP.i32_mul); };
  cpu4();
  b.byte(OP.i32_load).u32(2).u32(l.lfree).byte(OP.i32_eqz).byte(OP.br_if).u32(0);
  emitHashWalk(b, r, l);
  const t = (scale: number): void => {
    b.byte(OP.local_get).u32(r.r0).byte(OP.i32_wrap_i64);
    if (scale !== 1) b.byte(OP.i32_const).s32(scale).byte(OP.i32_mul);
  };
  // t = the free stack's top (r0); its value, key and hash; its ref bit cleared (addPending)
  cpu4();
  b.byte(OP.i32_load).u32(2).u32(l.lfree).byte(OP.i32_const).s32(1).byte(OP.i32_sub).byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.r0);
  emitFillAndLink(b, r, l, false);
  t(1);
  b.byte(OP.i32_const).s32(0).byte(OP.i32_store8).u32(0).u32(l.refs);
  // check_flags (t stays the top: pushed back where it was)
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.if).byte(VOID);
  flagsIs(1);
  b.byte(OP.if).byte(VOID);
  emitReturn(b, r, -EEXIST, 3);
  b.byte(OP.end);
  b.byte(OP.else);
  flagsIs(2);
  b.byte(OP.if).byte(VOID);
  emitReturn(b, r, -ENOENT, 3);
  b.byte(OP.end);
  b.byte(OP.end);
  // popped: lfree[cpu] = lnext[t]; pend[t] = cpu + 1; t at the bucket's head
  cpu4();
  t(4);
  b.byte(OP.i32_load).u32(2).u32(l.lnext).byte(OP.i32_store).u32(2).u32(l.lfree);
  t(1);
  emitCurCpu(b, l);
  b.byte(OP.i32_const).s32(1).byte(OP.i32_add).byte(OP.i32_store8).u32(0).u32(l.pend);
  emitLinkHead(b, r, l);
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.if).byte(VOID);
  // an old element: bpf_lru_node_set_ref(new), the old one out of the chain (after t) and freed
  t(1);
  b.byte(OP.i32_const).s32(1).byte(OP.i32_store8).u32(0).u32(l.refs);
  t(4);
  b.byte(OP.i32_const).s32(l.next).byte(OP.i32_add).byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  emitUnlinkFound(b, r, l);
  emitLruPushFree(b, r, l);
  b.byte(OP.end);
  emitLruLog(b, r, l, () => t(1), true);
  emitReturn(b, r, 0, 1);
}

/** bpf_map_delete_elem on a (common) LRU hash (htab_lru_map_delete_elem): unlink, push free, -ENOENT when absent */
function emitLruDelete(b: Bytes, r: InlineRegs, l: Required<HashLookupLayout>): void {
  emitKeyReadable(b, r, l.keySize);
  b.byte(OP.i32_eqz).byte(OP.br_if).u32(0);
  emitLogRoom(b, l, 0);
  emitHashWalk(b, r, l);
  b.byte(OP.local_get).u32(r.scratch32).byte(OP.i32_eqz).byte(OP.if).byte(VOID);
  emitReturn(b, r, -ENOENT, 2);
  b.byte(OP.end);
  b.byte(OP.local_get).u32(r.scratch2).byte(OP.i32_wrap_i64).byte(OP.i32_const).s32(l.mask).byte(OP.i32_and)
    .byte(OP.i32_const).s32(2).byte(OP.i32_shl).byte(OP.i32_const).s32(l.heads).byte(OP.i32_add)
    .byte(OP.i64_extend_i32_u).byte(OP.local_set).u32(r.scratch);
  emitUnlinkFound(b, r, l);
  emitLruPushFree(b, r, l);
  emitLruLog(b, r, l, () => { b.byte(OP.i32_const).s32(LOG_NONE | 0); }, false);
  emitReturn(b, r, 0, 1);
}

/** Sets r0 from an inlined lookup of either kind. */
export function emitLookup(b: Bytes, r: InlineRegs, l: LookupLayout): void {
  if (l.kind === 'array') emitArrayLookup(b, r, l);
  else emitHashLookup(b, r, l);
}

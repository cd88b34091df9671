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
import type { ArrayLookupLayout } from '../vm/env.js';
import { MAX_BPF_STACK } from '../isa/opcodes.js';
import { Bytes, I64, OP } from './wasm.js';

export type { ArrayLookupLayout };

/** what one inlined call site was compiled against (checked again when another engine reuses the module) */
export interface InlinedSite {
  readonly pc: number;
  readonly mapPtr: number;
  readonly layout: ArrayLookupLayout;
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
  /** local index of r0, r2, r10 */
  readonly r0: number;
  readonly r2: number;
  readonly r10: number;
  /** an i64 scratch local */
  readonly scratch: number;
  /** globals: start and length of readable cache entry 0 (entry 1 follows: start + 2, length + 2) */
  readonly cacheStart: number;
}

/**
 * Pushes an i32: 1 when `size` bytes at r2 are in the current frame or in a
 * cached readable block (so checkMem would accept them), else 0.
 */
export function emitKeyReadable(b: Bytes, r: InlineRegs, size: number): void {
  // r2 - (r10 - MAX_BPF_STACK) <= MAX_BPF_STACK - size, unsigned: inside the frame
  b.byte(OP.local_get).u32(r.r2).byte(OP.local_get).u32(r.r10).byte(OP.i64_const).s64(BigInt(MAX_BPF_STACK))
    .byte(OP.i64_sub).byte(OP.i64_sub).byte(OP.i64_const).s64(BigInt(MAX_BPF_STACK - size)).byte(OP.i64_le_u);
  for (const e of [0, 2]) {
    // d = r2 - start: d < len && d + size <= len (len 0: an empty entry never hits)
    b.byte(OP.local_get).u32(r.r2).byte(OP.global_get).u32(r.cacheStart + e).byte(OP.i64_sub).byte(OP.local_tee).u32(r.scratch)
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
  b.byte(OP.else).byte(OP.i64_const).s64(0n).byte(OP.end);
  b.byte(OP.local_set).u32(r.r0);
}

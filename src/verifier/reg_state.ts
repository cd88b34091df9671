// Register state (struct bpf_reg_state) and scalar bound bookkeeping
// (__update_reg_bounds, __reg_deduce_bounds, __reg_bound_offset).
import type { MapMeta } from './env.js';
import type { Btf } from '../btf/btf.js';
import {
  type Tnum, U32_MAX, U64_MAX, tnumConst, tnumIntersect, tnumIsConst, tnumRange, tnumSubreg,
  tnumUnknown, tnumWithSubreg, tnumStr,
} from './tnum.js';
import { syncBoundsHalves } from './reg_bounds.js';

export const enum RegType {
  NOT_INIT = 'NOT_INIT',
  SCALAR_VALUE = 'scalar',
  PTR_TO_CTX = 'ctx',
  CONST_PTR_TO_MAP = 'map_ptr',
  CONST_PTR_TO_MAP_OR_NULL = 'map_ptr_or_null',
  PTR_TO_MAP_VALUE = 'map_value',
  PTR_TO_MAP_VALUE_OR_NULL = 'map_value_or_null',
  PTR_TO_MAP_KEY = 'map_key',
  PTR_TO_STACK = 'fp',
  PTR_TO_PACKET = 'pkt',
  PTR_TO_PACKET_META = 'pkt_meta',
  PTR_TO_PACKET_END = 'pkt_end',
  PTR_TO_FUNC = 'func',
  /** CONST_PTR_TO_DYNPTR: a callback's read-only dynptr argument (bpf_user_ringbuf_drain) */
  CONST_PTR_TO_DYNPTR = 'dynptr_ptr',
  PTR_TO_MEM = 'mem',
  // The kernel composes a base type with flag bits (PTR_MAYBE_NULL,
  // MEM_RDONLY, MEM_RINGBUF, PTR_TRUSTED, MEM_RCU, ...); each combination
  // tsbpf produces is one member here, its value what reg_type_str prints.
  PTR_TO_MEM_OR_NULL = 'mem_or_null',
  /** PTR_TO_MEM | MEM_RDONLY */
  PTR_TO_RDONLY_MEM = 'rdonly_mem',
  /** PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED: a non-struct pointer read from a kernel object (6.18: readable, as probe loads) */
  PTR_TO_RDONLY_UNTRUSTED_MEM = 'rdonly_untrusted_mem',
  PTR_TO_RDONLY_MEM_OR_NULL = 'rdonly_mem_or_null',
  /** PTR_TO_MEM | MEM_RINGBUF: a bpf_ringbuf_reserve'd record */
  PTR_TO_RINGBUF_MEM = 'ringbuf_mem',
  PTR_TO_RINGBUF_MEM_OR_NULL = 'ringbuf_mem_or_null',
  PTR_TO_SOCKET = 'sock',
  PTR_TO_SOCKET_OR_NULL = 'sock_or_null',
  PTR_TO_SOCK_COMMON = 'sock_common',
  PTR_TO_SOCK_COMMON_OR_NULL = 'sock_common_or_null',
  PTR_TO_TCP_SOCK = 'tcp_sock',
  PTR_TO_TCP_SOCK_OR_NULL = 'tcp_sock_or_null',
  PTR_TO_XDP_SOCK = 'xdp_sock',
  /** PTR_TO_BTF_ID: a kernel object of BTF type `btf` (printed after the type) */
  PTR_TO_BTF_ID = 'ptr_',
  PTR_TO_BTF_ID_OR_NULL = 'ptr_or_null_',
  /** PTR_TO_BTF_ID | PTR_TRUSTED */
  TRUSTED_PTR_TO_BTF_ID = 'trusted_ptr_',
  TRUSTED_PTR_TO_BTF_ID_OR_NULL = 'trusted_ptr_or_null_',
  /** PTR_TO_BTF_ID | MEM_RCU */
  RCU_PTR_TO_BTF_ID = 'rcu_ptr_',
  RCU_PTR_TO_BTF_ID_OR_NULL = 'rcu_ptr_or_null_',
  /** PTR_TO_BTF_ID | PTR_UNTRUSTED */
  UNTRUSTED_PTR_TO_BTF_ID = 'untrusted_ptr_',
  /** PTR_TO_BTF_ID | MEM_PERCPU (a .ksyms per-CPU variable) */
  PERCPU_PTR_TO_BTF_ID = 'percpu_ptr_',
}

/** type & ~PTR_MAYBE_NULL: what a NULL check turns each maybe-NULL type into */
const NON_NULL: Partial<Record<RegType, RegType>> = {
  [RegType.PTR_TO_MAP_VALUE_OR_NULL]: RegType.PTR_TO_MAP_VALUE,
  [RegType.CONST_PTR_TO_MAP_OR_NULL]: RegType.CONST_PTR_TO_MAP,
  [RegType.PTR_TO_MEM_OR_NULL]: RegType.PTR_TO_MEM,
  [RegType.PTR_TO_RDONLY_MEM_OR_NULL]: RegType.PTR_TO_RDONLY_MEM,
  [RegType.PTR_TO_RINGBUF_MEM_OR_NULL]: RegType.PTR_TO_RINGBUF_MEM,
  [RegType.PTR_TO_SOCKET_OR_NULL]: RegType.PTR_TO_SOCKET,
  [RegType.PTR_TO_SOCK_COMMON_OR_NULL]: RegType.PTR_TO_SOCK_COMMON,
  [RegType.PTR_TO_TCP_SOCK_OR_NULL]: RegType.PTR_TO_TCP_SOCK,
  [RegType.PTR_TO_BTF_ID_OR_NULL]: RegType.PTR_TO_BTF_ID,
  [RegType.TRUSTED_PTR_TO_BTF_ID_OR_NULL]: RegType.TRUSTED_PTR_TO_BTF_ID,
  [RegType.RCU_PTR_TO_BTF_ID_OR_NULL]: RegType.RCU_PTR_TO_BTF_ID,
};
const MAYBE_NULL = new Map<RegType, RegType>(Object.entries(NON_NULL).map(([k, v]) => [v!, k as RegType]));

/** mark_ptr_not_null_reg's type change */
export const nonNullType = (t: RegType): RegType => NON_NULL[t] ?? t;
/** type | PTR_MAYBE_NULL */
export const maybeNullType = (t: RegType): RegType => MAYBE_NULL.get(t) ?? t;

/** base_type(t) == PTR_TO_BTF_ID, whatever the flags */
export function isBtfIdType(t: RegType): boolean {
  return t === RegType.PTR_TO_BTF_ID || t === RegType.PTR_TO_BTF_ID_OR_NULL || t === RegType.TRUSTED_PTR_TO_BTF_ID
    || t === RegType.TRUSTED_PTR_TO_BTF_ID_OR_NULL || t === RegType.RCU_PTR_TO_BTF_ID || t === RegType.RCU_PTR_TO_BTF_ID_OR_NULL
    || t === RegType.UNTRUSTED_PTR_TO_BTF_ID || t === RegType.PERCPU_PTR_TO_BTF_ID;
}

/** base_type(t) == PTR_TO_MEM (any flags, not NULL) */
export function isMemType(t: RegType): boolean {
  return t === RegType.PTR_TO_MEM || t === RegType.PTR_TO_RDONLY_MEM || t === RegType.PTR_TO_RINGBUF_MEM
    || t === RegType.PTR_TO_RDONLY_UNTRUSTED_MEM;
}

/** type_is_sk_pointer */
export function isSkPointer(t: RegType): boolean {
  return t === RegType.PTR_TO_SOCKET || t === RegType.PTR_TO_SOCK_COMMON || t === RegType.PTR_TO_TCP_SOCK || t === RegType.PTR_TO_XDP_SOCK;
}

/** A kernel BTF type a PTR_TO_BTF_ID register points to (btf + btf_id). */
export interface BtfRef {
  /** the BTF the id belongs to (the target BTF), when the type can be walked (btf_struct_walk) */
  btf?: Btf;
  /** type id in the BTF it comes from (vmlinux or tsbpf's built-in description) */
  id: number;
  /** struct name, as print_verifier_state prints it after "ptr_" */
  name: string;
  /** byte size of the type */
  size: number;
}

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -(1n << 31n);
export const S32_MAX = (1n << 31n) - 1n;

export interface RegState {
  type: RegType;
  /** fixed part of a pointer's offset */
  off: number;
  /** variable part (scalars: the value itself) */
  varOff: Tnum;
  smin: bigint; smax: bigint; umin: bigint; umax: bigint;
  s32min: bigint; s32max: bigint; u32min: bigint; u32max: bigint;
  /** shared by copies: null checks and packet ranges apply to all regs with the id */
  id: number;
  map?: MapMeta;
  mapUid: number;
  /** packet pointers: bytes known to be inside the packet from the pointer */
  range: number;
  /** PTR_TO_STACK: owning frame */
  frameno: number;
  /** PTR_TO_FUNC: callee subprogram index */
  subprog: number;
  /** PTR_TO_MEM / PTR_TO_MAP_KEY size */
  memSize: number;
  /**
   * ref_obj_id: the acquired reference (VState.refs) this pointer came from;
   * releasing it invalidates every register and spill that carries it
   */
  refObjId: number;
  /** PTR_TO_BTF_ID: the pointed-to type */
  btf?: BtfRef;
  /** a STACK_DYNPTR slot's record (kept in the slot's spill): the dynptr's type and which half */
  dynptr?: { type: 'local' | 'ringbuf' | 'skb' | 'xdp'; first: boolean };
  /**
   * the scalar's exact value mattered on some path below the checkpoint
   * holding it (set only in checkpoints; see Verifier.markPrecise)
   */
  precise?: boolean;
}

// Every RegState is built by notInit or copyReg with all fields in the same
// order (optional ones undefined), so V8 gives them one hidden class: copies
// and field reads on the hot path stay monomorphic.
export function notInit(): RegState {
  return {
    type: RegType.NOT_INIT, off: 0, varOff: tnumUnknown,
    smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX,
    s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX,
    id: 0, map: undefined, mapUid: 0, range: 0, frameno: 0, subprog: 0, memSize: 0, refObjId: 0,
    btf: undefined, dynptr: undefined, precise: undefined,
  };
}

export function copyReg(r: RegState): RegState {
  return {
    type: r.type, off: r.off, varOff: r.varOff,
    smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax,
    s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max,
    id: r.id, map: r.map, mapUid: r.mapUid, range: r.range, frameno: r.frameno, subprog: r.subprog, memSize: r.memSize, refObjId: r.refObjId,
    btf: r.btf, dynptr: r.dynptr, precise: r.precise,
  };
}

export function markUnbounded(r: RegState): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64_MAX;
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0n; r.u32max = U32_MAX;
}

export function scalarUnknown(): RegState {
  const r = notInit();
  r.type = RegType.SCALAR_VALUE;
  return r;
}

export function scalarConst(v: bigint): RegState {
  const r = scalarUnknown();
  setKnown(r, v);
  return r;
}

/** __mark_reg_known: var_off and every bound become v. */
export function setKnown(r: RegState, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  r.varOff = tnumConst(u);
  r.umin = r.umax = u;
  r.smin = r.smax = BigInt.asIntN(64, u);
  r.u32min = r.u32max = u & U32_MAX;
  r.s32min = r.s32max = BigInt.asIntN(32, u);
}

/** A pointer of `type` with zero offset and no variable part. */
export function ptrReg(type: RegType, extra: Partial<RegState> = {}): RegState {
  const r = notInit();
  r.type = type;
  setKnown(r, 0n);
  return Object.assign(r, extra);
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

/** __update_reg_bounds: tighten the ranges with what var_off knows. */
function updateBounds(r: RegState): void {
  const t = r.varOff;
  r.smin = max(r.smin, s64(t.value | (t.mask & (1n << 63n))));
  r.smax = min(r.smax, s64(t.value | (t.mask & ~(1n << 63n) & U64_MAX)));
  r.umin = max(r.umin, t.value);
  r.umax = min(r.umax, t.value | t.mask);
  const sub = tnumSubreg(t);
  r.s32min = max(r.s32min, s32(sub.value | (sub.mask & 0x8000_0000n)));
  r.s32max = min(r.s32max, s32(sub.value | (sub.mask & 0x7fff_ffffn)));
  r.u32min = max(r.u32min, sub.value);
  r.u32max = min(r.u32max, sub.value | sub.mask);
}

function crossZero(r: RegState, lo64: bigint, hi64: bigint): void {
  if ((BigInt.asUintN(32, lo64 >> 32n) + 1n) % (1n << 32n) === BigInt.asUintN(32, hi64 >> 32n) && s32(lo64) < 0n && s32(hi64) >= 0n) {
    r.s32min = max(r.s32min, s32(lo64));
    r.s32max = min(r.s32max, s32(hi64));
  }
}

const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** __reg32_deduce_bounds: the subregister from the 64-bit ranges, then s32 <-> u32. */
function deduce32(r: RegState): void {
  // upper halves equal: the low halves bound the subreg
  if (r.umin >> 32n === r.umax >> 32n) {
    r.u32min = max(r.u32min, r.umin & U32_MAX);
    r.u32max = min(r.u32max, r.umax & U32_MAX);
    if (s32(r.umin) <= s32(r.umax)) {
      r.s32min = max(r.s32min, s32(r.umin));
      r.s32max = min(r.s32max, s32(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    const lo = u32(r.smin), hi = u32(r.smax);
    if (lo <= hi) { r.u32min = max(r.u32min, lo); r.u32max = min(r.u32max, hi); }
    if (s32(r.smin) <= s32(r.smax)) {
      r.s32min = max(r.s32min, s32(r.smin));
      r.s32max = min(r.s32max, s32(r.smax));
    }
  }
  // upper halves two consecutive numbers, lower halves a signed range across zero
  crossZero(r, r.umin, r.umax);
  crossZero(r, r.smin, r.smax);
  // 32-bit signed/unsigned agree when the unsigned range does not cross the sign bit.
  if (s32(r.u32min) <= s32(r.u32max)) {
    r.s32min = max(r.s32min, s32(r.u32min));
    r.s32max = min(r.s32max, s32(r.u32max));
  }
  if (u32(r.s32min) <= u32(r.s32max)) {
    r.u32min = max(r.u32min, u32(r.s32min));
    r.u32max = min(r.u32max, u32(r.s32max));
  } else if (r.u32max < u32(r.s32min)) {
    // the s32 range crosses the sign bit; the u32 one lies in its non-negative part
    r.s32min = s32(r.u32min);
    r.u32max = min(r.u32max, u32(r.s32max));
  } else if (u32(r.s32max) < r.u32min) {
    // ... in its negative part
    r.s32max = s32(r.u32max);
    r.u32min = max(r.u32min, u32(r.s32min));
  }
}

/** __reg64_deduce_bounds: s64 <-> u64, and an s64 range crossing the sign bit cut by the u64 one. */
function deduce64(r: RegState): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = max(r.smin, s64(r.umin));
    r.smax = min(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = max(r.umin, u64(r.smin));
    r.umax = min(r.umax, u64(r.smax));
  } else if (r.umax < u64(r.smin)) {
    r.smin = s64(r.umin);
    r.umax = min(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    r.smax = s64(r.umax);
    r.umin = max(r.umin, u64(r.smin));
  }
}

/** __reg_deduce_mixed_bounds: the low halves of the 64-bit ends can take the 32-bit bounds. */
function deduceMixed(r: RegState): void {
  const low = (lo: bigint, hi: bigint): void => {
    r.umin = max(r.umin, (r.umin & ~U32_MAX) | lo);
    r.umax = min(r.umax, (r.umax & ~U32_MAX) | hi);
    r.smin = max(r.smin, s64((u64(r.smin) & ~U32_MAX) | lo));
    r.smax = min(r.smax, s64((u64(r.smax) & ~U32_MAX) | hi));
  };
  low(r.u32min, r.u32max);
  if (u32(r.s32min) <= u32(r.s32max)) low(u32(r.s32min), u32(r.s32max));
  // an assignment, not an intersection: the kernel can widen smax here
  if (r.s32min >= 0n && r.smin >= S32_MIN && r.smax <= S32_MAX) {
    r.smin = r.s32min; r.smax = r.s32max; r.umin = r.s32min; r.umax = r.s32max;
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.smin, r.smax));
  }
}

/** __reg_deduce_bounds, in the kernel's order. */
function deduceBounds(r: RegState): void {
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
}

/** reg_bounds_sync */
export function syncBounds(r: RegState): void {
  // a constant within its bounds stays that constant (the passes below would
  // narrow every bound onto it); out of bounds they make the state invalid
  const t = r.varOff;
  if (t.mask === 0n) {
    const v = t.value, sv = s64(v), lo = v & U32_MAX, slo = s32(v);
    if (r.umin <= v && v <= r.umax && r.smin <= sv && sv <= r.smax
      && r.u32min <= lo && lo <= r.u32max && r.s32min <= slo && slo <= r.s32max) {
      r.umin = r.umax = v; r.smin = r.smax = sv; r.u32min = r.u32max = lo; r.s32min = r.s32max = slo;
      return;
    }
  }
  if (syncBoundsHalves(r)) return;
  syncBoundsBig(r);
}

/**
 * reg_bounds_sync past the constant shortcut, in bigint arithmetic: the
 * reference syncBoundsHalves (reg_bounds.ts) is tested against, and what
 * an impossible state (some min > max) gets.
 */
export function syncBoundsBig(r: RegState): void {
  updateBounds(r);
  // three rounds, as reg_bounds_sync
  deduceBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  // __reg_bound_offset: the ranges can sharpen var_off too.
  const t64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const t32 = tnumIntersect(tnumSubreg(t64), tnumRange(r.u32min, r.u32max));
  r.varOff = tnumWithSubreg(t64, t32);
  updateBounds(r);
}

/** Bounds that no value satisfies: the state is impossible. */
export function boundsInvalid(r: RegState): boolean {
  return r.umin > r.umax || r.smin > r.smax || r.u32min > r.u32max || r.s32min > r.s32max
    || (r.varOff.value & r.varOff.mask) !== 0n;
}

export function isConst(r: RegState): boolean {
  return r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff);
}

export function isPointer(r: RegState): boolean {
  return r.type !== RegType.SCALAR_VALUE && r.type !== RegType.NOT_INIT;
}

/** type_may_be_null */
export function isNullable(t: RegType): boolean {
  return NON_NULL[t] !== undefined;
}

/** Printing as in print_verifier_state: "scalar(smin=0,smax=10)", "fp-8", "map_value(map=m,ks=4,vs=8)". */
export function regStr(r: RegState): string {
  switch (r.type) {
    case RegType.SCALAR_VALUE: {
      if (tnumIsConst(r.varOff)) return String(s64(r.varOff.value));
      const parts: string[] = [];
      if (r.smin !== S64_MIN) parts.push(`smin=${r.smin}`);
      if (r.smax !== S64_MAX) parts.push(`smax=${r.smax}`);
      if (r.umin !== 0n) parts.push(`umin=${r.umin}`);
      if (r.umax !== U64_MAX) parts.push(`umax=${r.umax}`);
      if (r.varOff.mask !== U64_MAX) parts.push(`var_off=${tnumStr(r.varOff)}`);
      return `scalar(${parts.join(',')})`;
    }
    case RegType.PTR_TO_STACK:
      return `fp${r.off}`;
    default: {
      const parts: string[] = [];
      if (r.id) parts.push(`id=${r.id}`);
      if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
      if (r.off) parts.push(`off=${r.off}`);
      if (r.map) parts.push(`map=${r.map.name}`, `ks=${r.map.keySize}`, `vs=${r.map.valueSize}`);
      if (r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META) parts.push(`r=${r.range}`);
      if (!tnumIsConst(r.varOff)) parts.push(`var_off=${tnumStr(r.varOff)}`);
      if (isMemType(r.type) || r.type === RegType.PTR_TO_MEM_OR_NULL || r.type === RegType.PTR_TO_RINGBUF_MEM_OR_NULL
        || r.type === RegType.PTR_TO_RDONLY_MEM_OR_NULL) parts.push(`sz=${r.memSize}`);
      return `${r.type}${isBtfIdType(r.type) && r.btf ? r.btf.name : ''}(${parts.join(',')})`;
    }
  }
}

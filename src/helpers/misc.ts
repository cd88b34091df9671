// bpf_get_prandom_u32 and bpf_get_smp_processor_id (kernel/bpf/helpers.c),
// plus the small pieces every helper file shares: the u64 result encoding
// and HelperFault, what a helper throws for input the verifier would have
// rejected (the engine turns it into a VmError naming the call's insn).

import { ARENA_ACCESS_READ, ARENA_ACCESS_WRITE, type Arena } from '../memory/arena.js';
import type { HelperFn } from '../vm/env.js';
import type { HelperEnv, HelperMap } from './env.js';

/**
 * A call the kernel's verifier would not have let through (a pointer that is
 * not the memory the prototype asks for, an unknown map, a double spin lock).
 * Not an errno: there is no kernel return value for it.
 */
export class HelperFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperFault';
  }
}

/** A helper result (0, a count, -errno, a pointer) as the u64 the engines expect. */
export const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));

/** A u64 register as a 32-bit arena address, or -1 when it cannot be one. */
export function addrOf(r: bigint): number {
  return r > 0n && r < 0x1_0000_0000n ? Number(r) : -1;
}

/** The low 32 bits of a register (a helper's u32 argument). */
export const u32 = (r: bigint): number => Number(r & 0xffffffffn);

/** The low 32 bits as a signed int (a helper's int argument). */
export const s32 = (r: bigint): number => Number(BigInt.asIntN(32, r));

const hex = (r: bigint): string => `0x${r.toString(16)}`;

/** Checks that a helper may read (or write) `size` bytes at r; returns the address. */
export function checkMem(arena: Arena, r: bigint, size: number, write: boolean, what: string): number {
  const a = addrOf(r);
  const access = write ? ARENA_ACCESS_WRITE : ARENA_ACCESS_READ;
  if (a < 0 || (size > 0 && !arena.canAccess(a, size, access))) {
    throw new HelperFault(`${what}: ${hex(r)} is not ${size} ${write ? 'writable' : 'readable'} bytes`);
  }
  return a;
}

/** The map a register names (ld_imm64 map pointer or inner map), or a fault. */
export function mapArg(env: HelperEnv, r: bigint, what: string): HelperMap {
  const a = addrOf(r);
  const m = a < 0 ? undefined : env.mapFromPtr(a);
  if (m === undefined) throw new HelperFault(`${what}: ${hex(r)} is not a map pointer`);
  return m;
}

/** BPF_FUNC_get_prandom_u32: a u32 from the runtime's generator. */
export function bpf_get_prandom_u32(env: HelperEnv): HelperFn {
  return () => BigInt(env.prandomU32() >>> 0);
}

/** BPF_FUNC_get_smp_processor_id: the CPU this run (or timer callback) is on. */
export const bpf_get_smp_processor_id: HelperFn = (vm) => BigInt(vm.cpu >>> 0);

/** BPF_FUNC_per_cpu_ptr (153): the copy of a per-CPU kernel variable on `cpu`, NULL for a CPU the runtime lacks. */
export function bpf_per_cpu_ptr(env: HelperEnv): HelperFn {
  return (_vm, ptr, cpu) => {
    const a = addrOf(ptr);
    if (a < 0 || cpu >= 0x1_0000_0000n) return 0n;
    return u64(env.percpuPtr?.(a, u32(cpu)) ?? 0);
  };
}

/** BPF_FUNC_this_cpu_ptr (154): the running CPU's copy (never NULL: the verifier typed the argument). */
export function bpf_this_cpu_ptr(env: HelperEnv): HelperFn {
  return (vm, ptr) => {
    const a = addrOf(ptr);
    const p = a < 0 ? 0 : env.percpuPtr?.(a, vm.cpu) ?? 0;
    if (!p) throw new HelperFault(`bpf_this_cpu_ptr: 0x${ptr.toString(16)} is not a per-CPU variable`);
    return u64(p);
  };
}

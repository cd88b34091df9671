// BPF_PROBE_MEM / BPF_PROBE_MEMSX loads: what the kernel runs for a load
// through a kernel pointer (PTR_TO_BTF_ID) after verification. The address
// is not checked by the verifier, so a fault is not an error: the exception
// table's fixup leaves 0 in the destination. tsbpf reads the arena (the
// kernel structs it lays out there: socket views, .ksyms variables) or the
// runtime's kernel address space (the simulated task_struct).

import { ARENA_ACCESS_READ, type Arena } from '../memory/arena.js';
import type { VmEnv } from './env.js';
import { VmError } from './errors.js';

const TWO32 = 0x1_0000_0000n;

/** The loaded value (zero- or sign-extended to 64 bits, unsigned), or throws for a partly simulated object. */
export function probeLoad(arena: Arena, env: VmEnv, pc: number, addr: bigint, size: number, signed: boolean): bigint {
  const a = BigInt.asUintN(64, addr);
  let bytes: Uint8Array | undefined;
  if (a < TWO32 && arena.canAccess(Number(a), size, ARENA_ACCESS_READ)) {
    bytes = arena.u8.subarray(Number(a), Number(a) + size);
  } else {
    const r = env.kernelRead?.(a, size);
    if (typeof r === 'string') throw new VmError('memory', pc, r, a);
    bytes = r;
  }
  if (!bytes) return 0n;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return signed ? BigInt.asUintN(64, BigInt.asIntN(size * 8, v)) : v;
}

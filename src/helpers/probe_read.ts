// bpf_probe_read_{kernel,user}(_str) and the compat bpf_probe_read(_str)
// (kernel/trace/bpf_trace.c) over the memory a test provides (rt.memory).
// A fault zeroes the destination and returns -EFAULT, as the kernel does.
import type { HelperFn, VmContext } from '../vm/env.js';
import type { HelperEnv } from './env.js';
import { checkMem, u64 } from './misc.js';
import { EFAULT, ERANGE } from '../uapi/errno.js';
import { TASK_SIZE_MAX } from '../runtime/task.js';

type Space = 'kernel' | 'user';

/** One byte of `space` at addr, or undefined (a fault). Arena addresses are kernel memory (BPF stacks, map values). */
function byteAt(env: HelperEnv, vm: VmContext, space: Space, addr: bigint): number | undefined {
  if (space === 'user') return addr < TASK_SIZE_MAX ? env.memory.user.byte(addr) : undefined;
  const b = env.memory.kernel.byte(addr);
  if (b !== undefined) return b;
  if (addr > 0n && addr < 0x1_0000_0000n && vm.arena.canAccess(Number(addr), 1, 1)) return vm.arena.u8[Number(addr)];
  // copy_from_kernel_nofault_allowed: user addresses are not kernel memory
  return undefined;
}

const PAGE_SIZE = 4096n;

/**
 * copy_from_kernel_nofault_allowed (x86-64): a source in the user half (or
 * the guard page above it) is refused up front with -ERANGE, unless it is an
 * arena address: tsbpf's BPF stacks and map values live there.
 */
function kernelRangeRefused(vm: VmContext, space: Space, addr: bigint): boolean {
  if (space !== 'kernel' || addr >= TASK_SIZE_MAX + PAGE_SIZE) return false;
  return !(addr > 0n && addr < 0x1_0000_0000n && vm.arena.canAccess(Number(addr), 1, 1));
}

/**
 * bpf_probe_read(_str) on x86-64 picks the address space by the address: the
 * user half is user memory. tsbpf's arena addresses (a ctx, a BPF stack) are
 * kernel memory, though small numbers.
 */
function compatSpace(vm: VmContext, addr: bigint): Space {
  if (addr > 0n && addr < 0x1_0000_0000n && vm.arena.canAccess(Number(addr), 1, 1)) return 'kernel';
  return addr < TASK_SIZE_MAX ? 'user' : 'kernel';
}

function probeRead(env: HelperEnv, space: Space | 'compat'): HelperFn {
  return (vm, r1, r2, r3) => {
    const size = Number(r2 & 0xffffffffn);
    const dst = checkMem(vm.arena, r1, size, true, 'bpf_probe_read');
    const sp: Space = space === 'compat' ? compatSpace(vm, r3) : space;
    if (kernelRangeRefused(vm, sp, r3)) {
      vm.arena.u8.fill(0, dst, dst + size);
      return u64(-ERANGE);
    }
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const b = byteAt(env, vm, sp, BigInt.asUintN(64, r3 + BigInt(i)));
      if (b === undefined) {
        vm.arena.u8.fill(0, dst, dst + size);
        return u64(-EFAULT);
      }
      out[i] = b;
    }
    vm.arena.u8.set(out, dst);
    return 0n;
  };
}

/**
 * strncpy_from_{kernel,user}_nofault: bytes up to and including the NUL, at
 * most size (the last one then forced to NUL); returns the bytes written.
 */
function probeReadStr(env: HelperEnv, space: Space | 'compat'): HelperFn {
  return (vm, r1, r2, r3) => {
    const size = Number(r2 & 0xffffffffn);
    if (size === 0) return 0n;
    const dst = checkMem(vm.arena, r1, size, true, 'bpf_probe_read_str');
    const sp: Space = space === 'compat' ? compatSpace(vm, r3) : space;
    if (kernelRangeRefused(vm, sp, r3)) {
      vm.arena.u8.fill(0, dst, dst + size);
      return u64(-ERANGE);
    }
    for (let i = 0; i < size; i++) {
      const b = byteAt(env, vm, sp, BigInt.asUintN(64, r3 + BigInt(i)));
      if (b === undefined) {
        vm.arena.u8.fill(0, dst, dst + size);
        return u64(-EFAULT);
      }
      if (i === size - 1) {
        vm.arena.u8[dst + i] = 0;
        return BigInt(size);
      }
      vm.arena.u8[dst + i] = b;
      if (b === 0) return BigInt(i + 1);
    }
    return BigInt(size);
  };
}

export const bpf_probe_read_kernel = (env: HelperEnv): HelperFn => probeRead(env, 'kernel');
export const bpf_probe_read_user = (env: HelperEnv): HelperFn => probeRead(env, 'user');
export const bpf_probe_read = (env: HelperEnv): HelperFn => probeRead(env, 'compat');
export const bpf_probe_read_kernel_str = (env: HelperEnv): HelperFn => probeReadStr(env, 'kernel');
export const bpf_probe_read_user_str = (env: HelperEnv): HelperFn => probeReadStr(env, 'user');
export const bpf_probe_read_str = (env: HelperEnv): HelperFn => probeReadStr(env, 'compat');

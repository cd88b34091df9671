// The map helpers of kernel/bpf/helpers.c: each is a thin call into the
// map's program-side op (bpf_map_ops), which already returns the kernel's
// value pointer / 0 / -errno. What is left here is what the verifier
// guarantees in the kernel (a real map, key/value memory of the right size),
// checked so a bad pointer faults instead of corrupting the arena.

import type { HelperFn, InlinableLookup, VmContext } from '../vm/env.js';
import { EINVAL } from '../uapi/errno.js';
import type { HelperEnv, HelperMap } from './env.js';
import { checkMem, mapArg, u32, u64 } from './misc.js';

// Every map type's program-side update/push rejects flags beyond
// BPF_F_LOCK|BPF_EXIST with -EINVAL; anything past 31 bits is caught here
// because the map layer tests flags with 32-bit JS bitwise operators.
const MAX_SANE_FLAGS = 0x7fffffffn;

/** The map in r1, with the map layer told which CPU is running (per-CPU values, LRU lists). */
function mapOn(env: HelperEnv, vm: VmContext, r1: bigint, what: string): HelperMap {
  const m = mapArg(env, r1, what);
  m.map.env.currentCpu = vm.cpu;
  return m;
}

/** BPF_FUNC_map_lookup_elem: the value's address or NULL */
export function bpf_map_lookup_elem(env: HelperEnv): HelperFn & InlinableLookup {
  const fn: HelperFn & InlinableLookup = (vm, r1, r2) => {
    const m = mapOn(env, vm, r1, 'bpf_map_lookup_elem');
    const key = checkMem(env.arena, r2, m.map.keySize, false, 'bpf_map_lookup_elem key');
    return u64(m.map.lookupElem(key));
  };
  // the JIT compiles lookups in maps that can say where their elements are (map_gen_lookup)
  fn.layout = (ptr) => env.mapFromPtr(ptr)?.map.inlineLayout();
  return fn;
}

/** BPF_FUNC_map_update_elem: 0 or -errno */
export function bpf_map_update_elem(env: HelperEnv): HelperFn & InlinableLookup {
  const fn: HelperFn & InlinableLookup = (vm, r1, r2, r3, r4) => {
    const m = mapOn(env, vm, r1, 'bpf_map_update_elem');
    const key = checkMem(env.arena, r2, m.map.keySize, false, 'bpf_map_update_elem key');
    const value = checkMem(env.arena, r3, m.map.valueSize, false, 'bpf_map_update_elem value');
    if (r4 > MAX_SANE_FLAGS) return u64(-EINVAL);
    m.map.env.freeReason = 'update';
    const ret = m.map.updateElem(key, value, Number(r4));
    m.map.env.freeReason = undefined;
    return u64(ret);
  };
  // the JIT compiles updates of existing keys in plain hash maps (src/jit/inline.ts emitHashUpdate)
  fn.layout = (ptr) => env.mapFromPtr(ptr)?.map.inlineLayout();
  return fn;
}

/** BPF_FUNC_map_delete_elem: 0 or -errno */
export function bpf_map_delete_elem(env: HelperEnv): HelperFn & InlinableLookup {
  const fn: HelperFn & InlinableLookup = (vm, r1, r2) => {
    const m = mapOn(env, vm, r1, 'bpf_map_delete_elem');
    const key = checkMem(env.arena, r2, m.map.keySize, false, 'bpf_map_delete_elem key');
    m.map.env.freeReason = 'delete';
    const ret = m.map.deleteElem(key);
    m.map.env.freeReason = undefined;
    return u64(ret);
  };
  fn.layout = (ptr) => env.mapFromPtr(ptr)?.map.inlineLayout();
  return fn;
}

/** BPF_FUNC_map_push_elem (queue/stack): 0 or -errno */
export function bpf_map_push_elem(env: HelperEnv): HelperFn {
  return (vm, r1, r2, r3) => {
    const m = mapOn(env, vm, r1, 'bpf_map_push_elem');
    const value = checkMem(env.arena, r2, m.map.valueSize, false, 'bpf_map_push_elem value');
    if (r3 > MAX_SANE_FLAGS) return u64(-EINVAL);
    return u64(m.map.pushElem(value, Number(r3)));
  };
}

/** BPF_FUNC_map_pop_elem: 0 and the value written to r2, or -errno */
export function bpf_map_pop_elem(env: HelperEnv): HelperFn {
  return (vm, r1, r2) => {
    const m = mapOn(env, vm, r1, 'bpf_map_pop_elem');
    const value = checkMem(env.arena, r2, m.map.valueSize, true, 'bpf_map_pop_elem value');
    return u64(m.map.popElem(value));
  };
}

/** BPF_FUNC_map_peek_elem: like pop, without removing */
export function bpf_map_peek_elem(env: HelperEnv): HelperFn {
  return (vm, r1, r2) => {
    const m = mapOn(env, vm, r1, 'bpf_map_peek_elem');
    const value = checkMem(env.arena, r2, m.map.valueSize, true, 'bpf_map_peek_elem value');
    return u64(m.map.peekElem(value));
  };
}

/** BPF_FUNC_map_lookup_percpu_elem: CPU r3's copy, NULL when cpu >= nr_cpu_ids (cpu is a u32) */
export function bpf_map_lookup_percpu_elem(env: HelperEnv): HelperFn {
  return (vm, r1, r2, r3) => {
    const m = mapOn(env, vm, r1, 'bpf_map_lookup_percpu_elem');
    const key = checkMem(env.arena, r2, m.map.keySize, false, 'bpf_map_lookup_percpu_elem key');
    const cpu = u32(r3);
    if (cpu >= m.map.env.nCpus) return 0n;
    return u64(m.map.lookupPercpuElem(key, cpu));
  };
}

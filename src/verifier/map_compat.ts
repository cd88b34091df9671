// check_map_prog_compatibility (kernel/bpf/verifier.c): run for every map a
// program's ld_imm64 instructions name, while resolve_pseudo_ldimm64 adds it
// to the program's used maps — before check_cfg and the main pass, so a
// rejection here has no instruction trace in the log.
import {
  BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT,
  BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_TRACEPOINT,
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_RINGBUF,
  BPF_MAP_TYPE_USER_RINGBUF, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_TASK_STORAGE,
  BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_ARENA,
} from '../uapi/bpf.js';
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { EBADF, EINVAL, ENOTSUPP } from '../uapi/errno.js';
import type { MapMeta } from './env.js';
import { CheckError } from './cfg.js';

/** is_tracing_prog_type */
function isTracingProgType(t: number): boolean {
  return t === BPF_PROG_TYPE_KPROBE || t === BPF_PROG_TYPE_TRACEPOINT || t === BPF_PROG_TYPE_PERF_EVENT ||
    t === BPF_PROG_TYPE_RAW_TRACEPOINT || t === BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE;
}

/** The map types a sleepable program may use (checked live: a perf event array in SEC("syscall") is refused) */
const SLEEPABLE_MAPS = new Set([
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_RINGBUF,
  BPF_MAP_TYPE_USER_RINGBUF, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_TASK_STORAGE,
  BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_ARENA,
]);

/** The map/program-type rules for the special fields tsbpf models (bpf_spin_lock, bpf_timer), and sleepable programs' map types. */
export function checkMapProgCompatibility(map: MapMeta, progType: number, sleepable = false): void {
  if (map.spinLockOff >= 0) {
    if (progType === BPF_PROG_TYPE_SOCKET_FILTER) throw new CheckError('socket filter progs cannot use bpf_spin_lock yet', EINVAL);
    if (isTracingProgType(progType)) throw new CheckError('tracing progs cannot use bpf_spin_lock yet', EINVAL);
  }
  if (map.timerOff >= 0 && isTracingProgType(progType)) {
    throw new CheckError('tracing progs cannot use bpf_timer yet', EINVAL);
  }
  if (sleepable && !SLEEPABLE_MAPS.has(map.type)) {
    throw new CheckError('Sleepable programs can only use array, hash, ringbuf and local storage maps', EINVAL);
  }
}

/** The map the ld_imm64 at `i` names (map index in imm, as the verifier's input has it). */
export function checkUsedMap(insns: readonly Insn[], i: number, maps: readonly MapMeta[], progType: number, sleepable = false): void {
  const x = insns[i]!;
  if (x.src !== BPF_PSEUDO_MAP_FD && x.src !== BPF_PSEUDO_MAP_VALUE) return;
  const m = maps[x.imm];
  // resolve_pseudo_ldimm64 resolves every ld_imm64, reachable or not (found by the
  // fuzz test: a bad map reference in dead code was accepted, and no loader can relocate it)
  if (!m) throw new CheckError(`fd ${x.imm} is not pointing to valid bpf_map`, EBADF, i);
  if (x.src === BPF_PSEUDO_MAP_VALUE) {
    const off = (insns[i + 1]?.imm ?? 0) >>> 0;
    if (off >= 1 << 29) throw new CheckError(`direct value offset of ${off} is not allowed`, EINVAL, i);
    // only array maps have map_direct_value_addr, and it wants max_entries == 1
    if (m.type !== BPF_MAP_TYPE_ARRAY) throw new CheckError('no direct value access support for this map type', EINVAL, i);
    const bad = `invalid access to map value pointer, value_size=${m.valueSize} off=${off}`;
    if (m.maxEntries !== 1) throw new CheckError(bad, ENOTSUPP, i);
    if (off >= m.valueSize) throw new CheckError(bad, EINVAL, i);
  }
  checkMapProgCompatibility(m, progType);
}

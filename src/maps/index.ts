// The maps layer: importing this registers every implemented map type.
export {
  BpfMap, MapEnv, MapError, createMap, checkMapSpec, mapTypeSupported, registerMapType,
  BPF_TIMER_SIZE, BPF_SPIN_LOCK_SIZE,
} from './map.js';
export type { MapSpec, SpecialFields, ObjectRefs, MapEnvOptions, MapTypeOps } from './map.js';
export { ArrayMap } from './arraymap.js';
export { HashMap } from './hashtab.js';
export { FdArrayMap } from './fd_arraymap.js';
export { CgroupArrayMap } from './cgroup_array.js';
export { QueueStackMap } from './queue_stack_maps.js';
export { innerMapCompatible } from './map_in_map.js';
export { BpfLru } from './bpf_lru_list.js';
export { jhash, jhash2, htabMapHash } from './jhash.js';
export { RingBufMap, ringbufOfSample, BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT } from './ringbuf.js';
export type { RingbufRecord } from './ringbuf.js';
export { LpmTrieMap } from './lpm_trie.js';
export { BloomFilterMap } from './bloom_filter.js';
export { PerfEventArrayMap, PerfRing, BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK, BPF_F_CTXLEN_MASK } from './perf_event_array.js';
export type { PerfRecord } from './perf_event_array.js';
export { CgroupStorageMap } from './local_storage.js';
export { LocalStorageMap, BPF_LOCAL_STORAGE_GET_F_CREATE } from './bpf_local_storage.js';
export type { StorageOwner } from './bpf_local_storage.js';
export { SockMap } from './sock_map.js';
export { StackTraceMap } from './stackmap.js';
export { RedirectMap } from './devmap.js';

// enum bpf_map_type and map flags, as in include/uapi/linux/bpf.h.

export const BPF_MAP_TYPE_UNSPEC = 0;
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_STACK_TRACE = 7;
export const BPF_MAP_TYPE_CGROUP_ARRAY = 8;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_LPM_TRIE = 11;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_MAP_TYPE_DEVMAP = 14;
export const BPF_MAP_TYPE_SOCKMAP = 15;
export const BPF_MAP_TYPE_CPUMAP = 16;
export const BPF_MAP_TYPE_XSKMAP = 17;
export const BPF_MAP_TYPE_SOCKHASH = 18;
export const BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED = 19;
export const BPF_MAP_TYPE_CGROUP_STORAGE = 19;
export const BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20;
export const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED = 21;
export const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
export const BPF_MAP_TYPE_QUEUE = 22;
export const BPF_MAP_TYPE_STACK = 23;
export const BPF_MAP_TYPE_SK_STORAGE = 24;
export const BPF_MAP_TYPE_DEVMAP_HASH = 25;
export const BPF_MAP_TYPE_STRUCT_OPS = 26;
export const BPF_MAP_TYPE_RINGBUF = 27;
export const BPF_MAP_TYPE_INODE_STORAGE = 28;
export const BPF_MAP_TYPE_TASK_STORAGE = 29;
export const BPF_MAP_TYPE_BLOOM_FILTER = 30;
export const BPF_MAP_TYPE_USER_RINGBUF = 31;
export const BPF_MAP_TYPE_CGRP_STORAGE = 32;
export const BPF_MAP_TYPE_ARENA = 33;

// Map flags (map_flags).
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_NO_COMMON_LRU = 1 << 1;
export const BPF_F_NUMA_NODE = 1 << 2;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_STACK_BUILD_ID = 1 << 5;
export const BPF_F_ZERO_SEED = 1 << 6;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_CLONE = 1 << 9;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_INNER_MAP = 1 << 12;

// libbpf's enum libbpf_pin_type (the `pinning` field of a BTF map definition).
export const LIBBPF_PIN_NONE = 0;
export const LIBBPF_PIN_BY_NAME = 1;

export const MAP_TYPE_NAMES: Readonly<Record<number, string>> = {
  [0]: 'unspec',
  [1]: 'hash',
  [2]: 'array',
  [3]: 'prog_array',
  [4]: 'perf_event_array',
  [5]: 'percpu_hash',
  [6]: 'percpu_array',
  [7]: 'stack_trace',
  [8]: 'cgroup_array',
  [9]: 'lru_hash',
  [10]: 'lru_percpu_hash',
  [11]: 'lpm_trie',
  [12]: 'array_of_maps',
  [13]: 'hash_of_maps',
  [14]: 'devmap',
  [15]: 'sockmap',
  [16]: 'cpumap',
  [17]: 'xskmap',
  [18]: 'sockhash',
  [19]: 'cgroup_storage',
  [20]: 'reuseport_sockarray',
  [21]: 'percpu_cgroup_storage',
  [22]: 'queue',
  [23]: 'stack',
  [24]: 'sk_storage',
  [25]: 'devmap_hash',
  [26]: 'struct_ops',
  [27]: 'ringbuf',
  [28]: 'inode_storage',
  [29]: 'task_storage',
  [30]: 'bloom_filter',
  [31]: 'user_ringbuf',
  [32]: 'cgrp_storage',
  [33]: 'arena',
};

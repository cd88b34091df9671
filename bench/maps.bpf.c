// SPDX-License-Identifier: MIT
/* Map paths the shared hashmap bench has no object for (bench/jit.ts, issue
 * 13.4): LRU hash and per-CPU hash lookups, an LRU update, and a plain hash
 * map's delete + insert. Same shape as ../shared/bench/hashmap.bpf.c: u32
 * keys (i * 37) & 1023 for i in 0..255, u64 counters, 1024 entries.
 *
 * lru_lookup_inc     256 x (bpf_map_lookup_elem on an LRU hash + in-place
 *                    increment; insert on a miss)
 * percpu_lookup_inc  the same on a per-CPU hash (this CPU's copy)
 * lru_update         256 x (lookup + bpf_map_update_elem BPF_ANY) on the LRU
 * hash_delete_insert 256 x (bpf_map_delete_elem + bpf_map_update_elem
 *                    BPF_NOEXIST) on a plain hash: every element leaves and
 *                    comes back through the free list
 * The first (warm-up) run inserts the keys; measured runs find them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NKEYS 256

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

__u64 result;

static __always_inline __u64 lookup_inc(void *map)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < NKEYS; i++) {
		__u32 key = (i * 37) & 1023;
		__u64 *v = bpf_map_lookup_elem(map, &key);

		if (v) {
			*v += 1;
			sum += *v;
		} else {
			__u64 one = 1;

			bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
			sum += 1;
		}
	}
	return sum;
}

SEC("xdp")
int lru_lookup_inc(struct xdp_md *ctx)
{
	result = lookup_inc(&lru);
	return XDP_PASS;
}

SEC("xdp")
int percpu_lookup_inc(struct xdp_md *ctx)
{
	result = lookup_inc(&pcpu);
	return XDP_PASS;
}

SEC("xdp")
int lru_update(struct xdp_md *ctx)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < NKEYS; i++) {
		__u32 key = (i * 37) & 1023;
		__u64 *v = bpf_map_lookup_elem(&lru, &key);
		__u64 nv = v ? *v + 1 : 1;

		bpf_map_update_elem(&lru, &key, &nv, BPF_ANY);
		sum += nv;
	}
	result = sum;
	return XDP_PASS;
}

SEC("xdp")
int hash_delete_insert(struct xdp_md *ctx)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < NKEYS; i++) {
		__u32 key = (i * 37) & 1023;
		__u64 nv = i;

		if (bpf_map_delete_elem(&plain, &key) == 0)
			sum++;
		bpf_map_update_elem(&plain, &key, &nv, BPF_NOEXIST);
	}
	result = sum;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

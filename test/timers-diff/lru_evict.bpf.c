// SPDX-License-Identifier: GPL-2.0
/* Rule: when an LRU hash evicts an element to make room, the evicted
 * element's armed timer is cancelled and freed. Key 1 is armed (10 ms),
 * then `flood` inserts (and looks up) keys 100..163 in the 4-entry LRU map;
 * key 1 is then gone (evicted = 1).
 *   -> fired=0 after 40 ms (control without flood: fired=1)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} lru SEC(".maps");

int fired, evicted = -1, inserted;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 1;
	struct val init = {}, *v;

	bpf_map_update_elem(&lru, &k, &init, BPF_ANY);
	v = bpf_map_lookup_elem(&lru, &k);
	if (!v)
		return 1;
	bpf_timer_init(&v->t, &lru, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 10 * MS, 0);
}

SEC("syscall")
int flood(void *ctx)
{
	int one = 1;

	/* never look key 1 up inside the loop: a lookup marks it referenced
	 * and keeps it from being evicted */
	for (int i = 100; i < 164; i++) {
		struct val init = {};
		int k = i;

		bpf_map_update_elem(&lru, &k, &init, BPF_ANY);
		bpf_map_lookup_elem(&lru, &k);
		inserted++;
	}
	evicted = !bpf_map_lookup_elem(&lru, &one);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

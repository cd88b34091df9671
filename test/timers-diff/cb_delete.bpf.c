// SPDX-License-Identifier: GPL-2.0
/* Rule: a callback may delete its own element (no deadlock): the delete
 * returns 0, the key is gone, and the timer memory it still points at is
 * uninitialized afterwards (bpf_timer_start on it: -EINVAL), so nothing
 * fires again. Hash map, key 5, 1 ms.
 *   r_del=0, r_lookup_after=0 (NULL), r_start_after=-22, fired=1,
 *   present (from `check`, a later lookup) = 0
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	struct bpf_timer t;
	int n;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} hmap SEC(".maps");

long r_del = 9, r_start_after = 9;
int r_lookup_after = 9, fired, present = 9;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	r_del = bpf_map_delete_elem(map, key);
	r_lookup_after = bpf_map_lookup_elem(map, key) != 0;
	r_start_after = bpf_timer_start(&v->t, 1000000, 0);
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 5;
	struct val init = {}, *v;

	bpf_map_update_elem(&hmap, &k, &init, BPF_ANY);
	v = bpf_map_lookup_elem(&hmap, &k);
	if (!v)
		return 1;
	bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 1000000, 0);
}

SEC("syscall")
int check(void *ctx)
{
	int k = 5;

	present = bpf_map_lookup_elem(&hmap, &k) != 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: deleting a hash element cancels and frees its armed timer: the
 * callback never runs. Array elements cannot be deleted (-EINVAL), so the
 * array element's timer stays armed and fires.
 *   arm: hash key 1 and array key 0, 5 ms each
 *   del: r_hdel=0 (hash), r_adel=-22 (array)
 *   -> after 30 ms: fired_hash=0, fired_array=1
 *   (without del both fire: delete_cancels.control)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} hmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

long r_hdel = 9, r_adel = 9;
int fired_hash, fired_array;

static int hcb(void *map, int *key, struct val *v)
{
	fired_hash++;
	return 0;
}

static int acb(void *map, int *key, struct val *v)
{
	fired_array++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int hk = 1, ak = 0;
	struct val init = {}, *h, *a;

	bpf_map_update_elem(&hmap, &hk, &init, BPF_ANY);
	h = bpf_map_lookup_elem(&hmap, &hk);
	a = bpf_map_lookup_elem(&arr, &ak);
	if (!h || !a)
		return 1;
	bpf_timer_init(&h->t, &hmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&h->t, hcb);
	bpf_timer_start(&h->t, 5 * MS, 0);
	bpf_timer_init(&a->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&a->t, acb);
	bpf_timer_start(&a->t, 5 * MS, 0);
	return 0;
}

SEC("syscall")
int del(void *ctx)
{
	int hk = 1, ak = 0;

	r_hdel = bpf_map_delete_elem(&hmap, &hk);
	r_adel = bpf_map_delete_elem(&arr, &ak);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

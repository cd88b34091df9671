// SPDX-License-Identifier: GPL-2.0
/* Rule: when a map loses its last user reference (every fd closed, not
 * pinned) all of its timers are cancelled and freed, even though the
 * program still holds the map; other maps' timers are unaffected.
 * `arm` arms a hash element and an array element, 5 ms each.
 *   close-maps         -> fired_hash=0 fired_array=0
 *   close-map:arr      -> fired_hash=1 fired_array=0
 *   close-map:hmap     -> fired_hash=0 fired_array=1
 *   (no close)         -> 1 and 1
 * `rearm` afterwards: bpf_timer_init on the array again, r_reinit: the
 * timer was freed (so not -EBUSY) and the map has no urefs: -EPERM.
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

int fired_hash, fired_array;
long r_reinit = 9;

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
int rearm(void *ctx)
{
	int ak = 0;
	struct val *a = bpf_map_lookup_elem(&arr, &ak);

	if (!a)
		return 1;
	r_reinit = bpf_timer_init(&a->t, &arr, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Our rewrite of the kernel selftest progs/timer_mim_reject.c: the verifier
 * must refuse bpf_timer_init(timer, map) when `map` is not the map the
 * timer's value came from. Both inner maps are looked up from the same
 * array_of_maps (indexes 1 and 2), so they share one map type but carry
 * different map uids; initializing a timer of inner map 1 with inner map 2
 * as owner is rejected at load (prog_tests/timer_mim.c expects the load to
 * fail). fentry -> SEC("syscall"), as in timer.bpf.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct hval {
	int pad;
	struct bpf_timer timer;
};

struct inner_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, int);
	__type(value, struct hval);
} inner_htab SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner_map);
} outer_arr SEC(".maps") = {
	.values = { [1] = &inner_htab },
};

__u64 err;

static int cb(void *map, int *key, struct hval *v)
{
	return 0;
}

SEC("syscall")
int test1(void *ctx)
{
	struct hval fresh = {};
	int k1 = 1, k2 = 2, hk = 1234;
	void *m1, *m2;
	struct hval *v;

	m1 = bpf_map_lookup_elem(&outer_arr, &k1);
	if (!m1)
		return 0;
	m2 = bpf_map_lookup_elem(&outer_arr, &k2);
	if (!m2)
		return 0;
	bpf_map_update_elem(m1, &hk, &fresh, 0);
	v = bpf_map_lookup_elem(m1, &hk);
	if (!v)
		return 0;
	bpf_timer_init(&v->timer, m2, CLOCK_MONOTONIC);
	if (bpf_timer_set_callback(&v->timer, cb))
		err |= 4;
	if (bpf_timer_start(&v->timer, 0, 0))
		err |= 8;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

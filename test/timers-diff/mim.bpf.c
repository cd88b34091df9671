// SPDX-License-Identifier: GPL-2.0
/* Rule: a timer can live in an inner map of a map-in-map. The outer
 * array_of_maps holds the inner array `inner` at index 0; the program looks
 * the inner map up, initializes the timer with the inner map as owner and
 * arms it. The callback gets the inner map and records its key and whether
 * a lookup in the map it got returns its value.
 *   run:arm sleep:20000 dump            -> fired=1 got_key=2 same_ptr=1
 *   run:arm close-maps sleep:20000 dump -> (recorded) does dropping the
 *       inner map's fd, while the outer map still references it, cancel?
 *   close-map:inner run:arm ...         -> (recorded) init's answer when
 *       only the outer map keeps the inner map alive
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
};

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, int);
	__array(values, struct inner_arr);
} outer SEC(".maps") = {
	.values = { [0] = &inner },
};

int fired, got_key = -1, same_ptr = -1;
long r_init = 9, r_start = 9;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	got_key = *key;
	same_ptr = bpf_map_lookup_elem(map, key) == v;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int ok = 0, ik = 2;
	void *im = bpf_map_lookup_elem(&outer, &ok);
	struct val *v;

	if (!im)
		return 1;
	v = bpf_map_lookup_elem(im, &ik);
	if (!v)
		return 2;
	r_init = bpf_timer_init(&v->t, im, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	r_start = bpf_timer_start(&v->t, 5 * MS, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

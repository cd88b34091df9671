// SPDX-License-Identifier: GPL-2.0
/* Rule: a timer callback must return 0. A callback returning 1 is refused by
 * the verifier at load time (the async callback's R0 must be in [0, 0]).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int fired;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	return 1;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 1;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 1000000, 0);
}

char LICENSE[] SEC("license") = "GPL";

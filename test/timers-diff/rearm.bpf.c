// SPDX-License-Identifier: GPL-2.0
/* Rule: a callback may re-arm its own timer with bpf_timer_start; here it
 * does so until it has run 5 times (1 ms apart), then stops.
 *   run:arm sleep:100000 dump -> fired=5, every re-arm returned 0 (err=0)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

int fired;
int err;

static int cb(void *map, int *key, struct elem *val)
{
	if (++fired < 5 && bpf_timer_start(&val->t, 1000000, 0))
		err++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	return bpf_timer_start(&e->t, 1000000, 0);
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: a callback cannot cancel its own timer: bpf_timer_cancel from inside
 * the running callback is -EDEADLK (-35). It can still re-arm itself
 * (bpf_timer_start from the callback is 0), and the re-armed timer fires.
 *   callback run 1: r_self_cancel=-35, r_rearm=0; run 2: stops.
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

long r_self_cancel = 1, r_rearm = 1;
int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	if (fired == 1) {
		r_self_cancel = bpf_timer_cancel(&val->t);
		r_rearm = bpf_timer_start(&val->t, 1000000, 0);
	}
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

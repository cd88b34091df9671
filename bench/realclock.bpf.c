// SPDX-License-Identifier: GPL-2.0
/* Real-clock storm for bench/realclock.ts: `arm` arms one periodic timer
 * (element ctx->idx of an array of up to 20 000), whose callback counts and
 * re-arms itself with the same period. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MAX_TIMERS 20000

struct elem {
	struct bpf_timer t;
	__u64 period;
	__u64 fired;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_TIMERS);
	__type(key, __u32);
	__type(value, struct elem);
} timers SEC(".maps");

struct args {
	__u32 idx;
	__u32 pad;
	__u64 period;
};

__u64 fired_total;

static int tick(void *map, __u32 *key, struct elem *e)
{
	e->fired++;
	fired_total++;
	bpf_timer_start(&e->t, e->period, 0);
	return 0;
}

SEC("syscall")
int arm(struct args *ctx)
{
	__u32 idx = ctx->idx;
	struct elem *e = bpf_map_lookup_elem(&timers, &idx);

	if (!e)
		return 1;
	e->period = ctx->period;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, tick);
	return bpf_timer_start(&e->t, ctx->period, 0);
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_start on an armed timer moves its expiry (hrtimer_start
 * re-queues it); the timer fires once, at the new expiry.
 *   long_then_short: start(500 ms) then start(1 ms) -> fired_a=1 at 20 ms
 *   short_then_long: start(1 ms) then start(200 ms) -> fired_b=0 at 20 ms,
 *                                                      1 at 320 ms
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

int fired_a, fired_b;
long r1 = 1, r2 = 1;

static int cb(void *map, int *key, struct elem *val)
{
	if (*key == 0)
		fired_a++;
	else
		fired_b++;
	return 0;
}

static struct elem *prep(int k)
{
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	return e;
}

SEC("syscall")
int long_then_short(void *ctx)
{
	struct elem *e = prep(0);

	if (!e)
		return 1;
	r1 = bpf_timer_start(&e->t, 500 * MS, 0);
	r2 = bpf_timer_start(&e->t, 1 * MS, 0);
	return 0;
}

SEC("syscall")
int short_then_long(void *ctx)
{
	struct elem *e = prep(1);

	if (!e)
		return 1;
	r1 = bpf_timer_start(&e->t, 1 * MS, 0);
	r2 = bpf_timer_start(&e->t, 200 * MS, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

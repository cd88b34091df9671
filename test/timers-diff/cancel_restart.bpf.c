// SPDX-License-Identifier: GPL-2.0
/* Rule (what cancel does to the callback): bpf_timer_cancel of an armed
 * timer also drops its callback (and the program reference it held), so a
 * later bpf_timer_start without a new bpf_timer_set_callback is -EINVAL and
 * arms nothing. The timer stays initialized (init again is -EBUSY) and
 * set_callback + start work again.
 *   arm:     start(100 ms), r_cancel=1, r_start_nocb, r_reinit
 *   restore: r_setcb=0, r_start=0 -> fires once
 *   idle:    set_callback, then cancel while NOT armed (r_idle_cancel=0),
 *            then start without set_callback (r_start_after_idle): does a
 *            cancel of an idle timer drop the callback too?
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

long r_cancel = 9, r_start_nocb = 9, r_reinit = 9, r_setcb = 9, r_start = 9;
long r_idle_cancel = 9, r_start_after_idle = 9;
int fired[2];

static int cb(void *map, int *key, struct elem *val)
{
	if (*key == 0)
		fired[0]++;
	else
		fired[1]++;
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
	bpf_timer_start(&e->t, 100 * MS, 0);
	r_cancel = bpf_timer_cancel(&e->t);
	r_start_nocb = bpf_timer_start(&e->t, 1 * MS, 0);
	r_reinit = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	return 0;
}

SEC("syscall")
int restore(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	r_setcb = bpf_timer_set_callback(&e->t, cb);
	r_start = bpf_timer_start(&e->t, 1 * MS, 0);
	return 0;
}

SEC("syscall")
int idle(void *ctx)
{
	int k = 1;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	r_idle_cancel = bpf_timer_cancel(&e->t);
	r_start_after_idle = bpf_timer_start(&e->t, 1 * MS, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_start is -EINVAL on an uninitialized timer and on an
 * initialized timer that has no callback yet; once set_callback ran it is 0.
 *   r_uninit = start(never initialized)        -> -22
 *   r_nocb   = start(initialized, no callback) -> -22 (nothing fires)
 *   r_ok     = start after set_callback        -> 0, fires once
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

long r_uninit = 1, r_init = 1, r_nocb = 1, r_setcb = 1, r_ok = 1;
int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	return 0;
}

SEC("xdp")
int nocb(struct xdp_md *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return XDP_ABORTED;
	r_uninit = bpf_timer_start(&e->t, 1000000, 0);
	r_init = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	r_nocb = bpf_timer_start(&e->t, 1000000, 0);
	return XDP_PASS;
}

SEC("xdp")
int withcb(struct xdp_md *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return XDP_ABORTED;
	r_setcb = bpf_timer_set_callback(&e->t, cb);
	r_ok = bpf_timer_start(&e->t, 1000000, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

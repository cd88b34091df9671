// SPDX-License-Identifier: GPL-2.0
/* timer: a bpf_timer in an array map whose callback bumps a global.
 *   arm (XDP): bpf_timer_init + set_callback + start(1 ms); the helpers'
 *              return values land in init_err / cb_err / start_err.
 *   The callback increments `fired` and stores its key in `fired_key`.
 * Kernel facts this records:
 *   run:arm sleep:5000 dump              -> fired=1
 *   run:arm close-maps sleep:5000 dump   -> fired=0 (last uref dropped: timer cancelled)
 *   --no-hold run:arm dump               -> init_err=-1 (EPERM: map has no urefs)
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
int fired_key = -1;
long init_err = 1, cb_err = 1, start_err = 1;

static int timer_cb(void *map, int *key, struct elem *val)
{
	fired++;
	fired_key = *key;
	return 0;
}

SEC("xdp")
int arm(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &key);

	if (!e)
		return XDP_ABORTED;
	init_err = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	cb_err = bpf_timer_set_callback(&e->t, timer_cb);
	start_err = bpf_timer_start(&e->t, 1000000 /* 1 ms */, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

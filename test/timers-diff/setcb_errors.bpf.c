// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_set_callback on a timer that was never initialized is
 * -EINVAL (-22). The helper's other error, -EPERM (map without user refs),
 * is checked after close-maps: dropping the last uref frees every timer of
 * the map, so the element's timer is uninitialized again and the kernel
 * answers -EINVAL there too (recorded, see setcb_errors.close-maps).
 *   prep:  init element 0 (r_init) and set_callback on element 1, which was
 *          never initialized (r_uninit = -22)
 *   setcb: set_callback on element 0 (r_setcb), then start it 1 ms
 *          (r_start); the callback bumps `fired`.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r_init = 1, r_uninit = 1, r_setcb = 1, r_start = 1;
int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	return 0;
}

SEC("syscall")
int prep(void *ctx)
{
	int k0 = 0, k1 = 1;
	struct elem *e0 = bpf_map_lookup_elem(&timers, &k0);
	struct elem *e1 = bpf_map_lookup_elem(&timers, &k1);

	if (!e0 || !e1)
		return 1;
	r_init = bpf_timer_init(&e0->t, &timers, CLOCK_MONOTONIC);
	r_uninit = bpf_timer_set_callback(&e1->t, cb);
	return 0;
}

SEC("syscall")
int setcb(void *ctx)
{
	int k0 = 0;
	struct elem *e0 = bpf_map_lookup_elem(&timers, &k0);

	if (!e0)
		return 1;
	r_setcb = bpf_timer_set_callback(&e0->t, cb);
	r_start = bpf_timer_start(&e0->t, 1000000, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: a second bpf_timer_init of an initialized timer is -EBUSY (-16),
 * whatever the clock, and the state persists across program runs; another
 * element of the same map is independent.
 *   run:init run:init dump -> first=0 second=-16 other_clock=-16 elem1=0,
 *                             then on the second run first=-16 elem1=-16
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long first = 1, second = 1, other_clock = 1, elem1 = 1;

SEC("syscall")
int init(void *ctx)
{
	int k0 = 0, k1 = 1;
	struct elem *e0 = bpf_map_lookup_elem(&timers, &k0);
	struct elem *e1 = bpf_map_lookup_elem(&timers, &k1);

	if (!e0 || !e1)
		return 1;
	first = bpf_timer_init(&e0->t, &timers, CLOCK_MONOTONIC);
	second = bpf_timer_init(&e0->t, &timers, CLOCK_MONOTONIC);
	other_clock = bpf_timer_init(&e0->t, &timers, CLOCK_BOOTTIME);
	elem1 = bpf_timer_init(&e1->t, &timers, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_init accepts only CLOCK_REALTIME (0), CLOCK_MONOTONIC (1)
 * and CLOCK_BOOTTIME (7); every other clock id is -EINVAL (-22).
 *   run:init dump -> r[i] for clock ids 0..11 and 99: 0 for 0/1/7, -22 else.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 13);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r[13];

SEC("syscall")
int init(void *ctx)
{
	for (int i = 0; i < 13; i++) {
		int key = i;
		int clock = i < 12 ? i : 99;
		struct elem *e = bpf_map_lookup_elem(&timers, &key);

		if (!e)
			return 1;
		r[i] = bpf_timer_init(&e->t, &timers, clock);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_init's third argument is the clock id and nothing else:
 * any bit above the clock id makes it -EINVAL, and a failed init leaves the
 * timer uninitialized (a later plain init of the same element succeeds).
 *   r_bit8   = init(CLOCK_MONOTONIC | 1 << 8)   -> -22
 *   r_bit32  = init(CLOCK_MONOTONIC | 1 << 32)  -> -22
 *   r_all    = init(~0)                         -> -22
 *   r_after  = init(CLOCK_MONOTONIC)            -> 0 (same element)
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

long r_bit8 = 1, r_bit32 = 1, r_all = 1, r_after = 1;

SEC("syscall")
int init(void *ctx)
{
	int key = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &key);

	if (!e)
		return 1;
	r_bit8 = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC | (1ULL << 8));
	r_bit32 = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC | (1ULL << 32));
	r_all = bpf_timer_init(&e->t, &timers, ~0ULL);
	r_after = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_init fails with -EPERM (-1) when the timer's map has no
 * user reference (no fd held by user space, not pinned): such a timer could
 * outlive everything that can cancel it.
 *   run:init dump close-maps run:init dump   -> r=0, then r=-1 (element 1)
 *   --no-hold run:init dump                  -> r=-1 from the start
 *   close-map:.bss run:init dump             -> r=0: only the timer's own
 *                                               map's urefs matter
 * `init` initializes the next element each run (counter `n`), so -EBUSY
 * never hides the answer.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

int n;
long r = 1;

SEC("syscall")
int init(void *ctx)
{
	int key = n;
	struct elem *e = bpf_map_lookup_elem(&timers, &key);

	if (!e)
		return 1;
	n++;
	r = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

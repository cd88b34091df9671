// SPDX-License-Identifier: GPL-2.0
/* Rule: timers fire in expiry order, not arming order; timers with the same
 * absolute expiry fire in the order they were armed (FIFO).
 *   arm:  keys 0,1,2 armed in that order with 30, 10, 20 ms -> seq = 1,2,0
 *   ties: keys 3,4,5 armed in that order, BPF_F_TIMER_ABS with one expiry
 *         (now + 5 ms)                                    -> seq = 3,4,5
 * The callback appends its key to seq[].
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define F_TIMER_ABS (1ULL << 0)
#define MS 1000000ULL

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

int n;
int seq[6] = { -1, -1, -1, -1, -1, -1 };

static int cb(void *map, int *key, struct elem *val)
{
	int i = n;

	if (i >= 0 && i < 6)
		seq[i] = *key;
	n++;
	return 0;
}

static int arm_one(int k, __u64 ns, __u64 flags)
{
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	return bpf_timer_start(&e->t, ns, flags);
}

SEC("syscall")
int arm(void *ctx)
{
	return arm_one(0, 30 * MS, 0) | arm_one(1, 10 * MS, 0) | arm_one(2, 20 * MS, 0);
}

SEC("syscall")
int ties(void *ctx)
{
	__u64 at = bpf_ktime_get_ns() + 5 * MS;

	return arm_one(3, at, F_TIMER_ABS) | arm_one(4, at, F_TIMER_ABS) | arm_one(5, at, F_TIMER_ABS);
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: BPF_F_TIMER_ABS makes the nsecs argument an absolute expiry on the
 * timer's clock. Element 0 (CLOCK_MONOTONIC) is armed for
 * bpf_ktime_get_ns() + 1 ms, element 1 (CLOCK_BOOTTIME) for
 * bpf_ktime_get_boot_ns() + 1 ms, element 2 (CLOCK_MONOTONIC) for time 0,
 * which is in the past: it fires at once. Element 3 is armed absolutely
 * 10 s ahead and must not have fired at the dump.
 * Each callback stores the gap between its clock's "now" and the absolute
 * expiry the program asked for in late_ok[key] (1: now >= expiry).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define F_TIMER_ABS (1ULL << 0)

struct elem {
	struct bpf_timer t;
	__u64 expiry;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r[4] = { 1, 1, 1, 1 };
int fired[4];
int late_ok[4];

static int cb(void *map, int *key, struct elem *val)
{
	int k = *key;
	__u64 now = k == 1 ? bpf_ktime_get_boot_ns() : bpf_ktime_get_ns();

	if (k < 0 || k > 3)
		return 0;
	fired[k]++;
	late_ok[k] = now >= val->expiry;
	return 0;
}

static long arm_one(int k, int clock, __u64 expiry)
{
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return -1000;
	bpf_timer_init(&e->t, &timers, clock);
	bpf_timer_set_callback(&e->t, cb);
	e->expiry = expiry;
	return bpf_timer_start(&e->t, expiry, F_TIMER_ABS);
}

SEC("syscall")
int arm(void *ctx)
{
	r[0] = arm_one(0, CLOCK_MONOTONIC, bpf_ktime_get_ns() + 1000000);
	r[1] = arm_one(1, CLOCK_BOOTTIME, bpf_ktime_get_boot_ns() + 1000000);
	r[2] = arm_one(2, CLOCK_MONOTONIC, 0);
	r[3] = arm_one(3, CLOCK_MONOTONIC, bpf_ktime_get_ns() + 10000000000ULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

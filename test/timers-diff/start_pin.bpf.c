// SPDX-License-Identifier: GPL-2.0
/* Rule: BPF_F_TIMER_CPU_PIN runs the callback on the CPU that armed the
 * timer (relative and, with BPF_F_TIMER_ABS, absolute). The callback
 * records whether bpf_get_smp_processor_id() equals the arming CPU
 * (same_cpu[key] = 1), never the CPU number itself, which depends on where
 * the scheduler put the runner.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define F_TIMER_ABS (1ULL << 0)
#define F_TIMER_CPU_PIN (1ULL << 1)

struct elem {
	struct bpf_timer t;
	__u32 cpu;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r[2] = { 1, 1 };
int fired[2];
int same_cpu[2] = { -1, -1 };

static int cb(void *map, int *key, struct elem *val)
{
	int k = *key;

	if (k < 0 || k > 1)
		return 0;
	fired[k]++;
	same_cpu[k] = bpf_get_smp_processor_id() == val->cpu;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k0 = 0, k1 = 1;
	struct elem *a = bpf_map_lookup_elem(&timers, &k0);
	struct elem *b = bpf_map_lookup_elem(&timers, &k1);

	if (!a || !b)
		return 1;
	bpf_timer_init(&a->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&a->t, cb);
	a->cpu = bpf_get_smp_processor_id();
	r[0] = bpf_timer_start(&a->t, 1000000, F_TIMER_CPU_PIN);

	bpf_timer_init(&b->t, &timers, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&b->t, cb);
	b->cpu = bpf_get_smp_processor_id();
	r[1] = bpf_timer_start(&b->t, bpf_ktime_get_boot_ns() + 1000000,
			       F_TIMER_CPU_PIN | F_TIMER_ABS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

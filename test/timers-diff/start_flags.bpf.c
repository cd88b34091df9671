// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_start accepts only BPF_F_TIMER_ABS (1) and
 * BPF_F_TIMER_CPU_PIN (2); any other flag bit is -EINVAL, checked before
 * anything else (even on an uninitialized timer), and arms nothing.
 *   r_f4 = start(1 ms, 4), r_f8 = start(1 ms, 8), r_top = start(1 ms, 1<<63)
 *   r_uninit_f4 = start(uninitialized timer, 1 ms, 4)      -> all -22
 *   r_ok = start(1 ms, CPU_PIN)                          -> 0, fires once
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define F_TIMER_CPU_PIN (1ULL << 1)

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r_f4 = 1, r_f8 = 1, r_top = 1, r_uninit_f4 = 1, r_ok = 1;
int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k0 = 0, k1 = 1;
	struct elem *e = bpf_map_lookup_elem(&timers, &k0);
	struct elem *u = bpf_map_lookup_elem(&timers, &k1);

	if (!e || !u)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	r_f4 = bpf_timer_start(&e->t, 1000000, 4);
	r_f8 = bpf_timer_start(&e->t, 1000000, 8);
	r_top = bpf_timer_start(&e->t, 1000000, 1ULL << 63);
	r_uninit_f4 = bpf_timer_start(&u->t, 1000000, 4);
	return 0;
}

SEC("syscall")
int arm_ok(void *ctx)
{
	int k0 = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k0);

	if (!e)
		return 1;
	r_ok = bpf_timer_start(&e->t, 1000000, F_TIMER_CPU_PIN);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

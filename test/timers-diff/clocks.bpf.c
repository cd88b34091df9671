// SPDX-License-Identifier: GPL-2.0
/* Rule: CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_REALTIME timers all fire
 * after a relative delay (5 ms, 10 ms and 15 ms here, so the order is
 * fixed); the callback appends its clock id to seq[].
 *   -> r[i]=0, seq = 1, 7, 0
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
	int clock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int n;
int seq[3] = { -1, -1, -1 };
long r[3] = { 9, 9, 9 };

static int cb(void *map, int *key, struct val *v)
{
	int i = n;

	if (i >= 0 && i < 3)
		seq[i] = v->clock;
	n++;
	return 0;
}

static long arm_one(int k, int clock, __u64 delay)
{
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	long e;

	if (!v)
		return -1000;
	v->clock = clock;
	e = bpf_timer_init(&v->t, &arr, clock);
	if (e)
		return e;
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, delay, 0);
}

SEC("syscall")
int arm(void *ctx)
{
	r[0] = arm_one(0, CLOCK_REALTIME, 15 * MS);
	r[1] = arm_one(1, CLOCK_MONOTONIC, 5 * MS);
	r[2] = arm_one(2, CLOCK_BOOTTIME, 10 * MS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

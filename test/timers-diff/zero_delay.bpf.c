// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_start(timer, 0, 0) arms the timer to fire as soon as
 * possible; after a sleep every such timer has fired once.
 * Recorded kernel detail: whether the callback can run *during* the program
 * run that armed it depends on the program type's test-run context.
 * fired_during_run[i] is the callback count read at the end of the same run,
 * right after the start:
 *   arm_sys (syscall: sleepable, runs with softirqs enabled) -> 1: the
 *           already-expired hrtimer's softirq ran inside the program run,
 *           between bpf_timer_start and the next instruction (20 of 20 runs)
 *   arm_xdp (XDP), arm_tc (tc): test runs with BHs disabled        -> 0
 * tsbpf models this without moving time during a run: a timer started
 * already due fires inside bpf_timer_start in a syscall program, and when
 * the test run returns for the others (see docs/features.md).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int fired[3];
int fired_during_run[3] = { -1, -1, -1 };
long r_start[3] = { 9, 9, 9 };

static int cb(void *map, int *key, struct val *v)
{
	int k = *key;

	if (k >= 0 && k < 3)
		fired[k]++;
	return 0;
}

/* K is a literal: the key lives on the stack for the lookup, and the
 * verifier would not bound an index reloaded from there */
#define ARM_ONE(K)							\
	do {								\
		int key = K;						\
		struct val *v = bpf_map_lookup_elem(&arr, &key);	\
		if (v) {						\
			bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);	\
			bpf_timer_set_callback(&v->t, cb);		\
			r_start[K] = bpf_timer_start(&v->t, 0, 0);	\
			fired_during_run[K] = fired[K];			\
		}							\
	} while (0)

SEC("syscall")
int arm_sys(void *ctx)
{
	ARM_ONE(0);
	return 0;
}

SEC("xdp")
int arm_xdp(struct xdp_md *ctx)
{
	ARM_ONE(1);
	return XDP_PASS;
}

SEC("tc")
int arm_tc(struct __sk_buff *skb)
{
	ARM_ONE(2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

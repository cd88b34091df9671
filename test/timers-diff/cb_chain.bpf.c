// SPDX-License-Identifier: GPL-2.0
/* Rule: callbacks may drive other timers and swap callbacks. Timer A (key
 * 0) fires first (1 ms); its callback arms timer B (key 1, 1 ms), then
 * replaces its own callback with cb_second via bpf_timer_set_callback and
 * re-arms itself (5 ms). So the trace is A(first), B, A(second), each
 * callback appending a tag: 10 = cb_first, 20 = cb_b, 30 = cb_second.
 *   -> trace = 10, 20, 30 and err = 0
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int n, err;
int trace[4] = { -1, -1, -1, -1 };

static void push(int tag)
{
	int i = n;

	if (i >= 0 && i < 4)
		trace[i] = tag;
	n++;
}

static int cb_b(void *map, int *key, struct val *v)
{
	push(20);
	return 0;
}

static int cb_second(void *map, int *key, struct val *v)
{
	push(30);
	return 0;
}

static int cb_first(void *map, int *key, struct val *v)
{
	int kb = 1;
	struct val *b = bpf_map_lookup_elem(map, &kb);

	push(10);
	if (!b)
		return 0;
	if (bpf_timer_init(&b->t, map, CLOCK_MONOTONIC))
		err |= 1;
	if (bpf_timer_set_callback(&b->t, cb_b))
		err |= 2;
	if (bpf_timer_start(&b->t, 1 * MS, 0))
		err |= 4;
	if (bpf_timer_set_callback(&v->t, cb_second))
		err |= 8;
	if (bpf_timer_start(&v->t, 5 * MS, 0))
		err |= 16;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 1;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_first);
	return bpf_timer_start(&v->t, 1 * MS, 0);
}

char LICENSE[] SEC("license") = "GPL";

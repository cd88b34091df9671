// SPDX-License-Identifier: GPL-2.0
/* Rule: timers behave the same in a preallocated hash and in a
 * BPF_F_NO_PREALLOC hash: init/set_callback/start work, the timer fires with
 * its own key, deleting an element cancels its timer, and updating an
 * element frees it.
 *   arm: key 1 of each map armed 5 ms (fires), key 2 armed then deleted,
 *        key 3 armed then updated (neither fires)
 *   -> fired_pre[1]=1 fired_mal[1]=1, every other counter 0
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
	long pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, struct val);
} pre SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, struct val);
} mal SEC(".maps");

int fired_pre[4], fired_mal[4];
long r[6] = { 9, 9, 9, 9, 9, 9 };

static int cb_pre(void *map, int *key, struct val *v)
{
	int k = *key;

	if (k >= 0 && k < 4)
		fired_pre[k]++;
	return 0;
}

static int cb_mal(void *map, int *key, struct val *v)
{
	int k = *key;

	if (k >= 0 && k < 4)
		fired_mal[k]++;
	return 0;
}

static long arm_key(void *map, int k, void *cb)
{
	struct val init = {}, *v;

	bpf_map_update_elem(map, &k, &init, BPF_ANY);
	v = bpf_map_lookup_elem(map, &k);
	if (!v)
		return -1000;
	bpf_timer_init(&v->t, map, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 5 * MS, 0);
}

SEC("syscall")
int arm(void *ctx)
{
	struct val init = {};
	int k2 = 2, k3 = 3;

	r[0] = arm_key(&pre, 1, cb_pre);
	r[1] = arm_key(&mal, 1, cb_mal);
	arm_key(&pre, 2, cb_pre);
	arm_key(&mal, 2, cb_mal);
	r[2] = bpf_map_delete_elem(&pre, &k2);
	r[3] = bpf_map_delete_elem(&mal, &k2);
	arm_key(&pre, 3, cb_pre);
	arm_key(&mal, 3, cb_mal);
	r[4] = bpf_map_update_elem(&pre, &k3, &init, BPF_EXIST);
	r[5] = bpf_map_update_elem(&mal, &k3, &init, BPF_EXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

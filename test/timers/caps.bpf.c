// SPDX-License-Identifier: GPL-2.0
/* test/timers/caps.test.ts: socket filter programs (the one program type an
 * unprivileged loader may load besides cgroup skb) around a timer map.
 *   lookup_only: only looks the timer map up — loads without CAP_BPF too
 *                (its map is then created without BTF: no timer field)
 *   arm:         bpf_timer_init — without CAP_BPF the verifier has no
 *                prototype for it: "program of this type cannot use helper
 *                bpf_timer_init#169"
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
} tmap SEC(".maps");

int fired;
long r_init = 9, r_start = 9;

static int cb(void *map, int *key, struct elem *v)
{
	fired++;
	return 0;
}

SEC("socket")
int lookup_only(struct __sk_buff *skb)
{
	int key = 0;

	return bpf_map_lookup_elem(&tmap, &key) ? 1 : 0;
}

SEC("socket")
int arm(struct __sk_buff *skb)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);

	if (!v)
		return 0;
	r_init = bpf_timer_init(&v->t, &tmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	r_start = bpf_timer_start(&v->t, 0, 0);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

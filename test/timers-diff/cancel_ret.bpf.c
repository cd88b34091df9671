// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_cancel returns -EINVAL (-22) for an uninitialized timer,
 * 1 when it cancelled an armed timer, 0 when the timer was not armed
 * (initialized but never started, cancelled already, or already fired).
 *   arm:        r_uninit=-22, r_idle=0 (init + callback, not started);
 *               that idle cancel drops the callback too (cancel_restart),
 *               so set_callback again, start(100 ms) (r_start=0),
 *               r_armed=1, r_again=0; nothing fires.
 *   arm_short:  set_callback + start(1 ms) ... after 20 ms:
 *   late:       r_fired=0 (the timer ran and is idle)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

long r_uninit = 1, r_idle = 1, r_start = 1, r_armed = 1, r_again = 1, r_short = 1, r_fired = 1;
int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	return 0;
}

SEC("tc")
int arm(struct __sk_buff *skb)
{
	int k0 = 0, k1 = 1;
	struct elem *e = bpf_map_lookup_elem(&timers, &k0);
	struct elem *u = bpf_map_lookup_elem(&timers, &k1);

	if (!e || !u)
		return 2;
	r_uninit = bpf_timer_cancel(&u->t);
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	r_idle = bpf_timer_cancel(&e->t);
	bpf_timer_set_callback(&e->t, cb);
	r_start = bpf_timer_start(&e->t, 100 * MS, 0);
	r_armed = bpf_timer_cancel(&e->t);
	r_again = bpf_timer_cancel(&e->t);
	return 0;
}

SEC("tc")
int arm_short(struct __sk_buff *skb)
{
	int k0 = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k0);

	if (!e)
		return 2;
	bpf_timer_set_callback(&e->t, cb);
	r_short = bpf_timer_start(&e->t, 1 * MS, 0);
	return 0;
}

SEC("tc")
int late(struct __sk_buff *skb)
{
	int k0 = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k0);

	if (!e)
		return 2;
	r_fired = bpf_timer_cancel(&e->t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

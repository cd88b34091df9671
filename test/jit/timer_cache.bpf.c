// SPDX-License-Identifier: GPL-2.0
/* The JIT keeps its block caches across timer callbacks while the arena's
 * blocks are unchanged: these callbacks touch memory user space frees and
 * replaces between fires, and must see exactly what the interpreter sees.
 *   tick (array element 0's timer, re-arms itself every 1 us): looks up key 0
 *     of `data` (a BPF_F_NO_PREALLOC hash: every element its own block),
 *     adds its value to `sum` and bumps it, else counts a miss; bumps `ticks`.
 *   hcb (a timer in a NO_PREALLOC hash element, re-arms itself every 1 us):
 *     bumps its own element's count and `hticks`.
 * arm: starts both timers (the hash timer on key 7 of `htimers`). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct tval {
	struct bpf_timer t;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tval);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tval);
} htimers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} data SEC(".maps");

__u64 sum, misses, ticks, hticks;

static int tick(void *map, __u32 *key, struct tval *v)
{
	__u32 k = 0;
	__u64 *d = bpf_map_lookup_elem(&data, &k);

	if (d) {
		sum += *d;
		*d += 1;
	} else {
		misses++;
	}
	ticks++;
	v->count++;
	bpf_timer_start(&v->t, 1000, 0);
	return 0;
}

static int hcb(void *map, __u32 *key, struct tval *v)
{
	hticks++;
	v->count++;
	bpf_timer_start(&v->t, 1000, 0);
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	__u32 k = 0, hk = 7;
	struct tval *v = bpf_map_lookup_elem(&timers, &k);
	struct tval *h = bpf_map_lookup_elem(&htimers, &hk);

	if (!v || !h)
		return 1;
	bpf_timer_init(&v->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, tick);
	bpf_timer_start(&v->t, 1000, 0);
	bpf_timer_init(&h->t, &htimers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&h->t, hcb);
	bpf_timer_start(&h->t, 1000, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

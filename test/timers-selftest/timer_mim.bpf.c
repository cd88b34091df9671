// SPDX-License-Identifier: GPL-2.0
/* Our rewrite of the kernel selftest progs/timer_mim.c + prog_tests/timer_mim.c:
 * a timer in an element of a hash map that is the inner map (index 1) of an
 * array_of_maps. Two callbacks hand the timer to each other forever, each
 * swapping the callback with bpf_timer_set_callback and re-arming; cb1 also
 * looks its key up in the map it was given (map/key must be valid).
 *
 * Changes from the original, and why:
 *   - fentry/bpf_fentry_test1 -> SEC("syscall") test1 (fentry does not load
 *     here; raw_tp may not use timers).
 *   - the callbacks re-arm every 1 ms, not 1 us, so the kernel run is not
 *     dominated by softirq noise.
 *   - the never-ending counter `cnt` is kept in a map (`counter`), not a
 *     global: its value at a dump depends on timing. The original's check
 *     "cnt grows, then stops after the inner map is gone" is the `snap`
 *     program: moved = (cnt != cnt at the previous snap), stored in .bss.
 *   - the original closes the inner map's fd and deletes it from the outer
 *     map from user space; the runner can only drop fds (close-map:inner_htab),
 *     and BPF programs may not delete from an array_of_maps. Dropping the
 *     inner map's last uref is what cancels its timers (the outer map's
 *     reference is not a uref), so the timer stops all the same.
 * Expected: moved=1 while it runs, moved=0 after close-map:inner_htab,
 *   err=0, ok=1|2=3.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct hval {
	int pad;
	struct bpf_timer timer;
};

struct inner_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, int);
	__type(value, struct hval);
} inner_htab SEC(".maps");

#define OUTER_KEY 1
#define HKEY 1234

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner_map);
} outer_arr SEC(".maps") = {
	.values = { [OUTER_KEY] = &inner_htab },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);	/* [0] cnt, [1] cnt at the previous snap */
	__type(key, int);
	__type(value, __u64);
} counter SEC(".maps");

__u64 err;
__u64 ok;
int moved = -1;

static void bump(void)
{
	int z = 0;
	__u64 *c = bpf_map_lookup_elem(&counter, &z);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static int cb1(void *map, int *key, struct hval *v);

static int cb2(void *map, int *key, struct hval *v)
{
	bump();
	bpf_timer_set_callback(&v->timer, cb1);
	if (bpf_timer_start(&v->timer, 1 * MS, 0))
		err |= 1;
	ok |= 1;
	return 0;
}

static int cb1(void *map, int *key, struct hval *v)
{
	bump();
	bpf_timer_set_callback(&v->timer, cb2);
	if (bpf_timer_start(&v->timer, 1 * MS, 0))
		err |= 2;
	bpf_map_lookup_elem(map, key);
	ok |= 2;
	return 0;
}

SEC("syscall")
int test1(void *ctx)
{
	struct hval fresh = {};
	int ok_key = OUTER_KEY, hk = HKEY;
	void *inner;
	struct hval *v;

	inner = bpf_map_lookup_elem(&outer_arr, &ok_key);
	if (!inner)
		return 0;
	bpf_map_update_elem(inner, &hk, &fresh, 0);
	v = bpf_map_lookup_elem(inner, &hk);
	if (!v)
		return 0;
	bpf_timer_init(&v->timer, inner, CLOCK_MONOTONIC);
	if (bpf_timer_set_callback(&v->timer, cb1))
		err |= 4;
	if (bpf_timer_start(&v->timer, 0, 0))
		err |= 8;
	return 0;
}

SEC("syscall")
int snap(void *ctx)
{
	int z = 0, one = 1;
	__u64 *c = bpf_map_lookup_elem(&counter, &z);
	__u64 *prev = bpf_map_lookup_elem(&counter, &one);

	if (!c || !prev)
		return 1;
	moved = *c != *prev;
	*prev = *c;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

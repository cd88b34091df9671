// SPDX-License-Identifier: GPL-2.0
/* Isolation of map memory: a value pointer a program still holds after its
 * element left the map (delete, update over the key, LRU eviction) may be
 * used as the verifier allows, and it must never reach another map's data.
 *
 * Each program takes a pointer p into map `a`, makes the element go away,
 * then creates a fresh element in another map (the allocation that would
 * reuse the freed memory if element memory were shared between maps),
 * reads *p (the stale value) and writes 0xdeadbeef through it, then reads
 * the other map's element back.
 *
 *   s_* = what *p read after the element went away
 *   b_* = the other map's value after the write through p (must stay 0x1111)
 *   lru_same = 1: after an LRU eviction *p read the old value or another
 *              element of the same LRU map (which one depends on the per-CPU
 *              free lists, so only the property is dumped)
 *
 * The kernel (6.18): BPF_F_NO_PREALLOC elements come from per-map caches and
 * are reused only after an RCU grace period, so *p still reads the old value
 * (0xaaaa) and the other map keeps 0x1111.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, long);
} a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, long);
} b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} lru SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, long);
} in0 SEC(".maps"), in1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { &in0, &in1 },
};

struct tval {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} tm SEC(".maps");

long s_delete = 9, b_delete = 9;
long s_update = 9, b_update = 9;
long lru_same = 9, b_lru = 9, lru_err = 9;
long s_inner = 9, b_inner = 9;
long s_timer = 9, b_timer = 9, cb_ran = 9;

static long *fresh(void *map, int k, long v)
{
	if (bpf_map_update_elem(map, &k, &v, BPF_ANY))
		return 0;
	return bpf_map_lookup_elem(map, &k);
}

/* after the element went away: allocate in `other`, use p, read other back */
static long poke(long *p, void *other, int k, long *other_out)
{
	long *q, old;

	fresh(other, k, 0x1111);
	old = *p;
	*p = 0xdeadbeef;
	q = bpf_map_lookup_elem(other, &k);
	*other_out = q ? *q : -1;
	return old;
}

SEC("syscall")
int del(void *ctx)
{
	long *p = fresh(&a, 1, 0xaaaa);

	if (!p)
		return 1;
	bpf_map_delete_elem(&a, &(int){1});
	s_delete = poke(p, &b, 1, &b_delete);
	return 0;
}

SEC("syscall")
int upd(void *ctx)
{
	long *p = fresh(&a, 2, 0xaaaa);

	if (!p)
		return 1;
	/* a new element replaces the old one, which is freed */
	if (!fresh(&a, 2, 0xbbbb))
		return 2;
	s_update = poke(p, &b, 2, &b_update);
	return 0;
}

SEC("syscall")
int evict(void *ctx)
{
	long *p = fresh(&lru, 0, 0xaaaa);
	int i;

	if (!p)
		return 1;
	/* fill the LRU map until key 0 (never referenced again) is evicted */
	for (i = 1; i < 16; i++)
		fresh(&lru, i, 0xcc00 + i);
	lru_err = bpf_map_lookup_elem(&lru, &(int){0}) != 0;
	{
		long old = poke(p, &b, 3, &b_lru);

		lru_same = old == 0xaaaa || (old & ~0xffL) == 0xcc00;
	}
	return 0;
}

SEC("syscall")
int inner(void *ctx)
{
	void *m0 = bpf_map_lookup_elem(&outer, &(int){0});
	void *m1 = bpf_map_lookup_elem(&outer, &(int){1});
	long *p;

	if (!m0 || !m1)
		return 1;
	p = fresh(m0, 1, 0xaaaa);
	if (!p)
		return 2;
	bpf_map_delete_elem(m0, &(int){1});
	s_inner = poke(p, m1, 1, &b_inner);
	return 0;
}

/* the callback allocates in b while the program that triggered it still
 * holds a pointer to a deleted element of a */
static int cb(void *map, int *key, struct tval *v)
{
	cb_ran = fresh(&b, 4, 0x1111) != 0;
	return 0;
}

SEC("syscall")
int timer(void *ctx)
{
	struct tval *v = bpf_map_lookup_elem(&tm, &(int){0});
	long *p = fresh(&a, 4, 0xaaaa), *q;

	if (!v || !p)
		return 1;
	bpf_map_delete_elem(&a, &(int){4});
	bpf_timer_init(&v->t, &tm, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	/* a syscall program runs with softirqs on: a 0 ns timer fires inside
	 * bpf_timer_start, before the next instruction */
	bpf_timer_start(&v->t, 0, 0);
	s_timer = *p;
	*p = 0xdeadbeef;
	q = bpf_map_lookup_elem(&b, &(int){4});
	b_timer = q ? *q : -1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

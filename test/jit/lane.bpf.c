// SPDX-License-Identifier: GPL-2.0
/* Timer callbacks of every kind the JIT's timer lane meets (src/jit/lane.ts):
 * one callback `cb` for every timer; what it does besides counting itself and
 * logging (key, map, time) in fired[] is the element's `kind`, which user space may change:
 *   0 re-arm only (everything inline: the lane never leaves WebAssembly)
 *   1 bpf_get_smp_processor_id (a helper in JS: the callback's JS side is set up)
 *   2 a per-CPU array bump (inline, on the callback's CPU)
 *   3 starts the next array timer with 0 ns (due at once, armed from a callback)
 *   4 deletes htimers key 1 (its armed timer is freed from inside a callback)
 *   5 a 4000-round loop (past a small maxInsns: the callback fails)
 *   6 bpf_timer_cancel on itself (-EDEADLK, kept in `ret`)
 *   7 starts itself with BPF_F_TIMER_CPU_PIN (a flag: the helper's path)
 * Each callback re-arms itself `delay` ns later until it ran cfg_max times.
 * arm (any CPU): initializes and starts cfg_nr array timers and, for each
 * htimers key 1..2 present, a hash timer; poke (syscall): starts array timer
 * 0 with 0 ns, which fires inside bpf_timer_start; self_poke (syscall): takes
 * array timer 1's callback over (cb_stack, its own) and starts it with 0 ns:
 * the callback runs inside bpf_timer_start, nested in self_poke's own run,
 * whose stack must come out of it intact. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define NR 8
#define BPF_F_TIMER_CPU_PIN_ (1ULL << 1)

struct tval {
	struct bpf_timer t;
	__u64 count;
	__u64 last;
	__u64 delay;
	__s64 ret;
	__u32 cpu;
	__u32 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR);
	__type(key, __u32);
	__type(value, struct tval);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tval);
} htimers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pc SEC(".maps");

__u32 cfg_nr;
__u64 cfg_max;
__u32 kinds[NR];
__u64 delays[NR];
__u64 fired[256];
__u32 nlog;
volatile __u64 acc;

static int cb(void *map, __u32 *key, struct tval *v)
{
	__u32 k = *key, n = nlog;
	__u64 now = bpf_ktime_get_ns();

	v->count++;
	v->last = now;
	fired[n & 255] = ((__u64)k << 56) | (map == (void *)&htimers ? 1ULL << 48 : 0) | (now & 0xffffffffffffULL);
	nlog = n + 1;
	switch (v->kind) {
	case 1:
		v->cpu = bpf_get_smp_processor_id();
		break;
	case 2: {
		__u32 z = 0;
		__u64 *p = bpf_map_lookup_elem(&pc, &z);

		if (p)
			*p += 1;
		break;
	}
	case 3: {
		__u32 j = (k + 1) % NR;
		struct tval *o = bpf_map_lookup_elem(&timers, &j);

		if (o)
			o->ret = bpf_timer_start(&o->t, 0, 0);
		break;
	}
	case 4: {
		__u32 hk = 1;

		v->ret = bpf_map_delete_elem(&htimers, &hk);
		break;
	}
	case 5:
		for (int i = 0; i < 4000; i++)
			acc += i;
		break;
	case 6:
		v->ret = bpf_timer_cancel(&v->t);
		break;
	case 7:
		if (v->count < cfg_max)
			v->ret = bpf_timer_start(&v->t, v->delay, BPF_F_TIMER_CPU_PIN_);
		return 0;
	}
	if (v->count < cfg_max)
		bpf_timer_start(&v->t, v->delay, 0);
	return 0;
}

static void arm_one(void *map, struct tval *v, __u32 kind, __u64 delay)
{
	v->kind = kind;
	v->delay = delay;
	v->ret = bpf_timer_init(&v->t, map, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	bpf_timer_start(&v->t, delay, 0);
}

SEC("xdp")
int arm(struct xdp_md *ctx)
{
	for (__u32 i = 0; i < NR; i++) {
		__u32 k = i;
		struct tval *v;

		if (i >= cfg_nr)
			break;
		v = bpf_map_lookup_elem(&timers, &k);
		if (v)
			arm_one(&timers, v, kinds[i & (NR - 1)], delays[i & (NR - 1)]);
	}
	for (__u32 hk = 1; hk <= 2; hk++) {
		__u32 k = hk;
		struct tval *v = bpf_map_lookup_elem(&htimers, &k);

		if (v)
			arm_one(&htimers, v, 0, 700 * hk);
	}
	return XDP_PASS;
}

SEC("syscall")
int poke(void *ctx)
{
	__u32 k = 0;
	struct tval *v = bpf_map_lookup_elem(&timers, &k);

	if (!v)
		return 1;
	v->ret = bpf_timer_start(&v->t, 0, 0);
	return 0;
}

/* self_poke's callback: fills a stack array of its own */
static int cb_stack(void *map, __u32 *key, struct tval *v)
{
	volatile __u64 junk[4] = { 1, 2, 3, 4 };

	v->count++;
	acc += junk[0] + junk[1] + junk[2] + junk[3];
	return 0;
}

SEC("syscall")
int self_poke(void *ctx)
{
	volatile __u64 mark[4] = { 11, 22, 33, 44 };
	__u32 k = 1;
	struct tval *v = bpf_map_lookup_elem(&timers, &k);

	if (!v)
		return 1;
	bpf_timer_set_callback(&v->t, cb_stack);
	v->ret = bpf_timer_start(&v->t, 0, 0);
	return mark[0] + mark[1] + mark[2] + mark[3];
}

char _license[] SEC("license") = "GPL";

// Kernel reference for the bpf_timer semantics tsbpf models (test/timers/bpf_timer.test.ts).
// Not run by `npm test`. On a Linux 6.18 host, as root:
//   clang-19 -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c timer_semantics.bpf.c -o timer_semantics.bpf.o
//   bpftool gen skeleton timer_semantics.bpf.o name t > t.skel.h && gcc check.c -o check -lbpf && ./check
// Observed on 6.18.44: r_init_bad=-22 r_init_bad2=-22 r_init=0 r_init_busy=-22 r_start_badflags=-22
//   r_set=0 r_start=0 r_cancel=1 r_start2=-22 (cancel dropped the callback) r_cancel2=0 r_set2=0
//   r_start3=0 r_deadlk=-35 fired0=1 r_rt1=0 r_rt2=0 fired_rt_realabs=0 fired_rt_monoabs=1
//   (a CLOCK_REALTIME bpf_timer started with BPF_F_TIMER_ABS counts on the monotonic clock)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#ifndef BPF_F_TIMER_ABS
#define BPF_F_TIMER_ABS 1
#endif
char LICENSE[] SEC("license") = "GPL";
struct elem { struct bpf_timer t; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, struct elem); } amap SEC(".maps");
__u64 rt_abs, mono_abs;
int r_init, r_init_busy, r_init_bad, r_init_bad2, r_set, r_start, r_cancel, r_start2, r_cancel2, r_set2, r_start3, r_deadlk, r_start_badflags;
int fired0, fired_rt_realabs, fired_rt_monoabs, r_rt1, r_rt2;
static int cb(void *map, int *key, struct elem *val)
{
	if (*key == 0) { fired0++; r_deadlk = bpf_timer_cancel(&val->t); }
	else if (*key == 1) fired_rt_realabs++;
	else if (*key == 2) fired_rt_monoabs++;
	return 0;
}
SEC("syscall") int test1(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&amap, &k);
	if (!e) return 1;
	r_init_bad = bpf_timer_init(&e->t, &amap, 2);
	r_init_bad2 = bpf_timer_init(&e->t, &amap, 17);
	r_init = bpf_timer_init(&e->t, &amap, CLOCK_MONOTONIC);
	r_init_busy = bpf_timer_init(&e->t, &amap, 99);
	r_start_badflags = bpf_timer_start(&e->t, 1000, 4);
	r_set = bpf_timer_set_callback(&e->t, cb);
	r_start = bpf_timer_start(&e->t, 1000000000, 0);
	r_cancel = bpf_timer_cancel(&e->t);
	r_start2 = bpf_timer_start(&e->t, 1000, 0);
	r_cancel2 = bpf_timer_cancel(&e->t);
	r_set2 = bpf_timer_set_callback(&e->t, cb);
	r_start3 = bpf_timer_start(&e->t, 1000, 0);
	k = 1;
	e = bpf_map_lookup_elem(&amap, &k);
	if (!e) return 1;
	bpf_timer_init(&e->t, &amap, CLOCK_REALTIME);
	bpf_timer_set_callback(&e->t, cb);
	r_rt1 = bpf_timer_start(&e->t, rt_abs, BPF_F_TIMER_ABS);
	k = 2;
	e = bpf_map_lookup_elem(&amap, &k);
	if (!e) return 1;
	bpf_timer_init(&e->t, &amap, CLOCK_REALTIME);
	bpf_timer_set_callback(&e->t, cb);
	r_rt2 = bpf_timer_start(&e->t, mono_abs, BPF_F_TIMER_ABS);
	return 0;
}

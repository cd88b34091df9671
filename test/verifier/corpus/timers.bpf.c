// Timer and async-callback verifier classes (after the kernel selftests
// timer_failure.c, timer_mim_reject.c, async_stack_depth.c), one program each.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	int x;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} tmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} hmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} plain SEC(".maps");

int ok;

static int cb_ok(void *map, int *key, struct elem *val)
{
	ok = *key + val->x;
	return 0;
}

static int cb_ret1(void *map, int *key, struct elem *val)
{
	return 1;
}

static int cb_rearm(void *map, int *key, struct elem *val)
{
	bpf_timer_set_callback(&val->t, cb_rearm);
	bpf_timer_start(&val->t, 1000, 0);
	return 0;
}

SEC("xdp")
int timer_ok(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_ok);
	bpf_timer_start(&v->t, 1000, 0);
	return 2;
}

SEC("xdp")
int timer_rearm_self(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&hmap, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_rearm);
	bpf_timer_start(&v->t, 0, 0);
	bpf_timer_cancel(&v->t);
	return 2;
}

SEC("xdp")
int timer_cb_bad_ret(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_ret1);
	return 2;
}

SEC("xdp")
int timer_wrong_map(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int timer_bad_off(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)&v->x, &tmap, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int timer_no_timer_map(struct xdp_md *ctx)
{
	int key = 0;
	long *v = bpf_map_lookup_elem(&plain, &key);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)v, &plain, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int timer_direct_read(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	return *(volatile long *)&v->t;
}

SEC("xdp")
int timer_unchecked_null(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	bpf_timer_init(&v->t, &tmap, CLOCK_MONOTONIC);
	return 2;
}

/* async_stack_depth: a callback has its own stack, the main program its own */
static int cb_big_stack(void *map, int *key, struct elem *val)
{
	volatile char buf[256] = {};
	return buf[*key & 255] * 0;
}

SEC("xdp")
int timer_cb_stack_ok(struct xdp_md *ctx)
{
	volatile char buf[256] = {};
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return buf[ctx->ingress_ifindex & 255];
	bpf_timer_init(&v->t, &tmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_big_stack);
	return buf[ctx->ingress_ifindex & 255];
}

static __noinline int big_frame(int i)
{
	volatile char buf[320] = {};
	return buf[i & 255];
}

SEC("xdp")
int stack_combined_too_large(struct xdp_md *ctx)
{
	volatile char buf[256] = {};
	return big_frame(ctx->ingress_ifindex) + buf[ctx->rx_queue_index & 255];
}

char _license[] SEC("license") = "GPL";

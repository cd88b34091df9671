// Stack depth with async callbacks (after the kernel selftest
// async_stack_depth.c): a timer callback starts a 512-byte budget of its
// own, unless it is also called directly; bpf-to-bpf chains share one.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, int);
	__type(value, struct elem);
} hmap SEC(".maps");

static __always_inline struct elem *get(void)
{
	int key = 0;
	return bpf_map_lookup_elem(&hmap, &key);
}

__attribute__((noinline))
static int cb_256(void *map, int *key, struct bpf_timer *timer)
{
	volatile char buf[256] = {};
	return buf[69] * 0;
}

__attribute__((noinline))
static int cb_300_calls_256(void *map, int *key, struct bpf_timer *timer)
{
	volatile char buf[300] = {};
	return buf[255] * 0 + cb_256(0, 0, 0);
}

__attribute__((noinline))
static int cb_480(void *map, int *key, struct bpf_timer *timer)
{
	volatile char buf[480] = {};
	return buf[*key & 255] * 0;
}

__attribute__((noinline))
static int frame_200(int i)
{
	volatile char buf[200] = {};
	return buf[i & 127];
}

__attribute__((noinline))
static int frame_200b(int i)
{
	volatile char buf[200] = {};
	return buf[i & 127] + frame_200(i + 1);
}

__attribute__((noinline))
static int frame_200c(int i)
{
	volatile char buf[200] = {};
	return buf[i & 127] + frame_200b(i + 1);
}

__attribute__((noinline))
static int cb_chain_400(void *map, int *key, struct bpf_timer *timer)
{
	return frame_200b(*key) * 0;
}

__attribute__((noinline))
static int cb_chain_600(void *map, int *key, struct bpf_timer *timer)
{
	return frame_200c(*key) * 0;
}

SEC("tc")
int stack_pseudo_call_check(struct __sk_buff *ctx)
{
	struct elem *e;
	volatile char buf[256] = {};

	e = get();
	if (!e)
		return 0;
	cb_256(0, 0, 0);
	return bpf_timer_set_callback(&e->t, cb_256) + buf[0];
}

SEC("tc")
int stack_async_root_check(struct __sk_buff *ctx)
{
	struct elem *e;
	volatile char buf[256] = {};

	e = get();
	if (!e)
		return 0;
	return bpf_timer_set_callback(&e->t, cb_300_calls_256) + buf[0];
}

SEC("tc")
int stack_async_separate_ok(struct __sk_buff *ctx)
{
	struct elem *e;
	volatile char buf[400] = {};

	e = get();
	if (!e)
		return 0;
	return bpf_timer_set_callback(&e->t, cb_480) + buf[ctx->len & 255];
}

SEC("xdp")
int stack_async_cb_alone_ok(struct xdp_md *ctx)
{
	struct elem *e = get();
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, cb_256);
	return 2;
}

SEC("xdp")
int stack_async_chain_ok(struct xdp_md *ctx)
{
	volatile char buf[500] = {};
	struct elem *e = get();
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, cb_chain_400);
	return buf[ctx->ingress_ifindex & 255];
}

SEC("xdp")
int stack_async_chain_too_deep(struct xdp_md *ctx)
{
	struct elem *e = get();
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, cb_chain_600);
	return 2;
}

SEC("xdp")
int stack_direct_call_of_cb(struct xdp_md *ctx)
{
	volatile char buf[64] = {};
	struct elem *e = get();
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, cb_480);
	return cb_480(0, &(int){0}, 0) + buf[ctx->ingress_ifindex & 63];
}

SEC("xdp")
int stack_chain_3x200(struct xdp_md *ctx)
{
	return frame_200c(ctx->ingress_ifindex);
}

SEC("xdp")
int stack_chain_2x200_ok(struct xdp_md *ctx)
{
	return frame_200b(ctx->ingress_ifindex);
}

SEC("xdp")
int stack_chain_main_plus_2x200(struct xdp_md *ctx)
{
	volatile char buf[128] = {};
	return frame_200b(ctx->ingress_ifindex) + buf[ctx->rx_queue_index & 127];
}

SEC("xdp")
int stack_chain_main_plus_200_ok(struct xdp_md *ctx)
{
	volatile char buf[256] = {};
	return frame_200(ctx->ingress_ifindex) + buf[ctx->rx_queue_index & 127];
}

static int loop_frame(__u32 i, void *c)
{
	volatile char buf[320] = {};
	return buf[i & 63] * 0;
}

SEC("xdp")
int stack_loop_cb_shares_budget(struct xdp_md *ctx)
{
	volatile char buf[256] = {};
	bpf_loop(2, loop_frame, 0, 0);
	return buf[ctx->ingress_ifindex & 255];
}

SEC("xdp")
int stack_loop_cb_budget_ok(struct xdp_md *ctx)
{
	volatile char buf[128] = {};
	bpf_loop(2, loop_frame, 0, 0);
	return buf[ctx->ingress_ifindex & 127];
}

char _license[] SEC("license") = "GPL";

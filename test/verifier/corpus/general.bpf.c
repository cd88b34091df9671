// General verifier classes: context, packet, stack, loops, calls, spin
// locks, bpf_loop callbacks, and hand-written bytecode (naked asm) for the
// control-flow checks.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lelem {
	struct bpf_spin_lock l;
	int cnt;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct lelem);
} lmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

SEC("xdp")
int xdp_parse_ok(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	if (p + 14 > (unsigned char *)end)
		return 1;
	return p[12] == 8 ? 2 : 1;
}

SEC("xdp")
int xdp_parse_oob(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	if (p + 14 > (unsigned char *)end)
		return 1;
	return ((volatile unsigned char *)p)[14];
}

SEC("xdp")
int xdp_no_check(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	return ((volatile unsigned char *)p)[0];
}

SEC("tc")
int tc_ctx_ok(struct __sk_buff *skb)
{
	skb->mark = skb->len + skb->protocol;
	return skb->cb[0] ? 0 : 2;
}

SEC("tc")
int tc_ctx_bad_write(struct __sk_buff *skb)
{
	skb->len = 5;
	return 0;
}

SEC("socket")
int sock_ctx_bad_data(struct __sk_buff *skb)
{
	return *(volatile __u32 *)&skb->data;
}

SEC("xdp")
int map_count_ok(struct xdp_md *ctx)
{
	int key = ctx->ingress_ifindex & 15;
	long one = 1, *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 2;
}

SEC("xdp")
int map_null_deref(struct xdp_md *ctx)
{
	int key = ctx->ingress_ifindex;
	long *v = bpf_map_lookup_elem(&counts, &key);
	return *v;
}

SEC("xdp")
int map_value_oob(struct xdp_md *ctx)
{
	int key = ctx->ingress_ifindex;
	long *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return 0;
	return ((volatile long *)v)[1];
}

SEC("xdp")
int map_value_var_ok(struct xdp_md *ctx)
{
	int key = 0;
	unsigned idx = ctx->rx_queue_index;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v || idx >= 4)
		return 0;
	return ((volatile unsigned char *)&v->cnt)[idx];
}

SEC("xdp")
int map_value_var_unbounded(struct xdp_md *ctx)
{
	int key = 0;
	unsigned idx = ctx->rx_queue_index;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v)
		return 0;
	return ((volatile unsigned char *)&v->cnt)[idx];
}

SEC("xdp")
int loop_bounded_ok(struct xdp_md *ctx)
{
	int sum = 0;
	for (int i = 0; i < 100; i++)
		sum += i * ctx->rx_queue_index;
	return sum & 3;
}

SEC("xdp")
int spin_lock_ok(struct xdp_md *ctx)
{
	int key = 1;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->cnt++;
	bpf_spin_unlock(&v->l);
	return 2;
}

SEC("xdp")
int spin_lock_missing_unlock(struct xdp_md *ctx)
{
	int key = 1;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->cnt++;
	return 2;
}

SEC("xdp")
int spin_lock_call_inside(struct xdp_md *ctx)
{
	int key = 1;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->cnt = bpf_get_prandom_u32();
	bpf_spin_unlock(&v->l);
	return 2;
}

SEC("xdp")
int spin_lock_direct_access(struct xdp_md *ctx)
{
	int key = 1;
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key);
	if (!v)
		return 0;
	return *(volatile int *)&v->l;
}

static int loop_cb(__u32 i, long *sum)
{
	*sum += i;
	return 0;
}

static int loop_cb_bad(__u32 i, long *sum)
{
	return 7;
}

SEC("xdp")
int bpf_loop_ok(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(10, loop_cb, &sum, 0);
	return sum & 1;
}

SEC("xdp")
int bpf_loop_callback_bad_ret(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(10, loop_cb_bad, &sum, 0);
	return sum & 1;
}

static __noinline int add3(int a)
{
	return a + 3;
}

SEC("xdp")
int subprog_call_ok(struct xdp_md *ctx)
{
	return add3(ctx->rx_queue_index) & 3;
}

SEC("xdp")
int stack_uninit_read_ok(struct xdp_md *ctx)
{
	volatile long x;
	return x & 1;
}

SEC("xdp")
int xdp_adjust_invalidates(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (p + 1 > end)
		return 1;
	bpf_xdp_adjust_head(ctx, 0);
	return *(volatile unsigned char *)p;
}

SEC("xdp")
__attribute__((naked)) int cfg_unreachable(void)
{
	asm volatile ("r0 = 0; exit; r0 = 1; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_r0_uninit(void)
{
	asm volatile ("exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_uninit_reg(void)
{
	asm volatile ("r0 = r5; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_infinite_loop(void)
{
	asm volatile ("r0 = 0; l0_%=: r0 = 0; goto l0_%=;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_loop_too_large(void)
{
	asm volatile ("r0 = 0; l0_%=: r0 += 1; goto l0_%=;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_write_fp(void)
{
	asm volatile ("r10 = 0; r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_stack_oob(void)
{
	asm volatile ("r0 = 0; *(u64 *)(r10 - 520) = r0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_stack_positive(void)
{
	asm volatile ("r0 = 0; *(u64 *)(r10 + 0) = r0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_ctx_bad_off(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 24); exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_unknown_helper(void)
{
	asm volatile ("call 9999; r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_scalar_deref(void)
{
	asm volatile ("r1 = 42; r0 = *(u64 *)(r1 + 0); exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_ptr_or(void)
{
	asm volatile ("r1 |= 1; r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_div_zero(void)
{
	asm volatile ("r0 = 1; r0 /= 0; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_dead_branch_ok(void)
{
	asm volatile ("r0 = 5; if r0 > 7 goto l1_%=; r0 = 0; exit; l1_%=: r0 = r9; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int cfg_misaligned_stack(void)
{
	asm volatile ("r0 = 0; *(u64 *)(r10 - 12) = r0; exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";

// bpf-to-bpf calls: arguments and return values across frames, caller's
// stack through pointers, callee-saved registers, recursion, call depth,
// global functions, tail calls.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, int);
} jt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, __u64);
} a8 SEC(".maps");

static __noinline int sum5(int a, int b, int c, int d, int e)
{
	return a + b + c + d + e;
}

SEC("xdp")
int call_five_args_ok(struct xdp_md *ctx)
{
	return sum5(ctx->rx_queue_index, 1, 2, 3, ctx->ingress_ifindex) & 3;
}

static __noinline void fill(long *p)
{
	*p = 42;
}

SEC("xdp")
int call_caller_stack_ok(struct xdp_md *ctx)
{
	long v;
	fill(&v);
	return v & 3;
}

__noinline int global_add(int x)
{
	return x + 1;
}

SEC("xdp")
int call_global_ok(struct xdp_md *ctx)
{
	return global_add(ctx->rx_queue_index) & 3;
}

__noinline int global_ctx(struct xdp_md *ctx)
{
	return ctx->rx_queue_index & 1;
}

SEC("xdp")
int call_global_ctx_ok(struct xdp_md *ctx)
{
	return global_ctx(ctx) + 1;
}

SEC("xdp")
int tail_call_ok(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jt, 0);
	return 2;
}

SEC("xdp")
int tail_call_wrong_map(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &a8, 0);
	return 2;
}

__attribute__((used)) static __naked void sub_ret_r1(void)
{
	asm volatile ("r0 = r1; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_reads_r2(void)
{
	asm volatile ("r0 = r2; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_reads_r6(void)
{
	asm volatile ("r0 = r6; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_ret_own_stack(void)
{
	asm volatile ("r0 = r10; r0 += -8; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_recurse(void)
{
	asm volatile ("call sub_recurse; r0 = 0; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_no_r0(void)
{
	asm volatile ("r1 = 0; exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void sub_write_through_r1(void)
{
	asm volatile ("r2 = 7; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_ret_ctx_ok(void)
{
	asm volatile (
	"call sub_ret_r1;"
	"r0 = *(u32 *)(r0 + 16);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_arg_uninit(void)
{
	asm volatile (
	"call sub_reads_r2;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_callee_reads_r6(void)
{
	asm volatile (
	"r6 = 1;"
	"call sub_reads_r6;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_caller_r6_kept_ok(void)
{
	asm volatile (
	"r6 = 1;"
	"r2 = 5;"
	"call sub_reads_r2;"
	"r0 = r6;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_caller_r1_clobbered(void)
{
	asm volatile (
	"r2 = 5;"
	"call sub_reads_r2;"
	"r0 = r1;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_ret_stack_ptr(void)
{
	asm volatile (
	"call sub_ret_own_stack;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_recursive(void)
{
	asm volatile (
	"call sub_recurse;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_callee_no_r0(void)
{
	asm volatile (
	"call sub_no_r0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_pass_stack_ptr_ok(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -16;"
	"call sub_write_through_r1;"
	"r0 = *(u64 *)(r10 - 16);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_pass_scalar_as_ptr(void)
{
	asm volatile (
	"r1 = 16;"
	"call sub_write_through_r1;"
	"exit;" ::: __clobber_all);
}

__attribute__((used)) static __naked void d7(void) { asm volatile ("call d8; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d8(void) { asm volatile ("r0 = 0; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d6(void) { asm volatile ("call d7; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d5(void) { asm volatile ("call d6; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d4(void) { asm volatile ("call d5; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d3(void) { asm volatile ("call d4; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d2(void) { asm volatile ("call d3; exit;" ::: __clobber_all); }
__attribute__((used)) static __naked void d1(void) { asm volatile ("call d2; exit;" ::: __clobber_all); }

SEC("xdp")
__naked int call_depth_8_ok(void)
{
	asm volatile ("call d2; exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int call_depth_9(void)
{
	asm volatile ("call d1; exit;" ::: __clobber_all);
}

static __noinline int mul2(int x) { return x * 2; }
static __noinline int chain(int x) { return mul2(x) + mul2(x + 1); }

SEC("xdp")
int call_chain_ok(struct xdp_md *ctx)
{
	return chain(ctx->rx_queue_index) & 3;
}

static __noinline long *pick(long *a, long *b, int c) { return c ? a : b; }

SEC("xdp")
int call_return_caller_stack_ptr(struct xdp_md *ctx)
{
	long a = 1, b = 2;
	long *p = pick(&a, &b, ctx->rx_queue_index & 1);
	return *p;
}

static __noinline int lookup_and_inc(int k)
{
	__u64 *v = bpf_map_lookup_elem(&a8, &k);
	if (!v)
		return 0;
	return ++*v & 3;
}

SEC("xdp")
int call_subprog_helper_ok(struct xdp_md *ctx)
{
	return lookup_and_inc(ctx->rx_queue_index & 3);
}

SEC("tc")
int tail_call_tc_ok(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, skb->mark & 3);
	return 0;
}

char _license[] SEC("license") = "GPL";

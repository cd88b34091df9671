// Loops: bounded loops are explored to their bound; a loop whose state
// repeats is an infinite loop; a loop that never converges hits the
// 1M processed-instruction limit; bpf_loop callbacks.
#include "corpus_asm.h"

SEC("xdp")
__naked int loop_count_up_ok(void)
{
	asm volatile (
	"r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r0 += r1;"
	"r1 += 1;"
	"if r1 < 16 goto l0_%=;"
	"r0 &= 3;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_count_down_jmp32_ok(void)
{
	asm volatile (
	"w0 = 0;"
	"w1 = 20;"
	"l0_%=:"
	"w0 += 3;"
	"w1 -= 1;"
	"if w1 != 0 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_nested_ok(void)
{
	asm volatile (
	"r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r2 = 0;"
	"l1_%=:"
	"r0 += 1;"
	"r2 += 1;"
	"if r2 < 4 goto l1_%=;"
	"r1 += 1;"
	"if r1 < 4 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_data_bound_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 7;"
	"r0 = 0;"
	"l0_%=:"
	"if r2 == 0 goto l1_%=;"
	"r2 -= 1;"
	"r0 += 2;"
	"goto l0_%=;"
	"l1_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_stack_writes_ok(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -64;"
	"r2 = 0;"
	"l0_%=:"
	"*(u64 *)(r1 + 0) = r2;"
	"r1 += 8;"
	"r2 += 1;"
	"if r2 < 8 goto l0_%=;"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_stack_writes_overflow(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -64;"
	"r2 = 0;"
	"l0_%=:"
	"*(u64 *)(r1 + 0) = r2;"
	"r1 += 8;"
	"r2 += 1;"
	"if r2 < 9 goto l0_%=;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_infinite_const(void)
{
	asm volatile (
	"r0 = 0;"
	"l0_%=:"
	"if r0 == 0 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_infinite_self_jump(void)
{
	asm volatile (
	"r0 = 0;"
	"l0_%=:"
	"goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int loop_infinite_two_blocks(void)
{
	asm volatile (
	"r0 = 0;"
	"r1 = 5;"
	"l0_%=:"
	"r1 = 5;"
	"if r1 > 3 goto l1_%=;"
	"exit;"
	"l1_%=:"
	"r0 = 1;"
	"goto l0_%=;" ::: __clobber_all);
}

static int cb_sum(__u32 i, long *sum)
{
	*sum += i;
	return 0;
}

static int cb_stop(__u32 i, long *sum)
{
	return i > 3 ? 1 : 0;
}

static int cb_oob(__u32 i, long *sum)
{
	return ((volatile long *)sum)[1] & 1;
}

static int cb_ret_unknown(__u32 i, long *sum)
{
	return *sum;
}

SEC("xdp")
int loop_bpf_loop_ok(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(64, cb_sum, &sum, 0);
	return sum & 1;
}

SEC("xdp")
int loop_bpf_loop_break_ok(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(ctx->rx_queue_index, cb_stop, &sum, 0);
	return 2;
}

SEC("xdp")
int loop_bpf_loop_null_ctx_ok(struct xdp_md *ctx)
{
	bpf_loop(4, cb_stop, 0, 0);
	return 2;
}

SEC("xdp")
int loop_bpf_loop_ctx_oob(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(4, cb_oob, &sum, 0);
	return 2;
}

SEC("xdp")
int loop_bpf_loop_ret_unknown(struct xdp_md *ctx)
{
	long sum = ctx->rx_queue_index;
	bpf_loop(4, cb_ret_unknown, &sum, 0);
	return 2;
}

SEC("xdp")
__naked int loop_bpf_loop_not_func(void)
{
	asm volatile (
	"r1 = 4;"
	"r2 = r10;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = 0;"
	"exit;" :: __imm(bpf_loop) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

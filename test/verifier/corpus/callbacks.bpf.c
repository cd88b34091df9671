// Callbacks iterated as the verifier iterates them (issue #11.1): each visit
// of a bpf_loop call queues one more callback iteration, the callback's exit
// goes back to the call, and the iterations stop when the state at the call
// is within an earlier one's ranges (or at nr_loops' maximum). Processed
// instruction counts are compared with the kernel's, not only verdicts.
#include "corpus_asm.h"

struct counter {
	long n;
	long hits;
};

struct slots {
	long idx;
	long v[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, long);
} cb_vals SEC(".maps");

// counts iterations: the count changes every time, so only widening
// (imprecise scalars become unknown) lets the iterations converge
static int cb_count(__u32 i, struct counter *c)
{
	c->n++;
	return 0;
}

SEC("xdp")
int cb_counter_ok(struct xdp_md *ctx)
{
	struct counter c = {};

	bpf_loop(100, cb_count, &c, 0);
	return c.n & 1 ? XDP_PASS : XDP_DROP;
}

// one more value changed on one of two paths of the callback: every
// iteration doubles the states to explore (20 iterations reach the kernel's
// 1M-instruction limit; 6 stay small)
static int cb_count_odd(__u32 i, struct counter *c)
{
	c->n++;
	if (i & 1)
		c->hits++;
	return 0;
}

SEC("xdp")
int cb_counter_two_paths_ok(struct xdp_md *ctx)
{
	struct counter c = {};

	bpf_loop(6, cb_count_odd, &c, 0);
	return (c.n + c.hits) & 1 ? XDP_PASS : XDP_DROP;
}

// the callback's index is any u32 to the verifier: it needs its own check
static int cb_fill(__u32 i, struct slots *s)
{
	if (i >= 8)
		return 1;
	s->v[i] = i;
	return 0;
}

SEC("xdp")
int cb_index_checked_ok(struct xdp_md *ctx)
{
	struct slots s = {};

	bpf_loop(8, cb_fill, &s, 0);
	return s.v[3] == 3 ? XDP_PASS : XDP_DROP;
}

static int cb_fill_unchecked(__u32 i, struct slots *s)
{
	s->v[i & 15] = i;
	return 0;
}

SEC("xdp")
int cb_index_unchecked(struct xdp_md *ctx)
{
	struct slots s = {};

	bpf_loop(8, cb_fill_unchecked, &s, 0);
	return s.v[0] & 1;
}

// a bounded value the caller relies on after the loop: it must stay within
// the array whatever the number of iterations
static int cb_step(__u32 i, struct slots *s)
{
	if (s->idx < 7)
		s->idx++;
	return 0;
}

SEC("xdp")
int cb_bounded_step_ok(struct xdp_md *ctx)
{
	struct slots s = {};

	bpf_loop(ctx->rx_queue_index & 15, cb_step, &s, 0);
	return s.v[s.idx & 7] & 1;
}

// a callback that runs bpf_loop itself: two callback frames
static int cb_inner(__u32 i, struct counter *c)
{
	c->n += 2;
	return 0;
}

static int cb_outer(__u32 i, struct counter *c)
{
	bpf_loop(3, cb_inner, c, 0);
	return c->n > 100 ? 1 : 0;
}

SEC("xdp")
int cb_nested_ok(struct xdp_md *ctx)
{
	struct counter c = {};

	bpf_loop(4, cb_outer, &c, 0);
	return c.n & 1;
}

// a map value reached from the callback, updated each iteration
static int cb_map(__u32 i, void *unused)
{
	__u32 key = 0;
	long *v = bpf_map_lookup_elem(&cb_vals, &key);

	if (!v)
		return 1;
	*v += i;
	return 0;
}

SEC("xdp")
int cb_map_update_ok(struct xdp_md *ctx)
{
	bpf_loop(16, cb_map, 0, 0);
	return XDP_PASS;
}

// R0 of a callback: a pointer into its own stack is refused before the range check
static __naked __attribute__((noinline, used)) int cb_ret_fp(void)
{
	asm volatile ("r0 = r10; r0 += -8; exit;" ::: __clobber_all);
}

SEC("xdp")
int cb_ret_stack_ptr(struct xdp_md *ctx)
{
	bpf_loop(2, (void *)cb_ret_fp, 0, 0);
	return XDP_PASS;
}

// a spilled pointer that is dead where two paths meet: the join is pruned
SEC("xdp")
__naked int cb_dead_spill_join_ok(void)
{
	asm volatile (
	"r6 = r1;"
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[cb_vals] ll;"
	"call %[bpf_map_lookup_elem];"
	"*(u64 *)(r10 - 16) = r0;"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r10 - 16);"
	"r1 = *(u64 *)(r1 + 0);"
	"r0 = 1;"
	"goto l1_%=;"
	"l0_%=:"
	"r0 = 2;"
	"l1_%=:"
	"r0 &= 3;"
	"exit;"
	:: __imm_addr(cb_vals), __imm(bpf_map_lookup_elem) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

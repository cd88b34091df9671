// Async (timer) callback rules: how the verifier enters a callback set by
// bpf_timer_set_callback (R1 = map, R2 = key, R3 = value, R4/R5 unset), what
// the callback may return ([0, 0]), static-only callbacks, re-arming and
// cancelling its own timer, and callbacks nested in callbacks.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define NAKED_CB __attribute__((naked, noinline, used)) static int

struct elem {
	long x;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, long);
	__type(value, struct elem);
} htab SEC(".maps");

long hits;

static __always_inline struct elem *get_arr(void)
{
	int key = 0;
	return bpf_map_lookup_elem(&arr, &key);
}

static __always_inline struct elem *get_htab(void)
{
	long key = 0;
	return bpf_map_lookup_elem(&htab, &key);
}

#define ARM(v, map, fn) do { \
	bpf_timer_init(&(v)->t, map, CLOCK_MONOTONIC); \
	bpf_timer_set_callback(&(v)->t, (void *)fn); \
	bpf_timer_start(&(v)->t, 1000, 0); \
} while (0)

/* ---- callbacks the kernel accepts ---- */

static int cb_reads_all(void *map, int *key, struct elem *val)
{
	struct elem *again = bpf_map_lookup_elem(map, key);
	hits += *key + val->x + (again ? again->x : 0);
	return 0;
}

SEC("xdp")
int cb_reads_args_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_reads_all);
	return 2;
}

static int cb_hash_key(void *map, long *key, struct elem *val)
{
	hits += *key;
	return 0;
}

SEC("xdp")
int cb_hash_key_ok(struct xdp_md *ctx)
{
	struct elem *v = get_htab();
	if (!v)
		return 0;
	ARM(v, &htab, cb_hash_key);
	return 2;
}

static int cb_rearm(void *map, int *key, struct elem *val)
{
	bpf_timer_set_callback(&val->t, cb_rearm);
	bpf_timer_start(&val->t, 1000000, 0);
	return 0;
}

SEC("xdp")
int cb_rearm_self_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_rearm);
	return 2;
}

static int cb_cancel_self(void *map, int *key, struct elem *val)
{
	/* -EDEADLK at run time; the verifier has no objection */
	hits = bpf_timer_cancel(&val->t);
	return 0;
}

SEC("xdp")
int cb_cancel_self_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_cancel_self);
	return 2;
}

static int cb_leaf(void *map, long *key, struct elem *val)
{
	val->x++;
	return 0;
}

static int cb_nest(void *map, int *key, struct elem *val)
{
	long k = 1;
	struct elem *o = bpf_map_lookup_elem(&htab, &k);
	if (!o)
		return 0;
	bpf_timer_init(&o->t, &htab, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&o->t, cb_leaf);
	bpf_timer_start(&o->t, 5, 0);
	return 0;
}

SEC("xdp")
int cb_nested_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_nest);
	return 2;
}

static __noinline int helper_add(struct elem *val, int k)
{
	val->x += k;
	return 0;
}

static int cb_calls(void *map, int *key, struct elem *val)
{
	return helper_add(val, *key);
}

SEC("xdp")
int cb_calls_subprog_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_calls);
	return 2;
}

__noinline int global_bump(int k)
{
	hits += k;
	return 0;
}

static int cb_calls_global(void *map, int *key, struct elem *val)
{
	global_bump(*key);
	return 0;
}

SEC("xdp")
int cb_calls_global_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_calls_global);
	return 2;
}

static int loop_body(__u32 i, void *c)
{
	hits += i;
	return 0;
}

static int cb_with_loop(void *map, int *key, struct elem *val)
{
	bpf_loop(4, loop_body, 0, 0);
	return 0;
}

SEC("xdp")
int cb_bpf_loop_inside_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_with_loop);
	return 2;
}

static int cb_zero(void *map, int *key, struct elem *val)
{
	return 0;
}

static int loop_arms(__u32 i, void *c)
{
	struct elem *v = get_arr();
	if (!v)
		return 1;
	ARM(v, &arr, cb_zero);
	return 0;
}

SEC("xdp")
int loop_cb_arms_timer_ok(struct xdp_md *ctx)
{
	bpf_loop(2, loop_arms, 0, 0);
	return 2;
}

static int cb_update(void *map, int *key, struct elem *val)
{
	val->x = 0;
	/* the helper would read the bpf_timer of the value */
	bpf_map_update_elem(map, key, val, 0);
	bpf_map_delete_elem(map, key);
	return 0;
}

SEC("xdp")
int cb_update_from_value(struct xdp_md *ctx)
{
	struct elem *v = get_htab();
	if (!v)
		return 0;
	ARM(v, &htab, cb_update);
	return 2;
}

static int cb_delete(void *map, long *key, struct elem *val)
{
	struct elem copy = {};
	copy.x = val->x;
	bpf_map_update_elem(map, key, &copy, 0);
	bpf_map_delete_elem(map, key);
	return 0;
}

SEC("xdp")
int cb_map_ops_ok(struct xdp_md *ctx)
{
	struct elem *v = get_htab();
	if (!v)
		return 0;
	ARM(v, &htab, cb_delete);
	return 2;
}

SEC("xdp")
int cb_switch_callbacks_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	if (ctx->ingress_ifindex)
		bpf_timer_set_callback(&v->t, cb_zero);
	else
		bpf_timer_set_callback(&v->t, cb_rearm);
	return 2;
}

static int cb_masked_ret(void *map, int *key, struct elem *val)
{
	return *key & 0;
}

SEC("xdp")
int cb_ret_masked_zero_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_masked_ret);
	return 2;
}

/* ---- callbacks the kernel rejects ---- */

static int cb_one(void *map, int *key, struct elem *val)
{
	return 1;
}

SEC("xdp")
int cb_ret_one(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_one);
	return 2;
}

static int cb_ret_key(void *map, int *key, struct elem *val)
{
	return *key;
}

SEC("xdp")
int cb_ret_u32(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_ret_key);
	return 2;
}

NAKED_CB cb_ret_val_x(void)
{
	asm volatile ("r0 = *(u64 *)(r3 + 0); exit;" ::: "memory");
}

SEC("xdp")
int cb_ret_unknown(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_ret_val_x);
	return 2;
}

NAKED_CB cb_ret_bad_branch(void)
{
	asm volatile (
		"call %[rnd];"
		"if r0 s> 1000 goto 1f;"
		"r0 = 0;"
	"1:"
		"goto +0;"
		"exit;"
		:: [rnd]"i"(BPF_FUNC_get_prandom_u32) : "memory");
}

SEC("xdp")
int cb_ret_branch(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_ret_bad_branch);
	return 2;
}

NAKED_CB cb_ret_negative(void)
{
	asm volatile ("r0 = -1; exit;" ::: "memory");
}

SEC("xdp")
int cb_ret_minus_one(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_ret_negative);
	return 2;
}

NAKED_CB cb_ret_pointer(void)
{
	asm volatile ("r0 = r3; exit;" ::: "memory");
}

SEC("xdp")
int cb_ret_ptr(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_ret_pointer);
	return 2;
}

NAKED_CB cb_no_r0(void)
{
	asm volatile ("exit;" ::: "memory");
}

SEC("xdp")
int cb_r0_uninit(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_no_r0);
	return 2;
}

NAKED_CB cb_reads_r4(void)
{
	asm volatile ("r0 = r4; r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_read_r4(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_reads_r4);
	return 2;
}

NAKED_CB cb_reads_r5(void)
{
	asm volatile ("r0 = 0; if r5 == 0 goto 1f; 1: exit;" ::: "memory");
}

SEC("xdp")
int cb_read_r5(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_reads_r5);
	return 2;
}

NAKED_CB cb_key_wide(void)
{
	asm volatile ("r0 = *(u64 *)(r2 + 0); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_key_oob(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_key_wide);
	return 2;
}

SEC("xdp")
int cb_key_wide_hash_ok(struct xdp_md *ctx)
{
	struct elem *v = get_htab();
	if (!v)
		return 0;
	ARM(v, &htab, cb_key_wide);
	return 2;
}

NAKED_CB cb_key_store(void)
{
	asm volatile ("r1 = 1; *(u32 *)(r2 + 0) = r1; r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_key_write(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_key_store);
	return 2;
}

NAKED_CB cb_val_past_end(void)
{
	asm volatile ("r0 = *(u64 *)(r3 + 24); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_val_oob(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_val_past_end);
	return 2;
}

NAKED_CB cb_val_timer(void)
{
	asm volatile ("r0 = *(u64 *)(r3 + 8); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_val_timer_read(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_val_timer);
	return 2;
}

static int cb_lookup_nocheck(void *map, int *key, struct elem *val)
{
	struct elem *o = bpf_map_lookup_elem(map, key);
	return *(volatile long *)&o->x & 0;
}

SEC("xdp")
int cb_null_deref(struct xdp_md *ctx)
{
	struct elem *v = get_htab();
	if (!v)
		return 0;
	ARM(v, &htab, cb_lookup_nocheck);
	return 2;
}

__noinline int global_cb(void *map, int *key, struct elem *val)
{
	return 0;
}

SEC("xdp")
int cb_global(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, global_cb);
	return 2;
}

static int cb_nest_bad(void *map, long *key, struct elem *val)
{
	return 3;
}

static int cb_nest_outer(void *map, int *key, struct elem *val)
{
	long k = 1;
	struct elem *o = bpf_map_lookup_elem(&htab, &k);
	if (!o)
		return 0;
	bpf_timer_init(&o->t, &htab, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&o->t, cb_nest_bad);
	return 0;
}

SEC("xdp")
int cb_nested_bad_ret(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_nest_outer);
	return 2;
}

NAKED_CB cb_spin(void)
{
	asm volatile ("r0 = 0; 1: r0 = 0; goto 1b;" ::: "memory");
}

SEC("xdp")
int cb_infinite_loop(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_spin);
	return 2;
}

NAKED_CB cb_wide_key_on_arr(void)
{
	asm volatile ("r0 = *(u64 *)(r2 + 0); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_shared_by_two_maps(struct xdp_md *ctx)
{
	struct elem *h = get_htab();
	struct elem *a = get_arr();
	if (!h || !a)
		return 0;
	ARM(h, &htab, cb_wide_key_on_arr);
	ARM(a, &arr, cb_wide_key_on_arr);
	return 2;
}

static int loop_ret_two(__u32 i, void *c)
{
	return 2;
}

static int cb_loop_bad(void *map, int *key, struct elem *val)
{
	bpf_loop(4, loop_ret_two, 0, 0);
	return 0;
}

SEC("xdp")
int cb_loop_cb_bad_ret(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_loop_bad);
	return 2;
}

NAKED_CB cb_below_frame(void)
{
	asm volatile ("r0 = *(u64 *)(r10 - 520); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_stack_below_own_frame(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_below_frame);
	return 2;
}

/* what lies above the callback's frame pointer is not the caller's stack */
NAKED_CB cb_above_fp(void)
{
	asm volatile ("r0 = *(u64 *)(r10 + 8); r0 = 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_stack_caller_frame(struct xdp_md *ctx)
{
	volatile long secret = ctx->ingress_ifindex;
	struct elem *v = get_arr();
	if (!v)
		return secret;
	ARM(v, &arr, cb_above_fp);
	return 2;
}

NAKED_CB cb_own_stack(void)
{
	asm volatile ("r1 = 7; *(u64 *)(r10 - 512) = r1; r0 = *(u64 *)(r10 - 512); r0 &= 0; exit;" ::: "memory");
}

SEC("xdp")
int cb_stack_own_frame_ok(struct xdp_md *ctx)
{
	struct elem *v = get_arr();
	if (!v)
		return 0;
	ARM(v, &arr, cb_own_stack);
	return 2;
}

char _license[] SEC("license") = "GPL";

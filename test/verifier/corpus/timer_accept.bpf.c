// Timer programs the kernel accepts, across map types, value layouts
// (bpf_timer at offsets 0, 16, 24, next to a bpf_spin_lock, after an
// array), clocks, start flags, program types, and callback shapes: the
// "accept" half of the timer/async-callback classes (plus the one socket
// filter case the kernel refuses: a map with a bpf_spin_lock).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define F_TIMER_ABS 1
#define F_TIMER_CPU_PIN 2

struct key16 {
	long a, b;
};

struct v_t0 {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct v_t0);
} m_t0 SEC(".maps");

static int cb_t0(void *map, int *key, struct v_t0 *val)
{
	return 0;
}

static __always_inline struct v_t0 *get_t0(void)
{
	int key = {};
	return bpf_map_lookup_elem(&m_t0, &key);
}

struct v_t16 {
	long a; long b; struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct v_t16);
} m_t16 SEC(".maps");

static int cb_t16(void *map, int *key, struct v_t16 *val)
{
	return 0;
}

static __always_inline struct v_t16 *get_t16(void)
{
	int key = {};
	return bpf_map_lookup_elem(&m_t16, &key);
}

struct v_t24 {
	char tag[20]; struct bpf_timer t; long tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, long);
	__type(value, struct v_t24);
} m_t24 SEC(".maps");

static int cb_t24(void *map, long *key, struct v_t24 *val)
{
	return 0;
}

static __always_inline struct v_t24 *get_t24(void)
{
	long key = {};
	return bpf_map_lookup_elem(&m_t24, &key);
}

struct v_tl {
	struct bpf_spin_lock l; int n; struct bpf_timer t; long c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct v_tl);
} m_tl SEC(".maps");

static int cb_tl(void *map, int *key, struct v_tl *val)
{
	return 0;
}

static __always_inline struct v_tl *get_tl(void)
{
	int key = {};
	return bpf_map_lookup_elem(&m_tl, &key);
}

struct v_tk {
	long v[4]; struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct key16);
	__type(value, struct v_tk);
} m_tk SEC(".maps");

static int cb_tk(void *map, struct key16 *key, struct v_tk *val)
{
	return 0;
}

static __always_inline struct v_tk *get_tk(void)
{
	struct key16 key = {};
	return bpf_map_lookup_elem(&m_tk, &key);
}

static int cb_t16_fields(void *map, int *key, struct v_t16 *val)
{
	val->a = *key;
	val->b += val->a;
	return 0;
}

static int cb_t24_tail(void *map, long *key, struct v_t24 *val)
{
	val->tail = *key;
	val->tag[0] = (char)val->tail;
	return 0;
}

static int cb_tl_locked(void *map, int *key, struct v_tl *val)
{
	bpf_spin_lock(&val->l);
	val->n++;
	bpf_spin_unlock(&val->l);
	return 0;
}

static int cb_t0_arms_t16(void *map, int *key, struct v_t0 *val)
{
	struct v_t16 *o = get_t16();
	if (o) {
		bpf_timer_init(&o->t, &m_t16, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&o->t, cb_t16_fields);
		bpf_timer_start(&o->t, 1, 0);
	}
	return 0;
}

static int cb_t16_arms_t0(void *map, int *key, struct v_t16 *val)
{
	struct v_t0 *o = get_t0();
	if (o)
		bpf_timer_set_callback(&o->t, cb_t0_arms_t16);
	return 0;
}

static int cb_tk_ret_zero_paths(void *map, struct key16 *key, struct v_tk *val)
{
	if (key->a > 10)
		return 0;
	val->v[0] = key->b;
	return 0;
}

static int loop_set(__u32 i, void *c)
{
	struct v_t0 *v = get_t0();
	if (v)
		bpf_timer_start(&v->t, i, 0);
	return 0;
}

static int cb_t0_loop(void *map, int *key, struct v_t0 *val)
{
	bpf_loop(8, loop_set, 0, 0);
	return 0;
}

static __noinline int arm_t24(struct v_t24 *v)
{
	bpf_timer_init(&v->t, &m_t24, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t24_tail);
	return bpf_timer_start(&v->t, 10, 0);
}

SEC("xdp")
int acc_t0_xdp_full(struct xdp_md *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t0, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t0);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("tc")
int acc_t0_tc_full(struct __sk_buff *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t0, CLOCK_REALTIME);
	bpf_timer_set_callback(&v->t, cb_t0);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("xdp")
int acc_t0_abs_start(struct xdp_md *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 1ULL << 40, F_TIMER_ABS);
	return 2;
}

SEC("xdp")
int acc_t0_pinned_start(struct xdp_md *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	return bpf_timer_start(&v->t, ctx->ingress_ifindex, F_TIMER_CPU_PIN) ? 1 : 2;
}

SEC("tc")
int acc_t0_cancel_ret(struct __sk_buff *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) > 0;
}

SEC("socket")
int acc_t0_sock_init(struct __sk_buff *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t0, CLOCK_MONOTONIC);
	return ctx->len;
}

SEC("xdp")
int acc_t16_xdp_full(struct xdp_md *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t16, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&v->t, cb_t16);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("tc")
int acc_t16_tc_full(struct __sk_buff *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t16, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t16);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("xdp")
int acc_t16_abs_start(struct xdp_md *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 1ULL << 40, F_TIMER_ABS);
	return 2;
}

SEC("xdp")
int acc_t16_pinned_start(struct xdp_md *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	return bpf_timer_start(&v->t, ctx->ingress_ifindex, F_TIMER_CPU_PIN) ? 1 : 2;
}

SEC("tc")
int acc_t16_cancel_ret(struct __sk_buff *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) > 0;
}

SEC("socket")
int acc_t16_sock_init(struct __sk_buff *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t16, CLOCK_MONOTONIC);
	return ctx->len;
}

SEC("xdp")
int acc_t24_xdp_full(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t24, CLOCK_REALTIME);
	bpf_timer_set_callback(&v->t, cb_t24);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("tc")
int acc_t24_tc_full(struct __sk_buff *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t24, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&v->t, cb_t24);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("xdp")
int acc_t24_abs_start(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 1ULL << 40, F_TIMER_ABS);
	return 2;
}

SEC("xdp")
int acc_t24_pinned_start(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	return bpf_timer_start(&v->t, ctx->ingress_ifindex, F_TIMER_CPU_PIN) ? 1 : 2;
}

SEC("tc")
int acc_t24_cancel_ret(struct __sk_buff *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) > 0;
}

SEC("socket")
int acc_t24_sock_init(struct __sk_buff *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t24, CLOCK_MONOTONIC);
	return ctx->len;
}

SEC("xdp")
int acc_tl_xdp_full(struct xdp_md *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tl, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tl);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("tc")
int acc_tl_tc_full(struct __sk_buff *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tl, CLOCK_REALTIME);
	bpf_timer_set_callback(&v->t, cb_tl);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("xdp")
int acc_tl_abs_start(struct xdp_md *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 1ULL << 40, F_TIMER_ABS);
	return 2;
}

SEC("xdp")
int acc_tl_pinned_start(struct xdp_md *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	return bpf_timer_start(&v->t, ctx->ingress_ifindex, F_TIMER_CPU_PIN) ? 1 : 2;
}

SEC("tc")
int acc_tl_cancel_ret(struct __sk_buff *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) > 0;
}

SEC("socket")
int rej_tl_socket_filter_lock_map(struct __sk_buff *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tl, CLOCK_MONOTONIC);
	return ctx->len;
}

SEC("xdp")
int acc_tk_xdp_full(struct xdp_md *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tk, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&v->t, cb_tk);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("tc")
int acc_tk_tc_full(struct __sk_buff *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tk, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tk);
	bpf_timer_start(&v->t, 100, 0);
	return 0;
}

SEC("xdp")
int acc_tk_abs_start(struct xdp_md *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 1ULL << 40, F_TIMER_ABS);
	return 2;
}

SEC("xdp")
int acc_tk_pinned_start(struct xdp_md *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	return bpf_timer_start(&v->t, ctx->ingress_ifindex, F_TIMER_CPU_PIN) ? 1 : 2;
}

SEC("tc")
int acc_tk_cancel_ret(struct __sk_buff *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) > 0;
}

SEC("socket")
int acc_tk_sock_init(struct __sk_buff *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tk, CLOCK_MONOTONIC);
	return ctx->len;
}

SEC("xdp")
int acc_tl_lock_then_arm(struct xdp_md *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->n++;
	v->c = v->n;
	bpf_spin_unlock(&v->l);
	bpf_timer_init(&v->t, &m_tl, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tl);
	bpf_timer_start(&v->t, v->c, 0);
	return 2;
}

SEC("xdp")
int acc_tk_struct_key(struct xdp_md *ctx)
{
	struct key16 k = { .a = ctx->ingress_ifindex, .b = ctx->rx_queue_index };
	struct v_tk *v = bpf_map_lookup_elem(&m_tk, &k);
	if (!v)
		return 0;
	v->v[3] = k.a;
	bpf_timer_init(&v->t, &m_tk, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tk);
	return 2;
}

SEC("xdp")
int acc_t24_fields_around_timer(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	v->tag[19] = 1;
	v->tail = v->tag[0];
	bpf_timer_init(&v->t, &m_t24, CLOCK_BOOTTIME);
	return 2;
}

SEC("xdp")
int acc_conditional_arm(struct xdp_md *ctx)
{
	struct v_t0 *a = get_t0();
	struct v_t16 *b = get_t16();
	if (ctx->ingress_ifindex & 1) {
		if (!a)
			return 0;
		bpf_timer_init(&a->t, &m_t0, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&a->t, cb_t0);
	} else {
		if (!b)
			return 0;
		bpf_timer_init(&b->t, &m_t16, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&b->t, cb_t16);
	}
	return 2;
}

SEC("tc")
int acc_all_layouts(struct __sk_buff *ctx)
{
	struct v_t0 *a = get_t0();
	struct v_t16 *b = get_t16();
	struct v_t24 *c = get_t24();
	struct v_tk *d = get_tk();
	if (!a || !b || !c || !d)
		return 0;
	bpf_timer_set_callback(&a->t, cb_t0);
	bpf_timer_set_callback(&b->t, cb_t16);
	bpf_timer_set_callback(&c->t, cb_t24);
	bpf_timer_set_callback(&d->t, cb_tk);
	return 0;
}

SEC("xdp")
int acc_cb_writes_fields(struct xdp_md *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t16, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t16_fields);
	return 2;
}

SEC("xdp")
int acc_cb_reads_tail(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t24, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t24_tail);
	return 2;
}

SEC("xdp")
int acc_cb_takes_lock(struct xdp_md *ctx)
{
	struct v_tl *v = get_tl();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tl, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tl_locked);
	return 2;
}

SEC("xdp")
int acc_cb_chain_t0_t16(struct xdp_md *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t0, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t0_arms_t16);
	return 2;
}

SEC("xdp")
int acc_cb_ping_pong(struct xdp_md *ctx)
{
	struct v_t16 *v = get_t16();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t16, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t16_arms_t0);
	return 2;
}

SEC("xdp")
int acc_cb_struct_key(struct xdp_md *ctx)
{
	struct v_tk *v = get_tk();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_tk, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_tk_ret_zero_paths);
	return 2;
}

SEC("xdp")
int acc_cb_loop_starts(struct xdp_md *ctx)
{
	struct v_t0 *v = get_t0();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &m_t0, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb_t0_loop);
	return 2;
}

SEC("xdp")
int acc_arm_in_subprog(struct xdp_md *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	return arm_t24(v) ? 1 : 2;
}

SEC("tc")
int acc_arm_in_subprog_tc(struct __sk_buff *ctx)
{
	struct v_t24 *v = get_t24();
	if (!v)
		return 0;
	arm_t24(v);
	return 0;
}

SEC("xdp")
int acc_restart_in_loop(struct xdp_md *ctx)
{
	bpf_loop(4, loop_set, 0, 0);
	return 2;
}

SEC("xdp")
int acc_timer_and_plain_access(struct xdp_md *ctx)
{
	struct v_tk *v = get_tk();
	int i;
	if (!v)
		return 0;
	for (i = 0; i < 4; i++)
		v->v[i] = i;
	bpf_timer_cancel(&v->t);
	return 2;
}

char _license[] SEC("license") = "GPL";

// Timer argument rules (process_timer_func, check_map_access special
// fields, spin-lock interaction), after the kernel selftests timer_failure.c
// and timer.c, rewritten for tsbpf: one rule per program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7

struct elem {
	long x;
	struct bpf_timer t;
};

struct lelem {
	struct bpf_spin_lock lock;
	int cnt;
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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, struct elem);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct lelem);
} larr SEC(".maps");

/* no BTF for key/value: only sizes */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 24);
} nobtf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct bpf_spin_lock);
} lockonly SEC(".maps");

static int cb(void *map, int *key, struct elem *val)
{
	return 0;
}

static int lcb(void *map, int *key, struct lelem *val)
{
	return 0;
}

static __always_inline struct elem *get(void *map)
{
	int key = 0;
	return bpf_map_lookup_elem(map, &key);
}

SEC("xdp")
int tf_array_ok(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &arr, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&v->t, cb);
	bpf_timer_start(&v->t, 1000, 0);
	return 2;
}

SEC("xdp")
int tf_hash_ok(struct xdp_md *ctx)
{
	long key = ctx->ingress_ifindex;
	struct elem *v = bpf_map_lookup_elem(&htab, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &htab, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	bpf_timer_start(&v->t, 0, 0);
	return 2;
}

SEC("xdp")
int tf_lru_ok(struct xdp_md *ctx)
{
	struct elem *v = get(&lru);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &lru, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	bpf_timer_start(&v->t, 10, 0);
	bpf_timer_cancel(&v->t);
	return 2;
}

SEC("tc")
int tf_tc_ok(struct __sk_buff *skb)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	return bpf_timer_cancel(&v->t) ? 0 : 1;
}

SEC("xdp")
int tf_cancel_only_ok(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	return bpf_timer_cancel(&v->t) == 0 ? 2 : 1;
}

SEC("xdp")
int tf_update_then_init_ok(struct xdp_md *ctx)
{
	struct elem init = {};
	long key = 7;
	struct elem *v;

	bpf_map_update_elem(&htab, &key, &init, 0);
	v = bpf_map_lookup_elem(&htab, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &htab, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_two_timers_ok(struct xdp_md *ctx)
{
	struct elem *a = get(&arr);
	struct elem *h = get(&lru);
	if (!a || !h)
		return 0;
	bpf_timer_init(&a->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_init(&h->t, &lru, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&a->t, cb);
	bpf_timer_set_callback(&h->t, cb);
	return 2;
}

SEC("xdp")
int tf_value_fields_ok(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	v->x += 1;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	return v->x & 1;
}

SEC("xdp")
int tf_lock_then_timer_ok(struct xdp_md *ctx)
{
	int key = 0;
	struct lelem *v = bpf_map_lookup_elem(&larr, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	bpf_timer_init(&v->t, &larr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, lcb);
	return 2;
}

SEC("xdp")
int tf_timer_on_stack(struct xdp_md *ctx)
{
	struct bpf_timer t = {};
	bpf_timer_init(&t, &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_timer_in_ctx(struct xdp_md *ctx)
{
	bpf_timer_init((struct bpf_timer *)ctx, &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_timer_scalar(struct xdp_md *ctx)
{
	bpf_timer_init((struct bpf_timer *)(long)ctx->ingress_ifindex, &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_off_0(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)&v->x, &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_off_12(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)((char *)v + 12), &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_off_var(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)((char *)v + (ctx->ingress_ifindex & 8)), &arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_start_bad_off(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_start((struct bpf_timer *)((char *)v + 16), 0, 0);
	return 2;
}

SEC("xdp")
int tf_cancel_bad_off(struct xdp_md *ctx)
{
	struct elem *v = get(&lru);
	if (!v)
		return 0;
	bpf_timer_cancel((struct bpf_timer *)v);
	return 2;
}

SEC("xdp")
int tf_set_cb_bad_off(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_set_callback((struct bpf_timer *)((char *)v + 4), cb);
	return 2;
}

SEC("xdp")
int tf_no_btf(struct xdp_md *ctx)
{
	int key = 0;
	char *v = bpf_map_lookup_elem(&nobtf, &key);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)(v + 8), &nobtf, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_percpu_no_timer(struct xdp_md *ctx)
{
	int key = 0;
	long *v = bpf_map_lookup_elem(&pcpu, &key);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)v, &pcpu, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_lock_map_no_timer(struct xdp_md *ctx)
{
	int key = 0;
	struct bpf_spin_lock *v = bpf_map_lookup_elem(&lockonly, &key);
	if (!v)
		return 0;
	bpf_timer_cancel((struct bpf_timer *)v);
	return 2;
}

SEC("xdp")
int tf_init_other_map(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &lru, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_init_map_not_ptr(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, (void *)v, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_set_cb_not_func(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, (void *)(long)ctx->ingress_ifindex);
	return 2;
}

SEC("xdp")
int tf_read_timer(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	return *(volatile int *)((char *)&v->t + 8);
}

SEC("xdp")
int tf_write_timer(struct xdp_md *ctx)
{
	struct elem *v = get(&lru);
	if (!v)
		return 0;
	*(volatile long *)&v->t = 0;
	return 2;
}

SEC("xdp")
int tf_straddle_timer(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	*(volatile int *)((char *)v + 6) = 1;
	return 2;
}

SEC("xdp")
int tf_read_lock(struct xdp_md *ctx)
{
	int key = 0;
	struct lelem *v = bpf_map_lookup_elem(&larr, &key);
	if (!v)
		return 0;
	return *(volatile int *)&v->lock;
}

SEC("xdp")
int tf_timer_under_lock(struct xdp_md *ctx)
{
	int key = 0;
	struct lelem *v = bpf_map_lookup_elem(&larr, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_timer_start(&v->t, 0, 0);
	bpf_spin_unlock(&v->lock);
	return 2;
}

SEC("xdp")
int tf_exit_locked(struct xdp_md *ctx)
{
	int key = 0;
	struct lelem *v = bpf_map_lookup_elem(&larr, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (v->cnt)
		return 1;
	bpf_spin_unlock(&v->lock);
	return 2;
}

SEC("xdp")
int tf_lock_as_timer(struct xdp_md *ctx)
{
	int key = 0;
	struct lelem *v = bpf_map_lookup_elem(&larr, &key);
	if (!v)
		return 0;
	bpf_timer_init((struct bpf_timer *)&v->lock, &larr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int tf_timer_as_lock(struct xdp_md *ctx)
{
	struct elem *v = get(&arr);
	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)&v->t);
	bpf_spin_unlock((struct bpf_spin_lock *)&v->t);
	return 2;
}

char _license[] SEC("license") = "GPL";

// bpf_timer in inner maps (after the kernel selftest timer_mim_reject.c):
// bpf_timer_init's map argument must be the very map the timer lives in,
// told apart by map_uid when the maps come out of a map-in-map lookup.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	int pad;
	struct bpf_timer timer;
};

struct inner_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, struct elem);
} inner_htab SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
	__array(values, struct inner_map);
} outer_arr SEC(".maps") = {
	.values = { [1] = &inner_htab },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
	__array(values, struct inner_map);
} outer_hash SEC(".maps");

static int timer_cb(void *map, int *key, struct elem *val)
{
	return 0;
}

static int timer_cb_bad(void *map, int *key, struct elem *val)
{
	return 7;
}

SEC("xdp")
int mim_timer_same_inner_ok(struct xdp_md *ctx)
{
	struct elem init = {};
	int k1 = 1, hk = 1234;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *val;

	if (!inner)
		return 0;
	bpf_map_update_elem(inner, &hk, &init, 0);
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, inner, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&val->timer, timer_cb);
	bpf_timer_start(&val->timer, 0, 0);
	return 2;
}

SEC("xdp")
int mim_timer_other_inner(struct xdp_md *ctx)
{
	struct elem init = {};
	int k1 = 1, k2 = 2, hk = 1234;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	void *inner2;
	struct elem *val;

	if (!inner)
		return 0;
	inner2 = bpf_map_lookup_elem(&outer_arr, &k2);
	if (!inner2)
		return 0;
	bpf_map_update_elem(inner, &hk, &init, 0);
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, inner2, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&val->timer, timer_cb);
	return 2;
}

SEC("xdp")
int mim_timer_outer_as_map(struct xdp_md *ctx)
{
	int k1 = 1, hk = 1;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *val;

	if (!inner)
		return 0;
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, &outer_arr, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int mim_timer_template_as_map(struct xdp_md *ctx)
{
	int k1 = 1, hk = 1;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *val;

	if (!inner)
		return 0;
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, &inner_htab, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int mim_timer_direct_template_ok(struct xdp_md *ctx)
{
	int hk = 1;
	struct elem *val = bpf_map_lookup_elem(&inner_htab, &hk);

	if (!val)
		return 0;
	bpf_timer_init(&val->timer, &inner_htab, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&val->timer, timer_cb);
	return 2;
}

SEC("xdp")
int mim_timer_hash_of_maps_ok(struct xdp_md *ctx)
{
	int k1 = 0, hk = 5;
	void *inner = bpf_map_lookup_elem(&outer_hash, &k1);
	struct elem *val;

	if (!inner)
		return 0;
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, inner, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&val->timer, timer_cb);
	return 2;
}

SEC("xdp")
int mim_timer_hash_of_maps_other(struct xdp_md *ctx)
{
	int k1 = 0, k2 = 1, hk = 5;
	void *inner = bpf_map_lookup_elem(&outer_hash, &k1);
	void *inner2 = bpf_map_lookup_elem(&outer_arr, &k2);
	struct elem *val;

	if (!inner || !inner2)
		return 0;
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, inner2, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int mim_timer_cb_bad_ret(struct xdp_md *ctx)
{
	int k1 = 1, hk = 1;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *val;

	if (!inner)
		return 0;
	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_set_callback(&val->timer, timer_cb_bad);
	return 2;
}

SEC("xdp")
int mim_timer_inner_unchecked(struct xdp_md *ctx)
{
	int k1 = 1, hk = 1;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *val;

	val = bpf_map_lookup_elem(inner, &hk);
	if (!val)
		return 0;
	bpf_timer_init(&val->timer, inner, CLOCK_MONOTONIC);
	return 2;
}

SEC("xdp")
int mim_timer_same_inner_twice_ok(struct xdp_md *ctx)
{
	int k1 = 1, hk = 1, hk2 = 2;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k1);
	struct elem *a, *b;

	if (!inner)
		return 0;
	a = bpf_map_lookup_elem(inner, &hk);
	b = bpf_map_lookup_elem(inner, &hk2);
	if (!a || !b)
		return 0;
	bpf_timer_init(&a->timer, inner, CLOCK_MONOTONIC);
	bpf_timer_init(&b->timer, inner, CLOCK_MONOTONIC);
	return 2;
}

char _license[] SEC("license") = "GPL";

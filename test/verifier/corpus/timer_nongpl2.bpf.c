// GPL-only timer helpers from a program whose license is not GPL
// compatible; spin locks and bpf_loop are not GPL-only.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct elem {
	struct bpf_spin_lock lock;
	int cnt;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} tmap SEC(".maps");

static int cb(void *map, int *key, struct elem *val)
{
	return 0;
}

static __always_inline struct elem *get(void)
{
	int key = 0;
	return bpf_map_lookup_elem(&tmap, &key);
}

SEC("xdp")
int nongpl_timer_set_callback(struct xdp_md *ctx)
{
	struct elem *v = get();
	if (!v)
		return 0;
	bpf_timer_set_callback(&v->t, cb);
	return 2;
}

SEC("xdp")
int nongpl_timer_start(struct xdp_md *ctx)
{
	struct elem *v = get();
	if (!v)
		return 0;
	bpf_timer_start(&v->t, 0, 0);
	return 2;
}

SEC("xdp")
int nongpl_timer_cancel(struct xdp_md *ctx)
{
	struct elem *v = get();
	if (!v)
		return 0;
	bpf_timer_cancel(&v->t);
	return 2;
}

SEC("xdp")
int nongpl_timer_bad_arg(struct xdp_md *ctx)
{
	/* the license is checked before the arguments */
	bpf_timer_cancel((struct bpf_timer *)ctx);
	return 2;
}

SEC("xdp")
int nongpl_spin_lock_ok(struct xdp_md *ctx)
{
	struct elem *v = get();
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 2;
}

static int body(__u32 i, void *c)
{
	return 0;
}

SEC("xdp")
int nongpl_loop_ok(struct xdp_md *ctx)
{
	bpf_loop(3, body, 0, 0);
	return 2;
}

SEC("tc")
int nongpl_timer_tc(struct __sk_buff *skb)
{
	struct elem *v = get();
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tmap, 1);
	return 0;
}

char _license[] SEC("license") = "Proprietary";

// Conntrack kfuncs: lookups from tc and XDP (KF_ACQUIRE | KF_RET_NULL),
// bpf_ct_release (KF_RELEASE), allocation/insertion and the setters that
// only take a not-yet-inserted entry (struct nf_conn___init), field reads.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
};

struct nf_conn {
	__u32 timeout;
	unsigned long status;
	__u32 mark;
} __attribute__((preserve_access_index));
struct nf_conn___init {
	struct nf_conn ct;
} __attribute__((preserve_access_index));

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn___init *bpf_skb_ct_alloc(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *nfct, __u32 timeout) __ksym;
extern int bpf_ct_set_status(const struct nf_conn___init *nfct, __u32 status) __ksym;

#define TUPLE_OPTS                                   \
	struct bpf_sock_tuple t = {};                    \
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 }; \
	t.ipv4.saddr = 0x0100000a; t.ipv4.daddr = 0x0200000a; \
	t.ipv4.sport = 0x3930; t.ipv4.dport = 0x5000;

SEC("tc")
int kf_ct_skb_lookup_release_ok(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct)
		return o.error == -2 ? 1 : 2;
	bpf_ct_release(ct);
	return 3;
}

SEC("xdp")
int kf_ct_xdp_lookup_release_ok(struct xdp_md *ctx)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct)
		return XDP_PASS;
	bpf_ct_release(ct);
	return XDP_DROP;
}

SEC("tc")
int kf_ct_leak(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct)
		return 1;
	return 2;
}

SEC("tc")
int kf_ct_release_unchecked(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int kf_ct_bad_opts_size(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, 12);
	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("xdp")
int kf_ct_skb_lookup_in_xdp(struct xdp_md *ctx)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup((struct __sk_buff *)ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ct)
		bpf_ct_release(ct);
	return XDP_PASS;
}

SEC("tc")
int kf_ct_alloc_insert_ok(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn___init *ci = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	struct nf_conn *ct;

	if (!ci)
		return 1;
	bpf_ct_set_timeout(ci, 10000);
	bpf_ct_set_status(ci, 8 /* IPS_CONFIRMED_BIT.. seen reply */);
	ct = bpf_ct_insert_entry(ci);
	if (!ct)
		return 2;
	bpf_ct_release(ct);
	return 3;
}

SEC("xdp")
int kf_ct_xdp_alloc_release_ok(struct xdp_md *ctx)
{
	TUPLE_OPTS
	struct nf_conn___init *ci = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (!ci)
		return XDP_PASS;
	bpf_ct_release((struct nf_conn *)ci);
	return XDP_DROP;
}

SEC("tc")
int kf_ct_set_timeout_on_inserted(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct)
		return 1;
	bpf_ct_set_timeout((struct nf_conn___init *)ct, 1000);
	bpf_ct_release(ct);
	return 0;
}

/* struct nf_conn through BTF: fields readable, only ct->mark writable (tc and XDP) */
SEC("tc")
int kf_ct_read_fields_ok(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	int r;

	if (!ct)
		return 0;
	r = ct->status + ct->mark + ct->timeout;
	bpf_ct_release(ct);
	return r;
}

SEC("xdp")
int kf_ct_write_mark_ok(struct xdp_md *ctx)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (!ct)
		return XDP_PASS;
	ct->mark = 7;
	bpf_ct_release(ct);
	return XDP_PASS;
}

SEC("tc")
int kf_ct_write_status(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (!ct)
		return 0;
	ct->status = 0;
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int kf_ct_write_mark_wide(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (!ct)
		return 0;
	*(__u64 *)&ct->mark = 0;
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int kf_ct_init_write_mark_ok(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn___init *ci = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	struct nf_conn *ct;

	if (!ci)
		return 0;
	ci->ct.mark = 1;
	ct = bpf_ct_insert_entry(ci);
	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int kf_ct_read_beyond(struct __sk_buff *skb)
{
	TUPLE_OPTS
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	int r;

	if (!ct)
		return 0;
	r = *(int *)((char *)ct + 4000);
	bpf_ct_release(ct);
	return r;
}

char _license[] SEC("license") = "GPL";

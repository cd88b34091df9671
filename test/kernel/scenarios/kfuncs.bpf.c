// kfuncs on the live kernel and on tsbpf, run from test runs: the RCU
// read-side lock, and conntrack lookups, allocation, insertion, setters and
// release (every result lands in .bss for `dump`). The tuple inserted uses a
// random source port (kept in an array map that `dump` does not print), so
// concurrent runs on one host never collide in the kernel's conntrack table.
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

/* the fields read below, CO-RE relocated to the kernel's (or tsbpf's) nf_conn */
union nf_inet_addr {
	__u32 all[4];
	__be32 ip;
};

struct nf_conntrack_man {
	union nf_inet_addr u3;
	union {
		__be16 all;
	} u;
	__u16 l3num;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			__be16 all;
		} u;
		__u8 protonum;
		__u8 dir;
	} dst;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple_hash {
	struct nf_conntrack_tuple tuple;
} __attribute__((preserve_access_index));

struct nf_conn {
	__u32 timeout;
	struct nf_conntrack_tuple_hash tuplehash[2];
	unsigned long status;
	__u32 mark;
} __attribute__((preserve_access_index));

struct nf_conn___init {
	struct nf_conn ct;
} __attribute__((preserve_access_index));

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern struct nf_conn___init *bpf_skb_ct_alloc(struct __sk_buff *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *) __ksym;
extern void bpf_ct_release(struct nf_conn *) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *, __u32) __ksym;
extern int bpf_ct_set_status(const struct nf_conn___init *, __u32) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *, __u32) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_sock_tuple);
} tuples SEC(".maps");

int rcu_runs;
int miss_err, proto_err, opts12_err, tuple_sz_err, alloc_err, set_status_ret, insert_ok, hit_ok, hit_dir, change_ret;
int xdp_miss_err;
__u32 init_timeout;
__u64 f_status;
__u32 f_mark, f_mark_after, f_l3num, f_proto, f_saddr, f_daddr, f_sport, f_dport, f_rsport, f_rdaddr, f_dir0, f_dir1, f_timeout_ok;

SEC("tc")
int rcu(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	rcu_runs++;
	bpf_rcu_read_unlock();
	return 7;
}

static __always_inline void fixed_tuple(struct bpf_sock_tuple *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->ipv4.saddr = 0x0163000a;	/* 10.0.99.1 */
	t->ipv4.daddr = 0x0263000a;	/* 10.0.99.2 */
	t->ipv4.sport = 0x0100;		/* port 1 */
	t->ipv4.dport = 0x0100;
}

/* errors written to opts->error, each with a NULL result */
SEC("tc")
int ct_errors(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t;
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
	struct nf_conn *ct;

	fixed_tuple(&t);
	ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ct) { bpf_ct_release(ct); return 1; }
	miss_err = o.error;

	o.error = 0; o.l4proto = 1;
	ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ct) { bpf_ct_release(ct); return 2; }
	proto_err = o.error;

	o.error = 0; o.l4proto = 17;
	ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, 12);
	if (ct) { bpf_ct_release(ct); return 3; }
	opts12_err = o.error;

	o.error = 0;
	ct = bpf_skb_ct_lookup(skb, &t, 10, &o, sizeof(o));
	if (ct) { bpf_ct_release(ct); return 4; }
	tuple_sz_err = o.error;

	o.error = 0; o.l4proto = 1;
	struct nf_conn___init *ci = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ci) {
		/* not reached: an unknown protocol is refused; insertion consumes the reference */
		struct nf_conn *c = bpf_ct_insert_entry(ci);
		if (c)
			bpf_ct_release(c);
		return 5;
	}
	alloc_err = o.error;
	return 0;
}

SEC("xdp")
int xdp_ct_miss(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t;
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 17 };
	struct nf_conn *ct;

	fixed_tuple(&t);
	ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (ct) { bpf_ct_release(ct); return XDP_DROP; }
	xdp_miss_err = o.error;
	return XDP_PASS;
}

/* allocate, configure and insert a new entry (random source port, 1 s) */
SEC("tc")
int ct_insert(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock_tuple *t = bpf_map_lookup_elem(&tuples, &k);
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
	struct nf_conn___init *ci;
	struct nf_conn *ct;

	if (!t)
		return 1;
	fixed_tuple(t);
	t->ipv4.sport = (bpf_get_prandom_u32() % 50000) + 10000;
	ci = bpf_skb_ct_alloc(skb, t, sizeof(t->ipv4), &o, sizeof(o));
	if (!ci)
		return 2;
	bpf_ct_set_timeout(ci, 1000);
	set_status_ret = bpf_ct_set_status(ci, 0x2 /* IPS_SEEN_REPLY */);
	init_timeout = ci->ct.timeout;
	ci->ct.mark = 77;	/* the one writable field, also before insertion */
	ct = bpf_ct_insert_entry(ci);
	if (!ct)
		return 3;
	insert_ok = 1;
	bpf_ct_release(ct);
	return 0;
}

/* the inserted entry is found, from both directions of the tuple */
SEC("tc")
int ct_hit(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock_tuple *t = bpf_map_lookup_elem(&tuples, &k);
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
	struct nf_conn *ct;

	if (!t)
		return 1;
	ct = bpf_skb_ct_lookup(skb, t, sizeof(t->ipv4), &o, sizeof(o));
	if (!ct)
		return 2;
	hit_ok = 1;
	change_ret = bpf_ct_change_timeout(ct, 500);
	bpf_ct_release(ct);

	struct bpf_sock_tuple r = {};
	r.ipv4.saddr = t->ipv4.daddr;
	r.ipv4.daddr = t->ipv4.saddr;
	r.ipv4.sport = t->ipv4.dport;
	r.ipv4.dport = t->ipv4.sport;
	o.error = 0;
	ct = bpf_skb_ct_lookup(skb, &r, sizeof(r.ipv4), &o, sizeof(o));
	if (!ct)
		return 3;
	hit_dir = o.dir;
	bpf_ct_release(ct);
	return 0;
}

/* struct nf_conn fields of the inserted entry: read directly, mark written */
SEC("tc")
int ct_fields(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock_tuple *t = bpf_map_lookup_elem(&tuples, &k);
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
	struct nf_conn *ct;
	__u32 left;

	if (!t)
		return 1;
	ct = bpf_skb_ct_lookup(skb, t, sizeof(t->ipv4), &o, sizeof(o));
	if (!ct)
		return 2;
	f_status = ct->status;
	f_mark = ct->mark;
	f_l3num = ct->tuplehash[0].tuple.src.l3num;
	f_proto = ct->tuplehash[0].tuple.dst.protonum;
	f_saddr = ct->tuplehash[0].tuple.src.u3.ip;
	f_daddr = ct->tuplehash[0].tuple.dst.u3.ip;
	f_sport = ct->tuplehash[0].tuple.src.u.all == t->ipv4.sport;
	f_dport = ct->tuplehash[0].tuple.dst.u.all;
	f_rsport = ct->tuplehash[1].tuple.src.u.all;
	f_rdaddr = ct->tuplehash[1].tuple.dst.u3.ip;
	f_dir0 = ct->tuplehash[0].tuple.dst.dir;
	f_dir1 = ct->tuplehash[1].tuple.dst.dir;
	/* the expiry in jiffies: ct_hit set 500 ms (125 jiffies at HZ=250) */
	left = ct->timeout - (__u32)bpf_jiffies64();
	f_timeout_ok = (int)left > 0 && left <= 125;
	ct->mark = f_mark + 1;
	bpf_ct_release(ct);

	o.error = 0;
	ct = bpf_skb_ct_lookup(skb, t, sizeof(t->ipv4), &o, sizeof(o));
	if (!ct)
		return 3;
	f_mark_after = ct->mark;
	bpf_ct_release(ct);
	return 0;
}

char _license[] SEC("license") = "GPL";

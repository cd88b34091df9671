// The dynptr family: skb/xdp dynptrs from kfuncs, slices (read-only and
// read-write), size/is_null/adjust/clone, bpf_dynptr_read/write/data, local
// dynptrs over a map value; the stack-slot rules (initialized, overwritten).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} vals SEC(".maps");

SEC("tc")
int kf_dynptr_skb_slice_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u8 buf[ETH_HLEN];
	struct ethhdr *eth;

	if (bpf_dynptr_from_skb(skb, 0, &p))
		return 1;
	eth = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!eth)
		return 2;
	return eth->h_proto == 8 ? 3 : 4;
}

SEC("xdp")
int kf_dynptr_xdp_slice_rdwr_ok(struct xdp_md *ctx)
{
	struct bpf_dynptr p;
	__u8 buf[ETH_HLEN];
	struct ethhdr *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &p))
		return XDP_ABORTED;
	eth = bpf_dynptr_slice_rdwr(&p, 0, buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	eth->h_dest[0] = 0x02;
	return XDP_PASS;
}

SEC("tc")
int kf_dynptr_slice_unchecked(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u8 buf[ETH_HLEN];
	struct ethhdr *eth;

	bpf_dynptr_from_skb(skb, 0, &p);
	eth = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	return eth->h_proto;
}

SEC("tc")
int kf_dynptr_slice_write_rdonly(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u8 buf[ETH_HLEN];
	struct ethhdr *eth;

	bpf_dynptr_from_skb(skb, 0, &p);
	eth = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!eth)
		return 0;
	eth->h_proto = 0;
	return 1;
}

SEC("tc")
int kf_dynptr_slice_oob(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u8 buf[4];
	__u8 *d;

	bpf_dynptr_from_skb(skb, 0, &p);
	d = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!d)
		return 0;
	return d[4];
}

SEC("tc")
int kf_dynptr_uninit_size(struct __sk_buff *skb)
{
	struct bpf_dynptr p;

	return bpf_dynptr_size(&p);
}

SEC("tc")
int kf_dynptr_meta_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr p, c;
	int r = 0;

	if (bpf_dynptr_from_skb(skb, 0, &p))
		return 0;
	if (bpf_dynptr_is_null(&p))
		r |= 1;
	if (bpf_dynptr_adjust(&p, 2, 10))
		r |= 2;
	if (bpf_dynptr_clone(&p, &c))
		r |= 4;
	r += bpf_dynptr_size(&c);
	return r;
}

SEC("xdp")
int kf_dynptr_from_skb_in_xdp(struct xdp_md *ctx)
{
	struct bpf_dynptr p;

	bpf_dynptr_from_skb((struct __sk_buff *)ctx, 0, &p);
	return XDP_PASS;
}

SEC("tc")
int kf_dynptr_read_write_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u8 b[4] = {};

	if (bpf_dynptr_from_skb(skb, 0, &p))
		return 0;
	if (bpf_dynptr_read(b, sizeof(b), &p, 0, 0))
		return 1;
	b[0] ^= 0xff;
	if (bpf_dynptr_write(&p, 0, b, sizeof(b), 0))
		return 2;
	return 3;
}

SEC("tc")
int kf_dynptr_local_data_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u32 k = 0;
	__u8 *v, *d;

	v = bpf_map_lookup_elem(&vals, &k);
	if (!v)
		return 0;
	if (bpf_dynptr_from_mem(v, 64, 0, &p))
		return 1;
	d = bpf_dynptr_data(&p, 8, 16);
	if (!d)
		return 2;
	d[15] = 7;
	return 3;
}

SEC("tc")
int kf_dynptr_data_oob(struct __sk_buff *skb)
{
	struct bpf_dynptr p;
	__u32 k = 0;
	__u8 *v, *d;

	v = bpf_map_lookup_elem(&vals, &k);
	if (!v)
		return 0;
	bpf_dynptr_from_mem(v, 64, 0, &p);
	d = bpf_dynptr_data(&p, 8, 16);
	if (!d)
		return 2;
	return d[16];
}

SEC("tc")
int kf_dynptr_overwritten(struct __sk_buff *skb)
{
	struct bpf_dynptr p;

	bpf_dynptr_from_skb(skb, 0, &p);
	*(volatile __u64 *)&p = 0;
	return bpf_dynptr_size(&p);
}

char _license[] SEC("license") = "GPL";

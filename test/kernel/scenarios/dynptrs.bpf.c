// Dynptrs on the live kernel and on tsbpf: skb and XDP dynptrs (slices,
// read/write, adjust, clone, size), a local dynptr over a map value
// (bpf_dynptr_data), and their error returns. Results land in .bss for `dump`.
#include <linux/bpf.h>
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
	__type(value, __u8[32]);
} vals SEC(".maps");

int skb_size, skb_b12, skb_b13, skb_bad_flags, slice_oob_null, read_ret, read_b0, write_ret, write_e2big;
int adj_ret, adj_size, adj_erange, adj_einval, clone_ret, clone_size, clone_b0, is_null_after_bad;
int xdp_size, xdp_write_ret, xdp_slice_b0;
int local_ret, local_size, local_data_ok, local_data_oob_null, local_val, local_bad_flags, skb_data_null;

SEC("tc")
int skb_prog(struct __sk_buff *s)
{
	struct bpf_dynptr p, c, bad;
	__u8 buf[14], b[4] = {};
	__u8 *h;

	skb_bad_flags = bpf_dynptr_from_skb(s, 1, &bad);
	is_null_after_bad = bpf_dynptr_is_null(&bad);
	if (bpf_dynptr_from_skb(s, 0, &p))
		return 1;
	skb_size = bpf_dynptr_size(&p);
	h = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
	if (!h)
		return 2;
	skb_b12 = h[12];
	skb_b13 = h[13];
	h = bpf_dynptr_slice(&p, skb_size - 2, buf, 4);
	slice_oob_null = h == 0;
	read_ret = bpf_dynptr_read(b, sizeof(b), &p, 4, 0);
	read_b0 = b[0];
	b[0] = 0xee;
	write_ret = bpf_dynptr_write(&p, 1, b, 1, 0);
	write_e2big = bpf_dynptr_write(&p, skb_size, b, 1, 0);
	skb_data_null = bpf_dynptr_data(&p, 0, 4) == 0;
	adj_ret = bpf_dynptr_adjust(&p, 2, 10);
	adj_size = bpf_dynptr_size(&p);
	adj_erange = bpf_dynptr_adjust(&p, 0, 9);
	adj_einval = bpf_dynptr_adjust(&p, 5, 4);
	clone_ret = bpf_dynptr_clone(&p, &c);
	clone_size = bpf_dynptr_size(&c);
	h = bpf_dynptr_slice_rdwr(&c, 0, 0, 1);
	if (h)
		clone_b0 = h[0];
	return 0;
}

SEC("xdp")
int xdp_prog(struct xdp_md *x)
{
	struct bpf_dynptr p;
	__u8 v = 0x55;
	__u8 *h;

	if (bpf_dynptr_from_xdp(x, 0, &p))
		return XDP_ABORTED;
	xdp_size = bpf_dynptr_size(&p);
	xdp_write_ret = bpf_dynptr_write(&p, 3, &v, 1, 0);
	h = bpf_dynptr_slice(&p, 3, 0, 1);
	if (h)
		xdp_slice_b0 = h[0];
	return XDP_PASS;
}

SEC("tc")
int local_prog(struct __sk_buff *s)
{
	struct bpf_dynptr p, bad;
	__u32 k = 0;
	__u8 *v, *d;

	v = bpf_map_lookup_elem(&vals, &k);
	if (!v)
		return 1;
	local_bad_flags = bpf_dynptr_from_mem(v, 32, 1, &bad);
	local_ret = bpf_dynptr_from_mem(v, 32, 0, &p);
	local_size = bpf_dynptr_size(&p);
	d = bpf_dynptr_data(&p, 8, 8);
	if (d) {
		local_data_ok = 1;
		d[0] = 0x77;
	}
	local_data_oob_null = bpf_dynptr_data(&p, 30, 4) == 0;
	local_val = v[8];
	return 0;
}

char _license[] SEC("license") = "GPL";

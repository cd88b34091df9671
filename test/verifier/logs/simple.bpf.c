// Small programs whose kernel verifier logs (level 1 and 2) are recorded
// beside them; test/verifier/log.test.ts compares tsbpf's logs with these.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

__u32 gkey;

/* straight line: ALU on a context field */
SEC("xdp")
int straight(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;

	return ((q * 3) ^ 5) & 7;
}

/* one data-dependent branch */
SEC("xdp")
int one_branch(struct xdp_md *ctx)
{
	if (ctx->rx_queue_index > 5)
		return XDP_DROP;
	return XDP_PASS;
}

/* map lookup (key in a global, no stack) with a null check */
SEC("xdp")
int map_null_check(struct xdp_md *ctx)
{
	__u64 *v = bpf_map_lookup_elem(&vals, &gkey);

	if (!v)
		return XDP_ABORTED;
	return *v & 3;
}

/* packet bounds check before a load */
SEC("xdp")
int pkt_bounds(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (p + 4 > (unsigned char *)end)
		return XDP_DROP;
	return p[3] & 1;
}

/* the same, one byte past the checked range: rejected */
SEC("xdp")
int pkt_oob(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (p + 4 > (unsigned char *)end)
		return XDP_DROP;
	return ((volatile unsigned char *)p)[4];
}

/* signed and large bounds in the state lines */
SEC("xdp")
int bounds_print(struct xdp_md *ctx)
{
	long x = (int)ctx->rx_queue_index;

	x -= 1000;
	if (x > 100000)
		return 1;
	return (x >> 3) & 1;
}

/* stack spill and fill of a pointer and a scalar */
SEC("xdp")
int spill_fill(struct xdp_md *ctx)
{
	volatile __u64 a = ctx->rx_queue_index;
	volatile __u32 b = 7;

	return (a + b) & 1;
}

char LICENSE[] SEC("license") = "GPL";

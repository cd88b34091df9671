// SPDX-License-Identifier: GPL-2.0
/* A tail-call dispatcher as XDP users write them: a prog array filled by
 * libbpf from `.values`, a dispatcher that reads the first byte of the packet
 * and tail-calls the stage for it, and stages that record what ran.
 * The other programs are candidates user space tries to put into the array
 * (slot:jmp_table:IDX:PROG steps); the kernel's bpf_prog_array_compatible
 * refuses every one whose type, expected attach type or xdp.frags differs
 * from the array's owner (the dispatcher, its first user): -EINVAL. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int stage_parse(struct xdp_md *ctx);
int stage_drop(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[0] = (void *)&stage_parse,
		[2] = (void *)&stage_drop,
	},
};

long dispatched, parsed, dropped, fell_through, late;
__u32 last_len;

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *sel = data;

	if ((void *)(sel + 1) > end)
		return XDP_ABORTED;
	dispatched++;
	bpf_tail_call(ctx, &jmp_table, *sel);
	fell_through++;
	return XDP_PASS;
}

SEC("xdp")
int stage_parse(struct xdp_md *ctx)
{
	parsed++;
	last_len = ctx->data_end - ctx->data;
	return XDP_TX;
}

SEC("xdp")
int stage_drop(struct xdp_md *ctx)
{
	dropped++;
	return XDP_DROP;
}

/* compatible: same type and expected attach type; put into slot 1 from user space */
SEC("xdp")
int stage_late(struct xdp_md *ctx)
{
	late++;
	return XDP_PASS;
}

/* incompatible candidates */
SEC("xdp.frags")
int frags(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp/devmap")
int devmap_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("socket")
int sock(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tc")
int cls(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

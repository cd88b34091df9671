// SPDX-License-Identifier: GPL-2.0
/* testrun: what BPF_PROG_TEST_RUN hands a program and takes back.
 *   sf_len / sf_proto  socket filter: skb->len (the Ethernet header is pulled),
 *                      skb->protocol, pkt_type; the output packet's L2 bytes
 *   tc_info            tc: len, protocol, pkt_type, ifindex, ingress_ifindex
 *   tc_meta            tc: bumps mark, priority, cb[0..1], tc_index: ctx_out
 *   tc_bump            tc: increments the first payload byte (repeat runs on one skb)
 *   tc_wire            tc: wire_len, gso_segs, gso_size, tstamp
 *   xdp_info           xdp: ingress_ifindex, rx_queue_index, data - data_meta
 *   xdp_len            xdp: bpf_xdp_get_buff_len, data_end - data (frags)
 *   xdp_frags          xdp.frags: adjust_tail growing/shrinking the fragments, load/store_bytes
 *                      across the linear/fragment boundary (results in fr[])
 *   sys_read           syscall: reads ctx bytes 4..7 (max_ctx_offset 8), writes byte 0
 *   sys_none           syscall: never reads its ctx
 *   raw_read           raw_tp: reads the second argument (max_ctx_offset 16)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int sf_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("socket")
int sf_proto(struct __sk_buff *skb)
{
	return skb->protocol << 8 | skb->pkt_type;
}

SEC("tc")
int tc_info(struct __sk_buff *skb)
{
	return skb->len | skb->pkt_type << 12 | skb->ifindex << 16 | skb->ingress_ifindex << 24;
}

SEC("tc")
int tc_proto(struct __sk_buff *skb)
{
	return skb->protocol;
}

SEC("tc")
int tc_meta(struct __sk_buff *skb)
{
	skb->mark += 1;
	skb->priority += 2;
	skb->cb[0] += 3;
	skb->cb[1] = skb->cb[4] + 4;
	skb->tc_index = 7;
	return skb->mark;
}

SEC("tc")
int tc_bump(struct __sk_buff *skb)
{
	unsigned char *p = (void *)(long)skb->data;

	if ((void *)(p + 15) > (void *)(long)skb->data_end)
		return -1;
	p[14] += 1;
	return p[14];
}

SEC("tc")
int tc_wire(struct __sk_buff *skb)
{
	return skb->wire_len ^ skb->gso_segs << 16 ^ skb->gso_size << 20 ^ (__u32)skb->tstamp << 8;
}

SEC("xdp")
int xdp_info(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex << 16 | ctx->rx_queue_index << 8 | (ctx->data - ctx->data_meta);
}

SEC("xdp.frags")
int xdp_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) << 16 | (ctx->data_end - ctx->data);
}

long fr[12] = {};

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	unsigned char buf[8] = {};
	unsigned char put[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	long len = bpf_xdp_get_buff_len(ctx);

	fr[0] = len;
	fr[1] = bpf_xdp_adjust_tail(ctx, 100);
	fr[2] = bpf_xdp_get_buff_len(ctx);
	fr[3] = bpf_xdp_adjust_tail(ctx, 4000);
	fr[4] = bpf_xdp_load_bytes(ctx, 3516, buf, 8);
	fr[5] = buf[0] | buf[3] << 8 | (long)buf[4] << 16 | (long)buf[7] << 24;
	fr[6] = bpf_xdp_store_bytes(ctx, 3518, put, 4);
	fr[7] = bpf_xdp_load_bytes(ctx, len + 100 - 4, buf, 8);
	fr[8] = bpf_xdp_adjust_tail(ctx, -(int)(len + 100 - 3520 + 6));
	fr[9] = bpf_xdp_get_buff_len(ctx);
	fr[10] = ctx->data_end - ctx->data;
	fr[11] = bpf_xdp_adjust_tail(ctx, -(int)(3520 - 6 - 13));
	return 2;
}

struct args {
	__u32 a;
	__u32 b;
};

SEC("syscall")
int sys_read(struct args *ctx)
{
	ctx->a = 0x55;
	return ctx->b + 1;
}

SEC("syscall")
int sys_none(void *ctx)
{
	return 9;
}

SEC("raw_tp")
int raw_read(__u64 *ctx)
{
	return ctx[1] + 1;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* pktmod: programs that rewrite the packet, for run-pkt.
 *   swap (XDP): swaps the two 6-byte MAC addresses, increments byte 12,
 *               returns XDP_TX (3); XDP_ABORTED (0) when shorter than 14 bytes
 *   trim (XDP): drops the first 4 bytes with bpf_xdp_adjust_head, XDP_PASS
 *   sum  (tc):  returns the sum of the first 8 bytes, packet unchanged
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int swap(struct xdp_md *ctx)
{
	unsigned char *d = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (d + 14 > end)
		return XDP_ABORTED;
	for (int i = 0; i < 6; i++) {
		unsigned char t = d[i];

		d[i] = d[i + 6];
		d[i + 6] = t;
	}
	d[12]++;
	return XDP_TX;
}

SEC("xdp")
int trim(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("tc")
int sum(struct __sk_buff *skb)
{
	unsigned char *d = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	int s = 0;

	if (d + 8 > end)
		return -1;
	for (int i = 0; i < 8; i++)
		s += d[i];
	return s;
}

char LICENSE[] SEC("license") = "GPL";

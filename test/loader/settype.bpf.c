// SPDX-License-Identifier: GPL-2.0
/* settype: section names libbpf cannot type, as older load balancers and
 * samples use them; their loaders call bpf_program__set_type() before load.
 *   balancer (SEC("l4lb-demo"))  an XDP program: swaps nothing, returns XDP_TX
 *   tx       (SEC("xdp_tx"))     "xdp" only matches exactly: unknown too
 *   legacy   (SEC("classifier")) typed by libbpf: sched_cls
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

unsigned int balanced;
unsigned int classified;

SEC("l4lb-demo")
int balancer(struct xdp_md *ctx)
{
	balanced += ctx->data_end - ctx->data;
	return XDP_TX;
}

SEC("xdp_tx")
int tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("classifier")
int legacy(struct __sk_buff *skb)
{
	classified = skb->len;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

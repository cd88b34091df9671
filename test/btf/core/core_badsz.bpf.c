// SPDX-License-Identifier: MIT
/* A load whose size must change to a field of another signedness: libbpf
 * refuses to resize it ("accesses field incorrectly") and poisons it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ethhdr___signed {
	int h_proto;
} __attribute__((preserve_access_index));

SEC("xdp")
int badsz(struct xdp_md *ctx)
{
	struct ethhdr___signed *eth = (void *)(long)ctx->data;

	if ((void *)eth + 54 > (void *)(long)ctx->data_end)
		return XDP_DROP;
	return eth->h_proto > 100 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

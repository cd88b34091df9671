// SPDX-License-Identifier: GPL-2.0
/* reject: the verifier refuses `bad` (packet read without a bounds check).
 * `good` comes first in the ELF and loads; the object as a whole fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int good(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bad(struct xdp_md *ctx)
{
	unsigned char *d = (void *)(long)ctx->data;

	return d[0];
}

char LICENSE[] SEC("license") = "GPL";

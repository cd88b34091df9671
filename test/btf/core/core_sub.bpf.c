// SPDX-License-Identifier: MIT
/* CO-RE inside a subprogram two programs call (each gets its own patched
 * copy, libbpf names the relocations after the subprogram), and an access
 * through a nested union and an array element (ipv6 address words). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __pai __attribute__((preserve_access_index))

struct in6_addr {
	union {
		__u32 u6_addr32[4];
	} in6_u;
} __pai;

struct ipv6hdr {
	__u8 hop_limit;
	struct in6_addr daddr;
	struct in6_addr saddr;
} __pai;

__u32 out[4];

static __attribute__((noinline)) int v6_words(struct xdp_md *ctx, int slot)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + 14;

	if (data + 54 > end)
		return -1;
	out[slot] = ip6->saddr.in6_u.u6_addr32[2];
	out[slot + 1] = ip6->hop_limit + bpf_core_field_offset(ip6->daddr.in6_u.u6_addr32[3]);
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	return v6_words(ctx, 0) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	return v6_words(ctx, 2) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

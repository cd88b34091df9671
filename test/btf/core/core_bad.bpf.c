// SPDX-License-Identifier: MIT
/* An unresolvable CO-RE relocation on a reachable path: libbpf poisons the
 * load (call 0xbad2310) and the verifier refuses it; libbpf rewrites the
 * verifier's "invalid func unknown#195896080" into the relocation that failed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct iphdr___bad {
	__u8 ttl;
	__u32 tsbpf_no_such_field;
} __attribute__((preserve_access_index));

SEC("xdp")
int bad(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr___bad *ip = data + 14;

	if (data + 54 > end)
		return XDP_DROP;
	return ip->tsbpf_no_such_field == 7 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Two programs of different types tail-call through one prog array: the
 * first one loaded (xdp_entry) becomes the array's owner, so loading the
 * socket filter fails in bpf_check_tail_call with -EINVAL (after the
 * verifier accepted it), and with it the object. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_PASS;
}

SEC("socket")
int sock_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

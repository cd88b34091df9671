// SPDX-License-Identifier: MIT
/* CO-RE on packet headers: local views of iphdr/tcphdr whose layout differs
 * from the kernel's (fields reordered, missing, wider), read directly from
 * the packet. The relocations rewrite load offsets, load sizes and the
 * bitfield shifts to the target's layout. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __pai __attribute__((preserve_access_index))

/* deliberately not the kernel's order or size */
struct iphdr {
	__u32 saddr;
	__u8 ttl;
	__u8 protocol;
	__u8 version:4;
	__u8 ihl:4;
} __pai;

struct tcphdr {
	__u16 dest;
	__u16 doff:4;
	__u16 syn:1;
	__u16 ack:1;
} __pai;

/* a flavour: same kernel struct, the length read as a u32 (the kernel's is
 * a 16-bit unsigned: libbpf narrows the load) */
struct iphdr___wide {
	__u32 tot_len;
} __pai;

__u64 out[12];

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + 14;
	struct iphdr___wide *w = data + 14;
	struct tcphdr *tcp = data + 34;

	if (data + 54 > end)
		return XDP_DROP;
	out[0] = ip->ttl;
	out[1] = ip->protocol;
	out[2] = ip->saddr;
	out[3] = BPF_CORE_READ_BITFIELD(ip, ihl);
	out[4] = BPF_CORE_READ_BITFIELD(ip, version);
	out[5] = BPF_CORE_READ_BITFIELD(tcp, doff);
	out[6] = BPF_CORE_READ_BITFIELD(tcp, syn);
	out[7] = BPF_CORE_READ_BITFIELD(tcp, ack);
	out[8] = tcp->dest;
	out[9] = w->tot_len;
	out[10] = bpf_core_field_size(ip->saddr);
	out[11] = bpf_core_field_offset(tcp->dest);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

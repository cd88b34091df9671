// SPDX-License-Identifier: GPL-2.0
/* pkt_invalidate: a packet pointer checked before bpf_skb_store_bytes is
 * dead after it (clear_all_pkt_pointers): the load is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tc")
int t(struct __sk_buff *skb)
{
	unsigned char *d = (void *)(long)skb->data;
	unsigned char v = 1;
	if ((void *)(d + 1) > (void *)(long)skb->data_end)
		return 0;
	asm volatile("" : "+r"(d));
	bpf_skb_store_bytes(skb, 0, &v, 1, 0);
	return *(volatile unsigned char *)d;
}
char _license[] SEC("license") = "GPL";

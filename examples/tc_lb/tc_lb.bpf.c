// SPDX-License-Identifier: GPL-2.0
/* tc_lb: a layer-4 load balancer at tc ingress, in the style of the public
 * ones. Packets to the virtual service VIP:80/TCP get a backend chosen by a
 * hash of the client's address and port; the destination address is
 * rewritten (IP and TCP checksums fixed with bpf_l3/l4_csum_replace), the
 * next hop is found with bpf_fib_lookup, the Ethernet addresses are
 * rewritten, and the packet is redirected out of the route's device.
 * Everything else goes up the stack untouched (TC_ACT_OK).
 *
 * Globals: hits (per backend), passed (not for the VIP), no_route
 * (fib_lookup did not give a next hop), last_fib (its last return code).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NBACKENDS 2
#define AF_INET 2
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define TCP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, check))

/* 192.0.2.10:80, the service clients talk to */
const volatile __u32 vip = 0xc000020a;
const volatile __u16 vport = 80;
/* the real servers: 10.3.0.11 and 10.3.0.12 */
const volatile __u32 backends[NBACKENDS] = { 0x0a03000b, 0x0a03000c };

long hits[NBACKENDS] = {};
long passed = 0;
long no_route = 0;
long last_fib = -1;

static __always_inline __u32 flow_hash(__u32 saddr, __u16 sport)
{
	__u32 h = saddr ^ (sport * 0x9e3779b1u);

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

SEC("tc")
int lb(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_fib_lookup fib = {};
	__be32 old_dst, new_dst;
	__u32 idx;
	long rc;

	if ((void *)(tcp + 1) > data_end)
		goto pass;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		goto pass;
	if (ip->daddr != bpf_htonl(vip) || tcp->dest != bpf_htons(vport))
		goto pass;

	idx = flow_hash(ip->saddr, tcp->source) % NBACKENDS;
	old_dst = ip->daddr;
	new_dst = bpf_htonl(backends[idx]);

	/* the next hop of the backend, as the stack would route it */
	fib.family = AF_INET;
	fib.ifindex = skb->ingress_ifindex ? skb->ingress_ifindex : skb->ifindex;
	fib.l4_protocol = IPPROTO_TCP;
	fib.tot_len = bpf_ntohs(ip->tot_len);
	fib.ipv4_src = ip->saddr;
	fib.ipv4_dst = new_dst;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	last_fib = rc;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		no_route++;
		return TC_ACT_SHOT;
	}

	/* the TCP checksum covers the pseudo header: both sums change */
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_dst, new_dst, BPF_F_PSEUDO_HDR | sizeof(new_dst));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_dst, new_dst, sizeof(new_dst));
	bpf_skb_store_bytes(skb, IP_DST_OFF, &new_dst, sizeof(new_dst), 0);
	/* the helpers above may have moved the packet: write the MACs through the helper too */
	bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0);
	bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0);
	hits[idx]++;
	return bpf_redirect(fib.ifindex, 0);
pass:
	passed++;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

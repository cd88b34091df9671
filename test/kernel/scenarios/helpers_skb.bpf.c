// SPDX-License-Identifier: GPL-2.0
/* helpers_skb: the tc skb helpers at and past their limits, on the packet the
 * scenario gives (an Ethernet + IPv4 + TCP frame). Each program keeps its
 * return codes in a .bss array (-1000: not reached) and leaves the packet for
 * run-pkt to show.
 *   bytes  skb_load_bytes(_relative), skb_store_bytes (+ flags)
 *   csum   l3/l4_csum_replace rewriting the source address (sizes 4, 2, 0 with csum_diff)
 *   diff   csum_diff: to only, from only, both, none, bad sizes
 *   grow   skb_change_tail, skb_change_head, skb_pull_data, skb_change_type
 *   proto  skb_change_proto 4 -> 6 -> 4, bad protocols
 *   room   skb_adjust_room: modes, grow/shrink, encap/decap flags, limits
 *   vlan   skb_vlan_push twice (the first tag goes into the packet), pop twice
 *   meta   set_hash/get_hash_recalc/set_hash_invalid, csum_level, csum_update, realm, classid
 *   redir  redirect/redirect_peer/redirect_neigh flags, clone_redirect, check_mtu
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NR -1000
/* not in every distribution's uapi header yet */
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define IP_CSUM_OFF (ETH_HLEN + 10)
#define IP_SRC_OFF (ETH_HLEN + 12)
#define TCP_CSUM_OFF (ETH_HLEN + 20 + 16)

long rbytes[16] = {};
long rcsum[12] = {};
long rdiff[8] = {};
long rgrow[12] = {};
long rproto[8] = {};
long rroom[16] = {};
long rvlan[16] = {};
long rmeta[16] = {};
long rredir[16] = {};

SEC("tc")
int bytes(struct __sk_buff *skb)
{
	__u8 b[8] = {};
	__u8 v[4] = { 0xde, 0xad, 0xbe, 0xef };
	__u32 len = skb->len;

	for (int i = 0; i < 16; i++)
		rbytes[i] = NR;
	rbytes[0] = bpf_skb_load_bytes(skb, 0, b, 8);
	rbytes[1] = b[0] | b[7] << 8;
	rbytes[2] = bpf_skb_load_bytes(skb, len - 4, b, 4);
	rbytes[3] = bpf_skb_load_bytes(skb, len - 3, b, 4);
	rbytes[4] = b[0] | b[3] << 8;
	rbytes[5] = bpf_skb_load_bytes_relative(skb, 0, b, 4, BPF_HDR_START_NET);
	rbytes[6] = b[0] | b[3] << 8;
	rbytes[7] = bpf_skb_load_bytes_relative(skb, 12, b, 2, BPF_HDR_START_MAC);
	rbytes[8] = bpf_skb_load_bytes_relative(skb, 0, b, 4, 2);
	rbytes[9] = bpf_skb_load_bytes_relative(skb, len - 15, b, 4, BPF_HDR_START_NET);
	rbytes[10] = bpf_skb_store_bytes(skb, 2, v, 4, 0);
	rbytes[11] = bpf_skb_store_bytes(skb, len - 4, v, 4, BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH);
	rbytes[12] = bpf_skb_store_bytes(skb, len - 3, v, 4, 0);
	rbytes[13] = bpf_skb_store_bytes(skb, 0, v, 4, 4);
	rbytes[14] = bpf_skb_store_bytes(skb, 0x10000, v, 4, 0);
	rbytes[15] = bpf_skb_load_bytes(skb, 0x80000000, b, 4);
	return 0;
}

SEC("tc")
int csum(struct __sk_buff *skb)
{
	__be32 old_src, new_src = bpf_htonl(0x0a000063);
	__be32 two = bpf_htonl(0x0a000064);
	__u16 old16, new16 = bpf_htons(0x1234);

	for (int i = 0; i < 12; i++)
		rcsum[i] = NR;
	if (bpf_skb_load_bytes(skb, IP_SRC_OFF, &old_src, 4))
		return 1;
	rcsum[0] = bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_src, new_src, 4);
	rcsum[1] = bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_src, new_src, BPF_F_PSEUDO_HDR | 4);
	rcsum[2] = bpf_skb_store_bytes(skb, IP_SRC_OFF, &new_src, 4, 0);
	/* the same change as a csum_diff, applied with size 0 */
	long d = bpf_csum_diff(&new_src, 4, &two, 4, 0);
	rcsum[3] = d;
	rcsum[4] = bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, d, 0);
	rcsum[5] = bpf_l4_csum_replace(skb, TCP_CSUM_OFF, 0, d, BPF_F_PSEUDO_HDR);
	rcsum[6] = bpf_skb_store_bytes(skb, IP_SRC_OFF, &two, 4, 0);
	/* a 16-bit field: the source port */
	bpf_skb_load_bytes(skb, ETH_HLEN + 20, &old16, 2);
	rcsum[7] = bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old16, new16, 2);
	rcsum[8] = bpf_l3_csum_replace(skb, IP_CSUM_OFF + 1, 0, 0, 2);
	rcsum[9] = bpf_l3_csum_replace(skb, IP_CSUM_OFF, 1, 2, 3);
	rcsum[10] = bpf_l4_csum_replace(skb, TCP_CSUM_OFF, 0, 0, 0x100);
	rcsum[11] = bpf_l3_csum_replace(skb, IP_CSUM_OFF, 5, 6, 0);
	bpf_skb_store_bytes(skb, ETH_HLEN + 20, &new16, 2, 0);
	return 0;
}

SEC("tc")
int diff(struct __sk_buff *skb)
{
	__u32 a[4] = { 0x01020304, 0xa0b0c0d0, 0xffffffff, 0x10000 };
	__u32 b[2] = { 0x11111111, 0xfedcba98 };

	rdiff[0] = bpf_csum_diff(0, 0, a, 16, 0);
	rdiff[1] = bpf_csum_diff(a, 16, 0, 0, 0);
	rdiff[2] = bpf_csum_diff(a, 8, b, 8, 0x1234);
	rdiff[3] = bpf_csum_diff(0, 0, 0, 0, 0x5678);
	rdiff[4] = bpf_csum_diff(a, 4, b, 4, 0xffffffff);
	rdiff[5] = bpf_csum_diff(a, 3, b, 4, 0);
	rdiff[6] = bpf_csum_diff(b, 8, a, 16, 7);
	rdiff[7] = bpf_csum_diff(a, 12, 0, 0, 0x10001);
	return 0;
}

SEC("tc")
int grow(struct __sk_buff *skb)
{
	for (int i = 0; i < 12; i++)
		rgrow[i] = NR;
	rgrow[0] = bpf_skb_change_tail(skb, skb->len + 10, 0);
	rgrow[1] = skb->len;
	rgrow[2] = bpf_skb_change_tail(skb, skb->len - 20, 0);
	rgrow[3] = bpf_skb_change_tail(skb, 13, 0);
	rgrow[4] = bpf_skb_change_tail(skb, 70, 1);
	rgrow[5] = bpf_skb_change_head(skb, 8, 0);
	rgrow[6] = skb->len;
	rgrow[7] = bpf_skb_change_head(skb, 8, 1);
	rgrow[8] = bpf_skb_pull_data(skb, skb->len);
	rgrow[9] = bpf_skb_pull_data(skb, skb->len + 1);
	rgrow[10] = bpf_skb_change_type(skb, 3) * 100 + bpf_skb_change_type(skb, 4) + skb->pkt_type * 1000;
	rgrow[11] = bpf_skb_change_tail(skb, 70000, 0);
	return 0;
}

SEC("tc")
int proto(struct __sk_buff *skb)
{
	for (int i = 0; i < 8; i++)
		rproto[i] = NR;
	rproto[0] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	rproto[1] = skb->len | bpf_ntohs(skb->protocol) << 16;
	rproto[2] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	rproto[3] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 1);
	rproto[4] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_ARP), 0);
	rproto[5] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
	rproto[6] = skb->len | bpf_ntohs(skb->protocol) << 16;
	return 0;
}

SEC("tc")
int proto6(struct __sk_buff *skb)
{
	rproto[7] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	return skb->len;
}

SEC("tc")
int room(struct __sk_buff *skb)
{
	for (int i = 0; i < 16; i++)
		rroom[i] = NR;
	rroom[0] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
	rroom[1] = skb->len;
	rroom[2] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_NET, 0);
	rroom[3] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 0);
	rroom[4] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, 0);
	rroom[5] = bpf_skb_adjust_room(skb, 8, 2, 0);
	rroom[6] = bpf_skb_adjust_room(skb, 0x1000, BPF_ADJ_ROOM_NET, 0);
	rroom[7] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 1ULL << 9);
	rroom[8] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, ADJ_ROOM_DECAP_L3_IPV4);
	rroom[9] = bpf_skb_adjust_room(skb, -100, BPF_ADJ_ROOM_NET, 0);
	rroom[10] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
	rroom[11] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	rroom[12] = skb->len;
	rroom[13] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	rroom[14] = bpf_skb_change_tail(skb, skb->len + 1, 0);
	rroom[15] = bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, ADJ_ROOM_DECAP_L3_IPV4);
	return 0;
}

SEC("tc")
int vlan(struct __sk_buff *skb)
{
	for (int i = 0; i < 16; i++)
		rvlan[i] = NR;
	rvlan[0] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 5);
	rvlan[1] = skb->vlan_present | skb->vlan_tci << 4 | (long)bpf_ntohs(skb->vlan_proto) << 16;
	rvlan[2] = skb->len | (long)bpf_ntohs(skb->protocol) << 16;
	rvlan[3] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 7);
	rvlan[4] = skb->vlan_present | skb->vlan_tci << 4 | (long)bpf_ntohs(skb->vlan_proto) << 16;
	rvlan[5] = skb->len | (long)bpf_ntohs(skb->protocol) << 16;
	rvlan[6] = bpf_skb_vlan_push(skb, bpf_htons(0x1234), 9);
	rvlan[7] = skb->vlan_present | skb->vlan_tci << 4 | (long)bpf_ntohs(skb->vlan_proto) << 16;
	rvlan[8] = skb->len | (long)bpf_ntohs(skb->protocol) << 16;
	rvlan[9] = bpf_skb_vlan_pop(skb);
	rvlan[10] = skb->vlan_present | skb->vlan_tci << 4 | (long)bpf_ntohs(skb->vlan_proto) << 16;
	rvlan[11] = skb->len | (long)bpf_ntohs(skb->protocol) << 16;
	rvlan[12] = bpf_skb_vlan_pop(skb);
	rvlan[13] = skb->vlan_present | skb->vlan_tci << 4 | (long)bpf_ntohs(skb->vlan_proto) << 16;
	rvlan[14] = skb->len | (long)bpf_ntohs(skb->protocol) << 16;
	rvlan[15] = bpf_skb_vlan_pop(skb);
	return 0;
}

SEC("tc")
int meta(struct __sk_buff *skb)
{
	rmeta[0] = bpf_set_hash(skb, 0x1234);
	rmeta[1] = bpf_get_hash_recalc(skb);
	rmeta[2] = skb->hash;
	bpf_set_hash_invalid(skb);
	rmeta[3] = 0;
	rmeta[4] = skb->hash;
	rmeta[5] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	rmeta[6] = bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	rmeta[7] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	rmeta[8] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	rmeta[9] = bpf_csum_level(skb, BPF_CSUM_LEVEL_RESET);
	rmeta[10] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	rmeta[11] = bpf_csum_level(skb, 9);
	rmeta[12] = bpf_csum_update(skb, 5);
	rmeta[13] = bpf_get_route_realm(skb);
	rmeta[14] = bpf_get_cgroup_classid(skb);
	rmeta[15] = bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
	return 0;
}

SEC("tc")
int redir(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = 2, .ipv4_nh = bpf_htonl(0x0a000001) };
	__u32 mtu = 0;

	for (int i = 0; i < 16; i++)
		rredir[i] = NR;
	rredir[0] = bpf_redirect(1, 0);
	rredir[1] = bpf_redirect(1, BPF_F_INGRESS);
	rredir[2] = bpf_redirect(1, 2);
	rredir[3] = bpf_redirect_peer(1, 1);
	rredir[4] = bpf_redirect_neigh(1, &nh, 10, 0);
	rredir[5] = bpf_redirect_neigh(1, 0, 0, 1);
	rredir[6] = bpf_clone_redirect(skb, 0x7fff0000, 0);
	rredir[7] = bpf_clone_redirect(skb, 1, 4);
	rredir[8] = bpf_check_mtu(skb, 0, &mtu, 0, 0);
	rredir[9] = mtu;
	mtu = 0;
	rredir[10] = bpf_check_mtu(skb, 0, &mtu, 65536 - skb->len + 15, 0);
	mtu = 1500;
	rredir[11] = bpf_check_mtu(skb, 0, &mtu, 0, BPF_MTU_CHK_SEGS);
	rredir[12] = mtu;
	rredir[13] = bpf_check_mtu(skb, 0x7fff0000, &mtu, 0, 0);
	rredir[14] = mtu;
	rredir[15] = bpf_redirect_neigh(1, &nh, sizeof(nh), 0);
	return rredir[15];
}

char _license[] SEC("license") = "GPL";

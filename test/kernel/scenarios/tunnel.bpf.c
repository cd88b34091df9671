// SPDX-License-Identifier: GPL-2.0
/* tunnel: bpf_skb_set/get_tunnel_key and _opt in one tc run. A test-run skb
 * has no tunnel metadata, so the get side first fails; after set_tunnel_key
 * the program reads back what it set (remote and local swap places: the key
 * keeps the local end as src). rc[] holds every return code, the other
 * globals what get read back.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef BPF_F_NO_TUNNEL_KEY
#define BPF_F_NO_TUNNEL_KEY (1ULL << 4) /* uapi headers older than the kernel */
#endif

#define NRC 32
long rc[NRC];
long id4, remote4, local4, tos4, ttl4, flags4, label4, compat8, compat24;
long id6, remote6, local6, label6, flags6, flags_nokey;
long optlen, opt0, opt1, opt_short;
__u8 big[260];

SEC("tc")
int tun(struct __sk_buff *skb)
{
	struct bpf_tunnel_key k = {}, g = {};
	__u8 opt[16] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[16] = {};
	int n = 0;

	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), 0);          /* 0: no metadata: -EINVAL */
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, sizeof(got));          /* 1: -ENOENT */
	rc[n++] = bpf_skb_set_tunnel_opt(skb, opt, 8);                    /* 2: no key set: -EINVAL */
	k.tunnel_id = 42;
	k.remote_ipv4 = 0x0a000002;
	k.local_ipv4 = 0x0a000001;
	k.tunnel_tos = 4;
	k.tunnel_ttl = 64;
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 1 << 5);     /* 3: unknown flag */
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, 10, 0);                 /* 4: bad size */
	k.tunnel_label = 5;
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 0);          /* 5: a label on IPv4 */
	k.tunnel_label = 0;
	k.tunnel_ext = 1;
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), 0);          /* 6: tunnel_ext */
	k.tunnel_ext = 0;
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER); /* 7 */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), BPF_F_TUNINFO_FLAGS); /* 8 */
	id4 = g.tunnel_id;
	remote4 = g.remote_ipv4;
	local4 = g.local_ipv4;
	tos4 = g.tunnel_tos;
	ttl4 = g.tunnel_ttl;
	flags4 = g.tunnel_flags;
	label4 = g.tunnel_label;
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), BPF_F_TUNINFO_IPV6); /* 9: -EPROTO */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), 1 << 6);     /* 10: -EINVAL */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, 12, 0);                 /* 11: -EINVAL, zeroed */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, 8, 0);                  /* 12: the oldest layout */
	compat8 = g.remote_ipv4;
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, 24, 0);                 /* 13 */
	compat24 = g.tunnel_id | (long)g.tunnel_ttl << 32;
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, sizeof(got));          /* 14: no options: -ENOENT */
	rc[n++] = bpf_skb_set_tunnel_opt(skb, opt, 6);                    /* 15: not a multiple of 4 */
	rc[n++] = bpf_skb_set_tunnel_opt(skb, big, 256);                  /* 16: -ENOMEM */
	rc[n++] = bpf_skb_set_tunnel_opt(skb, opt, 8);                    /* 17 */
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, 4);                    /* 18: -ENOMEM */
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, sizeof(got));          /* 19: 8 */
	opt0 = *(__u64 *)&got[0];
	opt1 = *(__u64 *)&got[8];
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), BPF_F_TUNINFO_FLAGS); /* 20 */
	optlen = g.tunnel_flags;
	rc[n++] = bpf_skb_set_tunnel_opt(skb, &opt[4], 4);                /* 21: replaces them */
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, sizeof(got));          /* 22: 4 */
	opt_short = *(__u64 *)&got[0];

	__builtin_memset(&k, 0, sizeof(k));
	k.tunnel_id = 7;
	k.remote_ipv6[0] = 0xfd000000;
	k.remote_ipv6[3] = 2;
	k.local_ipv6[0] = 0xfd000000;
	k.local_ipv6[3] = 1;
	k.tunnel_label = 0xfff12345;
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX); /* 23 */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS); /* 24 */
	id6 = g.tunnel_id;
	remote6 = (long)g.remote_ipv6[0] << 32 | g.remote_ipv6[3];
	local6 = (long)g.local_ipv6[0] << 32 | g.local_ipv6[3];
	label6 = g.tunnel_label;
	flags6 = g.tunnel_flags;
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), 0);          /* 25: -EPROTO */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, 8, BPF_F_TUNINFO_IPV6); /* 26: oldest layout, IPv6: -EINVAL */
	rc[n++] = bpf_skb_get_tunnel_opt(skb, got, sizeof(got));          /* 27: a new key drops the options */
	rc[n++] = bpf_skb_set_tunnel_key(skb, &k, sizeof(k), BPF_F_TUNINFO_IPV6 | BPF_F_NO_TUNNEL_KEY); /* 28 */
	rc[n++] = bpf_skb_get_tunnel_key(skb, &g, sizeof(g), BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS); /* 29 */
	flags_nokey = g.tunnel_flags;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

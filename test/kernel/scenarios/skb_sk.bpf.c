// SPDX-License-Identifier: GPL-2.0
/* skb_sk: __sk_buff->sk in a test run — the socket BPF_PROG_TEST_RUN makes
 * for the skb (family and addresses from the IP header, nothing else) — read
 * directly (tc, socket filter, cgroup skb), through bpf_sk_fullsock, and passed
 * to bpf_tcp_sock and bpf_get_listener_sock (tc, cgroup skb).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

long cg_is_current, anc0_is_root, depth_found, past_depth, anc_neg, cg_host_listener;
long has_sk, family, state, sport, dport, ip4, ip6, rxq, full, ftype, fproto, fmark, fdev, tcp, listener;

static __always_inline int look(struct __sk_buff *skb, const int tc)
{
	struct bpf_sock *sk = skb->sk;

	has_sk = family = state = sport = dport = ip4 = ip6 = rxq = full = ftype = fproto = fmark = fdev = tcp = listener = 0;
	if (!sk)
		return 1;
	has_sk = 1;
	family = sk->family;
	state = sk->state;
	sport = sk->src_port;
	dport = bpf_ntohs(sk->dst_port);
	ip4 = (long)bpf_ntohl(sk->src_ip4) << 32 | bpf_ntohl(sk->dst_ip4);
	ip6 = (long)bpf_ntohl(sk->src_ip6[3]) << 32 | bpf_ntohl(sk->dst_ip6[3]);
	rxq = sk->rx_queue_mapping;
	if (!tc) /* socket filters may not call the socket helpers */
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	full = 1;
	ftype = sk->type;
	fproto = sk->protocol;
	fmark = sk->mark | (long)sk->priority << 32;
	fdev = sk->bound_dev_if;
	tcp = bpf_tcp_sock(sk) != 0;
	listener = bpf_get_listener_sock(sk) != 0;
	return 1;
}

SEC("tc")
int sk_tc(struct __sk_buff *skb)
{
	return look(skb, 1);
}

SEC("socket")
int sk_sock(struct __sk_buff *skb)
{
	return look(skb, 0);
}

SEC("cgroup_skb/ingress")
int sk_cg(struct __sk_buff *skb)
{
	return look(skb, 1);
}

/* bpf_sk_cgroup_id / bpf_sk_ancestor_cgroup_id (cgroup skb only) on skb->sk and on a looked-up socket */
SEC("cgroup_skb/ingress")
int sk_cgid(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = skb->sk, *l;
	__u64 cg;
	int level;

	cg_is_current = anc0_is_root = depth_found = past_depth = anc_neg = 0;
	cg_host_listener = -1;
	if (!sk)
		return 1;
	cg = bpf_sk_cgroup_id(sk);
	cg_is_current = cg == bpf_get_current_cgroup_id();
	anc0_is_root = bpf_sk_ancestor_cgroup_id(sk, 0) == 1;
	anc_neg = bpf_sk_ancestor_cgroup_id(sk, -1);
	for (level = 0; level < 16; level++) {
		if (bpf_sk_ancestor_cgroup_id(sk, level) == cg) {
			depth_found = 1;
			past_depth = bpf_sk_ancestor_cgroup_id(sk, level + 1);
			break;
		}
	}
	/* a socket the runner (tsbpf: the host file) opened: same cgroup as the current task */
	t.ipv4.saddr = bpf_htonl(0x7f000001);
	t.ipv4.daddr = bpf_htonl(0x7f000001);
	t.ipv4.sport = bpf_htons(1);
	t.ipv4.dport = bpf_htons(8080);
	l = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (l) {
		cg_host_listener = bpf_sk_cgroup_id(l) == bpf_get_current_cgroup_id();
		bpf_sk_release(l);
	}
	return 1;
}

char _license[] SEC("license") = "GPL";

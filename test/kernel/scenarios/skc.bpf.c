// SPDX-License-Identifier: GPL-2.0
/* skc: the bpf_skc_to_*() casts on sockets of a host (sock.host.json) looked
 * up from a tc program. Case i looks up one socket; casts[i] records which of
 * the seven casts gave a pointer (bit n: cast n of the enum below), and the
 * fields read through the tcp_sock / tcp6_sock / udp6_sock pointers (kernel
 * structs, read with CO-RE: the layouts here are only what the program
 * needs, relocated against the running kernel's BTF).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define N 9
#define LO4 0x7f000001

/* only the members read below; CO-RE finds them by name */
struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	__u32 sk_mark;
	__u16 sk_type;
	__u16 sk_protocol;
} __attribute__((preserve_access_index));

struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
} __attribute__((preserve_access_index));

struct inet_connection_sock {
	struct inet_sock icsk_inet;
} __attribute__((preserve_access_index));

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	__u32 srtt_us;
	__u32 snd_cwnd;
	__u32 snd_ssthresh;
	__u32 total_retrans;
} __attribute__((preserve_access_index));

struct tcp6_sock {
	struct tcp_sock tcp;
} __attribute__((preserve_access_index));

struct udp_sock {
	struct inet_sock inet;
} __attribute__((preserve_access_index));

struct udp6_sock {
	struct udp_sock udp;
} __attribute__((preserve_access_index));

enum { TCP, UDP, SKC };

const volatile __u8 how[N] = { TCP, TCP, TCP, TCP, TCP, UDP, UDP, UDP, SKC };
const volatile __u8 v6[N] = { 0, 0, 1, 1, 1, 0, 1, 0, 0 };
const volatile __u16 sport[N] = { 12345, 8080, 1, 8082, 1, 7, 7, 6000, 1 };
const volatile __u16 dport[N] = { 8080, 40000, 8082, 40001, 8081, 5353, 5354, 5355, 8080 };

long found[N], casts[N], tcp_common[N], tcp_ports[N], tcp_addr[N], tcp_type[N], tcp_metrics[N], srtt[N];
long tcp6_v6[N], udp6_common[N], udp6_v6[N];

static __always_inline void one(struct __sk_buff *skb, int i)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 len;

	found[i] = casts[i] = tcp_common[i] = tcp_ports[i] = tcp_addr[i] = tcp_type[i] = tcp_metrics[i] = srtt[i] = 0;
	tcp6_v6[i] = udp6_common[i] = udp6_v6[i] = 0;
	if (v6[i]) {
		t.ipv6.saddr[3] = bpf_htonl(1);
		t.ipv6.daddr[3] = bpf_htonl(1);
		t.ipv6.sport = bpf_htons(sport[i]);
		t.ipv6.dport = bpf_htons(dport[i]);
		len = sizeof(t.ipv6);
	} else {
		t.ipv4.saddr = bpf_htonl(LO4);
		t.ipv4.daddr = bpf_htonl(LO4);
		t.ipv4.sport = bpf_htons(sport[i]);
		t.ipv4.dport = bpf_htons(dport[i]);
		len = sizeof(t.ipv4);
	}
	if (how[i] == TCP)
		sk = bpf_sk_lookup_tcp(skb, &t, len, -1, 0);
	else if (how[i] == UDP)
		sk = bpf_sk_lookup_udp(skb, &t, len, -1, 0);
	else
		sk = (struct bpf_sock *)bpf_skc_lookup_tcp(skb, &t, len, -1, 0);
	if (!sk)
		return;
	found[i] = 1;

	{
		struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);

		if (tp) {
			casts[i] |= 1;
			tcp_common[i] = tp->inet_conn.icsk_inet.sk.__sk_common.skc_family |
					tp->inet_conn.icsk_inet.sk.__sk_common.skc_state << 16;
			tcp_ports[i] = (long)tp->inet_conn.icsk_inet.sk.__sk_common.skc_num << 32 |
				       bpf_ntohs(tp->inet_conn.icsk_inet.sk.__sk_common.skc_dport) << 16 |
				       bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
			tcp_addr[i] = (long)bpf_ntohl(tp->inet_conn.icsk_inet.sk.__sk_common.skc_rcv_saddr) << 32 |
				      bpf_ntohl(tp->inet_conn.icsk_inet.sk.__sk_common.skc_daddr);
			tcp_type[i] = tp->inet_conn.icsk_inet.sk.sk_type << 16 | tp->inet_conn.icsk_inet.sk.sk_protocol;
			tcp_metrics[i] = (long)tp->snd_cwnd << 32 | tp->snd_ssthresh;
			/* a listener has measured no round trip (an established socket's srtt is timing) */
			if (tp->inet_conn.icsk_inet.sk.__sk_common.skc_state == 10)
				srtt[i] = tp->srtt_us | (long)tp->total_retrans << 32;
		}
	}
	{
		struct tcp6_sock *tp6 = bpf_skc_to_tcp6_sock(sk);

		if (tp6) {
			casts[i] |= 2;
			tcp6_v6[i] = (long)bpf_ntohl(tp6->tcp.inet_conn.icsk_inet.sk.__sk_common.skc_v6_rcv_saddr.s6_addr32[3]) << 32 |
				     bpf_ntohl(tp6->tcp.inet_conn.icsk_inet.sk.__sk_common.skc_v6_daddr.s6_addr32[3]);
		}
	}
	if (bpf_skc_to_tcp_timewait_sock(sk))
		casts[i] |= 4;
	if (bpf_skc_to_tcp_request_sock(sk))
		casts[i] |= 8;
	{
		struct udp6_sock *up = bpf_skc_to_udp6_sock(sk);

		if (up) {
			casts[i] |= 16;
			udp6_common[i] = up->udp.inet.sk.__sk_common.skc_family | up->udp.inet.sk.__sk_common.skc_num << 16 |
					 (long)up->udp.inet.sk.sk_protocol << 32;
			udp6_v6[i] = bpf_ntohl(up->udp.inet.sk.__sk_common.skc_v6_rcv_saddr.s6_addr32[3]);
		}
	}
	if (bpf_skc_to_unix_sock(sk))
		casts[i] |= 32;
	if (bpf_skc_to_mptcp_sock(sk))
		casts[i] |= 64;
	bpf_sk_release(sk);
}

SEC("tc")
int skc_tc(struct __sk_buff *skb)
{
	for (int i = 0; i < N; i++)
		one(skb, i);
	return 0;
}

char _license[] SEC("license") = "GPL";

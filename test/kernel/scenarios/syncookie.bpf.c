// SPDX-License-Identifier: GPL-2.0
/* syncookie: bpf_tcp_gen_syncookie / bpf_tcp_check_syncookie against the
 * listeners of syncookie.host.json (net.ipv4.tcp_syncookies=2: always), and
 * bpf_sk_assign in a test run. Cookie values depend on a secret, so rc[]
 * records the return codes (a generated cookie as 1), mss[] the MSS a cookie
 * encodes; every generated cookie is sent back in an ACK and checked.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define N 40
long rc[N], mss[N];

struct syn {
	struct tcphdr th;
	__u8 opt[4];
};

struct hdr6 {
	struct ipv6hdr ip6;
};

static __always_inline struct bpf_sock *listener(void *ctx, int v6, __u16 port, __u16 from)
{
	struct bpf_sock_tuple t = {};

	if (v6) {
		t.ipv6.saddr[3] = bpf_htonl(1);
		t.ipv6.daddr[3] = bpf_htonl(1);
		t.ipv6.sport = bpf_htons(from);
		t.ipv6.dport = bpf_htons(port);
		return bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	}
	t.ipv4.saddr = bpf_htonl(0x7f000001);
	t.ipv4.daddr = bpf_htonl(0x7f000001);
	t.ipv4.sport = bpf_htons(from);
	t.ipv4.dport = bpf_htons(port);
	return bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
}

/* a SYN (MSS option m, none when 0), its cookie, the ACK that returns it (good or off by one) */
static __always_inline void round(struct bpf_sock *sk, void *ip, __u32 iplen, int i, __u16 m)
{
	struct syn s = {};
	long r;

	s.th.source = bpf_htons(1234);
	s.th.dest = bpf_htons(8080);
	s.th.seq = bpf_htonl(1000 + i);
	s.th.syn = 1;
	if (m) {
		s.th.doff = 6;
		s.opt[0] = 2;
		s.opt[1] = 4;
		s.opt[2] = m >> 8;
		s.opt[3] = m & 0xff;
		r = bpf_tcp_gen_syncookie(sk, ip, iplen, &s.th, sizeof(s));
	} else {
		s.th.doff = 5;
		r = bpf_tcp_gen_syncookie(sk, ip, iplen, &s.th, sizeof(s.th));
	}
	rc[i] = r > 0 ? 1 : r;
	if (r <= 0)
		return;
	mss[i] = r >> 32;
	s.th.syn = 0;
	s.th.ack = 1;
	s.th.doff = 5;
	s.th.seq = bpf_htonl(1001 + i);
	s.th.ack_seq = bpf_htonl((__u32)r + 1);
	rc[i + 1] = bpf_tcp_check_syncookie(sk, ip, iplen, &s.th, sizeof(s.th));
	s.th.ack_seq = bpf_htonl((__u32)r + 2);
	rc[i + 2] = bpf_tcp_check_syncookie(sk, ip, iplen, &s.th, sizeof(s.th));
}

SEC("tc")
int cookies(struct __sk_buff *skb)
{
	struct iphdr ip = { .version = 4, .ihl = 5, .protocol = IPPROTO_TCP };
	struct hdr6 ip6 = {};
	struct syn s = {};
	struct bpf_sock *sk, *est;

	ip.saddr = bpf_htonl(0x7f000001);
	ip.daddr = bpf_htonl(0x7f000001);
	sk = listener(skb, 0, 8080, 1234);
	if (!sk)
		return 1;
	round(sk, &ip, sizeof(ip), 0, 1460);  /* 0..2 */
	round(sk, &ip, sizeof(ip), 3, 1400);  /* 3..5: 1300 */
	round(sk, &ip, sizeof(ip), 6, 100);   /* 6..8: 536 */
	round(sk, &ip, sizeof(ip), 9, 0);     /* 9..11: no option, 536 */
	round(sk, &ip, sizeof(ip), 12, 9000); /* 12..14: 1460 */

	s.th.source = bpf_htons(1234);
	s.th.dest = bpf_htons(8080);
	s.th.doff = 6;
	s.th.syn = 1;
	rc[15] = bpf_tcp_gen_syncookie(sk, &ip, sizeof(ip), &s.th, 16);         /* th_len < 20 */
	rc[16] = bpf_tcp_gen_syncookie(sk, &ip, sizeof(ip), &s.th, 20);         /* th_len != doff * 4 */
	s.th.ack = 1;
	rc[17] = bpf_tcp_gen_syncookie(sk, &ip, sizeof(ip), &s.th, sizeof(s)); /* SYN+ACK */
	rc[18] = bpf_tcp_check_syncookie(sk, &ip, sizeof(ip), &s.th, 20);      /* check: SYN set */
	s.th.ack = 0;
	rc[19] = bpf_tcp_gen_syncookie(sk, &ip, 16, &s.th, sizeof(s));         /* iph_len < 20 */
	ip.version = 5;
	rc[20] = bpf_tcp_gen_syncookie(sk, &ip, sizeof(ip), &s.th, sizeof(s)); /* -EPROTONOSUPPORT */
	ip.version = 4;
	ip6.ip6.version = 6;
	rc[21] = bpf_tcp_gen_syncookie(sk, &ip6, sizeof(ip6), &s.th, sizeof(s)); /* v6 header, v4 listener */
	rc[22] = bpf_tcp_gen_syncookie(sk, &ip6, 20, &s.th, sizeof(s));        /* v6 header, iph_len 20 */
	s.th.syn = 0;
	s.th.ack = 1;
	s.th.rst = 1;
	rc[23] = bpf_tcp_check_syncookie(sk, &ip, sizeof(ip), &s.th, 20);      /* RST */
	rc[24] = bpf_tcp_check_syncookie(sk, &ip, sizeof(ip), &s.th, 16);      /* th_len < 20 */
	rc[25] = bpf_sk_assign(skb, sk, 0);                                     /* not at tc ingress */
	rc[26] = bpf_sk_assign(skb, sk, 1);                                     /* flags */
	bpf_sk_release(sk);

	est = listener(skb, 0, 8080, 40000); /* the accepted end of a connection */
	if (est) {
		s.th.rst = 0;
		s.th.ack = 0;
		s.th.syn = 1;
		rc[27] = bpf_tcp_gen_syncookie(est, &ip, sizeof(ip), &s.th, sizeof(s)); /* not a listener */
		bpf_sk_release(est);
	}

	sk = listener(skb, 1, 8082, 1234);
	if (!sk)
		return 2;
	ip6.ip6.saddr.in6_u.u6_addr32[3] = bpf_htonl(1);
	ip6.ip6.daddr.in6_u.u6_addr32[3] = bpf_htonl(1);
	round(sk, &ip6, sizeof(ip6), 28, 1500); /* 28..30: 1440 */
	round(sk, &ip6, sizeof(ip6), 31, 0);    /* 31..33: 1220 */
	round(sk, &ip, sizeof(ip), 34, 1460);   /* 34..36: IPv4 to a v6 listener on ::1 */
	bpf_sk_release(sk);
	return 0;
}

char _license[] SEC("license") = "GPL";

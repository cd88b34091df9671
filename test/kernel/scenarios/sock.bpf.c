// SPDX-License-Identifier: GPL-2.0
/* sock: socket lookups against the sockets of a host (sock.host.json: the
 * kernel side opens them in a network namespace, tsbpf reads them with
 * --host). Case i looks up a 4-tuple (IPv4 or IPv6) with one of the lookup
 * helpers, netns argument and flags from the tables below; what it found is
 * recorded in .bss (0: NULL), each found socket is released. The tc program
 * also asks bpf_sk_fullsock, bpf_tcp_sock and bpf_get_listener_sock (not
 * callable from XDP).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define N 26
#define LO4 0x7f000001

enum { TCP, UDP, SKC };

/* proto, IPv6?, tuple length (0: the family's), remote port, local port, netns, flags */
const volatile __u8 how[N] = { TCP, TCP, TCP, TCP, TCP, TCP, TCP, TCP, TCP, TCP, TCP, TCP,
			       UDP, UDP, UDP, UDP, UDP, SKC, SKC, TCP, TCP, TCP, UDP, TCP, TCP, TCP };
const volatile __u8 v6[N] = { 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
			      0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 };
const volatile __u8 tlen[N] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 36,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 12, 0, 0, 0 };
const volatile __u16 sport[N] = { 12345, 40000, 8080, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				  7, 7, 6000, 6001, 7, 1, 40001, 1, 1, 1, 7, 1, 40001, 8082 };
const volatile __u16 dport[N] = { 8080, 8080, 40000, 8081, 9999, 8082, 8081, 8080, 8080, 8080, 8080, 8080,
				  5353, 5354, 5355, 5355, 9999, 8080, 8082, 8080, 8080, 8080, 5354, 8080, 8082, 40001 };
const volatile __u64 netns[N] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0x100000000ULL, -1, -1,
				  -1, -1, -1, -1, -1, -1, -1, 0xffffffffULL, 0x80000000ULL, -1, -1, 1, -1, -1 };
const volatile __u64 flg[N] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

long found[N], family[N], type[N], proto[N], state[N], sport_o[N], dport_o[N], ip4[N], ip6[N];
long skc[N], skc_full[N];
long mark[N], dev_if[N], rxq[N], full[N], tcp[N], cwnd[N], ssth[N], listener[N], lport[N];

#define RECORD(sk) \
do { \
	found[i] = 1; \
	family[i] = sk->family; \
	state[i] = sk->state; \
	sport_o[i] = sk->src_port; \
	dport_o[i] = bpf_ntohs(sk->dst_port); \
	ip4[i] = (long)bpf_ntohl(sk->src_ip4) << 32 | bpf_ntohl(sk->dst_ip4); \
	ip6[i] = (long)bpf_ntohl(sk->src_ip6[3]) << 32 | bpf_ntohl(sk->dst_ip6[3]); \
	rxq[i] = sk->rx_queue_mapping; \
	if (tc) { \
		{ \
		/* the fields outside sock_common, through the full socket */ \
		struct bpf_sock *f = bpf_sk_fullsock(sk); \
 \
		if (f) { \
			full[i] = 1; \
			type[i] = f->type; \
			proto[i] = f->protocol; \
			mark[i] = f->mark; \
			dev_if[i] = f->bound_dev_if | f->priority << 16; \
		} \
	} \
	{ \
		struct bpf_tcp_sock *tp = bpf_tcp_sock(sk); \
 \
		if (tp) { \
			tcp[i] = 1; \
			cwnd[i] = tp->snd_cwnd; \
			ssth[i] = tp->snd_ssthresh; \
		} \
	} \
	{ \
		struct bpf_sock *l = bpf_get_listener_sock(sk); \
 \
		if (l) { \
			listener[i] = 1; \
			lport[i] = l->src_port; \
		} \
		} \
	} \
	bpf_sk_release(sk); \
} while (0)

static __always_inline void one(void *ctx, int i, const int tc)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 len;

	/* each run starts from nothing */
	found[i] = family[i] = type[i] = proto[i] = state[i] = sport_o[i] = dport_o[i] = ip4[i] = ip6[i] = 0;
	skc[i] = skc_full[i] = mark[i] = dev_if[i] = rxq[i] = full[i] = tcp[i] = cwnd[i] = ssth[i] = listener[i] = lport[i] = 0;

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
	if (tlen[i])
		len = tlen[i];
	if (how[i] == SKC) {
		/* a sock_common pointer: loads of its own (the verifier refuses one load
		 * insn for two pointer types) */
		struct bpf_sock *sk = (struct bpf_sock *)bpf_skc_lookup_tcp(ctx, &t, len, netns[i], flg[i]);

		if (!sk)
			return;
		skc[i] = sk->state << 24 | sk->src_port << 8 | sk->family;
		if (tc) {
			struct bpf_sock *f = bpf_sk_fullsock(sk);

			if (f)
				skc_full[i] = f->type << 8 | f->protocol;
			if (bpf_tcp_sock(sk))
				skc_full[i] |= 1 << 16;
		}
		bpf_sk_release(sk);
		return;
	}
	if (how[i] == TCP)
		sk = bpf_sk_lookup_tcp(ctx, &t, len, netns[i], flg[i]);
	else
		sk = bpf_sk_lookup_udp(ctx, &t, len, netns[i], flg[i]);
	if (sk)
		RECORD(sk);
}

static __always_inline void all(void *ctx, const int tc)
{
	for (int i = 0; i < N; i++)
		one(ctx, i, tc);
}

SEC("tc")
int lookup_tc(struct __sk_buff *skb)
{
	all(skb, 1);
	return 0;
}

SEC("xdp")
int lookup_xdp(struct xdp_md *xdp)
{
	all(xdp, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

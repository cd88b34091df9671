// SPDX-License-Identifier: GPL-2.0
/* fib: bpf_fib_lookup and bpf_check_mtu against a host (fib.host.json: the
 * kernel side runs in a network namespace built from it, tsbpf reads it with
 * --host). Each case i looks up dst[i] (IPv4) or dst6[i] from ifindex 2 with
 * flags fl[i]; results in .bss: rc, the output ifindex, the last byte of
 * dmac/smac, mtu_result, the last byte of the (gateway-replaced) destination
 * and of the source, rt_metric. The tc and XDP programs differ in the MTU check.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define N4 16
#define N6 8
#define A4(a, b, c, d) ((a) << 24 | (b) << 16 | (c) << 8 | (d))

const volatile __u32 dst[N4] = {
	A4(10, 3, 1, 1), A4(10, 4, 1, 1), A4(10, 4, 1, 1), A4(10, 5, 0, 1), A4(10, 6, 0, 1), A4(10, 7, 0, 1),
	A4(10, 9, 0, 1), A4(10, 1, 0, 1), A4(10, 1, 0, 5), A4(10, 1, 0, 6), A4(10, 3, 1, 1), A4(10, 8, 1, 1),
	A4(10, 3, 1, 1), A4(10, 3, 1, 1), A4(10, 10, 1, 1), A4(10, 2, 0, 2),
};
const volatile __u32 fl[N4] = {
	0, 0, BPF_FIB_LOOKUP_SKIP_NEIGH, 0, 0, 0,
	0, 0, 0, 0, BPF_FIB_LOOKUP_SRC, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SKIP_NEIGH,
	BPF_FIB_LOOKUP_OUTPUT, BPF_FIB_LOOKUP_DIRECT, 0, BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH,
};
const volatile __u32 ifin[N4] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 99, 2, 3 };
const volatile __u16 totlen[N4] = { 100, 100, 1450, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 1450, 100 };

const volatile __u8 dst6[N6] = { 3, 4, 7, 5, 6, 9, 1, 3 };
const volatile __u32 fl6[N6] = { 0, 0, BPF_FIB_LOOKUP_SKIP_NEIGH, 0, 0, 0, 0, BPF_FIB_LOOKUP_SRC };

long rc[N4], oif[N4], macs[N4], mtu[N4], dlast[N4], slast[N4], metric[N4];
long rc6[N6], oif6[N6], macs6[N6], mtu6[N6], dlast6[N6], slast6[N6], metric6[N6];
long misc[8];

static __always_inline void lookup4(void *ctx, int i)
{
	struct bpf_fib_lookup p = {};

	p.family = 2;
	p.ifindex = ifin[i];
	p.tot_len = totlen[i];
	p.ipv4_dst = bpf_htonl(dst[i]);
	p.ipv4_src = bpf_htonl(A4(10, 1, 0, 7));
	if (fl[i] & BPF_FIB_LOOKUP_TBID)
		p.tbid = 100;
	rc[i] = bpf_fib_lookup(ctx, &p, sizeof(p), fl[i]);
	oif[i] = p.ifindex;
	macs[i] = p.dmac[5] | p.smac[5] << 8;
	mtu[i] = p.mtu_result;
	dlast[i] = bpf_ntohl(p.ipv4_dst) & 0xff;
	slast[i] = bpf_ntohl(p.ipv4_src) & 0xff;
	metric[i] = p.rt_metric;
}

static __always_inline void lookup6(void *ctx, int i)
{
	struct bpf_fib_lookup p = {};

	p.family = 10;
	p.ifindex = 2;
	p.tot_len = i == 1 || i == 2 ? 1350 : 100;
	p.ipv6_dst[0] = bpf_htonl(0xfd000000 | dst6[i] << 16);
	p.ipv6_dst[3] = bpf_htonl(1);
	rc6[i] = bpf_fib_lookup(ctx, &p, sizeof(p), fl6[i]);
	oif6[i] = p.ifindex;
	macs6[i] = p.dmac[5] | p.smac[5] << 8;
	mtu6[i] = p.mtu_result;
	dlast6[i] = (bpf_ntohl(p.ipv6_dst[0]) >> 16 & 0xff) << 8 | (bpf_ntohl(p.ipv6_dst[3]) & 0xff);
	slast6[i] = (bpf_ntohl(p.ipv6_src[0]) >> 16 & 0xff) << 8 | (bpf_ntohl(p.ipv6_src[3]) & 0xff);
	metric6[i] = p.rt_metric;
}

static __always_inline void errors(void *ctx)
{
	struct bpf_fib_lookup p = {};
	__u32 m = 0;

	p.family = 2;
	p.ifindex = 2;
	misc[0] = bpf_fib_lookup(ctx, &p, 32, 0);
	misc[1] = bpf_fib_lookup(ctx, &p, sizeof(p), 0x400);
	misc[2] = bpf_fib_lookup(ctx, &p, sizeof(p), BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_OUTPUT);
	p.family = 99;
	misc[3] = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	misc[4] = bpf_check_mtu(ctx, 3, &m, 0, 0);
	misc[5] = m;
	m = 0;
	misc[6] = bpf_check_mtu(ctx, 2, &m, 1500 - 64 + 15, 0);
	misc[7] = m;
}

SEC("tc")
int fib_tc(struct __sk_buff *skb)
{
	for (int i = 0; i < N4; i++)
		lookup4(skb, i);
	for (int i = 0; i < N6; i++)
		lookup6(skb, i);
	errors(skb);
	return 0;
}

SEC("xdp")
int fib_xdp(struct xdp_md *ctx)
{
	for (int i = 0; i < N4; i++)
		lookup4(ctx, i);
	for (int i = 0; i < N6; i++)
		lookup6(ctx, i);
	errors(ctx);
	return 2;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* helpers_xdpnet: XDP redirect maps and metadata (run with fib.host.json:
 * devices 2 and 3). Results in .bss (-1000: not reached).
 *   rmap  bpf_redirect_map on DEVMAP/DEVMAP_HASH/CPUMAP/XSKMAP: hits, misses
 *         (the flags' action bits), bad flags, BPF_F_BROADCAST; devmap lookups
 *   meta  bpf_xdp_adjust_meta: grow, misaligned, too big, past data; writes the
 *         metadata bytes (run-pkt shows them in front of the packet)
 *   redir bpf_redirect flags, bpf_check_mtu
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR -1000

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

long rm[16] = {};
long rmeta[8] = {};
long rr[8] = {};

SEC("xdp")
int rmap(struct xdp_md *ctx)
{
	__u32 k = 1;
	struct bpf_devmap_val *v;

	for (int i = 0; i < 16; i++)
		rm[i] = NR;
	rm[0] = bpf_redirect_map(&devs, 1, 0);
	rm[1] = bpf_redirect_map(&devs, 2, XDP_PASS);
	rm[2] = bpf_redirect_map(&devs, 9, XDP_DROP);
	rm[3] = bpf_redirect_map(&devs, 1, 1 << 5);
	rm[4] = bpf_redirect_map(&devs, 2, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	rm[5] = bpf_redirect_map(&devh, 7, 0);
	rm[6] = bpf_redirect_map(&devh, 8, XDP_TX);
	rm[7] = bpf_redirect_map(&cpus, 0, 0);
	rm[8] = bpf_redirect_map(&cpus, 1, XDP_PASS);
	rm[9] = bpf_redirect_map(&cpus, 0, BPF_F_BROADCAST);
	rm[10] = bpf_redirect_map(&xsks, 0, XDP_PASS);
	rm[11] = bpf_redirect_map(&xsks, 0, BPF_F_BROADCAST);
	v = bpf_map_lookup_elem(&devs, &k);
	rm[12] = v ? v->ifindex : -1;
	k = 2;
	v = bpf_map_lookup_elem(&devs, &k);
	rm[13] = v ? v->ifindex : -1;
	rm[14] = bpf_redirect_map(&devh, 7, BPF_F_BROADCAST);
	return bpf_redirect_map(&devs, 1, 0);
}

SEC("xdp")
int meta(struct xdp_md *ctx)
{
	rmeta[0] = bpf_xdp_adjust_meta(ctx, -6);
	rmeta[1] = bpf_xdp_adjust_meta(ctx, -256);
	rmeta[2] = bpf_xdp_adjust_meta(ctx, 4);
	rmeta[3] = bpf_xdp_adjust_meta(ctx, -8);
	void *data = (void *)(long)ctx->data;
	__u32 *m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 2) > data)
		return 1;
	m[0] = 0x11223344;
	m[1] = 0x55667788;
	rmeta[4] = data - (void *)m;
	rmeta[5] = bpf_xdp_adjust_meta(ctx, -248);
	rmeta[6] = bpf_xdp_adjust_meta(ctx, -200);
	rmeta[7] = bpf_xdp_adjust_meta(ctx, 208);
	return 2;
}

SEC("xdp")
int redir(struct xdp_md *ctx)
{
	__u32 mtu = 0;

	rr[0] = bpf_redirect(3, 0);
	rr[1] = bpf_redirect(3, 1);
	rr[2] = bpf_check_mtu(ctx, 0, &mtu, 0, 0);
	rr[3] = mtu;
	rr[4] = bpf_check_mtu(ctx, 2, &mtu, 1, 0);
	rr[5] = mtu;
	rr[6] = bpf_check_mtu(ctx, 2, &mtu, 0, 1);
	mtu = 0;
	rr[7] = bpf_check_mtu(ctx, 3, &mtu, 9000, 0);
	return bpf_redirect(2, 0);
}

char _license[] SEC("license") = "GPL";

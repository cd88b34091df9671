// Accepted programs written in C as people write them: header parsers,
// counters, bounded loops, subprograms, tc and socket filters. Each must
// verify; they exercise pruning, packet ranges, map values and calls
// together rather than one rule at a time.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct stats { __u64 pkts, bytes; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct stats);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} by_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u32);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} buf SEC(".maps");

SEC("xdp")
int ok_eth_proto_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	__u32 k = bpf_ntohs(eth->h_proto) & 0xff;
	struct stats *s = bpf_map_lookup_elem(&proto_stats, &k);
	if (s) {
		__sync_fetch_and_add(&s->pkts, 1);
		__sync_fetch_and_add(&s->bytes, (__u64)(end - data));
	}
	return XDP_PASS;
}

SEC("xdp")
int ok_ipv4_udp_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int ok_ipv4_ihl_var(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__u32 hl = ip->ihl * 4;
	if (hl < sizeof(*ip))
		return XDP_DROP;
	struct tcphdr *tcp = (void *)ip + hl;
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	return tcp->syn ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int ok_ipv6_next_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > end)
		return XDP_PASS;
	return ip6->nexthdr == IPPROTO_ICMPV6 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int ok_src_counter_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__u32 src = ip->saddr;
	__u64 *v = bpf_map_lookup_elem(&by_src, &src), one = 1;
	if (v)
		(*v)++;
	else
		bpf_map_update_elem(&by_src, &src, &one, BPF_ANY);
	return XDP_PASS;
}

SEC("xdp")
int ok_percpu_counter(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index & 3;
	__u64 *v = bpf_map_lookup_elem(&pcpu, &k);
	if (v)
		*v += 1;
	return XDP_PASS;
}

SEC("xdp")
int ok_lru_update(struct xdp_md *ctx)
{
	__u64 k = ctx->ingress_ifindex;
	__u32 v = ctx->rx_queue_index;
	bpf_map_update_elem(&lru, &k, &v, BPF_ANY);
	__u32 *p = bpf_map_lookup_elem(&lru, &k);
	return p && *p == v ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int ok_copy_payload_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 z = 0;
	__u8 *b = bpf_map_lookup_elem(&buf, &z);
	if (!b)
		return XDP_PASS;
	for (int i = 0; i < 64; i++) {
		__u8 *p = data + i;
		if ((void *)(p + 1) > end)
			break;
		b[i] = *p;
	}
	return XDP_PASS;
}

SEC("xdp")
int ok_checksum_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;
	__u16 *p = data;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		sum += p[i];
	}
	return (sum & 1) ? XDP_DROP : XDP_PASS;
}

static __noinline int classify(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: return 1;
	case IPPROTO_UDP: return 2;
	case IPPROTO_ICMP: return 3;
	default: return 0;
	}
}

SEC("xdp")
int ok_subprog_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__u32 k = classify(ip->protocol);
	struct stats *s = bpf_map_lookup_elem(&proto_stats, &k);
	if (s)
		s->pkts++;
	return XDP_PASS;
}

static __noinline int bounded_idx(__u32 x)
{
	return x & 63;
}

SEC("xdp")
int ok_subprog_index(struct xdp_md *ctx)
{
	__u32 z = 0;
	__u8 *b = bpf_map_lookup_elem(&buf, &z);
	if (!b)
		return XDP_PASS;
	__u32 i = bounded_idx(ctx->rx_queue_index);
	if (i < 64)
		b[i] = 1;
	return XDP_PASS;
}

static __noinline void add_stats(struct stats *s, __u64 len)
{
	s->pkts++;
	s->bytes += len;
}

SEC("xdp")
int ok_subprog_map_value_arg(struct xdp_md *ctx)
{
	__u32 k = 7;
	struct stats *s = bpf_map_lookup_elem(&proto_stats, &k);
	if (s)
		add_stats(s, ctx->data_end - ctx->data);
	return XDP_PASS;
}

struct fwd_ctx { __u64 sum; __u32 limit; };

static long sum_cb(__u32 i, struct fwd_ctx *c)
{
	if (i >= c->limit)
		return 1;
	c->sum += i;
	return 0;
}

SEC("xdp")
int ok_bpf_loop_ctx_struct(struct xdp_md *ctx)
{
	struct fwd_ctx c = { .sum = 0, .limit = ctx->rx_queue_index };
	bpf_loop(100, sum_cb, &c, 0);
	return c.sum & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int ok_adjust_head_recheck(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 4 > end)
		return XDP_DROP;
	*(__u32 *)data = 0;
	return XDP_PASS;
}

SEC("tc")
int ok_tc_mark_by_proto(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		skb->mark = 0x42;
	skb->priority = skb->len > 1000 ? 1 : 0;
	return 0;
}

SEC("tc")
int ok_tc_cb_scratch(struct __sk_buff *skb)
{
	skb->cb[0] = skb->hash;
	skb->cb[1] = skb->cb[0] ^ skb->ifindex;
	skb->tc_classid = skb->cb[1] & 0xffff;
	return 0;
}

SEC("socket")
int ok_socket_len_filter(struct __sk_buff *skb)
{
	return skb->len > 64 ? skb->len : 0;
}

SEC("socket")
int ok_socket_counter(struct __sk_buff *skb)
{
	__u32 k = skb->protocol & 0xff;
	struct stats *s = bpf_map_lookup_elem(&proto_stats, &k);
	if (s)
		__sync_fetch_and_add(&s->pkts, 1);
	return -1;
}

SEC("xdp")
int ok_switch_jump_table(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	int r;
	switch (q & 7) {
	case 0: r = XDP_PASS; break;
	case 1: r = XDP_DROP; break;
	case 2: r = XDP_TX; break;
	case 3: r = XDP_PASS; break;
	case 4: r = XDP_DROP; break;
	default: r = XDP_ABORTED; break;
	}
	return r;
}

SEC("xdp")
int ok_stack_array(struct xdp_md *ctx)
{
	__u64 arr[8] = {};
	__u32 i = ctx->rx_queue_index & 7;
	arr[i] = ctx->ingress_ifindex;
	__u64 s = 0;
	for (int j = 0; j < 8; j++)
		s += arr[j];
	return s & 1;
}

SEC("xdp")
int c_signed_index_lost(struct xdp_md *ctx)
{
	__u32 z = 0;
	__u8 *b = bpf_map_lookup_elem(&buf, &z);
	if (!b)
		return XDP_PASS;
	int i = (int)ctx->rx_queue_index - 10;
	if (i >= 0 && i < 64)
		b[i] = 2;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

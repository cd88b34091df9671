// SPDX-License-Identifier: GPL-2.0
/* flowtable: an XDP flow table whose entries expire when a flow goes idle.
 *
 * Every IPv4 UDP/TCP packet is parsed into a 5-tuple (saddr, daddr, sport,
 * dport, proto) that keys the hash map `flows`. A new flow gets an entry
 * whose bpf_timer is initialized with the flow's callback; every packet of
 * the flow re-arms the timer IDLE_NS ahead (bpf_timer_start on an armed timer
 * moves its expiry). When a flow sees no packet for IDLE_NS the callback runs
 * and deletes the flow's own entry: garbage collection without a user-space
 * sweeper, which is what bpf_timer was added for.
 *
 * Globals (dumped): created, expired, active, packets, not_ip, last_pkts
 * (the packet count of the most recently expired flow).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define CLOCK_MONOTONIC 1
#define IDLE_NS (50 * 1000000ULL)	/* 50 ms */

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow {
	__u64 packets;
	__u64 bytes;
	struct bpf_timer idle;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow);
} flows SEC(".maps");

__u64 created, expired, active, packets, not_ip, last_pkts;

static int flow_idle(void *map, struct flow_key *key, struct flow *f)
{
	last_pkts = f->packets;
	/* the callback may delete its own element; that frees this timer */
	if (bpf_map_delete_elem(map, key) == 0) {
		__sync_fetch_and_add(&expired, 1);
		__sync_fetch_and_sub(&active, 1);
	}
	return 0;
}

SEC("xdp")
int flow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u16 *ports;
	struct flow_key key = {};
	struct flow *f;

	__sync_fetch_and_add(&packets, 1);
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto other;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl != 5)
		goto other;
	if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP)
		goto other;
	ports = (void *)(ip + 1);
	if ((void *)(ports + 2) > end)
		goto other;

	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = bpf_ntohs(ports[0]);
	key.dport = bpf_ntohs(ports[1]);
	key.proto = ip->protocol;

	f = bpf_map_lookup_elem(&flows, &key);
	if (!f) {
		struct flow fresh = {};

		if (bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST))
			return XDP_PASS;
		f = bpf_map_lookup_elem(&flows, &key);
		if (!f)
			return XDP_PASS;
		bpf_timer_init(&f->idle, &flows, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&f->idle, flow_idle);
		__sync_fetch_and_add(&created, 1);
		__sync_fetch_and_add(&active, 1);
	}
	__sync_fetch_and_add(&f->packets, 1);
	__sync_fetch_and_add(&f->bytes, (__u64)(end - data));
	/* (re)arm: the flow now expires IDLE_NS after this packet */
	bpf_timer_start(&f->idle, IDLE_NS, 0);
	return XDP_PASS;
other:
	__sync_fetch_and_add(&not_ip, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

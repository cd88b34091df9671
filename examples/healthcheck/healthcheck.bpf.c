// SPDX-License-Identifier: GPL-2.0
/* healthcheck: backends report heartbeats; a backend that misses its
 * deadline is marked down by a timer.
 *
 * A heartbeat is a UDP packet to port 7000; the backend's id is the last
 * octet of its IPv4 source address (0..3). The XDP program `heartbeat`
 * marks the backend up, counts the beat and re-arms the backend's timer
 * TIMEOUT_NS ahead (the first beat initializes the timer). If the next beat
 * does not come in time, the callback runs and marks the backend down.
 * A later beat brings it back up.
 *
 * Globals (dumped): up[i] (1 up, 0 down, -1 never seen), beats[i],
 * downs[i] (times marked down), bad (packets that were not heartbeats).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define CLOCK_MONOTONIC 1
#define NBACKENDS 4
#define HB_PORT 7000
#define TIMEOUT_NS (50 * 1000000ULL)	/* 50 ms */

struct backend {
	struct bpf_timer deadline;
	__u32 initialized;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NBACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

int up[NBACKENDS] = { -1, -1, -1, -1 };
int beats[NBACKENDS];
int downs[NBACKENDS];
int bad;

static int missed(void *map, __u32 *key, struct backend *b)
{
	__u32 id = *key;

	if (id < NBACKENDS) {
		up[id & (NBACKENDS - 1)] = 0;
		downs[id & (NBACKENDS - 1)]++;
	}
	return 0;
}

SEC("xdp")
int heartbeat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct backend *b;
	__u32 id;

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(HB_PORT))
		goto not_hb;
	id = bpf_ntohl(ip->saddr) & 0xff;
	if (id >= NBACKENDS)
		goto not_hb;
	b = bpf_map_lookup_elem(&backends, &id);
	if (!b)
		goto not_hb;
	if (!b->initialized) {
		bpf_timer_init(&b->deadline, &backends, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&b->deadline, missed);
		b->initialized = 1;
	}
	/* id went through the stack for the lookup; the mask (a no-op, id < 4)
	 * re-bounds it for the verifier */
	up[id & (NBACKENDS - 1)] = 1;
	beats[id & (NBACKENDS - 1)]++;
	bpf_timer_start(&b->deadline, TIMEOUT_NS, 0);
	return XDP_DROP;	/* heartbeats are consumed here */
not_hb:
	bad++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* xdp_devmap: a tiny XDP switch. A hash map learned by user space says which
 * port (a DEVMAP slot) a destination MAC lives behind; known destinations
 * are redirected through the devmap with bpf_redirect_map (a port with no
 * device falls back to the stack: XDP_PASS), unknown and broadcast ones are
 * flooded to every port but the one the frame came in on
 * (BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS).
 *
 * Globals: forwarded, flooded, to_stack, last_port.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);	/* destination MAC in the low 6 bytes */
	__type(value, __u32);	/* port */
} mac_port SEC(".maps");

long forwarded = 0;
long flooded = 0;
long to_stack = 0;
long last_port = -1;

SEC("xdp")
int fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 mac = 0;
	__u32 *port;
	long act;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&mac, eth->h_dest, ETH_ALEN);
	port = bpf_map_lookup_elem(&mac_port, &mac);
	if (!port) {
		flooded++;
		return bpf_redirect_map(&tx_port, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	}
	last_port = *port;
	act = bpf_redirect_map(&tx_port, *port, XDP_PASS);
	if (act == XDP_REDIRECT)
		forwarded++;
	else
		to_stack++;
	return act;
}

char _license[] SEC("license") = "GPL";

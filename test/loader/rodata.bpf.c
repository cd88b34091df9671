// SPDX-License-Identifier: GPL-2.0
/* rodata: configuration in .rodata, set before load as skeleton users do
 * (skel->rodata->cfg_port = 53). The loader freezes .rodata before the
 * programs load, so the verifier reads cfg_* as constants and does not look
 * at branches they rule out: with cfg_debug == 0 the unchecked packet read
 * below is dead code and the program loads; with cfg_debug = 1 it is rejected.
 *   filter (xdp)   counts packets to cfg_port; XDP_DROP above cfg_limit
 *   copy (syscall) copies the configuration into .bss for a dump
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

const volatile unsigned short cfg_port = 80;
const volatile unsigned int cfg_limit = 3;
const volatile bool cfg_debug = false;
const volatile long long cfg_offset = -2;
const volatile unsigned char cfg_mac[6] = { 0x02, 0, 0, 0, 0, 1 };

struct backend {
	unsigned short port;
	unsigned char proto;
	unsigned char weight : 4, flags : 4;
	char name[8];
	unsigned int addrs[2];
};

const volatile struct backend cfg_backend = { .port = 8080, .proto = 6, .weight = 3, .name = "web" };

unsigned int seen;
unsigned int port;
unsigned int limit;
long long offset;
unsigned char mac[6];
struct backend backend;
int debug_word;
int tweak = 7;

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	if (cfg_debug)
		/* unchecked: only a dead branch may do this */
		debug_word = *(int *)(long)ctx->data;
	if (++seen > cfg_limit)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("syscall")
int copy(void *ctx)
{
	port = cfg_port;
	limit = cfg_limit;
	offset = cfg_offset;
	/* element by element: a memcpy from a cast-away volatile would be folded by clang */
	for (int i = 0; i < 6; i++)
		mac[i] = cfg_mac[i];
	backend.port = cfg_backend.port;
	backend.proto = cfg_backend.proto;
	backend.weight = cfg_backend.weight;
	backend.flags = cfg_backend.flags;
	for (int i = 0; i < 8; i++)
		backend.name[i] = cfg_backend.name[i];
	backend.addrs[0] = cfg_backend.addrs[0];
	backend.addrs[1] = cfg_backend.addrs[1];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

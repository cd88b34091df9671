// SPDX-License-Identifier: GPL-2.0
/* autoload: a tracing program next to an XDP program, as tools that ship one
 * object for many hosts do. The host (this kernel, or tsbpf) cannot load the
 * fentry program; with its autoload off the object loads and `pass` runs.
 *   trace_entry (fentry/bpf_fentry_test1)  counts calls
 *   pass        (xdp)                      counts packets, returns XDP_PASS
 *   later       (?xdp: autoload off until asked) returns XDP_DROP
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned int entries;
unsigned int packets;

SEC("fentry/bpf_fentry_test1")
int trace_entry(void *ctx)
{
	entries++;
	return 0;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	packets++;
	return XDP_PASS;
}

SEC("?xdp")
int later(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

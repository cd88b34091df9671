// SPDX-License-Identifier: GPL-2.0
/* rodata_write: a program that writes into .rodata through a cast. The map is
 * BPF_F_RDONLY_PROG, so the verifier refuses it:
 * "write into map forbidden, value_size=4 off=0 size=4". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile unsigned int cfg_limit = 3;

SEC("xdp")
int poke(struct xdp_md *ctx)
{
	*(volatile unsigned int *)&cfg_limit = 5;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

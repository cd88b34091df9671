// SPDX-License-Identifier: GPL-2.0
/* helpers_coarse: bpf_ktime_get_coarse_ns is for networking programs only;
 * a syscall program calling it is rejected at load:
 * "program of this type cannot use helper bpf_ktime_get_coarse_ns#160".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long t;

SEC("syscall")
int coarse(void *ctx)
{
	t = bpf_ktime_get_coarse_ns();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

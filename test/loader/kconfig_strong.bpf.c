// SPDX-License-Identifier: GPL-2.0
/* kconfig_strong: a non-weak CONFIG_ extern no Kconfig sets fails the load
 * (libbpf: "extern 'CONFIG_TSBPF_ABSENT' (strong): not resolved", -ESRCH). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_TSBPF_ABSENT __kconfig;
int seen;

SEC("syscall")
int read_absent(void *ctx)
{
	seen = CONFIG_TSBPF_ABSENT;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

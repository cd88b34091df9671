// SPDX-License-Identifier: GPL-2.0
/* attach_btf: BTF-attached programs name their target in the kernel's BTF;
 * libbpf looks it up before loading (find_kernel_btf_id) and fails the load
 * with -ESRCH when it is absent.
 *   on_switch  (tp_btf/sched_switch)          a tracepoint both kernels have
 *   missing_tp (tp_btf/tsbpf_no_such_tp)       no btf_trace_tsbpf_no_such_tp
 *   missing_fn (fentry/tsbpf_no_such_function) no such FUNC
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int switches;

SEC("tp_btf/sched_switch")
int on_switch(unsigned long long *ctx)
{
	switches++;
	return 0;
}

SEC("tp_btf/tsbpf_no_such_tp")
int missing_tp(unsigned long long *ctx)
{
	return 0;
}

SEC("fentry/tsbpf_no_such_function")
int missing_fn(unsigned long long *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

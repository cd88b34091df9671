// A typed .ksyms variable the kernel's BTF lacks, not __weak: the load fails.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int tsbpf_no_such_var __ksym;

SEC("syscall")
int ksym_typed_strong(void *ctx)
{
	return (unsigned long)&tsbpf_no_such_var >> 63;
}

char _license[] SEC("license") = "GPL";

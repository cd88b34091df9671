// A typeless .ksyms variable the kernel lacks, not __weak: the load fails.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void tsbpf_no_such_symbol __ksym;

SEC("syscall")
int ksym_strong(void *ctx)
{
	return (unsigned long)&tsbpf_no_such_symbol >> 63;
}

char _license[] SEC("license") = "GPL";

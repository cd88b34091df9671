// A kfunc the kernel does not have: libbpf fails the load before BPF_PROG_LOAD
// ("extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs", -ESRCH).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_no_such_kfunc(void) __ksym;

SEC("tc")
int call_unknown(struct __sk_buff *skb)
{
	bpf_no_such_kfunc();
	return 0;
}

char _license[] SEC("license") = "GPL";

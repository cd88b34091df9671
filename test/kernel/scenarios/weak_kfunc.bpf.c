// A __weak kfunc the kernel does not have: libbpf poisons the call (an
// invalid helper id, 2002000000 + the extern's index), so the verifier
// refuses the program only because the call is reachable.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_no_such_kfunc(void) __ksym __weak;

SEC("tc")
int call_weak(struct __sk_buff *skb)
{
	bpf_no_such_kfunc();
	return 0;
}

char _license[] SEC("license") = "GPL";

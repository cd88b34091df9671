// A typed .ksyms variable declared with a type of another kind than the
// kernel's (bpf_prog_active is an int): libbpf refuses it before the load.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct tsbpf_counter {
	int value;
};

extern const struct tsbpf_counter bpf_prog_active __ksym;

SEC("syscall")
int ksym_incompat(void *ctx)
{
	const struct tsbpf_counter *c = bpf_this_cpu_ptr(&bpf_prog_active);

	return c->value;
}

char _license[] SEC("license") = "GPL";

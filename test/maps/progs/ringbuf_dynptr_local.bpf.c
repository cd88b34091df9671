// Only a ring buffer dynptr may be submitted: a local one is refused.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char buf[16];

SEC("syscall")
int local_submit(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";

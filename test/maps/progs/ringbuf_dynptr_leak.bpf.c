// A ring buffer dynptr whose reservation failed is still a reference: returning
// without bpf_ringbuf_discard_dynptr leaks it, and the verifier refuses.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("syscall")
int leak(void *ctx)
{
	struct bpf_dynptr d;
	__u32 v = 7;

	if (bpf_ringbuf_reserve_dynptr(&events, 8, 0, &d))
		return 1;
	bpf_dynptr_write(&d, 0, &v, 4, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";

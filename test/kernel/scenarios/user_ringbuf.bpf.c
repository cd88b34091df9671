// A user ring buffer drained by a program: samples submitted from user space
// (libbpf's user_ring_buffer__submit in the kernel runner, obj.userRingbuf()
// in tsbpf) reach the callback of bpf_user_ringbuf_drain as a dynptr; the
// callback reads them with bpf_dynptr_read / bpf_dynptr_data, echoes them to
// a kernel ring buffer and stops the drain on a sample whose first byte is
// 0xff. Counters land in .bss for `dump`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} echo SEC(".maps");

long drained, calls, sum, short_err, data_ok, data_null, sizes, bad_flags, wake_flags, nested;

struct acc {
	long sum;
	long n;
};

static long on_sample(struct bpf_dynptr *d, void *data)
{
	struct acc *a = data;
	__u64 v = 0;
	__u64 *p;
	long err;

	calls++;
	sizes = sizes * 100 + bpf_dynptr_size(d);
	err = bpf_dynptr_read(&v, sizeof(v), d, 0, 0);
	if (err) {
		/* a sample shorter than 8 bytes */
		short_err = err;
		return 0;
	}
	a->sum += v;
	a->n++;
	bpf_ringbuf_output(&echo, &v, sizeof(v), 0);
	p = bpf_dynptr_data(d, 0, sizeof(*p));
	if (!p)
		data_null++;
	else if (*p == v)
		data_ok++;
	return (v & 0xff) == 0xff ? 1 : 0;
}

/* draining the same ring from its own callback: the ring is busy */
static long on_sample_nested(struct bpf_dynptr *d, void *data)
{
	struct acc a = {};

	nested = bpf_user_ringbuf_drain(&urb, on_sample, &a, 0);
	return 1;
}

SEC("syscall")
int drain(void *ctx)
{
	struct acc a = {};

	drained = bpf_user_ringbuf_drain(&urb, on_sample, &a, 0);
	sum = a.sum;
	return a.n;
}

SEC("syscall")
int drain_flags(void *ctx)
{
	struct acc a = {};

	bad_flags = bpf_user_ringbuf_drain(&urb, on_sample, &a, 4);
	wake_flags = bpf_user_ringbuf_drain(&urb, on_sample, &a, BPF_RB_FORCE_WAKEUP);
	return a.n;
}

SEC("syscall")
int drain_nested(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, on_sample_nested, NULL, BPF_RB_NO_WAKEUP);
}

char LICENSE[] SEC("license") = "GPL";

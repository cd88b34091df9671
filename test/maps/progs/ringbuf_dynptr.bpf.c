// Ring buffer dynptrs (bpf_ringbuf_reserve_dynptr / submit_dynptr /
// discard_dynptr): records written through bpf_dynptr_write and
// bpf_dynptr_data, a discarded one skipped, and the failures (flags, a size
// the ring cannot hold) that leave a NULL dynptr the program must still
// discard. Records read back with ring_buffer__consume.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

int r_ok = 1, r_read = 1, r_flags = 1, r_null_write = 1, r_big = 1, r_discard = 1, r_data = 1, r_data_oob = 1;
unsigned int readback = 0;

SEC("syscall")
int dyn(void *ctx)
{
	struct bpf_dynptr d;
	__u32 v = 0xaabbccdd, w = 0x01020304;
	__u32 *p;

	/* a record written in two parts and read back */
	r_ok = bpf_ringbuf_reserve_dynptr(&events, 8, 0, &d);
	bpf_dynptr_write(&d, 0, &v, 4, 0);
	bpf_dynptr_write(&d, 4, &w, 4, 0);
	r_read = bpf_dynptr_read(&readback, 4, &d, 4, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);

	/* flags are refused: the dynptr is NULL, and must still be released */
	r_flags = bpf_ringbuf_reserve_dynptr(&events, 8, 1, &d);
	r_null_write = bpf_dynptr_write(&d, 0, &v, 4, 0);
	bpf_ringbuf_discard_dynptr(&d, 0);

	/* more than the ring holds */
	r_big = bpf_ringbuf_reserve_dynptr(&events, 8192, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);

	/* a discarded record is skipped by the consumer */
	r_discard = bpf_ringbuf_reserve_dynptr(&events, 4, 0, &d);
	bpf_dynptr_write(&d, 0, &w, 4, 0);
	bpf_ringbuf_discard_dynptr(&d, 0);

	/* bpf_dynptr_data: a pointer into the record */
	r_data = bpf_ringbuf_reserve_dynptr(&events, 4, 0, &d);
	p = bpf_dynptr_data(&d, 0, 4);
	if (p)
		*p = 0x11223344;
	r_data_oob = bpf_dynptr_data(&d, 2, 4) == 0;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* ringbuf: bpf_ringbuf_output and bpf_ringbuf_query on BPF_MAP_TYPE_RINGBUF.
 *   out  (syscall) records of 0..13 bytes into `events` with each wake-up
 *                  flag, a bad flag (-EINVAL), a record bigger than the ring
 *                  (-EAGAIN); query results after each step
 *   fill (syscall) 1000-byte records into the one-page `small` ring until it
 *                  is full (-EAGAIN); run again after a consume to wrap around
 *   typed (syscall) two `struct event` records (decoded with BTF by the
 *                  TypeScript consumer), the second with BPF_RB_NO_WAKEUP
 *   rsv   (syscall) bpf_ringbuf_reserve/submit/discard: a submitted record,
 *                  a discarded one (skipped by the consumer), NULL for
 *                  non-zero flags and for more than the ring, two records
 *                  reserved at once and submitted in reverse order
 * Results in .bss.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} small SEC(".maps");

volatile __u64 f_none = 0;
volatile __u64 f_nowake = BPF_RB_NO_WAKEUP;
volatile __u64 f_force = BPF_RB_FORCE_WAKEUP;
volatile __u64 f_bad = 4;

long r_out[8] = {};
long q_out[10] = {};
long fill_n = 0;
long fill_err = 0;
long fill_round = 0;
long q_fill[4] = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, unsigned char[1024]);
} scratch SEC(".maps");

static __u32 zero;

SEC("syscall")
int out(void *ctx)
{
	unsigned char *buf = bpf_map_lookup_elem(&scratch, &zero);

	if (!buf)
		return 1;
	for (int i = 0; i < 16; i++)
		buf[i] = 0xa0 + i;
	q_out[0] = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	r_out[0] = bpf_ringbuf_output(&events, buf, 0, f_none);
	r_out[1] = bpf_ringbuf_output(&events, buf, 1, f_nowake);
	r_out[2] = bpf_ringbuf_output(&events, buf, 5, f_force);
	r_out[3] = bpf_ringbuf_output(&events, buf, 8, f_none);
	r_out[4] = bpf_ringbuf_output(&events, buf, 13, f_none);
	r_out[5] = bpf_ringbuf_output(&events, buf, 4, f_bad);
	r_out[6] = bpf_ringbuf_output(&events, buf, 3, f_nowake | f_force);
	q_out[1] = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	q_out[2] = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	q_out[3] = bpf_ringbuf_query(&events, BPF_RB_CONS_POS);
	q_out[4] = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
	q_out[5] = bpf_ringbuf_query(&events, 4);
	q_out[6] = bpf_ringbuf_query(&events, f_bad << 40);
	q_out[7] = bpf_ringbuf_query(&small, BPF_RB_RING_SIZE);
	return 0;
}

SEC("syscall")
int fill(void *ctx)
{
	unsigned char *buf = bpf_map_lookup_elem(&scratch, &zero);
	long err = 0;
	int n = 0;

	if (!buf)
		return -1;
	fill_round++;
	for (int i = 0; i < 8; i++) {
		buf[0] = fill_round;
		buf[1] = i;
		buf[999] = 0xee;
		err = bpf_ringbuf_output(&small, buf, 1000, 0);
		if (err)
			break;
		n++;
	}
	fill_n = n;
	fill_err = err;
	q_fill[0] = bpf_ringbuf_query(&small, BPF_RB_AVAIL_DATA);
	q_fill[1] = bpf_ringbuf_query(&small, BPF_RB_CONS_POS);
	q_fill[2] = bpf_ringbuf_query(&small, BPF_RB_PROD_POS);
	return n;
}

struct event {
	__u32 pid;
	__u16 kind;
	__u16 flags;
	__u64 ts;
	char comm[8];
};

/* the last event sent; a global also puts struct event into the object's BTF */
struct event last_event;

SEC("syscall")
int typed(void *ctx)
{
	struct event e = { .pid = 4242, .kind = 7, .flags = 0x8001, .ts = 0x1122334455667788ULL };

	__builtin_memcpy(e.comm, "tsbpf", 6);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	e.pid++;
	e.kind = 8;
	last_event = e;
	return bpf_ringbuf_output(&events, &e, sizeof(e), f_nowake);
}

long rsv_res[8] = {};
long rsv_q[4] = {};

SEC("syscall")
int rsv(void *ctx)
{
	__u32 *a, *b;
	__u64 *d;
	unsigned char *r;

	r = bpf_ringbuf_reserve(&events, 16, 0);
	if (!r)
		return 1;
	for (int i = 0; i < 16; i++)
		r[i] = 0xc0 + i;
	bpf_ringbuf_submit(r, 0);

	d = bpf_ringbuf_reserve(&events, 8, 0);
	if (!d)
		return 2;
	*d = 0xdddddddddddddddd;
	bpf_ringbuf_discard(d, f_nowake);

	d = bpf_ringbuf_reserve(&events, 8, f_bad);
	rsv_res[0] = d == 0;
	if (d)
		bpf_ringbuf_discard(d, 0);
	r = bpf_ringbuf_reserve(&events, 9000, 0);
	rsv_res[1] = r == 0;
	if (r)
		bpf_ringbuf_discard(r, 0);

	a = bpf_ringbuf_reserve(&events, 4, 0);
	if (!a)
		return 3;
	b = bpf_ringbuf_reserve(&events, 4, 0);
	if (!b) {
		bpf_ringbuf_discard(a, 0);
		return 4;
	}
	*a = 0xaaaaaaaa;
	*b = 0xbbbbbbbb;
	rsv_q[0] = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	rsv_q[1] = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
	bpf_ringbuf_submit(b, f_force);
	bpf_ringbuf_submit(a, 0);
	rsv_q[2] = bpf_ringbuf_query(&events, BPF_RB_CONS_POS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

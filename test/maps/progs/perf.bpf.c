// SPDX-License-Identifier: GPL-2.0
/* perf: bpf_perf_event_output into a BPF_MAP_TYPE_PERF_EVENT_ARRAY from XDP
 * (the runner and tsbpf run open a one-page buffer per CPU and run on CPU 0).
 *   out   samples of 0, 1, 4, 5 and 12 bytes with BPF_F_CURRENT_CPU (the
 *         consumer sees the raw size padded so that size + 4 is a multiple
 *         of 8); an explicit index 0; an empty slot (-ENOENT), an index past
 *         max_entries (-E2BIG), flag bits past the ctx length (-EINVAL); 16
 *         packet bytes appended (BPF_F_CTXLEN_MASK) and more than the
 *         packet (-EFAULT)
 *   flood 1000-byte samples until the 4096-byte ring is full (-ENOSPC); run
 *         again after a consume: a PERF_RECORD_LOST with the count comes
 *         before the next sample
 * Results in .bss.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, unsigned char[1024]);
} scratch SEC(".maps");

volatile __u64 f_cur = BPF_F_CURRENT_CPU;
volatile __u64 f_idx0 = 0;
volatile __u64 f_empty = 5;
volatile __u64 f_big = 9;
volatile __u64 f_bad = (1ULL << 60) | BPF_F_CURRENT_CPU;
volatile __u64 f_ctx16 = (16ULL << 32) | BPF_F_CURRENT_CPU;
volatile __u64 f_ctx_huge = (4096ULL << 32) | BPF_F_CURRENT_CPU;

long r_out[12] = {};
long flood_n = 0;
long flood_err = 0;
long flood_round = 0;

static __u32 zero;

SEC("xdp")
int out(struct xdp_md *ctx)
{
	unsigned char *buf = bpf_map_lookup_elem(&scratch, &zero);

	if (!buf)
		return XDP_ABORTED;
	for (int i = 0; i < 16; i++)
		buf[i] = 0xb0 + i;
	r_out[0] = bpf_perf_event_output(ctx, &events, f_cur, buf, 0);
	r_out[1] = bpf_perf_event_output(ctx, &events, f_cur, buf, 1);
	r_out[2] = bpf_perf_event_output(ctx, &events, f_cur, buf, 4);
	r_out[3] = bpf_perf_event_output(ctx, &events, f_cur, buf, 5);
	r_out[4] = bpf_perf_event_output(ctx, &events, f_cur, buf, 12);
	r_out[5] = bpf_perf_event_output(ctx, &events, f_idx0, buf, 2);
	r_out[6] = bpf_perf_event_output(ctx, &events, f_empty, buf, 2);
	r_out[7] = bpf_perf_event_output(ctx, &events, f_big, buf, 2);
	r_out[8] = bpf_perf_event_output(ctx, &events, f_bad, buf, 2);
	r_out[9] = bpf_perf_event_output(ctx, &events, f_ctx16, buf, 3);
	r_out[10] = bpf_perf_event_output(ctx, &events, f_ctx_huge, buf, 3);
	return XDP_PASS;
}

SEC("xdp")
int flood(struct xdp_md *ctx)
{
	unsigned char *buf = bpf_map_lookup_elem(&scratch, &zero);
	long err = 0;
	int n = 0;

	if (!buf)
		return XDP_ABORTED;
	flood_round++;
	for (int i = 0; i < 6; i++) {
		buf[0] = flood_round;
		buf[1] = i;
		err = bpf_perf_event_output(ctx, &events, f_cur, buf, 1000);
		if (err)
			break;
		n++;
	}
	flood_n = n;
	flood_err = err;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

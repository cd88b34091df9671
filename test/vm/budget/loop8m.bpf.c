// SPDX-License-Identifier: GPL-2.0
/* bpf_loop at its limit (BPF_MAX_LOOPS, 8M iterations) with a callback of
 * about two dozen instructions: ~190 M instructions in one run. The kernel
 * runs it to completion; so must tsbpf, whatever its guard against runaway
 * programs. `loops` is what bpf_loop returned, `acc` a checksum of the work.
 * `over` asks for one iteration more than the limit: -E2BIG (-7). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_LOOPS (1 << 23)

struct acc {
	__u64 x;
	__u64 y;
};

long loops = 9, over = 9;
__u64 acc = 9;

static long step(__u64 i, struct acc *a)
{
	__u64 x = a->x, y = a->y;

	x = x * 0x9e3779b97f4a7c15ULL + i;
	y ^= x >> 29;
	y = (y << 7) | (y >> 57);
	x += y ^ (i << 3);
	a->x = x;
	a->y = y + (x & 0xff);
	return 0;
}

SEC("syscall")
int big(void *ctx)
{
	struct acc a = { 1, 2 };

	loops = bpf_loop(MAX_LOOPS, step, &a, 0);
	acc = a.x ^ a.y;
	return 0;
}

SEC("syscall")
int too_big(void *ctx)
{
	struct acc a = { 1, 2 };

	over = bpf_loop(MAX_LOOPS + 1, step, &a, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

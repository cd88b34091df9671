// SPDX-License-Identifier: GPL-2.0
/* counter: global data in .data and .bss, and the dump formats.
 *   count  (XDP)     hits += 1, last_len = packet length, returns XDP_PASS
 *   minus1 (syscall) returns -1: retval prints as the u32 4294967295
 *   rawtp  (raw_tp)  test-runs with zero args, returns 7
 *   kp     (kprobe), tp (tracepoint): load, but BPF_PROG_TEST_RUN answers -ENOTSUPP
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	int a;
	char b;
};

/* .data */
int base = 7;
signed char small = -3;
unsigned long long big = 0xffffffffffffffffULL; /* prints -1: every integer is signed */
short arr[3] = { 1, -2, 3 };
char name[6] = "tsbpf";
struct pair pr = { .a = 0x01020304, .b = 5 };

/* .bss */
unsigned int hits;
unsigned int last_len;
_Bool seen;
long long neg;

SEC("xdp")
int count(struct xdp_md *ctx)
{
	hits++;
	last_len = ctx->data_end - ctx->data;
	seen = 1;
	neg = -(long long)hits;
	arr[1] -= 1;
	return XDP_PASS;
}

SEC("syscall")
int minus1(void *ctx)
{
	base += 100;
	return -1;
}

SEC("raw_tp/sys_enter")
int rawtp(void *ctx)
{
	hits += 10;
	return 7;
}

SEC("kprobe/do_nanosleep")
int kp(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_enter_nanosleep")
int tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

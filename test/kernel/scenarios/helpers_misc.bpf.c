// SPDX-License-Identifier: GPL-2.0
/* helpers_misc: bpf_loop, bpf_trace_printk, the clocks, prandom and the CPU id.
 * Results in .bss (-1000: not reached). Clock values are only compared.
 *   loop   (syscall) bpf_loop: flags != 0 -> -EINVAL, nr_loops > 1<<23 -> -E2BIG
 *                    (flags checked first), 0 loops, early stop, full count
 *   loop_inline (syscall) the same with flags the constant 0: inlined, -E2BIG as a u32
 *   printk (syscall) bpf_trace_printk: lengths written, bad formats -> -EINVAL
 *   clocks (xdp: only networking programs may call ktime_get_coarse_ns) ktime_get_ns / boot_ns / coarse_ns orderings, prandom, cpu id
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

volatile __u64 loop_flags = 1;
volatile __u64 loop_zero = 0; /* 0, but unknown to the verifier: the call is not inlined */
volatile __u32 loops_big = (1 << 23) + 1;
volatile __u32 loops_huge = 0xffffffff;
volatile __u32 loops_five = 5;
volatile __u32 stop_at = 3;

long rloop[12] = {};
long calls = 0;
long rpr[10] = {};
long rclk[8] = {};

#define NR -1000

static long count_cb(__u32 i, void *c)
{
	calls++;
	return 0;
}

static long stop_cb(__u32 i, void *c)
{
	calls++;
	return i + 1 >= stop_at ? 1 : 0;
}

SEC("syscall")
int loop(void *ctx)
{
	for (int i = 0; i < 12; i++)
		rloop[i] = NR;
	calls = 0;
	rloop[0] = bpf_loop(loops_five, count_cb, 0, loop_flags);  /* -EINVAL */
	rloop[1] = calls;                                          /* 0 */
	rloop[2] = bpf_loop(loops_big, count_cb, 0, loop_zero);    /* -E2BIG */
	rloop[3] = bpf_loop(loops_huge, count_cb, 0, loop_zero);   /* -E2BIG */
	rloop[4] = bpf_loop(loops_big, count_cb, 0, loop_flags);   /* flags first: -EINVAL */
	rloop[5] = calls;                                          /* 0 */
	rloop[6] = bpf_loop(0, count_cb, 0, 0);                    /* 0 */
	rloop[7] = bpf_loop(loops_five, count_cb, 0, 0);           /* 5 */
	rloop[8] = calls;                                          /* 5 */
	rloop[9] = bpf_loop(loops_five, stop_cb, 0, 0);            /* 3: stopped by the 3rd call */
	rloop[10] = calls;                                         /* 8 */
	rloop[11] = bpf_loop(1 << 10, count_cb, 0, 0);             /* 1024 */
	return 0;
}

/* With flags the constant 0 the verifier inlines bpf_loop (optimize_bpf_loop),
 * and the inlined code sets -E2BIG with a 32-bit move: the program sees
 * 4294967289, not -7. */
long rinl[2] = {};

SEC("syscall")
int loop_inline(void *ctx)
{
	rinl[0] = bpf_loop(loops_big, count_cb, 0, 0);
	rinl[1] = bpf_loop(loops_five, count_cb, 0, 0);            /* 5 */
	return 0;
}

SEC("syscall")
int printk(void *ctx)
{
	static const char ok[] = "tsbpf %d\n";
	static const char two[] = "a=%u b=%x\n";
	static const char bad_conv[] = "bad %y\n";
	static const char four[] = "%d %d %d %d\n";
	static const char lone[] = "100%";
	static const char pct[] = "100%%\n";
	static const char nonul[4] = { 'a', 'b', 'c', 'd' };
	static const char wide[] = "%08lx|%-5d|\n";
	static const char hflag[] = "%hd\n";
	static const char str[] = "%s!\n";

	for (int i = 0; i < 10; i++)
		rpr[i] = NR;
	rpr[0] = bpf_trace_printk(ok, sizeof(ok), 42);             /* strlen("tsbpf 42\n") = 9 */
	rpr[1] = bpf_trace_printk(two, sizeof(two), 7, 255);       /* 11 */
	rpr[2] = bpf_trace_printk(bad_conv, sizeof(bad_conv), 1);  /* -EINVAL */
	rpr[3] = bpf_trace_printk(four, sizeof(four), 1, 2, 3);    /* more than 3 args: -EINVAL */
	rpr[4] = bpf_trace_printk(lone, sizeof(lone));             /* trailing '%': -EINVAL */
	rpr[5] = bpf_trace_printk(pct, sizeof(pct));               /* 5 */
	rpr[6] = bpf_trace_printk(nonul, sizeof(nonul));           /* not NUL-terminated: -EINVAL */
	rpr[7] = bpf_trace_printk(wide, sizeof(wide), 0xabc, 3);   /* 16 */
	rpr[8] = bpf_trace_printk(hflag, sizeof(hflag), 1);        /* 'h' is not accepted: -EINVAL */
	rpr[9] = bpf_trace_printk(str, sizeof(str), (long)ok);     /* %s of a kernel address */
	return 0;
}

SEC("xdp")
int clocks(struct xdp_md *ctx)
{
	__u64 m1, m2, b1, b2, c1, m3;
	__u32 r1, r2, r3, k0 = 0;
	__u32 cpu;

	m1 = bpf_ktime_get_ns();
	b1 = bpf_ktime_get_boot_ns();
	c1 = bpf_ktime_get_coarse_ns();
	m2 = bpf_ktime_get_ns();
	b2 = bpf_ktime_get_boot_ns();
	m3 = bpf_ktime_get_ns();
	rclk[0] = m2 >= m1;                 /* monotonic */
	rclk[1] = b2 >= b1;                 /* boottime is monotonic too */
	rclk[2] = b1 >= m1;                 /* boottime counts suspend: never behind */
	rclk[3] = c1 <= m3;                 /* coarse is the last tick: never ahead */
	rclk[4] = c1 <= b2;                 /* coarse monotonic <= boottime */
	r1 = bpf_get_prandom_u32();
	r2 = bpf_get_prandom_u32();
	r3 = bpf_get_prandom_u32();
	rclk[5] = r1 != r2 || r2 != r3;     /* not constant */
	cpu = bpf_get_smp_processor_id();
	/* the running CPU has a per-CPU slot, whatever the CPU count */
	rclk[6] = bpf_map_lookup_percpu_elem(&pcpu, &k0, cpu) != 0;
	rclk[7] = cpu == bpf_get_smp_processor_id(); /* no migration inside a run */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

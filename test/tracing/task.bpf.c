// SPDX-License-Identifier: GPL-2.0
/* task: the current-task and probe-read helpers from a raw tracepoint, run
 * with BPF_PROG_TEST_RUN in the kernel (current = the runner) and fired in
 * tsbpf with the same task values. Results in out[] (u64 each).
 *   out[0]  bpf_get_current_pid_tgid()
 *   out[1]  bpf_get_current_uid_gid()
 *   out[2]  bpf_get_current_comm(buf, 16) return, out[3..4] the 16 bytes
 *   out[5]  bpf_get_current_comm(buf, 4) return, out[6] the 8 bytes around it
 *   out[7]  bpf_get_current_cgroup_id()
 *   out[8]  bpf_get_current_task() is a kernel-half address (1/0)
 *   out[9]  bpf_get_numa_node_id()
 *   out[10] jiffies64 != 0, out[11] ktime_get_tai_ns > ktime_get_ns
 *   out[12..13] probe_read_kernel of our own stack: ret, value
 *   out[14..15] probe_read_kernel(8, NULL): ret, dst after (zeroed)
 *   out[16..17] probe_read_kernel of a user-range address: ret, dst after
 *   out[18..19] probe_read_user(8, NULL): ret, dst after
 *   out[20..21] probe_read_user of a kernel address: ret, dst after
 *   out[22..23] probe_read_kernel_str of a stack string: ret, first 8 bytes
 *   out[24..25] probe_read_kernel_str into 4 bytes: ret, the 8 bytes around
 *   out[26..27] probe_read_user_str(NULL): ret, dst after
 *   out[28] probe_read_kernel_str of a user address
 *   out[29..31] get_stack: size 12 -> -EINVAL, bad flags -> -EINVAL, build id w/o user -> -EINVAL
 *   out[32] get_stack(size 0) return
 *   out[33..36] bpf_strncmp against a .rodata string: equal, shorter n, greater, less
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define N 37
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, N);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

static __always_inline void put(__u32 i, __u64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

SEC("raw_tp")
int task(void *ctx)
{
	char comm[16] = {};
	char small[8];
	__u64 word, dst;
	char str[16] = "hello, tracing";
	char sdst[8];
	__u64 stk[4];

	put(0, bpf_get_current_pid_tgid());
	put(1, bpf_get_current_uid_gid());
	put(2, bpf_get_current_comm(comm, sizeof(comm)));
	put(3, *(__u64 *)&comm[0]);
	put(4, *(__u64 *)&comm[8]);
	__builtin_memset(small, 0x55, sizeof(small));
	put(5, bpf_get_current_comm(small, 4));
	put(6, *(__u64 *)small);
	put(7, bpf_get_current_cgroup_id());
	put(8, bpf_get_current_task() >= 0xffff800000000000ULL);
	put(9, bpf_get_numa_node_id());
	put(10, bpf_jiffies64() != 0);
	put(11, bpf_ktime_get_tai_ns() > bpf_ktime_get_ns());

	word = 0x1122334455667788ULL;
	dst = 0;
	put(12, bpf_probe_read_kernel(&dst, 8, &word));
	put(13, dst);
	dst = ~0ULL;
	put(14, bpf_probe_read_kernel(&dst, 8, (void *)0));
	put(15, dst);
	dst = ~0ULL;
	put(16, bpf_probe_read_kernel(&dst, 8, (void *)0x7f0000000000ULL));
	put(17, dst);
	dst = ~0ULL;
	put(18, bpf_probe_read_user(&dst, 8, (void *)0));
	put(19, dst);
	dst = ~0ULL;
	put(20, bpf_probe_read_user(&dst, 8, &word));
	put(21, dst);

	__builtin_memset(sdst, 0x55, sizeof(sdst));
	put(22, bpf_probe_read_kernel_str(sdst, sizeof(sdst), str));
	put(23, *(__u64 *)sdst);
	__builtin_memset(sdst, 0x55, sizeof(sdst));
	put(24, bpf_probe_read_kernel_str(sdst, 4, str));
	put(25, *(__u64 *)sdst);
	__builtin_memset(sdst, 0x55, sizeof(sdst));
	put(26, bpf_probe_read_user_str(sdst, sizeof(sdst), (void *)0));
	put(27, *(__u64 *)sdst);
	put(28, bpf_probe_read_kernel_str(sdst, sizeof(sdst), (void *)0x7f0000000000ULL));

	put(29, bpf_get_stack(ctx, stk, 12, 0));
	put(30, bpf_get_stack(ctx, stk, sizeof(stk), 1 << 12));
	put(31, bpf_get_stack(ctx, stk, sizeof(stk), BPF_F_USER_BUILD_ID));
	put(32, bpf_get_stack(ctx, stk, 0, 0));

	{
		static const char want[] = "hello";
		char a[8] = "hello", b[8] = "help", c[8] = "hellz", d[8] = "hela";

		put(33, bpf_strncmp(a, 6, want));
		put(34, bpf_strncmp(b, 3, want));
		put(35, bpf_strncmp(c, 5, want));
		put(36, bpf_strncmp(d, 5, want));
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

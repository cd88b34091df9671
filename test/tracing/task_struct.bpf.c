// SPDX-License-Identifier: GPL-2.0
/* task_struct: the current task's struct read CO-RE style (bpf_core_read =
 * bpf_probe_read_kernel at the target BTF's offsets) from a raw tracepoint.
 * Same runner as task.bpf.c (test/tracing/task_runner.c: prog "task", map "out").
 *   out[0..1] pid: read return, value    out[2..3] tgid: read return, value
 *   out[4..5] comm: read return, first 8 bytes    out[6] the struct's size (bpf_core_type_size)
 *   out[7] pid == bpf_get_current_pid_tgid() & 0xffffffff (1/0)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

#define N 8
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
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	int pid = -1, tgid = -1;
	__u64 comm[2] = {};

	put(0, bpf_core_read(&pid, sizeof(pid), &t->pid));
	put(1, (__u32)pid);
	put(2, bpf_core_read(&tgid, sizeof(tgid), &t->tgid));
	put(3, (__u32)tgid);
	put(4, bpf_core_read(comm, sizeof(comm), &t->comm));
	put(5, comm[0]);
	put(6, bpf_core_type_size(struct task_struct) > 24);
	put(7, (__u32)pid == (__u32)bpf_get_current_pid_tgid());
	return 0;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* task_btf: the current task's struct read through bpf_get_current_task_btf()
 * (a trusted PTR_TO_BTF_ID): plain loads the verifier checks against the
 * kernel's BTF (btf_struct_access) and runs as BPF_PROBE_MEM, including
 * pointer walks to the parent and the thread group leader (MEM_RCU pointers).
 * Same runner as task.bpf.c (test/tracing/task_runner.c: prog "task", map "out").
 *   out[0] pid   out[1] tgid   out[2] comm's first 8 bytes
 *   out[3] real_parent->tgid   out[4] real_parent->pid   out[5] group_leader->pid
 *   out[6] the pointer equals bpf_get_current_task() (1/0)
 *   out[7] pid == bpf_get_current_pid_tgid() & 0xffffffff (1/0)
 *   out[8] group_leader->tgid == tgid (1/0)
 *   out[11] cred->uid   out[12] cred->gid   out[13] real_cred->uid
 * Two more programs the runner loads but does not run (tsbpf's own tests
 * trigger them): parent_pid stores parent->pid (a plain pointer walk, no NULL
 * check needed) in out[9], task_flags stores flags in out[10].
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef struct { unsigned int val; } kuid_t;
typedef struct { unsigned int val; } kgid_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
} __attribute__((preserve_access_index));

struct task_struct {
	const struct cred *real_cred;
	const struct cred *cred;
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct task_struct *parent;
} __attribute__((preserve_access_index));

#define N 14
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
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_struct *p = t->real_parent;
	struct task_struct *l = t->group_leader;

	put(0, (__u32)t->pid);
	put(1, (__u32)t->tgid);
	put(2, *(__u64 *)t->comm);
	put(3, (__u32)p->tgid);
	put(4, (__u32)p->pid);
	put(5, (__u32)l->pid);
	put(6, (__u64)t == bpf_get_current_task());
	put(7, (__u32)t->pid == (__u32)bpf_get_current_pid_tgid());
	put(8, l->tgid == t->tgid);
	put(11, t->cred->uid.val);
	put(12, t->cred->gid.val);
	put(13, t->real_cred->uid.val);
	return 0;
}

SEC("raw_tp")
int parent_pid(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	put(9, (__u32)t->parent->pid);
	return 0;
}

SEC("raw_tp")
int task_flags(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	put(10, t->flags);
	return 0;
}

char _license[] SEC("license") = "GPL";

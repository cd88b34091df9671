// SPDX-License-Identifier: GPL-2.0
/* BTF-typed tracing contexts (btf_ctx_access) through tp_btf programs, which
 * this kernel loads (fentry needs a trampoline it refuses with -EPERM): each
 * u64 slot is the tracepoint's i-th argument, a pointer to a struct becomes a
 * trusted PTR_TO_BTF_ID walked by btf_struct_walk, scalars are scalars; reads
 * past the arguments, misaligned or narrow pointer reads and writes are
 * refused with the kernel's messages. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

typedef _Bool bool;

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct pt_regs___k {
	unsigned long di;
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

int sink;

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_pids_ok, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return prev->pid + next->tgid + preempt;
}

SEC("tp_btf/sched_switch")
int switch_parent_ok(__u64 *ctx)
{
	struct task_struct *prev = (void *)ctx[1];

	return prev->real_parent->pid;
}

SEC("tp_btf/sched_switch")
int switch_narrow_scalar_ok(void *ctx)
{
	/* arg0 (bool preempt) is a scalar: a 4-byte read of its slot is fine */
	return *(__u32 *)ctx;
}

SEC("tp_btf/sched_switch")
int switch_prev_state_ok(__u64 *ctx)
{
	/* the last argument, unsigned int prev_state */
	return ctx[3] & 0xff;
}

SEC("tp_btf/sched_switch")
int switch_past_args(__u64 *ctx)
{
	return ctx[4];
}

SEC("tp_btf/sched_switch")
int switch_misaligned(void *ctx)
{
	return *(__u32 *)(ctx + 12);
}

SEC("tp_btf/sched_switch")
int switch_narrow_ptr(void *ctx)
{
	return *(__u32 *)(ctx + 8);
}

SEC("tp_btf/sched_switch")
int switch_ctx_write(__u64 *ctx)
{
	ctx[0] = 1;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_field_write, bool preempt, struct task_struct *prev)
{
	prev->pid = 1;
	return 0;
}

SEC("tp_btf/sched_switch")
int switch_beyond_struct(__u64 *ctx)
{
	char *prev = (void *)ctx[1];

	return *(__u64 *)(prev + 32760);
}

SEC("tp_btf/sched_switch")
int switch_ptr_member_narrow(__u64 *ctx)
{
	struct task_struct *prev = (void *)ctx[1];

	return *(__u32 *)&prev->real_parent;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_ok, struct pt_regs___k *regs, long id)
{
	return regs->di + id;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_char_ptr_deref_ok, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	/* bprm->filename is a char *: read-only untrusted memory, read directly (6.18: a probe load) */
	return *bprm->filename;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_char_ptr_write, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	*(char *)bprm->filename = 0;
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_char_ptr_helper_mem, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	/* as helper memory it is memory of size 0 */
	return bpf_strncmp(bprm->filename, 4, "/bin");
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_char_ptr_probe_ok, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	char buf[16];

	return bpf_probe_read_kernel_str(buf, sizeof(buf), bprm->filename);
}

char LICENSE[] SEC("license") = "GPL";

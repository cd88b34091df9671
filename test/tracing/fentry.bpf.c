// SPDX-License-Identifier: GPL-2.0
/* fentry: BTF-attached tracing programs, libbpf-bootstrap style: the context
 * is the target's arguments, typed by its prototype in the kernel BTF, so
 * pointer arguments are read directly (name->name, prev->pid).
 *   unlink_entry (fentry/do_unlinkat)  the file name and dfd, bpf_printk'd too
 *   unlink_exit  (fexit/do_unlinkat)   the return value (the slot after the args)
 *   on_switch    (tp_btf/sched_switch) prev and next pids and comms
 *   on_exec      (tp_btf/sched_process_exec) the new image's pid and file name
 *                (its first byte read directly through the char *)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

typedef _Bool bool;
typedef int pid_t;

struct filename {
	const char *name;
} __attribute__((preserve_access_index));

struct task_struct {
	pid_t pid;
	pid_t tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

char unlinked[32];
long long unlink_dfd = -1;
long long unlink_ret = 1;
int entries, exits;
pid_t prev_pid, next_pid, exec_pid, exec_old_pid;
char next_comm[16];
char exec_file[32];
char exec_first;

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	pid_t pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("fentry: pid = %d, filename = %s", pid, name->name);
	bpf_probe_read_kernel_str(unlinked, sizeof(unlinked), name->name);
	unlink_dfd = dfd;
	entries++;
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, long ret)
{
	unlink_ret = ret;
	exits++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	prev_pid = prev->pid;
	next_pid = next->pid;
	__builtin_memcpy(next_comm, next->comm, sizeof(next_comm));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	exec_pid = p->tgid;
	exec_old_pid = old_pid;
	bpf_probe_read_kernel_str(exec_file, sizeof(exec_file), bprm->filename);
	/* a char * of a kernel object is read directly too (6.18: rdonly_untrusted_mem, a probe load) */
	exec_first = *bprm->filename;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

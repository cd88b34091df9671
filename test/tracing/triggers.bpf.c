// SPDX-License-Identifier: GPL-2.0
/* triggers: one program per tracing hook, fired from TypeScript and from
 * `tsbpf run ... fire:PROG:...` with the context the test supplies.
 *   kp      kprobe on do_sys_openat2(dfd, filename, how): the user filename
 *           (PT_REGS_PARM2 = rsi), the function ip, the attach cookie, the pid
 *   tp      tracepoint sched/sched_process_fork: parent/child pid fields
 *   rawtp   raw_tp sched_process_exit: the first argument (a task pointer), read
 *           through probe_read_kernel at offset 8
 *   fent    fentry on do_unlinkat(dfd, name): both arguments (does not load on
 *           the recording kernel: EPERM; tsbpf follows the source semantics)
 *   pe      perf_event: sample_period, addr, and the interrupted ip
 */
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

char filename[32] = {};
long fname_ret = 0;
__u64 func_ip = 0, cookie = 0, pid_tgid = 0;
__u32 parent_pid = 0, child_pid = 0;
__u64 task_word = 0;
long task_ret = 0;
__u64 fent_dfd = 0, fent_name = 0;
__u64 pe_period = 0, pe_addr = 0, pe_ip = 0;

SEC("kprobe/do_sys_openat2")
int kp(struct pt_regs *ctx)
{
	fname_ret = bpf_probe_read_user_str(filename, sizeof(filename), (void *)ctx->rsi);
	func_ip = bpf_get_func_ip(ctx);
	cookie = bpf_get_attach_cookie(ctx);
	pid_tgid = bpf_get_current_pid_tgid();
	return 0;
}

/* struct trace_event_raw_sched_process_fork: 8 bytes of common fields,
 * char parent_comm[16], pid_t parent_pid, char child_comm[16], pid_t child_pid */
struct fork_rec {
	__u64 common;
	char parent_comm[16];
	int parent_pid;
	char child_comm[16];
	int child_pid;
};

SEC("tracepoint/sched/sched_process_fork")
int tp(struct fork_rec *ctx)
{
	parent_pid = ctx->parent_pid;
	child_pid = ctx->child_pid;
	return 0;
}

SEC("raw_tp/sched_process_exit")
int rawtp(__u64 *ctx)
{
	task_ret = bpf_probe_read_kernel(&task_word, sizeof(task_word), (void *)(ctx[0] + 8));
	return 1;
}

SEC("fentry/do_unlinkat")
int fent(__u64 *ctx)
{
	fent_dfd = ctx[0];
	fent_name = ctx[1];
	return 0;
}

SEC("perf_event")
int pe(struct bpf_perf_event_data *ctx)
{
	pe_period = ctx->sample_period;
	pe_addr = ctx->addr;
	pe_ip = ctx->regs.rip;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* exec_events: process exec and exit events to user space through a ring
 * buffer, in the style of libbpf-bootstrap's "bootstrap" tool.
 *   handle_exec  tracepoint sched/sched_process_exec: pid, uid, comm and the
 *                executed file (the record's __data_loc string), remembers
 *                the exec time per pid
 *   handle_exit  tracepoint sched/sched_process_exit: for a process (not a
 *                thread) that exec'd while we watched, its lifetime since exec
 *                and its exit status (task->exit_code, read with CO-RE)
 * Only the process whose tgid is in target_tgid[0] is reported (0: all).
 * Events are reserved in the ring buffer and submitted in place.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 64

enum event_kind { EVENT_EXEC = 1, EVENT_EXIT = 2 };

struct event {
	__u32 kind;
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u64 duration_ns;
	char comm[TASK_COMM_LEN];
	char filename[MAX_FILENAME_LEN];
	__u32 exit_code;
};

/* the one field read from the kernel's task_struct; CO-RE finds its offset */
struct task_struct {
	int exit_code;
} __attribute__((preserve_access_index));

/* the tracepoint record (tracefs events/sched/sched_process_exec/format) */
struct exec_record {
	__u64 common;
	__u32 data_loc_filename;
	int pid;
	int old_pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} exec_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_tgid SEC(".maps");

static __always_inline int wanted(__u32 tgid)
{
	__u32 zero = 0;
	__u32 *want = bpf_map_lookup_elem(&target_tgid, &zero);

	return !want || *want == 0 || *want == tgid;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct exec_record *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	__u64 now = bpf_ktime_get_ns();
	struct event *e;

	if (!wanted(tgid))
		return 0;
	bpf_map_update_elem(&exec_start, &tgid, &now, BPF_ANY);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->kind = EVENT_EXEC;
	e->pid = ctx->pid;
	e->tgid = tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->duration_ns = 0;
	e->exit_code = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_str(e->filename, sizeof(e->filename), (void *)ctx + (ctx->data_loc_filename & 0xffff));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)id, tgid = id >> 32;
	struct task_struct *task;
	struct event *e;
	__u64 *start, started;

	/* a thread exiting is not the process exiting */
	if (pid != tgid || !wanted(tgid))
		return 0;
	start = bpf_map_lookup_elem(&exec_start, &tgid);
	if (!start)
		return 0;
	started = *start;
	bpf_map_delete_elem(&exec_start, &tgid);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->kind = EVENT_EXIT;
	e->pid = pid;
	e->tgid = tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->duration_ns = bpf_ktime_get_ns() - started;
	task = (struct task_struct *)bpf_get_current_task();
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->filename[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

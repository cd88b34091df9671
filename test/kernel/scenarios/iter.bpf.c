// SPDX-License-Identifier: GPL-2.0
/* iter: iterator programs load (the verifier types struct bpf_iter__task and
 * struct bpf_iter__bpf_map: meta trusted, the object trusted-or-NULL), and a
 * test run of one is refused (tracing_prog_test_run runs fentry/fexit only). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 max_entries;
	__u32 key_size;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

__u64 tasks, pids, maps, entries;

SEC("iter/task")
int count_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0)
		tasks = 0;
	tasks++;
	pids += task->pid == task->tgid;
	return 0;
}

SEC("iter/bpf_map")
int sum_entries(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	maps++;
	entries += map->max_entries + map->key_size;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

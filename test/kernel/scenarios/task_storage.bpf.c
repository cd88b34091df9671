// Task local storage on the live kernel and on tsbpf: bpf_get_current_task_btf
// gives the running task (the runner process / rt.task), whose storage
// bpf_task_storage_get creates from an initial value (or zeroed) with
// BPF_LOCAL_STORAGE_GET_F_CREATE and finds again on later runs;
// bpf_task_storage_delete removes it (-ENOENT the second time, -EINVAL for
// a NULL task); NULL for other flags, a NULL task, or no storage without
// F_CREATE. Results land in .bss for `dump`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct;

struct val {
	__u64 count;
	__u64 init;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct val);
} ts SEC(".maps");

long count, init_seen, peek_count, bad_flags, null_task, del1, del2, del_null, zero_init;

SEC("syscall")
int touch(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct val init = { .count = 0, .init = 42 };
	struct val *v = bpf_task_storage_get(&ts, t, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!v)
		return 1;
	v->count++;
	count = v->count;
	init_seen = v->init;
	return 0;
}

SEC("syscall")
int peek(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct val *v = bpf_task_storage_get(&ts, t, NULL, 0);

	peek_count = v ? (long)v->count : -1;
	bad_flags = bpf_task_storage_get(&ts, t, NULL, 2) ? 1 : 0;
	null_task = bpf_task_storage_get(&ts, NULL, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) ? 1 : 0;
	return 0;
}

SEC("syscall")
int del(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	del1 = bpf_task_storage_delete(&ts, t);
	del2 = bpf_task_storage_delete(&ts, t);
	del_null = bpf_task_storage_delete(&ts, NULL);
	return 0;
}

SEC("syscall")
int create_zeroed(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct val *v = bpf_task_storage_get(&ts, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!v)
		return 1;
	zero_init = v->init + v->count;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

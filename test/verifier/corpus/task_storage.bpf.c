// Task storage helpers and bpf_get_current_task_btf in the verifier: the
// task argument must be a task_struct BTF pointer (or NULL), not the scalar
// of bpf_get_current_task; the map must be a task storage map; the value
// argument is read as a whole map value; the result may be NULL.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct;

struct val {
	__u64 a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct val);
} ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} h SEC(".maps");

SEC("raw_tp")
int ts_ok(void *ctx)
{
	struct val *v = bpf_task_storage_get(&ts, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!v)
		return 0;
	v->a++;
	return bpf_task_storage_delete(&ts, bpf_get_current_task_btf()) == 0;
}

SEC("raw_tp")
int ts_null_task_ok(void *ctx)
{
	return bpf_task_storage_get(&ts, NULL, NULL, 0) != NULL;
}

SEC("raw_tp")
int ts_scalar_task(void *ctx)
{
	return bpf_task_storage_get(&ts, (struct task_struct *)bpf_get_current_task(), NULL, 0) != NULL;
}

SEC("raw_tp")
int ts_unchecked(void *ctx)
{
	struct val *v = bpf_task_storage_get(&ts, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);

	return v->a;
}

SEC("raw_tp")
int ts_wrong_map(void *ctx)
{
	return bpf_task_storage_get(&h, bpf_get_current_task_btf(), NULL, 0) != NULL;
}

SEC("raw_tp")
int ts_short_init(void *ctx)
{
	__u64 init = 1;

	return bpf_task_storage_get(&ts, bpf_get_current_task_btf(), &init, BPF_LOCAL_STORAGE_GET_F_CREATE) != NULL;
}

SEC("raw_tp")
int ts_delete_scalar(void *ctx)
{
	return bpf_task_storage_delete(&ts, (struct task_struct *)42);
}

SEC("raw_tp")
int ts_value_oob(void *ctx)
{
	struct val *v = bpf_task_storage_get(&ts, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!v)
		return 0;
	return ((__u64 *)v)[2];
}

SEC("xdp")
int ts_xdp(struct xdp_md *ctx)
{
	return bpf_get_current_task_btf() != NULL;
}

char LICENSE[] SEC("license") = "GPL";

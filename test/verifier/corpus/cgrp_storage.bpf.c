// Cgroup storage helpers on a cgroup reference from bpf_cgroup_from_id in
// the verifier: the reference must be released, a possibly-NULL cgroup may
// be passed (the argument is _OR_NULL), a task pointer is not a cgroup, the
// map must be a cgroup storage map.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cgroup {
	int level;
};

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct {
	__uint(type, 32 /* BPF_MAP_TYPE_CGRP_STORAGE */);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} cs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} ts SEC(".maps");

SEC("syscall")
int cg_ok(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	long *v;

	if (!cg)
		return 0;
	v = bpf_cgrp_storage_get(&cs, cg, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v)
		*v += 1;
	bpf_cgrp_storage_delete(&cs, cg);
	bpf_cgroup_release(cg);
	return 0;
}

SEC("syscall")
int cg_unreleased(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);

	if (!cg)
		return 0;
	return bpf_cgrp_storage_get(&cs, cg, NULL, 0) != NULL;
}

SEC("syscall")
int cg_maybe_null(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	long r = bpf_cgrp_storage_get(&cs, cg, NULL, 0) != NULL;

	if (cg)
		bpf_cgroup_release(cg);
	return r;
}

SEC("syscall")
int cg_task_ptr(void *ctx)
{
	return bpf_cgrp_storage_get(&cs, (struct cgroup *)bpf_get_current_task_btf(), NULL, 0) != NULL;
}

SEC("syscall")
int cg_wrong_map(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	long r;

	if (!cg)
		return 0;
	r = bpf_cgrp_storage_get(&ts, cg, NULL, 0) != NULL;
	bpf_cgroup_release(cg);
	return r;
}

SEC("syscall")
int cg_release_twice(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);

	if (!cg)
		return 0;
	bpf_cgroup_release(cg);
	bpf_cgroup_release(cg);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

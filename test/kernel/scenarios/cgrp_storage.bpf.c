// Cgroup local storage on the live kernel and on tsbpf: the program takes a
// reference on the current task's cgroup (bpf_cgroup_from_id of
// bpf_get_current_cgroup_id), creates its storage with
// BPF_LOCAL_STORAGE_GET_F_CREATE, finds it again on the next run, deletes it
// (0, then -ENOENT), and releases the cgroup; an unknown cgroup id gives
// NULL. Results land in .bss for `dump`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf matches a kfunc's BTF against the kernel's: the pointee must be a
 * struct (not a forward declaration); its members do not matter here */
struct cgroup {
	int level;
};

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct {
	__uint(type, 32 /* BPF_MAP_TYPE_CGRP_STORAGE (newer than some uapi headers) */);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} cs SEC(".maps");

long count, peek, del1, del2, unknown_cgroup, null_cgroup;

SEC("syscall")
int touch(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	long init = 10, *v;

	if (!cg)
		return 1;
	v = bpf_cgrp_storage_get(&cs, cg, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v) {
		*v += 1;
		count = *v;
	}
	bpf_cgroup_release(cg);
	return v ? 0 : 2;
}

SEC("syscall")
int look(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	struct cgroup *none = bpf_cgroup_from_id(~0ULL);
	long *v;

	unknown_cgroup = none != NULL;
	if (none)
		bpf_cgroup_release(none);
	null_cgroup = bpf_cgrp_storage_get(&cs, NULL, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) != NULL;
	if (!cg)
		return 1;
	v = bpf_cgrp_storage_get(&cs, cg, NULL, 0);
	peek = v ? *v : -1;
	bpf_cgroup_release(cg);
	return 0;
}

SEC("syscall")
int del(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());

	if (!cg)
		return 1;
	del1 = bpf_cgrp_storage_delete(&cs, cg);
	del2 = bpf_cgrp_storage_delete(&cs, cg);
	bpf_cgroup_release(cg);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* cgroup_storage: bpf_get_local_storage on BPF_MAP_TYPE_CGROUP_STORAGE and
 * PERCPU_CGROUP_STORAGE from a cgroup skb program. BPF_PROG_TEST_RUN gives
 * each run storage of its own (bpf_cgroup_storages_alloc), zeroed: what a
 * run finds there before writing is recorded in .bss.
 *   count (cgroup_skb/ingress) reads, adds and reads back both storages
 * Results in .bss.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	__u64 hits;
	__u32 bytes;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct val);
} shared SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} percpu SEC(".maps");

long runs = 0;
long seen_hits[4] = {};
long seen_pcpu[4] = {};
long after_hits[4] = {};

SEC("cgroup_skb/ingress")
int count(struct __sk_buff *skb)
{
	struct val *v = bpf_get_local_storage(&shared, 0);
	__u64 *p = bpf_get_local_storage(&percpu, 0);
	long i = runs & 3;

	seen_hits[i] = v->hits;
	seen_pcpu[i] = *p;
	v->hits += 3;
	v->bytes += 7;
	*p += 1;
	after_hits[i] = v->hits + v->bytes;
	runs++;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

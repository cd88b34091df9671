// SPDX-License-Identifier: GPL-2.0
/* cgarray: a BPF_MAP_TYPE_CGROUP_ARRAY with empty slots. bpf_skb_under_cgroup
 * and bpf_current_task_under_cgroup answer -EAGAIN for an empty slot and
 * -E2BIG past max_entries; user space updates are recorded by the update:
 * steps (a value that is not a cgroup fd, an index out of range).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cg SEC(".maps");

#define N 4
const volatile __u32 idx[N] = { 0, 1, 2, 0xffffffff };

long skb_under[N], task_under[N];

SEC("tc")
int under_tc(struct __sk_buff *skb)
{
	for (int i = 0; i < N; i++) {
		skb_under[i] = bpf_skb_under_cgroup(skb, &cg, idx[i]);
		task_under[i] = bpf_current_task_under_cgroup(&cg, idx[i]);
	}
	return 0;
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* test/timers/caps.test.ts: a socket filter that only looks a timer map up.
 * It loads without CAP_BPF as well; its map is then created without BTF
 * (BPF_BTF_LOAD needs CAP_BPF and libbpf goes on without BTF), so the map
 * has no bpf_timer field. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} tmap SEC(".maps");

SEC("socket")
int lookup_only(struct __sk_buff *skb)
{
	int key = 0;

	return bpf_map_lookup_elem(&tmap, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";

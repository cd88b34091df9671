// SPDX-License-Identifier: GPL-2.0
/* lpm_bloom: LPM trie and bloom filter from a program (XDP: sleepable
 * programs cannot use these map types).
 *   routes (xdp) builds a small IPv4 routing table with bpf_map_update_elem
 *                (NOEXIST/EXIST flags, a prefix longer than the key: -EINVAL),
 *                looks up addresses (longest prefix wins), deletes a route
 *   bloom  (xdp) pushes 8 values into a tiny zero-seed bloom filter (bad
 *                flags: -EINVAL) and peeks 32: false positives included
 * Results in .bss; the trie's keys are read back by the runner's dump of
 * nothing but .bss, so the lookups record the values found.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ipv4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipv4_key);
	__type(value, __u32);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_ZERO_SEED);
	__uint(map_extra, 2);
	__type(value, __u32);
} seen SEC(".maps");

long upd[10] = {};
long found[10] = {};
long del[3] = {};
long bloom_push[3] = {};
long bloom_peek[32] = {};

static long add(__u32 plen, __u8 a, __u8 b, __u8 c, __u8 d, __u32 val, __u64 flags)
{
	struct ipv4_key k = { .prefixlen = plen, .addr = { a, b, c, d } };

	return bpf_map_update_elem(&routes, &k, &val, flags);
}

static long find(__u8 a, __u8 b, __u8 c, __u8 d)
{
	struct ipv4_key k = { .prefixlen = 32, .addr = { a, b, c, d } };
	__u32 *v = bpf_map_lookup_elem(&routes, &k);

	return v ? *v : -1;
}

SEC("xdp")
int route(struct xdp_md *ctx)
{
	struct ipv4_key k = { .prefixlen = 24, .addr = { 10, 1, 2, 0 } };

	upd[0] = add(8, 10, 0, 0, 0, 100, BPF_ANY);
	upd[1] = add(16, 10, 1, 0, 0, 200, BPF_NOEXIST);
	upd[2] = add(24, 10, 1, 2, 0, 300, BPF_ANY);
	upd[3] = add(16, 10, 1, 0, 0, 201, BPF_NOEXIST);
	upd[4] = add(16, 10, 1, 0, 0, 202, BPF_EXIST);
	upd[5] = add(20, 10, 1, 16, 0, 400, BPF_EXIST);
	upd[6] = add(33, 10, 1, 2, 3, 500, BPF_ANY);
	upd[7] = add(0, 0, 0, 0, 0, 1, BPF_ANY);
	upd[8] = add(32, 10, 1, 2, 3, 600, 4);
	found[0] = find(10, 1, 2, 3);
	found[1] = find(10, 1, 3, 3);
	found[2] = find(10, 9, 9, 9);
	found[3] = find(11, 0, 0, 1);
	found[4] = find(10, 1, 2, 255);
	del[0] = bpf_map_delete_elem(&routes, &k);
	del[1] = bpf_map_delete_elem(&routes, &k);
	found[5] = find(10, 1, 2, 3);
	k.prefixlen = 40;
	del[2] = bpf_map_delete_elem(&routes, &k);
	return XDP_PASS;
}

SEC("xdp")
int bloom(struct xdp_md *ctx)
{
	__u32 v;

	for (__u32 i = 0; i < 8; i++) {
		v = i * 7 + 1;
		bpf_map_push_elem(&seen, &v, BPF_ANY);
	}
	v = 1;
	bloom_push[0] = bpf_map_push_elem(&seen, &v, BPF_EXIST);
	bloom_push[1] = bpf_map_push_elem(&seen, &v, BPF_NOEXIST);
	bloom_push[2] = bpf_map_push_elem(&seen, &v, BPF_ANY);
	for (__u32 i = 0; i < 32; i++) {
		v = i;
		bloom_peek[i] = bpf_map_peek_elem(&seen, &v);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

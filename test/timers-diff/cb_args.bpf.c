// SPDX-License-Identifier: GPL-2.0
/* Rule: the callback gets (map, key, value) of the element that owns the
 * timer: the callback's key is the element's key, its map is the owning map
 * (a lookup of key in it returns the value pointer it got), and its value
 * is the element's value (it reads the tag stored there).
 * Keys 7 and 1000 of a hash map, 1 ms and 2 ms.
 *   got_key[i], got_tag[i], same_ptr[i] for the i-th callback.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	__u64 tag;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct val);
} hmap SEC(".maps");

int n;
int got_key[2] = { -1, -1 };
long got_tag[2] = { -1, -1 };
int same_ptr[2] = { -1, -1 };

static int cb(void *map, __u32 *key, struct val *v)
{
	int i = n;
	struct val *again = bpf_map_lookup_elem(map, key);

	if (i < 0 || i > 1)
		return 0;
	got_key[i] = *key;
	got_tag[i] = v->tag;
	same_ptr[i] = again == v;
	n++;
	return 0;
}

static int arm_key(__u32 key, __u64 tag, __u64 delay)
{
	struct val init = { .tag = tag };
	struct val *v;

	bpf_map_update_elem(&hmap, &key, &init, BPF_ANY);
	v = bpf_map_lookup_elem(&hmap, &key);
	if (!v)
		return 1;
	bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, delay, 0);
}

SEC("syscall")
int arm(void *ctx)
{
	return arm_key(7, 0x7777, 1000000) | arm_key(1000, 0x1000, 2000000);
}

char LICENSE[] SEC("license") = "GPL";

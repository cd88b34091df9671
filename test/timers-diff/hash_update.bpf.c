// SPDX-License-Identifier: GPL-2.0
/* Rule: updating a hash element (BPF_ANY or BPF_EXIST on an existing key)
 * replaces the element and frees the old element's timer: an armed timer
 * is cancelled, and the new element's timer is uninitialized (start on it
 * -EINVAL, init 0). Prealloc hash, key 3, 5 ms.
 *   -> r_upd=0, r_start_after=-22, r_init_after=0, fired=0 after 30 ms
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	int n;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} hmap SEC(".maps");

long r_upd = 9, r_start_after = 9, r_init_after = 9;
int fired, n_after = -1;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 3;
	struct val init = { .n = 1 }, *v;

	bpf_map_update_elem(&hmap, &k, &init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&hmap, &k);
	if (!v)
		return 1;
	bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 5 * MS, 0);
}

SEC("syscall")
int upd(void *ctx)
{
	int k = 3;
	struct val nv = { .n = 42 }, *v;

	r_upd = bpf_map_update_elem(&hmap, &k, &nv, BPF_EXIST);
	v = bpf_map_lookup_elem(&hmap, &k);
	if (!v)
		return 1;
	n_after = v->n;
	r_start_after = bpf_timer_start(&v->t, 5 * MS, 0);
	r_init_after = bpf_timer_init(&v->t, &hmap, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

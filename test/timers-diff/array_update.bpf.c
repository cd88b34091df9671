// SPDX-License-Identifier: GPL-2.0
/* Rule (recorded from the kernel): what bpf_map_update_elem on an array
 * element whose timer is armed does to that timer. The update copies the
 * new value around the timer field (it never overwrites the timer) and then
 * frees the element's special fields: the armed timer is cancelled and
 * freed, so the callback does not run and the timer must be initialized
 * again (start: -EINVAL, init: 0).
 *   arm (5 ms) -> upd: r_upd, then r_start_after, r_init_after
 *   -> after 30 ms: fired
 *   the data beside the timer (`n`) takes the new value: n_after
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
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

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
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 1;
	v->n = 1;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 5 * MS, 0);
}

SEC("syscall")
int upd(void *ctx)
{
	int k = 0;
	struct val nv = { .n = 42 }, *v;

	r_upd = bpf_map_update_elem(&arr, &k, &nv, BPF_ANY);
	v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 1;
	n_after = v->n;
	r_start_after = bpf_timer_start(&v->t, 5 * MS, 0);
	r_init_after = bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

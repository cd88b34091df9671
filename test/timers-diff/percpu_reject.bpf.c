// SPDX-License-Identifier: GPL-2.0
/* Rule: a bpf_timer may not live in a per-CPU map. The kernel refuses to
 * create a BPF_MAP_TYPE_PERCPU_ARRAY whose BTF value holds a bpf_timer;
 * libbpf then retries the map creation without BTF (its fallback for old
 * kernels), which succeeds, and the program using the timer is refused by
 * the verifier: load=failed, -EINVAL,
 * "map 'pcpu' has to have BTF in order to use bpf_timer".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} pcpu SEC(".maps");

int fired;

static int cb(void *map, int *key, struct val *v)
{
	fired++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&pcpu, &k);

	if (!v)
		return 1;
	bpf_timer_init(&v->t, &pcpu, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 1000000, 0);
}

char LICENSE[] SEC("license") = "GPL";

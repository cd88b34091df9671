// SPDX-License-Identifier: GPL-2.0
/* Rule: a timer never fires early. The program stores bpf_ktime_get_ns()
 * before bpf_timer_start(2 ms); the callback computes now - armed and
 * records at_least_delay = (elapsed >= 2 ms) and under_1s = (elapsed < 1 s).
 * The raw elapsed time is not dumped (it is noise on the kernel).
 *   -> fired=1 at_least_delay=1 under_1s=1
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_timer t;
	__u64 armed;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int fired, at_least_delay = -1, under_1s = -1;

static int cb(void *map, int *key, struct val *v)
{
	__u64 elapsed = bpf_ktime_get_ns() - v->armed;

	fired++;
	at_least_delay = elapsed >= 2 * MS;
	under_1s = elapsed < 1000 * MS;
	return 0;
}

SEC("xdp")
int arm(struct xdp_md *ctx)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return XDP_ABORTED;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	v->armed = bpf_ktime_get_ns();
	bpf_timer_start(&v->t, 2 * MS, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: tracing programs cannot use bpf_timer. A raw_tp program that
 * touches a map whose value holds a bpf_timer is refused at load time
 * (check_map_prog_compatibility): load=failed, -EINVAL,
 * "tracing progs cannot use bpf_timer yet". This is why the selftest
 * rewrites run their fentry bodies as SEC("syscall") programs, not raw_tp.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

int fired;

static int cb(void *map, int *key, struct elem *val)
{
	fired++;
	return 0;
}

SEC("raw_tp/sys_enter")
int arm(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, cb);
	return bpf_timer_start(&e->t, 1000000, 0);
}

char LICENSE[] SEC("license") = "GPL";

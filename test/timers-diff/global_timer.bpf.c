// SPDX-License-Identifier: GPL-2.0
/* Rule: bpf_timer_init's second argument must be a map pointer (the map
 * that owns the timer). A struct bpf_timer as a global variable cannot name
 * its owning map (.bss) from C, and passing the variable's own address (a
 * map value) is refused by the verifier: load=failed, -EACCES,
 * "R2 type=map_value expected=map_ptr".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct bpf_timer gtimer;
int fired;
long r_init = 9, r_start = 9;

static int cb(void *map, int *key, struct bpf_timer *t)
{
	fired++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	r_init = bpf_timer_init(&gtimer, (void *)&gtimer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&gtimer, cb);
	r_start = bpf_timer_start(&gtimer, 1000000, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

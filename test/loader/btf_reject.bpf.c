// SPDX-License-Identifier: GPL-2.0
/* A bpf_timer needs the map's BTF. This object is valid; the btf_reject_*.o
 * variants beside it (written by make_btf_reject.mjs) each carry one BTF
 * fault the kernel's BTF checker refuses (vlen != 0, "Linkage not supported",
 * "Invalid btf_info", "Member bits_offset exceeds its struct size",
 * "Invalid name"). libbpf then loads the object without BTF ("BTF is
 * optional, ignoring"): the map is created without it, and the program is
 * refused: "map 'arr' has to have BTF in order to use bpf_timer".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct val {
	struct bpf_timer t;
	int x;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int armed;

static int cb(void *map, int *key, struct val *v)
{
	v->x++;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 1;
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	armed = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// GPL-only helpers from a non-GPL program.
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

SEC("xdp")
int timer_nongpl(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tmap, 1);
	return 2;
}

SEC("xdp")
int lookup_nongpl_ok(struct xdp_md *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);
	return v ? 2 : 1;
}

char _license[] SEC("license") = "Dual BSD/MIT";

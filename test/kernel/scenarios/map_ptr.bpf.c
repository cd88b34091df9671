// SPDX-License-Identifier: GPL-2.0
/* map_ptr: programs read struct bpf_map (and struct bpf_array) through a map
 * pointer, as the kernel allows (check_ptr_to_map_access), with CO-RE field
 * offsets. `fields` collects what each map's struct says; `dump` prints it.
 * The map id is left out (the kernel's ids are global counters).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* the kernel's struct bpf_map, as much of it as this test reads (CO-RE finds the offsets) */
struct bpf_map {
	enum bpf_map_type map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u64 map_extra;
	__u32 map_flags;
	int numa_node;
	__u32 btf_key_type_id;
	__u32 btf_value_type_id;
	char name[16];
	_Bool bypass_spec_v1;
	_Bool frozen;
} __attribute__((preserve_access_index));

struct bpf_array {
	struct bpf_map map;
	__u32 elem_size;
	__u32 index_mask;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u32);
} arr5 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, char[12]);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u16);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 7);
	__uint(key_size, 4);
	__uint(value_size, 24);
} lru SEC(".maps");

const volatile __u32 ro_knob = 3;

/* per map: type, key, value, max, flags, numa, btf key, btf value, name[0..3] as u32, spec, frozen, elem, mask */
#define NF 14
__u64 fields[5][NF];
__u32 knob;

static __always_inline void read_map(struct bpf_map *m, __u64 *f)
{
	f[0] = m->map_type;
	f[1] = m->key_size;
	f[2] = m->value_size;
	f[3] = m->max_entries;
	f[4] = m->map_flags;
	f[5] = (__u64)(__s64)m->numa_node;
	f[6] = m->btf_key_type_id;
	f[7] = m->btf_value_type_id;
	f[8] = *(__u32 *)m->name;
	f[9] = m->bypass_spec_v1;
	f[10] = m->frozen;
	f[11] = m->map_extra;
}

static __always_inline void read_array(struct bpf_array *a, __u64 *f)
{
	read_map(&a->map, f);
	f[12] = a->elem_size;
	f[13] = a->index_mask;
}

SEC("syscall")
int read_fields(void *ctx)
{
	read_array((struct bpf_array *)&arr5, fields[0]);
	read_array((struct bpf_array *)&pcpu, fields[1]);
	read_map((struct bpf_map *)&hash, fields[2]);
	read_map((struct bpf_map *)&lru, fields[3]);
	knob = ro_knob;
	return 0;
}

/* the last slot found from the map's own struct */
SEC("xdp")
int bounded_by_max(struct xdp_md *ctx)
{
	struct bpf_map *m = (struct bpf_map *)&arr5;
	__u32 last = m->max_entries - 1;
	__u32 *v = bpf_map_lookup_elem(&arr5, &last);

	if (v)
		*v += 40 + last;
	return last == 4 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

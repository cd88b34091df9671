// Loads through a map pointer (check_ptr_to_map_access): the kernel types
// `&map` as its map type's struct (bpf_array, bpf_htab, ...) and allows
// read-only BTF-walked loads of it.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} hmap SEC(".maps");

#define MAP_LOAD(name, map, insn)                                   \
SEC("xdp")                                                          \
__naked int name(void)                                              \
{                                                                   \
	asm volatile ("r1 = %[m] ll;" insn "r0 = 0; exit;"          \
		      :: [m] "i"(&map) : __clobber_all);           \
}

/* struct bpf_map: map_type, key_size, value_size, max_entries, map_extra, map_flags, numa_node */
MAP_LOAD(map_ptr_max_entries, arr, "r0 = *(u32 *)(r1 + 76);")
MAP_LOAD(map_ptr_key_size_hash, hmap, "r0 = *(u32 *)(r1 + 68);")
MAP_LOAD(map_ptr_map_extra_u64, hmap, "r0 = *(u64 *)(r1 + 80);")
MAP_LOAD(map_ptr_byte_of_type, arr, "r0 = *(u8 *)(r1 + 65);")
MAP_LOAD(map_ptr_numa_sx, hmap, "r0 = *(s16 *)(r1 + 104);")
MAP_LOAD(map_ptr_name_byte, arr, "r0 = *(u8 *)(r1 + 139);")
/* struct bpf_array past struct bpf_map: elem_size, index_mask */
MAP_LOAD(map_ptr_array_elem_size, arr, "r0 = *(u32 *)(r1 + 296);")
MAP_LOAD(map_ptr_array_index_mask, arr, "r0 = *(u32 *)(r1 + 300);")
/* refused: stores, negative offsets, past the struct, part of a pointer member */
MAP_LOAD(map_ptr_store_rejected, arr, "r2 = 1; *(u32 *)(r1 + 76) = r2;")
MAP_LOAD(map_ptr_store_imm_rejected, hmap, "*(u64 *)(r1 + 80) = 0;")
MAP_LOAD(map_ptr_negative_rejected, arr, "r0 = *(u32 *)(r1 - 8);")
MAP_LOAD(map_ptr_beyond_array_rejected, arr, "r0 = *(u32 *)(r1 + 312);")
MAP_LOAD(map_ptr_ptr_member_part_rejected, arr, "r0 = *(u32 *)(r1 + 44);")
MAP_LOAD(map_ptr_straddle_rejected, arr, "r0 = *(u64 *)(r1 + 76);")
MAP_LOAD(map_ptr_atomic_rejected, arr, "r2 = 1; lock *(u32 *)(r1 + 76) += r2;")

/* the loaded value is a scalar: using it as a bound is fine */
SEC("xdp")
__naked int map_ptr_bound_lookup(void)
{
	asm volatile (
	"r1 = %[arr] ll;"
	"r2 = *(u32 *)(r1 + 76);"
	"r2 += -1;"
	"*(u32 *)(r10 - 4) = r2;"
	"r2 = r10; r2 += -4;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0; exit;"
	:: __imm_addr(arr), __imm(bpf_map_lookup_elem) : __clobber_all);
}

/* ... but it is not a pointer */
SEC("xdp")
__naked int map_ptr_scalar_deref_rejected(void)
{
	asm volatile (
	"r1 = %[arr] ll;"
	"r2 = *(u32 *)(r1 + 76);"
	"r0 = *(u32 *)(r2 + 0);"
	"r0 = 0; exit;"
	:: __imm_addr(arr) : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";

// Direct packet access: data/data_end checks in both comparison forms and
// both branches, off-by-one, variable offsets, data_meta, copies sharing a
// range, writes, and packet pointers passed to helpers.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u64);
} h SEC(".maps");

SEC("xdp")
__naked int pkt_check_then_read_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 14;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u8 *)(r2 + 13);"
	"r5 = *(u16 *)(r2 + 12);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_check_reversed_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 8;"
	"r0 = 1;"
	"if r3 < r4 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_check_jlt_taken_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r4 <= r3 goto l0_%=;"
	"exit;"
	"l0_%=:"
	"r0 = *(u32 *)(r2 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_wrong_branch(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r4 <= r3 goto l0_%=;"
	"r0 = *(u32 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_off_by_one_u16(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 14;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u16 *)(r2 + 13);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_negative_off(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 14;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u8 *)(r2 - 1);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_write_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 6;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r5 = 0xff;"
	"*(u8 *)(r2 + 0) = r5;"
	"*(u32 *)(r2 + 2) = r5;"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_var_off_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r5 = *(u32 *)(r1 + 16);"
	"r5 &= 15;"
	"r2 += r5;"
	"r4 = r2;"
	"r4 += 2;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u16 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_var_off_after_check(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r5 = *(u32 *)(r1 + 16);"
	"r4 = r2;"
	"r4 += 32;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r5 &= 15;"
	"r2 += r5;"
	"r0 = *(u8 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_var_off_unbounded(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r5 = *(u32 *)(r1 + 16);"
	"r2 += r5;"
	"r4 = r2;"
	"r4 += 2;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u8 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_copy_shares_range_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r6 = r2;"
	"r4 = r2;"
	"r4 += 8;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u32 *)(r6 + 4);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_end_deref(void)
{
	asm volatile (
	"r3 = *(u32 *)(r1 + 4);"
	"r0 = *(u8 *)(r3 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_meta_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 8);"
	"r3 = *(u32 *)(r1 + 0);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u32 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_meta_no_check(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 8);"
	"r0 = *(u32 *)(r2 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_spill_keeps_range_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"*(u64 *)(r10 - 8) = r2;"
	"r2 = 0;"
	"r5 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r5 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_helper_arg_no_pkt_access(void)
{
	asm volatile (
	"r6 = r1;"
	"r2 = *(u32 *)(r6 + 0);"
	"r3 = *(u32 *)(r6 + 4);"
	"r4 = r2;"
	"r4 += 8;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r1 = r6;"
	"r3 = r2;"
	"r2 = 0;"
	"r4 = 8;"
	"call %[bpf_xdp_load_bytes];"
	"r0 = 2;"
	"l0_%=:"
	"exit;" :: __imm(bpf_xdp_load_bytes) : __clobber_all);
}

SEC("xdp")
__naked int pkt_helper_arg_too_long(void)
{
	asm volatile (
	"r6 = r1;"
	"r2 = *(u32 *)(r6 + 0);"
	"r3 = *(u32 *)(r6 + 4);"
	"r4 = r2;"
	"r4 += 8;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r1 = r6;"
	"r3 = r2;"
	"r2 = 0;"
	"r4 = 9;"
	"call %[bpf_xdp_load_bytes];"
	"r0 = 2;"
	"l0_%=:"
	"exit;" :: __imm(bpf_xdp_load_bytes) : __clobber_all);
}

SEC("tc")
__naked int tc_pkt_read_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 76);"
	"r3 = *(u32 *)(r1 + 80);"
	"r4 = r2;"
	"r4 += 20;"
	"r0 = 0;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u32 *)(r2 + 16);"
	"r0 &= 1;"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_pkt_oob(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 76);"
	"r3 = *(u32 *)(r1 + 80);"
	"r4 = r2;"
	"r4 += 20;"
	"r0 = 0;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u32 *)(r2 + 17);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_cmp_with_scalar(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r0 = 1;"
	"if r2 > 100 goto l0_%=;"
	"r0 = *(u8 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_check_jge_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r3 >= r4 goto l0_%=;"
	"exit;"
	"l0_%=:"
	"r0 = *(u32 *)(r2 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_two_checks_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 4;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u32 *)(r2 + 0);"
	"r4 = r2;"
	"r4 += 16;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 8);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_advance_ptr_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r2 += 14;"
	"r4 = r2;"
	"r4 += 20;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r0 = *(u8 *)(r2 + 9);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int pkt_lookup_key_in_packet_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 8;"
	"r0 = 1;"
	"if r4 > r3 goto l0_%=;"
	"r1 = %[h] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"l0_%=:"
	"exit;" :: __imm_addr(h), __imm(bpf_map_lookup_elem) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

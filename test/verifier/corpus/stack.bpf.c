// Stack rules: bounds, alignment, spills and fills of pointers and scalars,
// partial overwrites, variable-offset access, helper access to the stack.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, __u64);
} h8 SEC(".maps");

SEC("xdp")
__naked int stack_spill_fill_ctx_ok(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = 0;"
	"r2 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r2 + 12);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_spill_fill_const_ok(void)
{
	asm volatile (
	"r1 = 5;"
	"*(u64 *)(r10 - 16) = r1;"
	"r2 = *(u64 *)(r10 - 16);"
	"r0 = 1;"
	"if r2 == 5 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_max_depth_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 512) = r1;"
	"r0 = *(u64 *)(r10 - 512);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_uninit_read_priv_ok(void)
{
	asm volatile (
	"r0 = *(u64 *)(r10 - 256);"
	"r0 &= 1;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_narrow_read_scalar_ok(void)
{
	asm volatile (
	"r1 = *(u32 *)(r1 + 16);"
	"*(u64 *)(r10 - 8) = r1;"
	"r0 = *(u32 *)(r10 - 8);"
	"r2 = *(u16 *)(r10 - 6);"
	"r0 += r2;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_oob_read(void)
{
	asm volatile (
	"r0 = *(u64 *)(r10 - 520);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_oob_read_straddle(void)
{
	asm volatile (
	"r0 = *(u64 *)(r10 - 4);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_misaligned_read(void)
{
	asm volatile (
	"r0 = *(u32 *)(r10 - 6);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_fill_narrow_ptr(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"r0 = *(u32 *)(r10 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_spill_ptr_narrow(void)
{
	asm volatile (
	"*(u32 *)(r10 - 8) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_spill_partial_overwrite(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = 0;"
	"*(u8 *)(r10 - 8) = r2;"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r1 + 12);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_spill_overwrite_scalar(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = 0;"
	"*(u64 *)(r10 - 8) = r2;"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r1 + 12);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_var_off_write_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 7;"
	"r3 = r10;"
	"r3 += -16;"
	"r3 += r2;"
	"r0 = 0;"
	"*(u8 *)(r3 + 0) = r0;"
	"r0 = *(u8 *)(r3 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_var_off_past_top(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 15;"
	"r3 = r10;"
	"r3 += -8;"
	"r3 += r2;"
	"r0 = 0;"
	"*(u8 *)(r3 + 0) = r0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_var_off_unbounded(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r3 = r10;"
	"r3 += -8;"
	"r3 += r2;"
	"r0 = 0;"
	"*(u8 *)(r3 + 0) = r0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_var_off_read_spilled_ptr(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"*(u64 *)(r10 - 16) = r1;"
	"r2 &= 7;"
	"r3 = r10;"
	"r3 += -16;"
	"r3 += r2;"
	"r0 = *(u8 *)(r3 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_var_off_neg_oob(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 15;"
	"r3 = r10;"
	"r3 += -520;"
	"r3 += r2;"
	"r0 = *(u8 *)(r3 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_sub_var_from_fp(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 15;"
	"r3 = r10;"
	"r3 -= r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_helper_key_ok(void)
{
	asm volatile (
	"r1 = 3;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[h8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int stack_helper_key_uninit_ok(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -64;"
	"r1 = %[h8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int stack_helper_key_past_top(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -2;"
	"r1 = %[h8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int stack_helper_value_past_top(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -4;"
	"r3 = r10;"
	"r3 += -4;"
	"r1 = %[h8] ll;"
	"r4 = 0;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("xdp")
__naked int stack_helper_var_key_ok(void)
{
	asm volatile (
	"r6 = *(u32 *)(r1 + 16);"
	"r6 &= 4;"
	"r2 = r10;"
	"r2 += -16;"
	"r2 += r6;"
	"r1 = %[h8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int stack_ptr_copy_deref_ok(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -24;"
	"*(u64 *)(r10 - 8) = r2;"
	"r3 = *(u64 *)(r10 - 8);"
	"r4 = 9;"
	"*(u64 *)(r3 + 0) = r4;"
	"r0 = *(u64 *)(r10 - 24);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_write_fp_plus(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += 8;"
	"r0 = *(u64 *)(r2 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_spill_map_value_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[h8] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"*(u64 *)(r10 - 16) = r0;"
	"call %[bpf_get_prandom_u32];"
	"r1 = *(u64 *)(r10 - 16);"
	"*(u64 *)(r1 + 0) = r0;"
	"l0_%=:"
	"r0 = 0;"
	"exit;" :: __imm_addr(h8), __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int stack_narrow_zero_spill_unknown(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 8) = r1;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = *(u64 *)(r10 - 8);"
	"r0 = 1;"
	"if r2 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 0);"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_st_imm_ok(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = 7;"
	"*(u32 *)(r10 - 12) = 1;"
	"*(u16 *)(r10 - 14) = 2;"
	"*(u8 *)(r10 - 15) = 3;"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int stack_two_slots_ptrs_ok(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"*(u64 *)(r10 - 16) = r2;"
	"r3 = *(u64 *)(r10 - 16);"
	"r4 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r4 + 16);"
	"r5 = *(u64 *)(r3 - 8);"
	"exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

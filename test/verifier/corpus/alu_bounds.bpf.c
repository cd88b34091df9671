// Scalar bounds (tnum + signed/unsigned 64/32-bit ranges) through ALU ops
// and conditional jumps, checked by map value accesses at computed offsets;
// pointer arithmetic rules; uninitialized registers; division.
#include "corpus_asm.h"

struct val48 { __u64 a[6]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val48);
} arr SEC(".maps");

/* r6 = ctx, r7 = unknown u64 from the value, r8 = unknown u32 (rx_queue_index), r0 = value */
#define PROLOGUE                                \
	"r6 = r1;"                              \
	"r1 = 0;"                               \
	"*(u32 *)(r10 - 4) = r1;"               \
	"r2 = r10;"                             \
	"r2 += -4;"                             \
	"r1 = %[arr] ll;"                       \
	"call %[bpf_map_lookup_elem];"          \
	"if r0 == 0 goto l_out_%=;"             \
	"r7 = *(u64 *)(r0 + 0);"                \
	"r8 = *(u32 *)(r6 + 16);"
#define EPILOGUE "l_out_%=: r0 = 0; exit;"
#define ARGS __imm_addr(arr), __imm(bpf_map_lookup_elem)

SEC("xdp")
__naked int bounds_and_mask_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 31;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 16);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_and_mask_oob(void)
{
	asm volatile (PROLOGUE
	"r8 &= 63;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jgt_ok(void)
{
	asm volatile (PROLOGUE
	"if r8 > 40 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jgt_off_by_one(void)
{
	asm volatile (PROLOGUE
	"if r8 > 41 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_taken_side_unbounded(void)
{
	asm volatile (PROLOGUE
	"if r8 > 40 goto l_big_%=;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	"goto l_out_%=;"
	"l_big_%=:"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_taken_side_ok(void)
{
	asm volatile (PROLOGUE
	"if r8 < 8 goto l_out_%=;"
	"if r8 > 47 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 - 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_signed_both_ok(void)
{
	asm volatile (PROLOGUE
	"if r7 s> 40 goto l_out_%=;"
	"if r7 s< 0 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_signed_no_lower(void)
{
	asm volatile (PROLOGUE
	"if r7 s> 40 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_signed_negative_min(void)
{
	asm volatile (PROLOGUE
	"if r7 s> 40 goto l_out_%=;"
	"if r7 s< -8 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_signed_neg_with_off(void)
{
	asm volatile (PROLOGUE
	"if r7 s> 16 goto l_out_%=;"
	"if r7 s< -8 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jmp32_upper_unknown(void)
{
	asm volatile (PROLOGUE
	"if w7 > 40 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jmp32_zext_ok(void)
{
	asm volatile (PROLOGUE
	"w7 = w7;"
	"if w7 > 40 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_lsh_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 3;"
	"r8 <<= 3;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 16);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_lsh_oob(void)
{
	asm volatile (PROLOGUE
	"r8 &= 7;"
	"r8 <<= 3;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_mul_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 7;"
	"r8 *= 6;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 5);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_mul_oob(void)
{
	asm volatile (PROLOGUE
	"r8 &= 7;"
	"r8 *= 7;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_sub_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r1 = 40;"
	"r1 -= r8;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_sub_negative(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r1 = 8;"
	"r1 -= r8;"
	"r0 += r1;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_or_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r8 |= 32;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_or_oob(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r8 |= 48;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_rsh_ok(void)
{
	asm volatile (PROLOGUE
	"r7 >>= 59;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 16);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_rsh_oob(void)
{
	asm volatile (PROLOGUE
	"r7 >>= 58;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_reg_cmp_ok(void)
{
	asm volatile (PROLOGUE
	"r1 = 40;"
	"if r8 > r1 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jeq_const_ok(void)
{
	asm volatile (PROLOGUE
	"if r7 != 24 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u64 *)(r0 + 16);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jne_fallthrough_oob(void)
{
	asm volatile (PROLOGUE
	"if r7 != 48 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_dead_branch_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 7;"
	"if r8 > 8 goto l_bad_%=;"
	"r0 = 0;"
	"exit;"
	"l_bad_%=:"
	"r0 = *(u64 *)(r8 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_const_off_oob(void)
{
	asm volatile (PROLOGUE
	"r1 = *(u64 *)(r0 + 48);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_const_neg_off(void)
{
	asm volatile (PROLOGUE
	"r1 = *(u32 *)(r0 - 4);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_add_twice_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r0 += r8;"
	"r0 += r8;"
	"r0 += 8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_add_twice_edge_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r0 += r8;"
	"r0 += r8;"
	"r0 += 17;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_unbounded_add(void)
{
	asm volatile (PROLOGUE
	"r0 += r7;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_u32_unbounded(void)
{
	asm volatile (PROLOGUE
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_copy_refined_ok(void)
{
	asm volatile (PROLOGUE
	"r1 = r8;"
	"if r1 > 40 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_linked_delta_ok(void)
{
	asm volatile (PROLOGUE
	"r1 = r8;"
	"r1 += 0;"
	"r8 += 1;"
	"if r1 > 40 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

/* ---- pointer arithmetic ---- */

SEC("xdp")
__naked int ptr_arith_map_ptr(void)
{
	asm volatile (
	"r1 = %[arr] ll;"
	"r1 += 8;"
	"r0 = 0;"
	"exit;" :: __imm_addr(arr) : __clobber_all);
}

SEC("xdp")
__naked int scalar_zero_deref(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r1 = *(u32 *)(r1 + 0);"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_or_null_add(void)
{
	asm volatile (
	"r6 = r1;"
	"r1 = *(u32 *)(r6 + 16);"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[arr] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 += 8;"
	"r0 = 0;"
	"exit;" :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_pkt_end(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 4);"
	"r2 += 1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_32bit(void)
{
	asm volatile (
	"w1 += 4;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_mul(void)
{
	asm volatile (
	"r1 *= 2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_ptr_add_ptr(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_ptr_sub_ptr_ok(void)
{
	asm volatile (
	"r2 = r10;"
	"r3 = r10;"
	"r3 += -8;"
	"r2 -= r3;"
	"r0 = r2;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_scalar_minus_ptr(void)
{
	asm volatile (
	"r2 = 5;"
	"r2 -= r10;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_ctx_deref(void)
{
	asm volatile (
	"r1 += 4;"
	"r0 = *(u32 *)(r1 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_arith_neg_ptr(void)
{
	asm volatile (
	"r1 = -r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_cmp_ok(void)
{
	asm volatile (
	"r2 = r10;"
	"r0 = 0;"
	"if r1 > r2 goto l0_%=;"
	"r0 = 1;"
	"l0_%=:"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_store_in_map_ok(void)
{
	asm volatile (PROLOGUE
	"*(u64 *)(r0 + 0) = r10;"
	"*(u64 *)(r0 + 8) = r6;"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int ptr_return_fp(void)
{
	asm volatile (
	"r0 = r10;"
	"exit;" ::: __clobber_all);
}

/* ---- uninitialized registers, division ---- */

SEC("xdp")
__naked int uninit_src_reg(void)
{
	asm volatile (
	"r0 = 1;"
	"r0 += r3;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int uninit_after_call(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r0 = r1;"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int uninit_callee_saved_ok(void)
{
	asm volatile (
	"r6 = 7;"
	"call %[bpf_get_prandom_u32];"
	"r0 = r6;"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int uninit_store_src(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r4;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int div_by_reg_ok(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r1 = r0;"
	"r0 = 100;"
	"r0 /= r1;"
	"r2 = 7;"
	"r2 %%= r1;"
	"w0 /= w1;"
	"w2 %%= w1;"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int div_by_zero_reg_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"r0 = 100;"
	"r0 /= r1;"
	"r0 %%= r1;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int mod_by_zero_imm(void)
{
	asm volatile (
	"r0 = 100;"
	"r0 %%= 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int div_result_bounds_oob(void)
{
	asm volatile (PROLOGUE
	"r8 &= 63;"
	"r1 = 2;"
	"r8 /= r1;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_arsh_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 0xff;"
	"r8 <<= 56;"
	"r8 s>>= 59;"
	"if r8 s< 0 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_xor_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 15;"
	"r8 ^= 16;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jset_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 63;"
	"if r8 & 32 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_alu32_wrap_ok(void)
{
	asm volatile (PROLOGUE
	"w8 &= 15;"
	"w8 += -1;"
	"w8 &= 31;"
	"r0 += r8;"
	"r1 = *(u8 *)(r0 + 16);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jge_jle_ok(void)
{
	asm volatile (PROLOGUE
	"if r7 >= 44 goto l_out_%=;"
	"if r7 <= 3 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u32 *)(r0 - 4);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jsge_jsle_neg_unbounded(void)
{
	asm volatile (PROLOGUE
	"if r7 s>= 40 goto l_out_%=;"
	"if r7 s<= -9 goto l_out_%=;"
	"r0 += r7;"
	"r1 = *(u64 *)(r0 + 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_jmp32_signed_ok(void)
{
	asm volatile (PROLOGUE
	"w8 = w8;"
	"if w8 s> 40 goto l_out_%=;"
	"if w8 s< 0 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_reg_reg_both_ok(void)
{
	asm volatile (PROLOGUE
	"r1 = r8;"
	"r1 &= 31;"
	"r2 = r7;"
	"if r2 > r1 goto l_out_%=;"
	"r0 += r2;"
	"r1 = *(u64 *)(r0 + 8);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_spill_keeps_bounds_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 31;"
	"*(u64 *)(r10 - 16) = r8;"
	"r8 = *(u32 *)(r6 + 12);"
	"r8 = *(u64 *)(r10 - 16);"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int bounds_movsx_ok(void)
{
	asm volatile (PROLOGUE
	"r8 &= 0x7f;"
	".8byte %[movsx];"
	"if r8 > 40 goto l_out_%=;"
	"r0 += r8;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS, [movsx] "i"(RAW(0xbf, 8, 8, 8, 0)) : __clobber_all);
}

SEC("xdp")
__naked int bounds_const_fold_ok(void)
{
	asm volatile (PROLOGUE
	"r1 = 3;"
	"r1 *= 5;"
	"r1 <<= 1;"
	"r1 -= 2;"
	"r1 |= 4;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int ptr_map_value_adjust_back_ok(void)
{
	asm volatile (PROLOGUE
	"r0 += 40;"
	"r0 += -32;"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 -= 8;"
	"r1 = *(u64 *)(r0 + 40);"
	EPILOGUE :: ARGS : __clobber_all);
}

SEC("xdp")
__naked int ptr_fp_arith_ok(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -64;"
	"r1 += 32;"
	"r2 = 5;"
	"*(u64 *)(r1 + 0) = r2;"
	"r0 = *(u64 *)(r10 - 32);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int ptr_bswap_ok(void)
{
	asm volatile (
	"r0 = r10;"
	"r0 = be64 r0;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

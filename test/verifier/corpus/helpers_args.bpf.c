// Helper calls checked by prototype: map pointer and key/value sizes,
// ARG_PTR_TO_MEM with its size argument, map type compatibility, helpers a
// program type cannot use, null checks of lookup results, return values.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u64);
} hk8 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} q SEC(".maps");

#define HK8 __imm_addr(hk8)

SEC("xdp")
__naked int helper_lookup_update_delete_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"*(u64 *)(r10 - 16) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = r10;"
	"r3 += -16;"
	"r4 = 0;"
	"call %[bpf_map_update_elem];"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_delete_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_update_elem), __imm(bpf_map_delete_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_key_too_small(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -4;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_key_is_ctx(void)
{
	asm volatile (
	"r2 = r1;"
	"r1 = %[hk8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_key_null(void)
{
	asm volatile (
	"r2 = 0;"
	"r1 = %[hk8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_map_arg_not_map(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -8;"
	"r1 = r10;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_arg_uninit(void)
{
	asm volatile (
	"r1 = %[hk8] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_key_from_map_value_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r2 = r0;"
	"r1 = %[hk8] ll;"
	"call %[bpf_map_lookup_elem];"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_null_check_copy_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"r6 = r0;"
	"*(u64 *)(r10 - 16) = r0;"
	"if r6 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"r7 = *(u64 *)(r10 - 16);"
	"r0 = *(u64 *)(r7 + 0);"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_null_check_other_lookup(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"r6 = r0;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r6 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_or_null_store(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"r1 = 1;"
	"*(u64 *)(r0 + 0) = r1;"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_null_branch_deref(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 != 0 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_printk_ok(void)
{
	asm volatile (
	"r1 = 0x0a7825;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 8;"
	"r3 = 5;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_size_past_top(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 16;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_size_zero(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_size_unbounded(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r1 = r10;"
	"r1 += -64;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_size_bounded_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 63;"
	"r2 += 1;"
	"r1 = r10;"
	"r1 += -64;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_size_negative(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 63;"
	"r2 -= 8;"
	"r1 = r10;"
	"r1 += -64;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_mem_is_scalar(void)
{
	asm volatile (
	"r1 = 0;"
	"r2 = 8;"
	"call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;" :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_push_into_hash(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 0;"
	"call %[bpf_map_push_elem];"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_push_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_lookup_in_queue(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[q] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;" :: __imm_addr(q), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_queue_push_pop_ok(void)
{
	asm volatile (
	"r1 = 5;"
	"*(u32 *)(r10 - 4) = r1;"
	"r1 = %[q] ll;"
	"r2 = r10;"
	"r2 += -4;"
	"r3 = 0;"
	"call %[bpf_map_push_elem];"
	"r1 = %[q] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_pop_elem];"
	"r0 = 2;"
	"exit;" :: __imm_addr(q), __imm(bpf_map_push_elem), __imm(bpf_map_pop_elem) : __clobber_all);
}

SEC("tc")
__naked int helper_xdp_only_in_tc(void)
{
	asm volatile (
	"call %[bpf_xdp_get_buff_len];"
	"r0 = 0;"
	"exit;" :: __imm(bpf_xdp_get_buff_len) : __clobber_all);
}

SEC("socket")
__naked int helper_xdp_only_in_socket(void)
{
	asm volatile (
	"r2 = 0;"
	"call %[bpf_xdp_adjust_head];"
	"r0 = 0;"
	"exit;" :: __imm(bpf_xdp_adjust_head) : __clobber_all);
}

SEC("xdp")
__naked int helper_ctx_arg_modified(void)
{
	asm volatile (
	"r1 += 4;"
	"r2 = 0;"
	"call %[bpf_xdp_adjust_head];"
	"r0 = 0;"
	"exit;" :: __imm(bpf_xdp_adjust_head) : __clobber_all);
}

SEC("xdp")
__naked int helper_ret_unknown_ok(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r0 &= 3;"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int helper_update_value_from_map_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r3 = r0;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"r4 = 0;"
	"call %[bpf_map_update_elem];"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_null_check_jne_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 != 0 goto l0_%=;"
	"r0 = 2;"
	"exit;"
	"l0_%=:"
	"r0 = *(u64 *)(r0 + 0);"
	"r0 &= 3;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int helper_printk_map_value_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = 8;"
	"call %[bpf_trace_printk];"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm(bpf_map_lookup_elem), __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__naked int helper_xdp_load_bytes_stack_ok(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -16;"
	"r4 = 16;"
	"call %[bpf_xdp_load_bytes];"
	"r0 = *(u64 *)(r10 - 16);"
	"r0 &= 3;"
	"exit;" :: __imm(bpf_xdp_load_bytes) : __clobber_all);
}

SEC("xdp")
__naked int helper_ktime_smp_ok(void)
{
	asm volatile (
	"call %[bpf_ktime_get_ns];"
	"r6 = r0;"
	"call %[bpf_get_smp_processor_id];"
	"r0 += r6;"
	"r0 &= 3;"
	"exit;" :: __imm(bpf_ktime_get_ns), __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("xdp")
__naked int helper_queue_peek_into_map_value_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[hk8] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r2 = r0;"
	"r1 = %[q] ll;"
	"call %[bpf_map_peek_elem];"
	"l0_%=:"
	"r0 = 2;"
	"exit;" :: HK8, __imm_addr(q), __imm(bpf_map_lookup_elem), __imm(bpf_map_peek_elem) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

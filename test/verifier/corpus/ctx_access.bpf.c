// Context access rules per program type: struct xdp_md and struct __sk_buff
// (tc and socket filter), reads and writes, narrow and wide loads, offsets.
#include "corpus_asm.h"

SEC("xdp")
__naked int xdp_ctx_fields_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = *(u32 *)(r1 + 8);"
	"r0 = *(u32 *)(r1 + 12);"
	"r5 = *(u32 *)(r1 + 16);"
	"r0 += r5;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_egress_ifindex(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 20);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_write(void)
{
	asm volatile (
	"r2 = 1;"
	"*(u32 *)(r1 + 12) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_narrow_load(void)
{
	asm volatile (
	"r0 = *(u8 *)(r1 + 12);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_wide_load(void)
{
	asm volatile (
	"r0 = *(u64 *)(r1 + 8);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_misaligned(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 14);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_negative_off(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 - 4);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_var_off(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 4;"
	"r1 += r2;"
	"r0 = *(u32 *)(r1 + 12);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_st_imm(void)
{
	asm volatile (
	"*(u32 *)(r1 + 16) = 0;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_reads_ok(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 0);"
	"r2 = *(u32 *)(r1 + 8);"
	"r3 = *(u32 *)(r1 + 16);"
	"r4 = *(u32 *)(r1 + 48);"
	"r5 = *(u32 *)(r1 + 36);"
	"r2 = *(u32 *)(r1 + 72);"
	"r3 = *(u32 *)(r1 + 76);"
	"r4 = *(u32 *)(r1 + 80);"
	"r5 = *(u64 *)(r1 + 152);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_narrow_reads_ok(void)
{
	asm volatile (
	"r0 = *(u8 *)(r1 + 0);"
	"r2 = *(u16 *)(r1 + 10);"
	"r3 = *(u8 *)(r1 + 51);"
	"r4 = *(u16 *)(r1 + 16);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_writes_ok(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u32 *)(r1 + 8) = r2;"
	"*(u32 *)(r1 + 32) = r2;"
	"*(u32 *)(r1 + 44) = r2;"
	"*(u32 *)(r1 + 48) = r2;"
	"*(u32 *)(r1 + 64) = r2;"
	"*(u32 *)(r1 + 72) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_write_protocol(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u32 *)(r1 + 16) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_write_hash(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u32 *)(r1 + 36) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_narrow_write_mark(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u8 *)(r1 + 8) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_narrow_data(void)
{
	asm volatile (
	"r0 = *(u16 *)(r1 + 76);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_past_end(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 192);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_family(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 88);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_wire_len_ok(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 176);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_tstamp_narrow(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 152);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_write_tstamp_ok(void)
{
	asm volatile (
	"r2 = 0;"
	"*(u64 *)(r1 + 152) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_reads_ok(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 0);"
	"r2 = *(u32 *)(r1 + 8);"
	"r3 = *(u32 *)(r1 + 16);"
	"r4 = *(u32 *)(r1 + 48);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_cb_write_ok(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u32 *)(r1 + 52) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_write_mark(void)
{
	asm volatile (
	"r2 = 7;"
	"*(u32 *)(r1 + 8) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_tc_classid(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 72);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_tstamp(void)
{
	asm volatile (
	"r0 = *(u64 *)(r1 + 152);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__naked int sock_ctx_wire_len(void)
{
	asm volatile (
	"r0 = *(u32 *)(r1 + 176);"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_data_meta_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 140);"
	"r3 = *(u32 *)(r1 + 76);"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("tc")
__naked int tc_ctx_queue_mapping_ok(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 12);"
	"r0 = *(u32 *)(r1 + 20);"
	"r3 = *(u32 *)(r1 + 24);"
	"r4 = *(u32 *)(r1 + 40);"
	"r5 = *(u32 *)(r1 + 44);"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ctx_copy_ptr_ok(void)
{
	asm volatile (
	"r6 = r1;"
	"r7 = r6;"
	"r0 = *(u32 *)(r7 + 16);"
	"r2 = *(u32 *)(r6 + 12);"
	"r0 += r2;"
	"exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

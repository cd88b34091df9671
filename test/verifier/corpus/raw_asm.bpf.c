// Hand-encoded instructions: reserved fields, unknown opcodes, ld_imm64
// forms, jumps out of range or into an ld_imm64, shifts, and valid v4
// encodings (bswap, sdiv, movsx, gotol).
#include "corpus_asm.h"

#define R(name, ...) [name] "i"(RAW(__VA_ARGS__))

SEC("xdp")
__naked int raw_alu_reserved_src(void)
{
	/* r0 += 1 with src_reg = 1 */
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x07, 0, 1, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_alu_reserved_off(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x07, 0, 0, 3, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_ldx_reserved_imm(void)
{
	/* r0 = *(u64 *)(r10 - 8) with imm = 1 */
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; .8byte %[i];" "exit;" :: R(i, 0x79, 0, 10, -8, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_stx_reserved_imm(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x7b, 10, 0, -8, 5) : __clobber_all);
}

SEC("xdp")
__naked int raw_st_reserved_src(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x7a, 10, 1, -8, 5) : __clobber_all);
}

SEC("xdp")
__naked int raw_exit_reserved_imm(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" :: R(i, 0x95, 0, 0, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_jmp_reserved_src(void)
{
	/* if r0 == 0 goto +0 with src_reg = 2 (BPF_K) */
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x15, 0, 2, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_call_reserved_off(void)
{
	asm volatile (".8byte %[i];" "r0 = 0; exit;" :: R(i, 0x85, 0, 0, 1, 7) : __clobber_all);
}

SEC("xdp")
__naked int raw_ja_reserved_imm(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x05, 0, 0, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_unknown_alu_op(void)
{
	/* ALU64 op 0xe0 (unassigned) */
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0xe7, 0, 0, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_unknown_jmp_op(void)
{
	/* JMP op 0xf0 (unassigned) */
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0xf5, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_unknown_class_mode(void)
{
	/* LDX with mode BPF_IMM (0x00) */
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x01, 0, 10, -8, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_ld_abs_in_xdp(void)
{
	asm volatile ("r6 = r1; .8byte %[i];" "exit;" :: R(i, 0x20, 0, 0, 0, 12) : __clobber_all);
}

SEC("xdp")
__naked int raw_ld_imm64_ok(void)
{
	asm volatile (
	"r0 = 0x1234567800000001 ll;"
	"r0 &= 1;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int raw_ld_imm64_bad_src(void)
{
	asm volatile ("r0 = 0; .8byte %[a]; .8byte %[b];" "exit;" :: R(a, 0x18, 1, 7, 0, 1), R(b, 0, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_ld_imm64_bad_second(void)
{
	asm volatile ("r0 = 0; .8byte %[a]; .8byte %[b];" "exit;" :: R(a, 0x18, 1, 0, 0, 1), R(b, 0x07, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_ld_imm64_last(void)
{
	asm volatile ("r0 = 0; exit; .8byte %[a];" :: R(a, 0x18, 1, 0, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int raw_ld_imm64_bad_map_fd(void)
{
	asm volatile (".8byte %[a]; .8byte %[b];" "r0 = 0; exit;" :: R(a, 0x18, 1, 1, 0, 999), R(b, 0, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_jump_out_of_range(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0x05, 0, 0, 100, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_jump_into_ld_imm64(void)
{
	asm volatile (
	"r0 = 0;"
	"if r1 == 0 goto +1;"
	"r2 = 0x100000000 ll;"
	"exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int raw_shift_too_big(void)
{
	asm volatile ("r0 = 1; .8byte %[i];" "exit;" :: R(i, 0x67, 0, 0, 0, 64) : __clobber_all);
}

SEC("xdp")
__naked int raw_shift32_too_big(void)
{
	asm volatile ("w0 = 1; .8byte %[i];" "exit;" :: R(i, 0x64, 0, 0, 0, 32) : __clobber_all);
}

SEC("xdp")
__naked int raw_r11_dst(void)
{
	asm volatile ("r0 = 0; .8byte %[i];" "exit;" :: R(i, 0xb7, 11, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_bswap_sdiv_movsx_ok(void)
{
	asm volatile (
	"r0 = 0x1234;"
	".8byte %[bswap];"
	".8byte %[sdiv];"
	".8byte %[movsx];"
	"r0 &= 1;"
	"exit;" :: R(bswap, 0xd7, 0, 0, 0, 16), R(sdiv, 0x37, 0, 0, 1, 3), R(movsx, 0xbf, 0, 0, 8, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_gotol_ok(void)
{
	asm volatile ("r0 = 1; if r1 == 0 goto +1; .8byte %[i]; r0 = 2; exit;" :: R(i, 0x06, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_end_bad_width(void)
{
	asm volatile ("r0 = 1; .8byte %[i]; exit;" :: R(i, 0xd4, 0, 0, 0, 24) : __clobber_all);
}

SEC("xdp")
__naked int raw_movsx_bad_off(void)
{
	asm volatile ("r0 = 1; .8byte %[i]; exit;" :: R(i, 0xbf, 0, 0, 24, 0) : __clobber_all);
}

SEC("xdp")
__naked int raw_atomic_bad_op(void)
{
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r0 = 1; .8byte %[i]; exit;" :: R(i, 0xdb, 10, 0, -8, 0x30) : __clobber_all);
}

SEC("xdp")
__naked int raw_atomic_add_ok(void)
{
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r0 = 1; .8byte %[i]; exit;" :: R(i, 0xdb, 10, 0, -8, 0x00) : __clobber_all);
}

SEC("xdp")
__naked int raw_sdiv_by_zero_imm(void)
{
	asm volatile ("r0 = 1; .8byte %[i]; exit;" :: R(i, 0x37, 0, 0, 1, 0) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

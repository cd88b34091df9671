// may_goto (BPF_JCOND), load-acquire / store-release (BPF_ATOMIC with
// BPF_LOAD_ACQ / BPF_STORE_REL) and movsx of pointers, hand-encoded where
// clang-19 has no syntax for them (RAW slots, see corpus_asm.h).
#include "corpus_asm.h"

#define R(name, ...) [name] "i"(RAW(__VA_ARGS__))
#define MAY_GOTO(off) RAW(0xe5, 0, 0, off, 0)
#define JA(off) RAW(0x05, 0, 0, off, 0)
/* BPF_STX | BPF_ATOMIC | size; imm 0x100 load-acquire (dst = *(src + off)), 0x110 store-release (*(dst + off) = src) */
#define LOAD_ACQ(sz, dst, src, off) RAW(0xc3 | (sz), dst, src, off, 0x100)
#define STORE_REL(sz, dst, src, off) RAW(0xc3 | (sz), dst, src, off, 0x110)
#define W 0x00
#define H 0x08
#define B 0x10
#define DW 0x18

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
} ordmap SEC(".maps");

/* ---- may_goto ---- */

SEC("xdp")
__naked int mg_count_loop(void)
{
	/* r0 = 0; loop: may_goto +2; r0 += 1; goto loop; exit */
	asm volatile ("r0 = 0; .8byte %[mg]; r0 += 1; .8byte %[ja]; exit;"
		      :: R(mg, 0xe5, 0, 0, 2, 0), R(ja, 0x05, 0, 0, -3, 0) : __clobber_all);
}

SEC("xdp")
__naked int mg_off_zero(void)
{
	asm volatile ("r0 = 0; .8byte %[mg]; exit;" :: R(mg, 0xe5, 0, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int mg_bad_imm(void)
{
	asm volatile ("r0 = 0; .8byte %[mg]; exit;" :: R(mg, 0xe5, 0, 0, 0, 1) : __clobber_all);
}

SEC("xdp")
__naked int mg_bad_dst(void)
{
	asm volatile ("r0 = 0; .8byte %[mg]; exit;" :: R(mg, 0xe5, 1, 0, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int mg_bad_src(void)
{
	asm volatile ("r0 = 0; .8byte %[mg]; exit;" :: R(mg, 0xe5, 0, 1, 0, 0) : __clobber_all);
}

SEC("xdp")
__naked int mg_jmp32_unknown(void)
{
	asm volatile ("r0 = 0; .8byte %[mg]; exit;" :: R(mg, 0xe6, 0, 0, 0, 0) : __clobber_all);
}

/* a counted walk over the 8 bytes of a map value: the index is checked, so precise */
SEC("xdp")
__naked int mg_map_walk_ok(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	"r6 = r0; r7 = 0;"
	".8byte %[mg];"                  /* may_goto +7 (to 1f) */
	"if r7 >= 8 goto 1f;"
	"r1 = r6; r1 += r7; r2 = 1; *(u8 *)(r1 + 0) = r2;"
	"r7 += 1;"
	".8byte %[ja];"                  /* back to may_goto */
	"1: r0 = 2; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(mg, 0xe5, 0, 0, 7, 0), R(ja, 0x05, 0, 0, -8, 0)
	: __clobber_all);
}

/* the same walk one byte too far */
SEC("xdp")
__naked int mg_map_walk_oob(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	"r6 = r0; r7 = 0;"
	".8byte %[mg];"
	"if r7 > 8 goto 1f;"
	"r1 = r6; r1 += r7; r2 = 1; *(u8 *)(r1 + 0) = r2;"
	"r7 += 1;"
	".8byte %[ja];"
	"1: r0 = 2; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(mg, 0xe5, 0, 0, 7, 0), R(ja, 0x05, 0, 0, -8, 0)
	: __clobber_all);
}

/* no bound at all: only may_goto ends the loop, and the index walks off the value */
SEC("xdp")
__naked int mg_map_walk_unbounded(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	"r6 = r0; r7 = 0;"
	".8byte %[mg];"
	"r1 = r6; r1 += r7; r2 = 1; *(u8 *)(r1 + 0) = r2;"
	"r7 += 1;"
	".8byte %[ja];"
	"1: r0 = 2; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(mg, 0xe5, 0, 0, 6, 0), R(ja, 0x05, 0, 0, -7, 0)
	: __clobber_all);
}

/* an imprecise counter kept on the stack converges (widened to unknown) */
SEC("xdp")
__naked int mg_stack_counter(void)
{
	asm volatile (
	"r0 = 0; *(u64 *)(r10 - 8) = r0;"
	".8byte %[mg];"
	"r1 = *(u64 *)(r10 - 8); r1 += 1; *(u64 *)(r10 - 8) = r1;"
	".8byte %[ja];"
	"r0 = *(u64 *)(r10 - 8); r0 &= 1; exit;"
	:: R(mg, 0xe5, 0, 0, 4, 0), R(ja, 0x05, 0, 0, -5, 0) : __clobber_all);
}

/* ---- load-acquire / store-release ---- */

SEC("xdp")
__naked int acq_rel_stack_ok(void)
{
	asm volatile ("r1 = 5; .8byte %[st]; .8byte %[ld]; exit;"
		      :: R(st, 0xdb, 10, 1, -8, 0x110), R(ld, 0xdb, 0, 10, -8, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int acq_rel_byte_half_ok(void)
{
	asm volatile ("r1 = 7; .8byte %[sb]; .8byte %[sh]; .8byte %[lb]; .8byte %[lh]; r0 += r2; exit;"
		      :: R(sb, 0xd3, 10, 1, -1, 0x110), R(sh, 0xcb, 10, 1, -4, 0x110),
			 R(lb, 0xd3, 0, 10, -1, 0x100), R(lh, 0xcb, 2, 10, -4, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int acq_ctx_reject(void)
{
	asm volatile (".8byte %[ld]; exit;" :: R(ld, 0xc3, 0, 1, 0, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int acq_ctx_bad_off_reject(void)
{
	/* the pointer kind is checked before the offset */
	asm volatile (".8byte %[ld]; exit;" :: R(ld, 0xc3, 0, 1, 200, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int rel_ctx_reject(void)
{
	/* a store checks the access first */
	asm volatile ("r2 = 1; .8byte %[st]; r0 = 0; exit;" :: R(st, 0xc3, 1, 2, 0, 0x110) : __clobber_all);
}

SEC("xdp")
__naked int acq_map_value_ok(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	".8byte %[ld]; r0 = 0; exit;"
	"1: r0 = 1; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(ld, 0xc3, 1, 0, 4, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int acq_map_value_misaligned(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	".8byte %[ld]; r0 = 0; exit;"
	"1: r0 = 1; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(ld, 0xc3, 1, 0, 2, 0x100) : __clobber_all);
}

SEC("xdp")
__naked int rel_pkt_misaligned(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4);"
	"r4 = r2; r4 += 8; if r4 > r3 goto 1f;"
	"r5 = 7; r2 += 2; .8byte %[st];"
	"1: r0 = 2; exit;"
	:: R(st, 0xdb, 2, 5, 0, 0x110) : __clobber_all);
}

SEC("xdp")
__naked int acq_pkt_reject(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4);"
	"r4 = r2; r4 += 8; if r4 > r3 goto 1f;"
	".8byte %[ld];"
	"1: r0 = 2; exit;"
	:: R(ld, 0xc3, 0, 2, 0, 0x100) : __clobber_all);
}

/* a pointer stored with store-release and read back with load-acquire is a spill and a fill */
SEC("xdp")
__naked int acq_rel_spill_fill_ok(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[ordmap] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	".8byte %[st]; .8byte %[ld]; r0 = *(u64 *)(r2 + 0); r0 &= 1; exit;"
	"1: r0 = 1; exit;"
	:: __imm_addr(ordmap), __imm(bpf_map_lookup_elem), R(st, 0xdb, 10, 0, -16, 0x110), R(ld, 0xdb, 2, 10, -16, 0x100)
	: __clobber_all);
}

SEC("xdp")
__naked int rel_uninit_src(void)
{
	asm volatile (".8byte %[st]; r0 = 0; exit;" :: R(st, 0xdb, 10, 3, -8, 0x110) : __clobber_all);
}

SEC("xdp")
__naked int rel_fp_dst_ok_ld_fp_reject(void)
{
	/* r10 as the destination of load-acquire */
	asm volatile ("r1 = 1; *(u64 *)(r10 - 8) = r1; .8byte %[ld]; r0 = 0; exit;" :: R(ld, 0xdb, 10, 10, -8, 0x100) : __clobber_all);
}

/* ---- movsx of pointers (allow_ptr_leaks: an unknown scalar) ---- */

SEC("xdp")
__naked int movsx_stack_ptr_ok(void)
{
	asm volatile ("r1 = r10; r1 += -8; .8byte %[mx]; r0 = 0; exit;" :: R(mx, 0xbf, 2, 1, 32, 0) : __clobber_all);
}

SEC("xdp")
__naked int movsx32_fp_ok(void)
{
	asm volatile (".8byte %[mx]; r0 = 0; exit;" :: R(mx, 0xbc, 2, 10, 8, 0) : __clobber_all);
}

SEC("xdp")
__naked int movsx_stack_ptr_deref(void)
{
	asm volatile ("r1 = r10; r1 += -8; .8byte %[mx]; *(u8 *)(r2 + 0) = 0; r0 = 0; exit;" :: R(mx, 0xbf, 2, 1, 32, 0) : __clobber_all);
}

SEC("xdp")
__naked int movsx_ctx_ptr_ok(void)
{
	asm volatile (".8byte %[mx]; r0 = 0; exit;" :: R(mx, 0xbf, 2, 1, 16, 0) : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";

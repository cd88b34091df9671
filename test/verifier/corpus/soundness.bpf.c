// Unsound acceptances found by the differential campaign of issue #11 (the
// kernel rejects, tsbpf accepted), each beside the accepted neighbour that
// shows where the kernel's line is.
#include "corpus_asm.h"

#define R(name, ...) [name] "i"(RAW(__VA_ARGS__))

struct val16 { __u64 a, b; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val16);
} vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

const volatile __u64 ro_limit = 64;

/* stack accesses are always strictly aligned, variable offsets too */
SEC("xdp")
__naked int sound_varoff_stack_misaligned(void)
{
	asm volatile (
	"r1 = 0; *(u64 *)(r10 - 64) = r1; *(u64 *)(r10 - 56) = r1;"
	"call %[bpf_get_prandom_u32];"
	"r0 &= 7; r1 = r10; r1 += -64; r1 += r0;"
	"r2 = *(u16 *)(r1 + 0);"
	"r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int sound_varoff_stack_aligned(void)
{
	asm volatile (
	"r1 = 0; *(u64 *)(r10 - 64) = r1; *(u64 *)(r10 - 56) = r1;"
	"call %[bpf_get_prandom_u32];"
	"r0 &= 6; r1 = r10; r1 += -64; r1 += r0;"
	"r2 = *(u16 *)(r1 + 0);"
	"r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* atomics are always strictly aligned */
SEC("xdp")
__naked int sound_atomic_map_value_misaligned(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[vals] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	"r1 = 1; lock *(u32 *)(r0 + 2) += r1;"
	"1: r0 = 0; exit;" :: __imm_addr(vals), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__naked int sound_atomic_map_value_aligned(void)
{
	asm volatile (
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4;"
	"r1 = %[vals] ll; call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 1f;"
	"r1 = 1; lock *(u32 *)(r0 + 4) += r1;"
	"1: r0 = 0; exit;" :: __imm_addr(vals), __imm(bpf_map_lookup_elem) : __clobber_all);
}

/* a packet pointer past MAX_PACKET_OFF gets no range from a data_end check */
SEC("xdp")
__naked int sound_pkt_const_off_over_max(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4);"
	"r2 += 0x10000; r4 = r2; r4 += 8;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int sound_pkt_var_off_over_max(void)
{
	asm volatile (
	"r6 = r1; call %[bpf_get_prandom_u32];"
	"r0 &= 0x1ffff;"
	"r2 = *(u32 *)(r6 + 0); r3 = *(u32 *)(r6 + 4);"
	"r2 += r0; r4 = r2; r4 += 8;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int sound_pkt_var_off_within_max(void)
{
	asm volatile (
	"r6 = r1; call %[bpf_get_prandom_u32];"
	"r0 &= 0xfff;"
	"r2 = *(u32 *)(r6 + 0); r3 = *(u32 *)(r6 + 4);"
	"r2 += r0; r4 = r2; r4 += 8;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* resolve_pseudo_ldimm64 looks at every instruction, reachable or not */
SEC("xdp")
__naked int sound_ldx_reserved_dead(void)
{
	asm volatile ("r0 = 0; if r0 == 0 goto 1f; .8byte %[i]; 1: exit;" :: R(i, 0x79, 0, 10, -8, 1) : __clobber_all);
}

SEC("xdp")
__naked int sound_unknown_opcode_dead(void)
{
	/* 0x99: BPF_LDX | BPF_MEMSX | BPF_DW, which does not exist */
	asm volatile ("r0 = 0; if r0 == 0 goto 1f; .8byte %[i]; 1: exit;" :: R(i, 0x99, 0, 10, -8, 0) : __clobber_all);
}

SEC("xdp")
__naked int sound_ldimm64_fd_second_imm(void)
{
	/* r1 = map fd 1000 with imm 5 in the second slot */
	asm volatile ("r0 = 0; .8byte %[a]; .8byte %[b]; exit;" :: R(a, 0x18, 1, 1, 0, 1000), R(b, 0, 0, 0, 0, 5) : __clobber_all);
}

/* ... while the register number is only checked on the paths explored */
SEC("xdp")
__naked int sound_r11_dst_dead(void)
{
	asm volatile ("r0 = 0; if r0 != 0 goto 1f; exit; 1: .8byte %[i]; exit;" :: R(i, 0xb7, 11, 0, 0, 0) : __clobber_all);
}

/* no subtraction from the frame pointer, constant or not */
SEC("xdp")
__naked int sound_fp_sub_const(void)
{
	asm volatile ("r1 = r10; r1 -= 8; r0 = 0; *(u64 *)(r1 + 0) = r0; exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int sound_fp_sub_reg(void)
{
	asm volatile ("r2 = 8; r1 = r10; r1 -= r2; r0 = 0; exit;" ::: __clobber_all);
}

/* a 32-bit div/mod result is a fully unknown 64-bit scalar (no zero-extension) */
SEC("xdp")
__naked int sound_mod32_unbounded(void)
{
	asm volatile (
	"r6 = r1; call %[bpf_get_prandom_u32];"
	"r0 &= 0xff; w0 %%= 10;"
	"r2 = *(u32 *)(r6 + 0); r3 = *(u32 *)(r6 + 4);"
	"r2 += r0; r4 = r2; r4 += 1;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int sound_div32_reg_unbounded(void)
{
	asm volatile (
	"r6 = r1; call %[bpf_get_prandom_u32];"
	"r0 &= 0xff; w5 = 10; w0 /= w5;"
	"r2 = *(u32 *)(r6 + 0); r3 = *(u32 *)(r6 + 4);"
	"r2 += r0; r4 = r2; r4 += 1;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("xdp")
__naked int sound_mod32_masked_after(void)
{
	asm volatile (
	"r6 = r1; call %[bpf_get_prandom_u32];"
	"r0 &= 0xff; w0 %%= 10; r0 &= 0xff;"
	"r2 = *(u32 *)(r6 + 0); r3 = *(u32 *)(r6 + 4);"
	"r2 += r0; r4 = r2; r4 += 1;"
	"if r4 > r3 goto 1f;"
	"r0 = *(u8 *)(r2 + 0);"
	"1: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* .rodata is BPF_F_RDONLY_PROG: the program may read it, never write it */
SEC("xdp")
int sound_rodata_write(struct xdp_md *ctx)
{
	*(volatile __u64 *)&ro_limit = 2;
	return 0;
}

SEC("xdp")
int sound_rodata_read(struct xdp_md *ctx)
{
	return ro_limit > 10 ? 1 : 2;
}

/* a tail call below callers whose frames total >= 256 bytes */
static __naked __attribute__((noinline, used)) int jump_on(void)
{
	asm volatile ("r2 = %[jumps] ll; r3 = 0; call %[bpf_tail_call]; r0 = 1; exit;"
		:: __imm_addr(jumps), __imm(bpf_tail_call) : __clobber_all);
}

SEC("xdp")
__naked int sound_tail_call_big_frames(void)
{
	asm volatile ("r6 = r1; r1 = 0; *(u64 *)(r10 - 288) = r1; r1 = r6; call jump_on; r0 = 0; exit;" ::: __clobber_all);
}

SEC("xdp")
__naked int sound_tail_call_small_frames(void)
{
	asm volatile ("r6 = r1; r1 = 0; *(u64 *)(r10 - 240) = r1; r1 = r6; call jump_on; r0 = 0; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

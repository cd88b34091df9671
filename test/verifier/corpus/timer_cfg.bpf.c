// Control flow around callbacks, as hand-written bytecode (naked asm):
// unreachable code in and after callbacks, BPF_PSEUDO_FUNC that points
// anywhere but a callback's first instruction, jumps out of range, and what
// may be done with a func pointer.
//
// A raw BPF_PSEUDO_FUNC cannot pass through libbpf untouched, so it is
// written as a marker ld_imm64 (src 0, imm PSEUDO_FUNC_MARK, relative
// offset in the second slot) that tools/record.c turns into
// "rD = pseudo func rel" just before BPF_PROG_LOAD.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RAW(code, dst, src, off, imm) \
	((unsigned long long)(code) | ((unsigned long long)((dst) | ((src) << 4)) << 8) | \
	 ((unsigned long long)(unsigned short)(off) << 16) | ((unsigned long long)(unsigned int)(imm) << 32))
#define PSEUDO_FUNC_MARK 0x7eadf00d
#define NAKED __attribute__((naked))
#define NAKED_CB __attribute__((naked, noinline, used)) static int

struct elem {
	long x;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} arr SEC(".maps");

/* insns 0-9: r1 = &arr[0].t, or out when the lookup fails */
#define LOOKUP_TIMER \
	"r1 = 0;" \
	"*(u32 *)(r10 - 4) = r1;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[arr] ll;" \
	"call %[lookup];" \
	"if r0 == 0 goto l_out%=;" \
	"r1 = r0;" \
	"r1 += 8;"

#define COMMON_IMMS \
	[arr]"i"(&arr), [lookup]"i"(BPF_FUNC_map_lookup_elem), \
	[setcb]"i"(BPF_FUNC_timer_set_callback), [start]"i"(BPF_FUNC_timer_start)

NAKED_CB cb_zero(void)
{
	asm volatile ("r0 = 0; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_asm_ok(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_zero) : "memory");
}

SEC("xdp") NAKED int cfg_timer_func_spill_ok(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"*(u64 *)(r10 - 16) = r2;"
		"r2 = *(u64 *)(r10 - 16);"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_zero) : "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_direct_call_ok(void)
{
	asm volatile (LOOKUP_TIMER
		"r6 = r1;"
		"r2 = %[cb] ll;"
		"call %[setcb];"
		"call cb_zero;"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_zero) : "memory");
}

/* the pseudo func makes insn 13 a subprogram start: the null check jumps into it */
SEC("xdp") NAKED int cfg_timer_pfunc_mid_jump(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, 2)) : "memory");
}

/* ... or leaves insn 13 (r0 = 0) as the last insn of the main subprogram */
SEC("xdp") NAKED int cfg_timer_pfunc_mid_last(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, 3)) : "memory");
}

SEC("xdp") NAKED int cfg_timer_pfunc_ldimm_half(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_timer_pfunc_past_end(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, 100)) : "memory");
}

SEC("xdp") NAKED int cfg_timer_pfunc_before_start(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, -20)) : "memory");
}

/* the main program itself as the callback (insn 0) */
SEC("xdp") NAKED int cfg_timer_pfunc_main(void)
{
	asm volatile (LOOKUP_TIMER
		".8byte %[lo]; .8byte %[hi];"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [lo]"i"(RAW(0x18, 2, 0, 0, PSEUDO_FUNC_MARK)), [hi]"i"(RAW(0, 0, 0, 0, -11)) : "memory");
}

SEC("xdp") NAKED int cfg_jump_past_end(void)
{
	asm volatile ("r0 = 0; .8byte %[ja]; exit;" :: [ja]"i"(RAW(0x05, 0, 0, 100, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_jump_before_start(void)
{
	asm volatile ("r0 = 0; .8byte %[ja]; exit;" :: [ja]"i"(RAW(0x05, 0, 0, -10, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_jump_into_ldimm64(void)
{
	asm volatile ("r0 = 0; .8byte %[ja]; r1 = 0 ll; exit;" :: [ja]"i"(RAW(0x05, 0, 0, 1, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_cond_jump_into_ldimm64(void)
{
	asm volatile ("r0 = 0; .8byte %[jeq]; r1 = 0 ll; exit;" :: [jeq]"i"(RAW(0x15, 0, 0, 1, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_cond_jump_past_end(void)
{
	asm volatile ("r0 = 0; .8byte %[jeq]; exit;" :: [jeq]"i"(RAW(0x15, 0, 0, 7, 0)) : "memory");
}

NAKED_CB cb_dead_code(void)
{
	asm volatile ("r0 = 0; exit; r0 = 1; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_unreachable(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_dead_code) : "memory");
}

SEC("xdp") NAKED int cfg_timer_dead_after_setcb(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
		"r0 = 2;"
		"exit;"
		"r0 = 1;"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_zero) : "memory");
}

NAKED_CB cb_jumps_back(void)
{
	asm volatile ("r0 = 0; .8byte %[ja]; exit;" :: [ja]"i"(RAW(0x05, 0, 0, -4, 0)) : "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_jumps_out(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_jumps_back) : "memory");
}

NAKED_CB cb_no_exit(void)
{
	asm volatile ("r0 = 0;" ::: "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_falls_off(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_no_exit) : "memory");
}

NAKED_CB cb_recurse(void)
{
	asm volatile ("call cb_recurse; r0 = 0; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_recursive(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_recurse) : "memory");
}

SEC("xdp") NAKED int cfg_timer_func_arith(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"r2 += 8;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_zero) : "memory");
}

SEC("xdp") NAKED int cfg_timer_func_deref(void)
{
	asm volatile ("r2 = %[cb] ll; r0 = *(u64 *)(r2 + 0); r0 = 0; exit;"
		:: [cb]"i"(cb_zero) : "memory");
}

SEC("xdp") NAKED int cfg_timer_func_as_timer(void)
{
	asm volatile ("r1 = %[cb] ll; r2 = 0; r3 = 0; call %[start]; r0 = 0; exit;"
		:: [cb]"i"(cb_zero), [start]"i"(BPF_FUNC_timer_start) : "memory");
}

SEC("xdp") NAKED int cfg_timer_func_ret_main(void)
{
	asm volatile ("r0 = %[cb] ll; exit;" :: [cb]"i"(cb_zero) : "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_unused_ok(void)
{
	asm volatile ("r2 = %[cb] ll; r0 = 2; exit;" :: [cb]"i"(cb_zero) : "memory");
}

NAKED_CB sub_no_r0(void)
{
	asm volatile ("r1 = 1; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_subprog_no_r0_unread_ok(void)
{
	asm volatile ("call sub_no_r0; r0 = 2; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_subprog_no_r0_read(void)
{
	asm volatile ("call sub_no_r0; exit;" ::: "memory");
}

NAKED_CB cb_calls_no_r0(void)
{
	asm volatile ("call sub_no_r0; r0 = 0; exit;" ::: "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_subprog_no_r0_ok(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(cb_calls_no_r0) : "memory");
}

SEC("xdp") NAKED int cfg_timer_cb_as_subprog_no_r0(void)
{
	asm volatile (LOOKUP_TIMER
		"r2 = %[cb] ll;"
		"call %[setcb];"
	"l_out%=:"
		"r0 = 0;"
		"exit;"
		:: COMMON_IMMS, [cb]"i"(sub_no_r0) : "memory");
}

SEC("xdp") NAKED int cfg_loop_cb_no_r0(void)
{
	asm volatile ("r1 = 2; r2 = %[cb] ll; r3 = 0; r4 = 0; call %[loop]; r0 = 2; exit;"
		:: [cb]"i"(sub_no_r0), [loop]"i"(BPF_FUNC_loop) : "memory");
}

char _license[] SEC("license") = "GPL";

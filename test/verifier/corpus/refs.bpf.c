// Reference tracking (acquire/release): socket lookups and releases, the
// pointer casts that keep a reference (bpf_tcp_sock), ring buffer
// reserve/submit/discard, NULL checks, leaks at exit and through tail
// calls, pointers invalidated by a release, and pruning with references.
#include "corpus_asm.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jt SEC(".maps");

/* r0 = bpf_sk_lookup_tcp(ctx in r6, ipv4 tuple on the stack at fp-16) */
#define LOOKUP(fn)            \
	"r6 = r1;"                \
	"r1 = 0;"                 \
	"*(u64 *)(r10 - 8) = r1;" \
	"*(u64 *)(r10 - 16) = r1;" \
	"r1 = r6;"                \
	"r2 = r10;"               \
	"r2 += -16;"              \
	"r3 = 12;"                \
	"r4 = -1;"                \
	"r5 = 0;"                 \
	"call %[" #fn "];"

#define SK_IMMS __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release), __imm(bpf_tcp_sock), __imm(bpf_skc_lookup_tcp), __imm(bpf_sk_lookup_udp)

SEC("tc")
__naked int ref_sk_lookup_release_ok(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_lookup_udp_release_ok(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_udp)
	"if r0 != 0 goto 1f;"
	"exit;"
	"1: r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_lookup_leak(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r0 = 1;"
	"exit;"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_release_unchecked(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_read_family_ok(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = *(u32 *)(r0 + 4);"
	"r8 = *(u16 *)(r0 + 48);"
	"r9 = *(u8 *)(r0 + 25);"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = r7;"
	"r0 &= 1;"
	"exit;"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_use_after_release(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = *(u32 *)(r7 + 4);"
	"exit;"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_spill_after_release(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"*(u64 *)(r10 - 24) = r0;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r1 = *(u64 *)(r10 - 24);"
	"r0 = *(u32 *)(r1 + 4);"
	"exit;"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_double_release(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r1 = r7;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_bad_field(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = *(u16 *)(r0 + 50);"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_write(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r1 = 7;"
	"*(u32 *)(r0 + 16) = r1;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_ptr_arith(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r0 += 4;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_sk_arith_before_null_check(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"r0 += 4;"
	"r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_skc_bad_field(void)
{
	asm volatile (LOOKUP(bpf_skc_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = *(u32 *)(r0 + 8);"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_skc_release_ok(void)
{
	asm volatile (LOOKUP(bpf_skc_lookup_tcp)
	"if r0 == 0 goto 1f;"
	"r7 = *(u32 *)(r0 + 4);"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_tcp_sock_cast_ok(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r8 = *(u32 *)(r0 + 0);"
	"r8 = *(u64 *)(r0 + 80);"
	"1: r1 = r7;"
	"call %[bpf_sk_release];"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_tcp_sock_null_still_leaks(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_tcp_sock];"
	"if r0 != 0 goto 1f;"
	"r0 = 0;"
	"exit;"
	"1: r1 = r7;"
	"call %[bpf_sk_release];"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_tcp_sock_release_via_cast(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = *(u32 *)(r7 + 4);"
	"exit;"
	"1: r1 = r7;"
	"call %[bpf_sk_release];"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_tcp_sock_bad_size(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r1 = r0;"
	"call %[bpf_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r8 = *(u32 *)(r0 + 80);"
	"1: r1 = r7;"
	"call %[bpf_sk_release];"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

/* a reference released on one branch only: pruning must not merge the paths */
SEC("tc")
__naked int ref_released_on_one_branch(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r1 = *(u32 *)(r6 + 0);"
	"if r1 > 10 goto 1f;"
	"r1 = r7;"
	"call %[bpf_sk_release];"
	"1: r0 = 0;"
	"exit;"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

SEC("tc")
__naked int ref_released_on_both_branches_ok(void)
{
	asm volatile (LOOKUP(bpf_sk_lookup_tcp)
	"if r0 == 0 goto 2f;"
	"r7 = r0;"
	"r8 = 1;"
	"r1 = *(u32 *)(r6 + 0);"
	"if r1 > 10 goto 1f;"
	"r8 = 2;"
	"1: r1 = r7;"
	"call %[bpf_sk_release];"
	"r0 = r8;"
	"exit;"
	"2: r0 = 0;"
	"exit;" :: SK_IMMS : __clobber_all);
}

#define RB_IMMS __imm_addr(rb), __imm_addr(h), __imm_addr(jt), __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm(bpf_tail_call)

#define RESERVE(sz) "r1 = %[rb] ll;" "r2 = " #sz ";" "r3 = 0;" "call %[bpf_ringbuf_reserve];"

SEC("xdp")
__naked int ref_ringbuf_submit_ok(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r1 = 42;"
	"*(u64 *)(r0 + 0) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_discard_ok(void)
{
	asm volatile (RESERVE(16)
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_leak(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r1 = 42;"
	"*(u64 *)(r0 + 0) = r1;"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_write_oob(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r1 = 42;"
	"*(u64 *)(r0 + 8) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_deref_unchecked(void)
{
	asm volatile (RESERVE(8)
	"r1 = 42;"
	"*(u64 *)(r0 + 0) = r1;"
	"r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_submit_unchecked(void)
{
	asm volatile (RESERVE(8)
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_submit_offset(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r1 += 4;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_size_unknown(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 12);"
	"r2 &= 0xff;"
	"r1 = %[rb] ll;"
	"r3 = 0;"
	"call %[bpf_ringbuf_reserve];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_discard_after_submit(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r7 = r0;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r1 = r7;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_write_after_submit(void)
{
	asm volatile (RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r7 = r0;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r1 = 1;"
	"*(u64 *)(r7 + 0) = r1;"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_wrong_map(void)
{
	asm volatile (
	"r1 = %[h] ll;"
	"r2 = 8;"
	"r3 = 0;"
	"call %[bpf_ringbuf_reserve];"
	"r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_two_one_released(void)
{
	asm volatile (RESERVE(8)
	"r6 = r0;"
	RESERVE(16)
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"1: if r6 == 0 goto 2f;"
	"r0 = 2;"
	"exit;"
	"2: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_tail_call_leak(void)
{
	asm volatile (
	"r6 = r1;"
	RESERVE(8)
	"if r0 == 0 goto 1f;"
	"r7 = r0;"
	"r1 = r6;"
	"r2 = %[jt] ll;"
	"r3 = 0;"
	"call %[bpf_tail_call];"
	"r1 = r7;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_zero_size_ok(void)
{
	asm volatile (RESERVE(0)
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"1: r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

SEC("xdp")
__naked int ref_ringbuf_submit_non_ref(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r0 = 2;"
	"exit;" :: RB_IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";

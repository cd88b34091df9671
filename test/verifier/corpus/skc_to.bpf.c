// The bpf_skc_to_*() casts: a PTR_TO_BTF_ID_OR_NULL of the kernel struct
// that needs a NULL check, keeps the lookup's reference, is read-only and
// dies with the socket's release. Offset 0 (sock_common's skc_daddr) is the
// same in the kernel's and tsbpf's struct layouts, so raw offsets are used.
#include "skc_to.h"

SEC("tc")
__naked int skc_to_tcp_read_ok(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"r8 = 0;"
	"if r0 == 0 goto 1f;"
	"r8 = *(u32 *)(r0 + 0);"
	"1:" RELEASE
	"r0 = r8;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_each_cast_ok(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp6_sock];"
	"r1 = r7;"
	"call %[bpf_skc_to_udp6_sock];"
	"r1 = r7;"
	"call %[bpf_skc_to_mptcp_sock];"
	"r1 = r7;"
	"call %[bpf_skc_to_tcp_timewait_sock];"
	"r1 = r7;"
	"call %[bpf_skc_to_tcp_request_sock];"
	"r1 = r7;"
	"call %[bpf_skc_to_unix_sock];"
	RELEASE
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_tcp_no_null_check(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"r8 = *(u32 *)(r0 + 0);"
	RELEASE
	"r0 = r8;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_udp6_no_null_check(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_udp6_sock];"
	"r8 = *(u8 *)(r0 + 0);"
	RELEASE
	"r0 = r8;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_tcp_write(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r1 = 1;"
	"*(u32 *)(r0 + 0) = r1;"
	"1:" RELEASE
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_tcp_negative_off(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"r8 = 0;"
	"if r0 == 0 goto 1f;"
	"r8 = *(u32 *)(r0 - 8);"
	"1:" RELEASE
	"r0 = r8;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_tcp_after_release(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r8 = r0;"
	RELEASE
	"r0 = *(u32 *)(r8 + 0);"
	"exit;"
	"1:" RELEASE
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("tc")
__naked int skc_to_tcp_release_cast(void)
{
	asm volatile (LOOKUP
	"call %[bpf_skc_to_tcp_sock];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_sk_release];"
	"r0 = 0;"
	"exit;"
	"1:" RELEASE
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";

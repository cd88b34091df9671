// A non-GPL program may call the bpf_skc_to_*() casts (they are not
// GPL-only) but not read the kernel struct they return.
#include "skc_to.h"

SEC("tc")
__naked int skc_to_tcp_read_nongpl(void)
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

char _license[] SEC("license") = "Dual BSD/MIT";

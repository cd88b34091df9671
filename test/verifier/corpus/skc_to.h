// Shared by skc_to.bpf.c and skc_to_nongpl.bpf.c: a TCP lookup whose socket
// is kept in r7 (and passed on in r1), and the helpers the programs call.
#ifndef SKC_TO_H
#define SKC_TO_H
#include "corpus_asm.h"

/* r0 = bpf_sk_lookup_tcp(ctx in r6, ipv4 tuple on the stack at fp-16); the socket is kept in r7 */
#define LOOKUP                \
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
	"call %[bpf_sk_lookup_tcp];" \
	"if r0 != 0 goto 2f;"     \
	"exit;"                   \
	"2: r7 = r0;"             \
	"r1 = r0;"

#define IMMS __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release), __imm(bpf_skc_to_tcp_sock), __imm(bpf_skc_to_tcp6_sock), \
	__imm(bpf_skc_to_udp6_sock), __imm(bpf_skc_to_mptcp_sock), __imm(bpf_skc_to_tcp_timewait_sock), \
	__imm(bpf_skc_to_tcp_request_sock), __imm(bpf_skc_to_unix_sock)

#define RELEASE "r1 = r7;" "call %[bpf_sk_release];"

#endif

/* Shared helpers for the hand-written (naked asm) corpus programs, in the
 * style of the kernel's verifier_*.c selftests: operands name maps and
 * helper ids, RAW() encodes one instruction slot for ".8byte". */
#ifndef CORPUS_ASM_H
#define CORPUS_ASM_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __naked __attribute__((naked))
#define __imm(name) [name] "i"(name)
#define __imm_addr(name) [name] "i"(&name)
#define __imm_const(name, expr) [name] "i"(expr)
/* one instruction slot, little-endian: code, dst|src<<4, off, imm */
#define RAW(code, dst, src, off, imm)                                              \
	((unsigned long long)(code) | ((unsigned long long)((dst) | ((src) << 4)) << 8) | \
	 ((unsigned long long)((off) & 0xffff) << 16) | ((unsigned long long)((imm) & 0xffffffffu) << 32))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#endif

// SPDX-License-Identifier: GPL-2.0
/* kconfig: .kconfig externs of every kind libbpf types, copied into .bss by a
 * syscall program so a dump shows what the loader resolved.
 *   LINUX_*   libbpf's virtual externs (computed, not read from Kconfig)
 *   CONFIG_*  values from Kconfig (the user's lines first, then the system's)
 *   __weak    a CONFIG_ the kernel does not have reads as zero
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig __weak;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern int CONFIG_HZ __kconfig;                                /* int */
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;   /* tristate y */
extern enum libbpf_tristate CONFIG_TSBPF_MOD __kconfig __weak; /* tristate m */
extern bool CONFIG_BPF_SYSCALL __kconfig;                      /* bool */
extern char CONFIG_TSBPF_CHAR __kconfig __weak;                /* char */
extern unsigned short CONFIG_TSBPF_U16 __kconfig __weak;       /* u16 */
extern long long CONFIG_TSBPF_S64 __kconfig __weak;            /* s64 */
extern unsigned char CONFIG_TSBPF_U8 __kconfig __weak;         /* u8 */
extern char CONFIG_TSBPF_STR[8] __kconfig __weak;              /* string */
extern int CONFIG_TSBPF_NOT_SET __kconfig __weak;              /* unknown: 0 */

unsigned int kernel_version;
int has_cookie;
int has_wrapper;
int hz;
int jit;
int mod;
int bpf_syscall;
int ch;
int u16v;
long long s64v;
int u8v;
char str[8];
int not_set;
int hz_branch;

SEC("syscall")
int read_kconfig(void *ctx)
{
	kernel_version = LINUX_KERNEL_VERSION;
	has_cookie = LINUX_HAS_BPF_COOKIE;
	has_wrapper = LINUX_HAS_SYSCALL_WRAPPER;
	hz = CONFIG_HZ;
	jit = CONFIG_BPF_JIT;
	mod = CONFIG_TSBPF_MOD;
	bpf_syscall = CONFIG_BPF_SYSCALL;
	ch = CONFIG_TSBPF_CHAR;
	u16v = CONFIG_TSBPF_U16;
	s64v = CONFIG_TSBPF_S64;
	u8v = CONFIG_TSBPF_U8;
	__builtin_memcpy(str, CONFIG_TSBPF_STR, sizeof(str));
	not_set = CONFIG_TSBPF_NOT_SET;
	/* a frozen .kconfig reads as constants: the verifier prunes the dead arm */
	if (CONFIG_HZ > 100)
		hz_branch = 1;
	else
		hz_branch = 2;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// bpf_get_current_task_btf(): a trusted task_struct pointer the verifier
// checks loads through with btf_struct_access against the kernel's BTF (read
// only, inside the struct, pointer members whole), and the pointers walked
// from it: real_parent/group_leader stay valid (MEM_RCU, never NULL), the
// __rcu-tagged parent may be NULL, an untagged member is a plain pointer.
// Raw offsets are Linux 6.18's task_struct (test/btf/core/vmlinux.btf.gz,
// which the corpus test gives tsbpf as the target BTF for this file).
#include "corpus_asm.h"

#define PID 1264
#define TGID 1268
#define REAL_PARENT 1280
#define PARENT 1288
#define GROUP_LEADER 1328
#define MM 1136
#define COMM 1752

#define IMMS __imm(bpf_get_current_task_btf), __imm_const(pid, PID), __imm_const(tgid, TGID), \
	__imm_const(real_parent, REAL_PARENT), __imm_const(parent, PARENT), __imm_const(group_leader, GROUP_LEADER), \
	__imm_const(mm, MM), __imm_const(comm, COMM)

SEC("raw_tp")
__naked int task_btf_read_ok(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u32 *)(r0 + %[pid]);"
	"r1 = *(u32 *)(r0 + %[tgid]);"
	"r1 = *(u64 *)(r0 + %[comm]);"
	"r1 = *(u8 *)(r0 + 1767);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_write(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = 1;"
	"*(u32 *)(r0 + %[pid]) = r1;"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_negative_off(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u32 *)(r0 - 8);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_beyond_struct(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u32 *)(r0 + 32000);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_comm_past_end(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + 1764);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_ptr_member_half(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u32 *)(r0 + %[real_parent]);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_real_parent_ok(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + %[real_parent]);"
	"r2 = *(u32 *)(r1 + %[tgid]);"
	"r1 = *(u64 *)(r1 + %[real_parent]);"
	"r2 = *(u32 *)(r1 + %[pid]);"
	"r1 = *(u64 *)(r0 + %[group_leader]);"
	"r2 = *(u32 *)(r1 + %[pid]);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_parent_no_null_check(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + %[parent]);"
	"r2 = *(u32 *)(r1 + %[pid]);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_parent_null_checked(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + %[parent]);"
	"if r1 == 0 goto 1f;"
	"r2 = *(u32 *)(r1 + %[pid]);"
	"1: r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_mm_plain(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + %[mm]);"
	"r2 = *(u64 *)(r1 + 0);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_walked_write(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r1 = *(u64 *)(r0 + %[real_parent]);"
	"r2 = 0;"
	"*(u32 *)(r1 + %[pid]) = r2;"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_var_off(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r6 = r0;"
	"call %[bpf_get_prandom_u32];"
	"r0 &= 0xff;"
	"r6 += r0;"
	"r1 = *(u8 *)(r6 + 0);"
	"r0 = 0;"
	"exit;" :: IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("raw_tp")
__naked int task_btf_scalar_arith(void)
{
	asm volatile ("call %[bpf_get_current_task_btf];"
	"r0 += 8;"
	"r1 = *(u32 *)(r0 + 1256);"
	"r0 = 0;"
	"exit;" :: IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";

// Iterator programs (SEC("iter/...")): the context is the target's
// struct bpf_iter__<target>, its pointers typed by BTF (btf_ctx_access with
// the target's ctx_arg_info): meta is a trusted bpf_iter_meta, the object
// may be NULL (the end of the walk).
#include "corpus_asm.h"

/* meta->seq_num, then the task's NULL check */
SEC("iter/task")
__naked int iter_task_ok(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 0);"
	"r3 = *(u64 *)(r2 + 16);"
	"r4 = *(u64 *)(r2 + 8);"
	"r1 = *(u64 *)(r1 + 8);"
	"if r1 == 0 goto 1f;"
	"r0 = 0; exit;"
	"1: r0 = 0; exit;" ::: __clobber_all);
}

/* the task is read before its NULL check */
SEC("iter/task")
__naked int iter_task_null_deref(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 8);"
	"r0 = *(u32 *)(r1 + 0);"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* the context is read-only */
SEC("iter/task")
__naked int iter_task_ctx_write(void)
{
	asm volatile (
	"r2 = 0;"
	"*(u64 *)(r1 + 8) = r2;"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* past the target's arguments */
SEC("iter/task")
__naked int iter_task_ctx_past_args(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 16);"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* half a pointer */
SEC("iter/task")
__naked int iter_task_ctx_narrow(void)
{
	asm volatile (
	"r2 = *(u32 *)(r1 + 8);"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* misaligned */
SEC("iter/task")
__naked int iter_task_ctx_misaligned(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 4);"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* meta is never NULL, but it is read-only */
SEC("iter/task")
__naked int iter_task_meta_write(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 0);"
	"r3 = 1;"
	"*(u64 *)(r2 + 16) = r3;"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* past struct bpf_iter_meta */
SEC("iter/task")
__naked int iter_task_meta_beyond(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 0);"
	"r3 = *(u64 *)(r2 + 24);"
	"r0 = 0; exit;" ::: __clobber_all);
}

/* an iterator returns 0 or 1 */
SEC("iter/task")
__naked int iter_task_ret2(void)
{
	asm volatile ("r0 = 2; exit;" ::: __clobber_all);
}

/* bpf_map iterator: the map (or NULL), read as struct bpf_map */
SEC("iter/bpf_map")
__naked int iter_map_ok(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 8);"
	"if r2 == 0 goto 1f;"
	"r0 = *(u32 *)(r2 + 76);"
	"1: r0 = 0; exit;" ::: __clobber_all);
}

SEC("iter/bpf_map")
__naked int iter_map_null_deref(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 8);"
	"r0 = *(u32 *)(r2 + 76);"
	"r0 = 0; exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";

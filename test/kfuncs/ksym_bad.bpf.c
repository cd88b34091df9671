// Wrong uses of typed .ksyms variables, one program each (all autoload off:
// the test turns one on at a time). Each is refused by the verifier; the
// expected lines are the kernel's (kernel/bpf/verifier.c, btf.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq {
	int cpu;
} __attribute__((preserve_access_index));

extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;

int out;

/* a per-CPU variable is not memory: only bpf_per_cpu_ptr/bpf_this_cpu_ptr reach it */
SEC("?syscall")
int deref_percpu(void *ctx)
{
	out = *(volatile const int *)&bpf_prog_active;
	return 0;
}

/* bpf_per_cpu_ptr may return NULL */
SEC("?syscall")
int no_null_check(void *ctx)
{
	const int *p = bpf_per_cpu_ptr(&bpf_prog_active, 1);

	out = *p;
	return 0;
}

/* the variable is read-only to programs */
SEC("?syscall")
int write_var(void *ctx)
{
	int *p = (int *)bpf_this_cpu_ptr(&bpf_prog_active);

	*p = 1;
	return 0;
}

/* a stack pointer is no per-CPU variable */
SEC("?syscall")
int not_percpu(void *ctx)
{
	int x = 0;
	const int *p = bpf_this_cpu_ptr(&x);

	out = *p;
	return 0;
}

/* past the variable's size */
SEC("?syscall")
int past_end(void *ctx)
{
	const int *p = bpf_this_cpu_ptr(&bpf_prog_active);

	out = p[1];
	return 0;
}

/* struct fields are read-only */
SEC("?syscall")
int write_rq(void *ctx)
{
	struct rq *rq = (struct rq *)bpf_this_cpu_ptr(&runqueues);

	rq->cpu = 3;
	return 0;
}

char _license[] SEC("license") = "GPL";

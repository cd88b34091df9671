// Typed .ksyms variables, as tracing tools use them: the per-CPU run queue and
// bpf_prog_active, reached through bpf_per_cpu_ptr/bpf_this_cpu_ptr. The values
// are the kernel's (or the runtime's): compare shape, NULL behaviour and the
// run queue's own cpu number, not counters.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* the fields this program reads, found by CO-RE in the target BTF */
struct rq {
	unsigned int nr_running;
	int cpu;
	unsigned long long clock;
} __attribute__((preserve_access_index));

extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;
extern const int __preempt_count __ksym;

int rq0_cpu = -1, this_rq_is_this_cpu = -1, far_cpu_null = -1, active_size_ok = -1;
int active_here = -1, preempt_ptr_ok = -1, rq_far_null = -1;
unsigned int far_cpu = 100000;

SEC("syscall")
int percpu(void *ctx)
{
	const struct rq *rq0 = bpf_per_cpu_ptr(&runqueues, 0);
	const struct rq *here = bpf_this_cpu_ptr(&runqueues);
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);
	const int *far = bpf_per_cpu_ptr(&bpf_prog_active, far_cpu);

	if (rq0)
		rq0_cpu = rq0->cpu;
	this_rq_is_this_cpu = here->cpu == (int)bpf_get_smp_processor_id();
	far_cpu_null = far == 0;
	rq_far_null = bpf_per_cpu_ptr(&runqueues, far_cpu) == 0;
	active_here = *active;
	active_size_ok = sizeof(bpf_prog_active) == 4;
	preempt_ptr_ok = bpf_per_cpu_ptr(&__preempt_count, 0) != 0;
	return 0;
}

char _license[] SEC("license") = "GPL";

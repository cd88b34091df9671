// Helper availability per program type and argument checks against the
// 6.18 prototype table: each program type calls a helper it may use (with
// real arguments) and one its get_func_proto refuses; argument mistakes
// give the kernel's messages whether or not tsbpf implements the helper.
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

/* kprobe: the task helpers and a user string read are fine */
SEC("kprobe/do_nanosleep")
int kp_task_ok(struct pt_regs *ctx)
{
	char comm[16];
	char name[32];
	__u64 id = bpf_get_current_pid_tgid();

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_probe_read_user_str(name, sizeof(name), (void *)ctx->rsi);
	return (id >> 32) + comm[0] + name[0];
}

/* kprobe: skb_load_bytes is a networking helper */
SEC("kprobe/do_nanosleep")
int kp_skb_load_bytes_refused(struct pt_regs *ctx)
{
	char b[4];
	return bpf_skb_load_bytes(ctx, 0, b, 4);
}

/* tracepoint: get_stackid's map must be a STACK_TRACE map: an array map is refused */
SEC("tracepoint/syscalls/sys_enter_nanosleep")
int tp_stackid_array(void *ctx)
{
	return bpf_get_stackid(ctx, &vals, 0);
}

/* tracepoint: get_func_ip is for kprobes and trampolines */
SEC("tracepoint/syscalls/sys_enter_nanosleep")
int tp_func_ip_refused(void *ctx)
{
	return bpf_get_func_ip(ctx);
}

/* raw_tp: get_stack into the stack */
SEC("raw_tp/sys_enter")
int raw_get_stack_ok(void *ctx)
{
	__u64 ips[8];
	return bpf_get_stack(ctx, ips, sizeof(ips), 0) > 0;
}

/* raw_tp: probe_read_kernel's size must be known */
SEC("raw_tp/sys_enter")
int raw_probe_read_unbounded(__u64 *ctx)
{
	char buf[16];
	return bpf_probe_read_kernel(buf, ctx[0], (void *)ctx[1]);
}

/* perf_event: sample_period and a kernel stack */
SEC("perf_event")
int pe_ok(struct bpf_perf_event_data *ctx)
{
	__u64 ips[4];
	return ctx->sample_period + bpf_get_stack(ctx, ips, sizeof(ips), 0);
}

/* socket filter: no current task pointer for packets... but pid_tgid is in the base set */
SEC("socket")
int sk_task_ok(struct __sk_buff *skb)
{
	return bpf_get_current_pid_tgid() != 0;
}

/* socket filter: skb_store_bytes is tc-only */
SEC("socket")
int sk_store_refused(struct __sk_buff *skb)
{
	char b[2] = {};
	return bpf_skb_store_bytes(skb, 0, b, 2, 0);
}

/* tc: csum_diff with a stack buffer (checked, not implemented by tsbpf) */
SEC("tc")
int tc_csum_diff_args(struct __sk_buff *skb)
{
	__u32 from[2] = {1, 2};
	return bpf_csum_diff(from, sizeof(from), 0, 0, 0);
}

/* tc: get_current_comm's buffer must be memory: the ctx is not */
SEC("tc")
int tc_comm_ctx(struct __sk_buff *skb)
{
	return bpf_get_current_comm(skb, 16);
}

/* xdp: probe_read_kernel with a zero size is fine */
SEC("xdp")
int xdp_probe_zero(struct xdp_md *ctx)
{
	char b[8];
	return bpf_probe_read_kernel(b, 0, 0);
}

/* xdp: perf_event_output needs a PERF_EVENT_ARRAY */
SEC("xdp")
int xdp_perf_output_array(struct xdp_md *ctx)
{
	__u64 v = 1;
	return bpf_perf_event_output(ctx, &vals, 0, &v, sizeof(v));
}

/* syscall: the ringbuf helpers take a ringbuf map */
SEC("syscall")
int sys_ringbuf_output_array(void *ctx)
{
	__u64 v = 1;
	return bpf_ringbuf_output(&vals, &v, sizeof(v), 0);
}

/* cgroup_skb: jiffies and numa node */
SEC("cgroup_skb/ingress")
int cg_jiffies_ok(struct __sk_buff *skb)
{
	return (bpf_jiffies64() + bpf_get_numa_node_id()) & 1;
}

/* strncmp's third argument is a constant string of a read-only map */
char writable_str[8] = "abc";

SEC("syscall")
int sys_strncmp_rodata_ok(void *ctx)
{
	static const char want[] = "abc";
	char s[4] = "abd";
	return bpf_strncmp(s, sizeof(s), want);
}

SEC("syscall")
int sys_strncmp_data_refused(void *ctx)
{
	char s[4] = "abd";
	return bpf_strncmp(s, sizeof(s), writable_str);
}

SEC("syscall")
int sys_strncmp_stack_refused(void *ctx)
{
	char s[4] = "abd", t[4] = "abc";
	return bpf_strncmp(s, sizeof(s), t);
}

char LICENSE[] SEC("license") = "GPL";

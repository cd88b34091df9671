// SPDX-License-Identifier: MIT
/* Anchor for the built-in target BTF: clang emits BTF for the types used
 * here (by value: a pointer alone would only give a forward declaration). Compiled by scripts/build-kernel-btf.sh, never loaded. */
#include "tsbpf_kernel.h"

struct tsbpf_kernel_types {
	struct __sk_buff skb;
	struct xdp_md xdp;
	struct bpf_sock sk;
	struct bpf_sock_tuple tuple;
	struct bpf_sock_addr sa;
	struct bpf_sock_ops sops;
	struct sk_msg_md msg;
	struct sk_reuseport_md reuse;
	struct bpf_sockopt sopt;
	struct bpf_sysctl sysctl;
	struct bpf_flow_keys fk;
	struct bpf_tcp_sock tp;
	struct bpf_xdp_sock xsk;
	struct bpf_fib_lookup fib;
	struct bpf_spin_lock lock;
	struct bpf_timer timer;
	struct ethhdr eth;
	struct iphdr ip;
	struct ipv6hdr ip6;
	struct tcphdr tcp;
	struct udphdr udp;
	struct in6_addr a6;
	struct sockaddr_in sin;
	struct pt_regs regs;
	struct task_struct task;
	struct bpf_array array;
	struct bpf_iter__task iter_task;
	struct bpf_iter__bpf_map iter_map;
	struct bpf_iter_meta iter_meta;
	struct seq_file seq;
	struct tcp6_sock tcp6;
	struct udp6_sock udp6;
	struct tcp_timewait_sock tw;
	struct tcp_request_sock req;
	struct unix_sock un;
	struct mptcp_sock mptcp;
	enum bpf_func_id func;
	enum bpf_prog_type prog;
	enum bpf_map_type map;
	enum bpf_attach_type attach;
	enum xdp_action act;
	enum sk_action ska;
	enum bpf_ret_code rc;
	struct nf_conn___init ct_init;
	/* tp_btf targets: the kernel's btf_trace_<tracepoint> typedefs */
	btf_trace_sched_switch tp_sched_switch;
	btf_trace_sched_wakeup tp_sched_wakeup;
	btf_trace_sched_process_exec tp_sched_process_exec;
	btf_trace_sched_process_exit tp_sched_process_exit;
	btf_trace_sched_process_fork tp_sched_process_fork;
	btf_trace_task_newtask tp_task_newtask;
	btf_trace_sys_enter tp_sys_enter;
	btf_trace_sys_exit tp_sys_exit;
	btf_trace_inet_sock_set_state tp_inet_sock_set_state;
};

/* The kernel variables typed .ksyms externs may name (BTF VARs in the
 * `.data..percpu` DATASEC, as pahole describes vmlinux's per-CPU variables):
 * the runtime owns their memory, one copy per simulated CPU. */
#define __percpu_var __attribute__((section(".data..percpu")))
__percpu_var int bpf_prog_active;
__percpu_var int __preempt_count;
__percpu_var struct rq runqueues;

void tsbpf_kernel_types(struct tsbpf_kernel_types *t)
{
}

/* fentry/fexit/fmod_ret targets and LSM hooks (bpf_lsm_<hook>): FUNCs with
 * the prototypes of Linux 6.18. Never called; the bodies only make clang
 * emit them (with their parameter names) into the BTF. */
#define TARGET __attribute__((noinline, used))
TARGET int do_unlinkat(int dfd, struct filename *name) { return 0; }
TARGET int do_sys_openat2(int dfd, const char *filename, struct open_how *how) { return 0; }
TARGET long vfs_read(struct file *file, char *buf, unsigned long count, long long *pos) { return 0; }
TARGET long vfs_write(struct file *file, const char *buf, unsigned long count, long long *pos) { return 0; }
TARGET int security_file_open(struct file *file) { return 0; }
TARGET int bpf_lsm_file_open(struct file *file) { return 0; }
TARGET int bpf_lsm_bprm_check_security(struct linux_binprm *bprm) { return 0; }
TARGET void do_exit(long code) { }
TARGET int tcp_connect(struct sock *sk) { return 0; }
TARGET int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len) { return 0; }
TARGET void tcp_close(struct sock *sk, long timeout) { }
TARGET int tcp_sendmsg(struct sock *sk, struct msghdr *msg, unsigned long size) { return 0; }
TARGET struct sock *inet_csk_accept(struct sock *sk, struct proto_accept_arg *arg) { return 0; }

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

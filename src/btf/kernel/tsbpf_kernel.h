/* SPDX-License-Identifier: MIT */
/* The kernel tsbpf emulates, as C types: compiled once into the built-in
 * target BTF of CO-RE relocations (kernel_btf.generated.ts, rebuilt by
 * scripts/build-kernel-btf.sh). A program's CO-RE relocations resolve against
 * these types unless the user hands in a vmlinux BTF (Runtime({ btf }),
 * tsbpf --btf FILE).
 *
 * To extend: add the struct (or fields) the runtime lays out here, add a
 * parameter of its type to tsbpf_kernel_types() in tsbpf_kernel.c so clang
 * emits it, and rerun the script. Field names and types follow the kernel's
 * (so CO-RE programs written against vmlinux.h find them); the layout is
 * whatever the runtime actually uses.
 */
#ifndef TSBPF_KERNEL_H
#define TSBPF_KERNEL_H

/* UAPI program contexts and enums: the uapi headers are the layout contract */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/in6.h>

typedef int pid_t;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

/* x86-64 struct pt_regs with the kernel's (not the uapi's) field names:
 * what kprobe programs' ctx points to and PT_REGS_*() read */
struct pt_regs {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	unsigned long bp;
	unsigned long bx;
	unsigned long r11;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long ax;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
	unsigned long ip;
	unsigned long cs;
	unsigned long flags;
	unsigned long sp;
	unsigned long ss;
};

/* The simulated task (bpf_get_current_task): the subset of the kernel's
 * task_struct the runtime fills in. Fields not listed do not exist here, so
 * a CO-RE access to them fails (poison) instead of reading zeroes. */
struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int prio;
	int static_prio;
	int normal_prio;
	unsigned int policy;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct task_struct *group_leader;
	u64 start_time;
	u64 start_boottime;
	int exit_code;
	int exit_signal;
	char comm[16];
	const struct cred *real_cred;
	const struct cred *cred;
};

typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;

/* The credentials task->cred and task->real_cred point to: the ids the
 * runtime fills in (rt.task.uid / gid for every one of them). */
struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
};

/* The per-CPU run queue (the `runqueues` variable): the subset the runtime
 * fills in, one copy per simulated CPU. */
struct rq {
	int cpu;
};

/* What a map pointer points to (check_ptr_to_map_access: read-only loads
 * through `&my_map`, typed by the map type's struct). Linux 6.18's layout, so
 * programs built against vmlinux read the same offsets here. Fields the
 * runtime does not fill (live kernel state: hashes, reference counts, locks,
 * work items) are left out: a CO-RE access to them fails, a raw load is
 * refused by the verifier naming the field. Pointer members are declared so
 * CO-RE finds them; the verifier refuses loading them (no kernel objects
 * behind them). */
struct bpf_map_ops;
struct btf_record;
struct btf;
struct obj_cgroup;
struct bpf_map_owner;
struct bpf_array_aux;

struct bpf_map {
	unsigned char __unmodelled_sha_excl[40];	/* sha[32], excl */
	const struct bpf_map_ops *ops;
	struct bpf_map *inner_map_meta;
	void *security;
	enum bpf_map_type map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u64 map_extra;
	__u32 map_flags;
	__u32 id;
	struct btf_record *record;
	int numa_node;
	__u32 btf_key_type_id;
	__u32 btf_value_type_id;
	__u32 btf_vmlinux_value_type_id;
	struct btf *btf;
	struct obj_cgroup *objcg;
	char name[16];
	/* freeze_mutex, refcnt, usercnt, work/rcu, writecnt, owner_lock */
	unsigned char __unmodelled_state[96];
	struct bpf_map_owner *owner;
	_Bool bypass_spec_v1;
	_Bool frozen;
	/* init_private, free_after_mult_rcu_gp, free_after_rcu_gp, sleepable_refcnt, elem_count, cookie */
	unsigned char __unmodelled_tail[30];
	char *excl_prog_sha;
};

/* Array maps (array, per-CPU array, prog/perf-event/cgroup arrays, array of maps) */
struct bpf_array {
	struct bpf_map map;
	__u32 elem_size;
	__u32 index_mask;
	struct bpf_array_aux *aux;
};

/* Iterator programs (SEC("iter/<target>")): the context is struct
 * bpf_iter__<target>, whose pointers the verifier types (btf_ctx_access).
 * tsbpf verifies iterators; it does not run them (no seq_file, no walk). */
struct seq_file {
	unsigned char __opaque;
};

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};

/* The kernel socket structs the bpf_skc_to_*() casts return (PTR_TO_BTF_ID):
 * kernel member names and nesting (sock_common inside sock inside inet_sock
 * ...). struct sock_common has Linux 6.18's exact layout (136 bytes, its
 * anonymous unions, pointer members where the kernel has them): the verifier
 * walks it at raw offsets and must refuse a read inside a pointer member as
 * the kernel's btf_struct_walk does. The structs around it keep only the
 * members the runtime fills in, in its own layout. */
struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct hlist_nulls_node {
	struct hlist_nulls_node *next;
	struct hlist_nulls_node **pprev;
};

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	__s64 counter;
} atomic64_t;

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

struct proto;
struct net;
struct inet_timewait_death_row;
struct sock;

typedef struct {
	struct net *net;
} possible_net_t;

typedef __u64 __addrpair;
typedef __u32 __portpair;

struct sock_common {
	union {
		__addrpair skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		unsigned int skc_hash;
		__u16 skc_u16hashes[2];
	};
	union {
		__portpair skc_portpair;
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
	volatile unsigned char skc_state;
	unsigned char skc_reuse: 4;
	unsigned char skc_reuseport: 1;
	unsigned char skc_ipv6only: 1;
	unsigned char skc_net_refcnt: 1;
	int skc_bound_dev_if;
	union {
		struct hlist_node skc_bind_node;
		struct hlist_node skc_portaddr_node;
	};
	struct proto *skc_prot;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	atomic64_t skc_cookie;
	union {
		unsigned long skc_flags;
		struct sock *skc_listener;
		struct inet_timewait_death_row *skc_tw_dr;
	};
	int skc_dontcopy_begin[0];
	union {
		struct hlist_node skc_node;
		struct hlist_nulls_node skc_nulls_node;
	};
	unsigned short skc_tx_queue_mapping;
	unsigned short skc_rx_queue_mapping;
	union {
		int skc_incoming_cpu;
		__u32 skc_rcv_wnd;
		__u32 skc_tw_rcv_nxt;
	};
	refcount_t skc_refcnt;
	int skc_dontcopy_end[0];
	union {
		__u32 skc_rxhash;
		__u32 skc_window_clamp;
		__u32 skc_tw_snd_nxt;
	};
};

struct sock {
	struct sock_common __sk_common;
	u32 sk_mark;
	u32 sk_priority;
	u16 sk_type;
	u16 sk_protocol;
};

struct inet_sock {
	struct sock sk;
	__be32 inet_saddr;
	__be16 inet_sport;
};

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	__u8 icsk_retransmits;
};

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	u32 segs_in;
	u32 data_segs_in;
	u32 rcv_nxt;
	u64 bytes_received;
	u32 segs_out;
	u32 data_segs_out;
	u64 bytes_acked;
	u32 snd_una;
	u32 snd_nxt;
	u32 mss_cache;
	u32 srtt_us;
	u32 packets_out;
	u32 retrans_out;
	u32 snd_ssthresh;
	u32 snd_cwnd;
	u32 delivered;
	u32 delivered_ce;
	u32 lost_out;
	u32 sacked_out;
	u32 total_retrans;
};

struct tcp6_sock {
	struct tcp_sock tcp;
};

struct udp_sock {
	struct inet_sock inet;
};

struct udp6_sock {
	struct udp_sock udp;
};

/* never returned by tsbpf (no time-wait, request, unix or MPTCP sockets):
 * described so the verifier knows their names and sizes */
struct inet_timewait_sock {
	struct sock_common __tw_common;
};

struct tcp_timewait_sock {
	struct inet_timewait_sock tw_sk;
};

struct request_sock {
	struct sock_common __req_common;
};

struct inet_request_sock {
	struct request_sock req;
};

struct tcp_request_sock {
	struct inet_request_sock req;
};

struct unix_sock {
	struct sock sk;
};

struct mptcp_sock {
	struct inet_connection_sock sk;
};

/* ---- BTF-attached tracing targets (fentry/fexit/fmod_ret/lsm/tp_btf) ----
 * The functions, LSM hooks and tracepoints a program may attach to when no
 * vmlinux BTF is given, with the prototypes of Linux 6.18 (checked against a
 * vmlinux BTF by test/btf/kernel_funcs.test.ts), and the structs their
 * arguments point to (kernel member names, only what the runtime fills in).
 * The verifier types the program's context from these prototypes as
 * btf_ctx_access does. */
struct filename {
	const char *name;
	const char *uptr;
	int refcnt;
};

struct path {
	void *mnt;
	void *dentry;
};

struct file {
	unsigned int f_mode;
	unsigned int f_flags;
	long long f_pos;
	struct path f_path;
};

struct open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

struct linux_binprm {
	struct file *file;
	int argc;
	int envc;
	const char *filename;
	const char *interp;
};

struct sockaddr {
	unsigned short sa_family;
	char sa_data[14];
};

struct proto_accept_arg {
	int flags;
	int err;
	int is_empty;
	_Bool kern;
};

struct msghdr {
	void *msg_name;
	int msg_namelen;
};

/* the kernel's btf_trace_<name> typedefs (what tp_btf/<name> resolves): the
 * tracepoint's arguments after the leading `void *__data` */
typedef _Bool bool;
typedef void (*btf_trace_sched_switch)(void *, bool, struct task_struct *, struct task_struct *, unsigned int);
typedef void (*btf_trace_sched_wakeup)(void *, struct task_struct *);
typedef void (*btf_trace_sched_process_exec)(void *, struct task_struct *, pid_t, struct linux_binprm *);
typedef void (*btf_trace_sched_process_exit)(void *, struct task_struct *, bool);
typedef void (*btf_trace_sched_process_fork)(void *, struct task_struct *, struct task_struct *);
typedef void (*btf_trace_task_newtask)(void *, struct task_struct *, u64);
typedef void (*btf_trace_sys_enter)(void *, struct pt_regs *, long);
typedef void (*btf_trace_sys_exit)(void *, struct pt_regs *, long);
typedef void (*btf_trace_inet_sock_set_state)(void *, const struct sock *, const int, const int);

/* ---- conntrack: struct nf_conn as the conntrack kfuncs hand it out ----
 * Kernel member names and nesting (tuplehash[dir].tuple.src.u3.ip, ...);
 * the runtime lays out each acquired entry at these offsets. */
union nf_inet_addr {
	__u32 all[4];
	__be32 ip;
	__be32 ip6[4];
	struct in_addr in;
	struct in6_addr in6;
};

union nf_conntrack_man_proto {
	__be16 all;
	struct {
		__be16 port;
	} tcp;
	struct {
		__be16 port;
	} udp;
};

struct nf_conntrack_man {
	union nf_inet_addr u3;
	union nf_conntrack_man_proto u;
	__u16 l3num;
};

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			__be16 all;
			struct {
				__be16 port;
			} tcp;
			struct {
				__be16 port;
			} udp;
		} u;
		__u8 protonum;
		__u8 dir;
	} dst;
};

struct nf_conntrack_tuple_hash {
	struct hlist_nulls_node hnnode;
	struct nf_conntrack_tuple tuple;
};

struct nf_conntrack {
	int use;
};

struct nf_conntrack_zone {
	__u16 id;
	__u8 flags;
	__u8 dir;
};

struct nf_conn {
	struct nf_conntrack ct_general;
	int lock;
	__u32 timeout;
	struct nf_conntrack_zone zone;
	struct nf_conntrack_tuple_hash tuplehash[2];
	unsigned long status;
	struct nf_conn *master;
	__u32 mark;
	__u32 secmark;
};

struct nf_conn___init {
	struct nf_conn ct;
};

#endif

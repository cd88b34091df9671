// SPDX-License-Identifier: MIT
/* CO-RE relocations that become constants: field offsets/sizes/existence and
 * signedness, type existence/size/ids/matches, enum values, with flavours
 * (___old/___new) as programs use them across kernel versions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __pai __attribute__((preserve_access_index))

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	int prio;
	struct task_struct *real_parent;
} __pai;

/* 'state' became '__state' in 5.14: one of the two exists */
struct task_struct___old {
	long state;
} __pai;

struct task_struct___new {
	unsigned int __state;
} __pai;

struct tsbpf_no_such_struct {
	int x;
} __pai;

/* same shape as the kernel's: TYPE_MATCHES holds */
struct bpf_spin_lock___m {
	__u32 val;
} __pai;

/* different member type size: TYPE_MATCHES fails, TYPE_EXISTS holds */
struct bpf_spin_lock___x {
	__u64 val;
} __pai;

enum bpf_func_id___new {
	BPF_FUNC_user_ringbuf_drain___new = 1,
	BPF_FUNC_tsbpf_no_such_helper___new = 2,
};

enum xdp_action___l {
	XDP_TX___l = 77,
};

__s64 out[20];

SEC("syscall")
int consts(void *ctx)
{
	out[0] = bpf_core_field_offset(struct task_struct, pid);
	out[1] = bpf_core_field_size(struct task_struct, comm);
	out[2] = bpf_core_field_exists(struct task_struct___old, state);
	out[3] = bpf_core_field_exists(struct task_struct___new, __state);
	out[4] = bpf_core_type_exists(struct task_struct);
	out[5] = bpf_core_type_exists(struct tsbpf_no_such_struct);
	out[6] = bpf_core_type_size(struct task_struct);
	out[7] = bpf_core_enum_value_exists(enum bpf_func_id___new, BPF_FUNC_user_ringbuf_drain___new);
	if (bpf_core_enum_value_exists(enum bpf_func_id___new, BPF_FUNC_user_ringbuf_drain___new))
		out[8] = bpf_core_enum_value(enum bpf_func_id___new, BPF_FUNC_user_ringbuf_drain___new);
	else
		out[8] = -1;
	/* unresolvable, but never reached: the poisoned instruction is dead code */
	if (bpf_core_enum_value_exists(enum bpf_func_id___new, BPF_FUNC_tsbpf_no_such_helper___new))
		out[9] = bpf_core_enum_value(enum bpf_func_id___new, BPF_FUNC_tsbpf_no_such_helper___new);
	else
		out[9] = -2;
	out[10] = bpf_core_enum_value(enum xdp_action___l, XDP_TX___l);
	out[11] = bpf_core_type_matches(struct bpf_spin_lock___m);
	out[12] = bpf_core_type_matches(struct bpf_spin_lock___x);
	out[13] = bpf_core_type_exists(struct bpf_spin_lock___x);
	out[14] = __builtin_preserve_field_info(___bpf_field_ref(struct task_struct, prio), BPF_FIELD_SIGNED);
	out[15] = __builtin_preserve_field_info(___bpf_field_ref(struct task_struct, comm[3]), BPF_FIELD_BYTE_OFFSET);
	out[16] = bpf_core_field_offset(struct task_struct, real_parent);
	out[17] = bpf_core_type_id_local(struct task_struct);
	out[18] = bpf_core_type_id_kernel(struct task_struct) != 0;
	if (bpf_core_field_exists(struct task_struct___old, state))
		out[19] = bpf_core_field_offset(struct task_struct___old, state);
	else
		out[19] = bpf_core_field_offset(struct task_struct___new, __state);
	return 0;
}

char _license[] SEC("license") = "GPL";

// bpf_get_stackid on the live kernel and on tsbpf. The frames differ (the
// kernel's are real, tsbpf's are the ones `task:kstack=` sets), so the
// program stores what does not depend on them: with a one-bucket map every
// stack has id 0, the same stack finds its id again, a different one (a
// shorter trace, skip 1) collides (-EEXIST), and BPF_F_REUSE_STACKID cannot
// replace it (-ENOMEM: the one preallocated element is in use); skipping the
// whole trace is -EFAULT; unknown flags -EINVAL; a user stack
// (BPF_F_USER_STACK) gets an id too.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16 * sizeof(__u64));
} one SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(__u64));
} many SEC(".maps");

long first, again, collide, reuse, back, collide_fast, bad_flags, skip_all, user_ok, user_again;

static __u64 flags_of(int i)
{
	/* one call site, flags from a table: the kernel's first frame is the call site */
	switch (i) {
	case 0: return 0;
	case 1: return 0;
	case 2: return 1;
	case 3: return 1 | BPF_F_REUSE_STACKID;
	case 4: return BPF_F_REUSE_STACKID;
	case 5: return 1 | BPF_F_FAST_STACK_CMP;
	case 6: return 1 << 11;
	default: return 255;
	}
}

SEC("raw_tp")
int stackid(void *ctx)
{
	long r[8];
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < 8; i++)
		r[i] = bpf_get_stackid(ctx, &one, flags_of(i));
	first = r[0];
	again = r[1];
	collide = r[2];
	reuse = r[3];
	back = r[4];
	collide_fast = r[5];
	bad_flags = r[6];
	skip_all = r[7];
	return 0;
}

SEC("raw_tp")
int user(void *ctx)
{
	long a = bpf_get_stackid(ctx, &many, BPF_F_USER_STACK);
	long b = bpf_get_stackid(ctx, &many, BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP);

	user_ok = a >= 0;
	user_again = a == b;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

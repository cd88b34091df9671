// SPDX-License-Identifier: GPL-2.0
/* helpers_queue: push/pop/peek on queue and stack maps with bad arguments.
 * Results in .bss (-1000: not reached).
 *   queue (syscall) queue of 2: pop/peek empty, push full, BPF_EXIST overwrites
 *                   the oldest, bad flags; popped values show the order
 *   stack (syscall) the same on a stack (BPF_EXIST drops the oldest, the bottom)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 2);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 2);
	__type(value, __u32);
} s SEC(".maps");

volatile __u64 flags_noexist = BPF_NOEXIST;
volatile __u64 flags_lock = BPF_F_LOCK;
volatile __u64 flags_bad = 3;

long rq[20] = {};
long rs[20] = {};

#define NR -1000

#define EXERCISE(m, r)                                                     \
	do {                                                               \
		__u32 v, out = 77;                                         \
		for (int i = 0; i < 20; i++)                               \
			r[i] = NR;                                         \
		for (int i = 0; i < 4; i++)                                \
			bpf_map_pop_elem(&m, &out);                        \
		out = 77;                                                  \
		r[0] = bpf_map_pop_elem(&m, &out);      /* -ENOENT */      \
		r[1] = bpf_map_peek_elem(&m, &out);     /* -ENOENT */      \
		r[2] = out;                             /* untouched? */   \
		v = 1;                                                     \
		r[3] = bpf_map_push_elem(&m, &v, BPF_ANY);     /* 0 */     \
		v = 2;                                                     \
		r[4] = bpf_map_push_elem(&m, &v, BPF_ANY);     /* 0 */     \
		v = 3;                                                     \
		r[5] = bpf_map_push_elem(&m, &v, BPF_ANY);     /* -E2BIG */\
		r[6] = bpf_map_push_elem(&m, &v, flags_noexist); /* -EINVAL */ \
		r[7] = bpf_map_push_elem(&m, &v, flags_lock);  /* -EINVAL */ \
		r[8] = bpf_map_push_elem(&m, &v, flags_bad);   /* -EINVAL */ \
		r[9] = bpf_map_push_elem(&m, &v, BPF_EXIST);   /* 0 */     \
		r[10] = bpf_map_peek_elem(&m, &out);                       \
		r[11] = out;                                               \
		r[12] = bpf_map_pop_elem(&m, &out);                        \
		r[13] = out;                                               \
		r[14] = bpf_map_pop_elem(&m, &out);                        \
		r[15] = out;                                               \
		out = 55;                                                  \
		r[16] = bpf_map_pop_elem(&m, &out);     /* -ENOENT */      \
		r[17] = out;                                               \
		v = 4;                                                     \
		r[18] = bpf_map_push_elem(&m, &v, BPF_EXIST); /* not full: 0 */ \
		r[19] = bpf_map_pop_elem(&m, &out) == 0 ? out : -1;        \
	} while (0)

SEC("syscall")
int queue(void *ctx)
{
	EXERCISE(q, rq);
	return 0;
}

SEC("syscall")
int stack(void *ctx)
{
	EXERCISE(s, rs);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* test/jit/timer_lane_diff.test.ts drives this object with random scenarios on
 * both engines and compares everything after every step: the fire path of
 * the JIT (whatever fast path it takes) must do exactly what the
 * interpreter does.
 *
 * Three maps hold timers (arr: array, hmap: prealloc hash, hnp:
 * BPF_F_NO_PREALLOC hash), all with the same value `struct elem`. What a
 * callback does is in its element (mode bits, set by OP_MODE), so a scenario
 * composes behaviours without a program per behaviour:
 *   M_REARM       re-arm itself after `period` ns (0 allowed), flags 0
 *   M_REARM_ABS   ... with BPF_F_TIMER_ABS at ktime + period
 *   M_REARM_PIN   ... with BPF_F_TIMER_CPU_PIN
 *   M_OTHER       start arr[other] after p2 ns (its callback must be set)
 *   M_OTHER_H     start hmap[other] after p2 ns
 *   M_CPU         log bpf_get_smp_processor_id()
 *   M_UPD_H       bpf_map_update_elem(hmap, other, zero): frees that timer
 *   M_CANCEL_SELF bpf_timer_cancel(self): -EDEADLK
 *   M_CANCEL_OTH  bpf_timer_cancel(arr[other])
 *   M_SWAP_CB     bpf_timer_set_callback(self, cb_b)
 *   M_PCPU        pcpu[key & 3] += 1 + key (per-CPU array)
 *   M_DEL_H       bpf_map_delete_elem(hmap, other)
 *   M_LOOP        bpf_loop(loops, ...) (with the runtime's maxInsns: a fault)
 *   M_TIME        log ktime and boottime
 * cb_a does all that; cb_b (set by SETCB 1 or M_SWAP_CB) only counts and
 * re-arms (M_REARM). Once an element's count reaches maxfire (0: never), its
 * callback stops before M_OTHER: no arming, updates, deletes or swaps, so
 * every chain of 0 ns timers ends. Every callback and op appends to tlog (a
 * ring in .bss). ctl_sys (syscall: a 0 ns timer fires inside
 * bpf_timer_start) and ctl_xdp (XDP: it fires when the run ends; no INIT,
 * SETCB or ARM) run one struct cmd each. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define F_ABS 1
#define F_PIN 2

struct elem {
	struct bpf_timer t;
	__u64 count;
	__u64 period;
	__u64 p2;
	__u32 mode;
	__u32 other;
	__u32 loops;
	__u32 maxfire;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, struct elem);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, struct elem);
} hmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, struct elem);
} hnp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

enum {
	M_REARM = 1 << 0, M_REARM_ABS = 1 << 1, M_REARM_PIN = 1 << 2, M_OTHER = 1 << 3,
	M_OTHER_H = 1 << 4, M_CPU = 1 << 5, M_UPD_H = 1 << 6, M_CANCEL_SELF = 1 << 7,
	M_CANCEL_OTH = 1 << 8, M_SWAP_CB = 1 << 9, M_PCPU = 1 << 10, M_DEL_H = 1 << 11,
	M_LOOP = 1 << 12, M_TIME = 1 << 13,
};

enum { OP_INIT, OP_SETCB, OP_START, OP_CANCEL, OP_MODE, OP_DELETE, OP_UPDATE, OP_ARM, OP_NOP };

struct cmd {
	__u32 op;
	__u32 map;	/* 0 arr, 1 hmap, 2 hnp */
	__u32 key;
	__u32 arg;	/* INIT/ARM: clock; SETCB/ARM: callback in bits 8-9; START: flags, ABS base in bits 8-9; MODE: mode */
	__u64 n1;	/* START/ARM: nsecs; MODE: period */
	__u64 n2;	/* MODE: p2 */
	__u32 a2;	/* MODE: other */
	__u32 a3;	/* MODE: loops (low 16 bits), maxfire (high 16 bits) */
};

__u64 tlog[64];
__u32 tn;
__u64 fires, loop_sum;
__s64 last_ret;

static __always_inline void logv(__u64 v)
{
	__u32 i = tn;

	tlog[i & 63] = v;
	tn = i + 1;
}

/* one log word: what (8 bits), a tag or key (8 bits), a value (48 bits) */
static __always_inline void log3(__u32 what, __u32 who, __s64 v)
{
	logv(((__u64)what << 56) | ((__u64)(who & 0xff) << 48) | ((__u64)v & 0xffffffffffffULL));
}

static int loop_step(__u32 i, void *ctx)
{
	loop_sum += i;
	return 0;
}

/* cb_b, the callback M_SWAP_CB switches to: counts, re-arms itself if
 * M_REARM (bounded by maxfire), nothing else. It is small on purpose: the
 * verifier explores a callback at every bpf_timer_set_callback site, for
 * every map whose timer it gets, and the test loads this object ~600 times. */
static int cb_b(void *map, __u32 *key, struct elem *v)
{
	__u32 who = (1 << 4) | (*key & 0xf);

	fires++;
	v->count++;
	log3(1, who, v->count);
	if (v->maxfire && v->count >= v->maxfire)
		return 0;
	if (v->mode & M_REARM)
		log3(13, who, bpf_timer_start(&v->t, v->period, 0));
	return 0;
}

static __always_inline int body(__u32 tag, __u32 *key, struct elem *v)
{
	__u32 mode = v->mode, o = v->other, k = *key;
	__u32 who = (tag << 4) | (k & 0xf);
	struct elem *e;
	long r;

	fires++;
	v->count++;
	log3(1, who, v->count);
	if (mode & M_TIME) {
		log3(2, who, bpf_ktime_get_ns());
		log3(3, who, bpf_ktime_get_boot_ns());
	}
	if (mode & M_CPU)
		log3(4, who, bpf_get_smp_processor_id());
	if (mode & M_PCPU) {
		__u32 pk = k & 3;
		__u64 *c = bpf_map_lookup_elem(&pcpu, &pk);

		if (c)
			*c += 1 + k;
	}
	if (mode & M_LOOP)
		log3(5, who, bpf_loop(v->loops, loop_step, 0, 0));
	if (mode & M_CANCEL_SELF)
		log3(6, who, bpf_timer_cancel(&v->t));
	if (mode & M_CANCEL_OTH) {
		e = bpf_map_lookup_elem(&arr, &o);
		log3(7, who, e ? bpf_timer_cancel(&e->t) : 99);
	}
	if (v->maxfire && v->count >= v->maxfire)
		return 0;
	if (mode & M_OTHER) {
		e = bpf_map_lookup_elem(&arr, &o);
		log3(8, who, e ? bpf_timer_start(&e->t, v->p2, 0) : 99);
	}
	if (mode & M_OTHER_H) {
		e = bpf_map_lookup_elem(&hmap, &o);
		log3(9, who, e ? bpf_timer_start(&e->t, v->p2, 0) : 99);
	}
	if (mode & M_UPD_H) {
		struct elem z = {};

		log3(10, who, bpf_map_update_elem(&hmap, &o, &z, 0));
	}
	if (mode & M_DEL_H)
		log3(11, who, bpf_map_delete_elem(&hmap, &o));
	if (mode & M_SWAP_CB)
		log3(12, who, bpf_timer_set_callback(&v->t, cb_b));
	if (mode & M_REARM)
		log3(13, who, bpf_timer_start(&v->t, v->period, 0));
	if (mode & M_REARM_ABS)
		log3(14, who, bpf_timer_start(&v->t, bpf_ktime_get_ns() + v->period, F_ABS));
	if (mode & M_REARM_PIN)
		log3(15, who, bpf_timer_start(&v->t, v->period, F_PIN));
	return 0;
}

/* cb_a: everything the element's mode says */
static int cb_a(void *map, __u32 *key, struct elem *v)
{
	return body(0, key, v);
}



static __always_inline long set_cb(struct elem *v, __u32 which)
{
	if (which == 0)
		return bpf_timer_set_callback(&v->t, cb_a);
	return bpf_timer_set_callback(&v->t, cb_b);
}

/* START: flags and the ABS base from arg; ARM: flags 0, relative */
static __always_inline long start(struct elem *v, struct cmd *c, int arm)
{
	__u64 ns = c->n1;
	__u32 base = arm ? 0 : (c->arg >> 8) & 3;

	if (base == 1)
		ns += bpf_ktime_get_ns();
	else if (base == 2)
		ns += bpf_ktime_get_boot_ns();
	return bpf_timer_start(&v->t, ns, arm ? 0 : c->arg & 0xff);
}

/* one op on element key of MAP; MAP is a literal map (bpf_timer_init needs a
 * constant map). INIT, SETCB and START share their helper call sites with ARM:
 * the verifier explores a callback once per bpf_timer_set_callback site. */
#define DO_OP(MAP, FULL)								\
	({									\
		long ret = 0, r1 = 0, r2 = 0, r3 = 0;				\
		__u32 op = c->op;						\
		struct elem *v = bpf_map_lookup_elem(&MAP, &key);		\
		if (!v && op != OP_DELETE && op != OP_UPDATE) {		\
			struct elem z = {};					\
			ret = bpf_map_update_elem(&MAP, &key, &z, BPF_NOEXIST);	\
			v = bpf_map_lookup_elem(&MAP, &key);			\
		}								\
		if (op == OP_DELETE) {						\
			ret = bpf_map_delete_elem(&MAP, &key);			\
		} else if (op == OP_UPDATE) {					\
			struct elem z = {};					\
			ret = bpf_map_update_elem(&MAP, &key, &z, 0);		\
		} else if (!v) {						\
			ret = 1000 + ret;					\
		} else if (op == OP_CANCEL) {					\
			ret = bpf_timer_cancel(&v->t);				\
		} else if (op == OP_MODE) {					\
			v->mode = c->arg;					\
			v->period = c->n1;					\
			v->p2 = c->n2;						\
			v->other = c->a2;					\
			v->loops = c->a3 & 0xffff;				\
			v->maxfire = c->a3 >> 16;				\
		} else if (!FULL && op != OP_START) {				\
			ret = 2000;						\
		} else if (op <= OP_START || op == OP_ARM) {			\
			if (op == OP_INIT || op == OP_ARM)			\
				r1 = bpf_timer_init(&v->t, &MAP, op == OP_ARM ? c->arg & 0xff : c->arg); \
			if (op == OP_SETCB || op == OP_ARM)			\
				r2 = set_cb(v, (c->arg >> 8) & 3);		\
			if (op == OP_START || op == OP_ARM) {			\
				r3 = start(v, c, op == OP_ARM);			\
				log3(20, key, v->count);			\
			}							\
			ret = op == OP_INIT ? r1 : op == OP_SETCB ? r2 : op == OP_START ? r3 : \
				(r1 & 0xff) | ((r2 & 0xff) << 8) | ((r3 & 0xff) << 16); \
		}								\
		ret;								\
	})

/* FULL 0 (the XDP program): no INIT, SETCB or ARM (2000), so no
 * bpf_timer_set_callback site and no callback to verify again */
static __always_inline long run_cmd(struct cmd *c, const int full)
{
	__u32 key = c->key;
	long ret;

	if (c->map == 0)
		ret = DO_OP(arr, full);
	else if (c->map == 1)
		ret = DO_OP(hmap, full);
	else
		ret = DO_OP(hnp, full);
	log3(30 + c->op, (c->map << 4) | (key & 0xf), ret);
	last_ret = ret;
	return ret;
}

SEC("syscall")
int ctl_sys(struct cmd *ctx)
{
	struct cmd c = *ctx;

	return run_cmd(&c, 1);
}

SEC("xdp")
int ctl_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct cmd c;

	if (data + sizeof(c) > end)
		return XDP_ABORTED;
	__builtin_memcpy(&c, data, sizeof(c));
	run_cmd(&c, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

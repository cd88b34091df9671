// SPDX-License-Identifier: MIT
/* Leak check (bench/leak.ts, test/runtime/leak.test.ts): one bpf_timer
 * life cycle per run of `cycle`, on a hash map element it inserts.
 *
 * The test packet carries the request:
 *   u32 key, u32 op, u64 delay_ns
 * op bits:
 *   1  bpf_timer_cancel after bpf_timer_start
 *   2  bpf_map_delete_elem of the element at the end (from the program)
 *   4  the callback deletes its own element when it fires
 *   8  the callback re-arms its timer once (delay_ns again)
 * The update at the start replaces an element that may still be there
 * (with an armed timer: the map frees that timer).
 * Rebuild: scripts/build-bpf.sh (clang-19 -O2 -g -target bpf). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define EBUSY 16

struct elem {
	struct bpf_timer t;
	__u32 op;
	__u32 rearmed;
	__u64 delay;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct elem);
} lmap SEC(".maps");

struct req {
	__u32 key;
	__u32 op;
	__u64 delay;
};

__u64 runs;
__u64 fired;
__u64 cancelled;
__u64 errors;
__s64 last_err;

static int leak_cb(void *map, __u32 *key, struct elem *e)
{
	fired++;
	if ((e->op & 8) && !e->rearmed) {
		e->rearmed = 1;
		if (bpf_timer_start(&e->t, e->delay, 0))
			errors++;
		return 0;
	}
	if (e->op & 4)
		bpf_map_delete_elem(map, key);
	return 0;
}

SEC("xdp")
int cycle(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct req *rq = data;
	struct elem init = {};
	struct elem *e;
	__u32 key;
	long r;

	if ((void *)(rq + 1) > data_end)
		return XDP_ABORTED;
	key = rq->key;
	init.op = rq->op;
	init.delay = rq->delay;
	runs++;
	if (bpf_map_update_elem(&lmap, &key, &init, BPF_ANY)) {
		errors++;
		return XDP_DROP;
	}
	e = bpf_map_lookup_elem(&lmap, &key);
	if (!e) {
		errors++;
		return XDP_DROP;
	}
	r = bpf_timer_init(&e->t, &lmap, CLOCK_MONOTONIC);
	if (r && r != -EBUSY) {
		last_err = r;
		errors++;
		return XDP_DROP;
	}
	r = bpf_timer_set_callback(&e->t, leak_cb);
	if (r) {
		last_err = r;
		errors++;
	}
	r = bpf_timer_start(&e->t, rq->delay, 0);
	if (r) {
		last_err = r;
		errors++;
	}
	if (rq->op & 1) {
		r = bpf_timer_cancel(&e->t);
		if (r < 0) {
			last_err = r;
			errors++;
		}
		cancelled += r;
	}
	if (rq->op & 2)
		bpf_map_delete_elem(&lmap, &key);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

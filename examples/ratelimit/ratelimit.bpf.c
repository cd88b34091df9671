// SPDX-License-Identifier: GPL-2.0
/* ratelimit: a token-bucket rate limiter for XDP, refilled by a timer.
 *
 * `setup` (a syscall program, run once) fills the bucket to BURST tokens and
 * starts a periodic timer. `limit` (XDP) takes one token per packet and
 * passes it (XDP_PASS); with no token left it drops it (XDP_DROP). Every
 * REFILL_NS the timer callback adds RATE tokens (at most BURST) and re-arms
 * itself. The bucket's token count is shared between the packet path and
 * the callback, so both update it under the bpf_spin_lock that sits beside
 * the timer in the map value.
 *
 * Globals (dumped): passed, dropped, refills, tokens_seen (the bucket's
 * level at the last packet, after it was served).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define BURST 3
#define RATE 2
#define REFILL_NS (50 * 1000000ULL)	/* 50 ms */

struct bucket {
	struct bpf_spin_lock lock;
	__u32 tokens;
	struct bpf_timer refill;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct bucket);
} bucket SEC(".maps");

__u64 passed, dropped, refills;
int tokens_seen = -1;
long setup_err = 1;

static int refill(void *map, int *key, struct bucket *b)
{
	bpf_spin_lock(&b->lock);
	b->tokens = b->tokens + RATE > BURST ? BURST : b->tokens + RATE;
	bpf_spin_unlock(&b->lock);
	refills++;
	bpf_timer_start(&b->refill, REFILL_NS, 0);
	return 0;
}

SEC("syscall")
int setup(void *ctx)
{
	int k = 0;
	struct bucket *b = bpf_map_lookup_elem(&bucket, &k);

	if (!b)
		return 1;
	bpf_spin_lock(&b->lock);
	b->tokens = BURST;
	bpf_spin_unlock(&b->lock);
	setup_err = bpf_timer_init(&b->refill, &bucket, CLOCK_MONOTONIC);
	if (setup_err)
		return 1;
	bpf_timer_set_callback(&b->refill, refill);
	setup_err = bpf_timer_start(&b->refill, REFILL_NS, 0);
	return 0;
}

SEC("xdp")
int limit(struct xdp_md *ctx)
{
	int k = 0, ok = 0, left;
	struct bucket *b = bpf_map_lookup_elem(&bucket, &k);

	if (!b)
		return XDP_ABORTED;
	bpf_spin_lock(&b->lock);
	if (b->tokens > 0) {
		b->tokens--;
		ok = 1;
	}
	left = b->tokens;
	bpf_spin_unlock(&b->lock);
	tokens_seen = left;
	if (!ok) {
		__sync_fetch_and_add(&dropped, 1);
		return XDP_DROP;
	}
	__sync_fetch_and_add(&passed, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Rule: a map value may hold a bpf_spin_lock beside a bpf_timer. The program
 * updates a counter under the lock and arms the timer (outside the lock: the
 * verifier forbids helper calls while the lock is held); the callback
 * re-arms itself twice and bumps the counter under the same lock each time.
 *   run:arm sleep:30000 dump -> fired=3, count=1+3=4 (read by `read` under
 *                               the lock into `seen`)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define MS 1000000ULL

struct val {
	struct bpf_spin_lock lock;
	int count;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} arr SEC(".maps");

int fired, seen = -1;

static int cb(void *map, int *key, struct val *v)
{
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	if (++fired < 3)
		bpf_timer_start(&v->t, 1 * MS, 0);
	return 0;
}

SEC("tc")
int arm(struct __sk_buff *skb)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 2;
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	bpf_timer_init(&v->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, cb);
	return bpf_timer_start(&v->t, 1 * MS, 0);
}

SEC("tc")
int read(struct __sk_buff *skb)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 2;
	bpf_spin_lock(&v->lock);
	seen = v->count;
	bpf_spin_unlock(&v->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

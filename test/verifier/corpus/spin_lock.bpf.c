// bpf_spin_lock rules outside timers: lock/unlock pairing on every path,
// one lock at a time, same lock, lock offset, maps without a lock, no calls
// and no direct access to the lock while it is held.
#include "corpus_asm.h"

struct lval {
	int cnt;
	struct bpf_spin_lock l;
	int other;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct lval);
} larr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct lval);
} lhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, __u64);
} plain SEC(".maps");

static __always_inline struct lval *get(void *map, int k)
{
	return bpf_map_lookup_elem(map, &k);
}

SEC("tc")
int spin_two_sections_ok(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->cnt++;
	bpf_spin_unlock(&v->l);
	bpf_spin_lock(&v->l);
	v->other = v->cnt;
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_branch_unlock_ok(struct __sk_buff *skb)
{
	struct lval *v = get(&lhash, skb->mark);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	if (v->cnt > 10) {
		v->cnt = 0;
		bpf_spin_unlock(&v->l);
		return 1;
	}
	v->cnt++;
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_double_lock(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	bpf_spin_lock(&v->l);
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_unlock_without_lock(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_unlock_other_value(struct __sk_buff *skb)
{
	struct lval *a = get(&lhash, 1), *b = get(&lhash, 2);
	if (!a || !b)
		return 0;
	bpf_spin_lock(&a->l);
	bpf_spin_unlock(&b->l);
	return 0;
}

SEC("tc")
int spin_lock_wrong_offset(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)&v->cnt);
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_lock_no_lock_in_map(struct __sk_buff *skb)
{
	__u64 *v = get(&plain, 1);
	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)v);
	bpf_spin_unlock((struct bpf_spin_lock *)v);
	return 0;
}

SEC("tc")
int spin_lock_unchecked_null(struct __sk_buff *skb)
{
	struct lval *v = get(&lhash, 1);
	bpf_spin_lock(&v->l);
	return 0;
}

SEC("tc")
int spin_lock_missing_unlock_branch(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	if (skb->mark == 3)
		return 1;
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_lock_direct_write(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	*(volatile int *)&v->l = 0;
	return 0;
}

SEC("tc")
int spin_lock_map_update_inside(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	int k = 0;
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	bpf_map_delete_elem(&lhash, &k);
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("socket")
int spin_lock_socket_filter(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	bpf_spin_unlock(&v->l);
	return 0;
}

static __noinline int bump(struct lval *v)
{
	return v->cnt + 1;
}

SEC("tc")
int spin_lock_subprog_call_inside(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	v->cnt = bump(v);
	bpf_spin_unlock(&v->l);
	return 0;
}

SEC("tc")
int spin_hash_update_after_unlock_ok(struct __sk_buff *skb)
{
	struct lval *v = get(&lhash, 3), n = {};
	int k = 3;
	if (!v) {
		bpf_map_update_elem(&lhash, &k, &n, BPF_NOEXIST);
		return 0;
	}
	bpf_spin_lock(&v->l);
	v->other += skb->len;
	bpf_spin_unlock(&v->l);
	bpf_map_delete_elem(&lhash, &k);
	return 0;
}

SEC("xdp")
int spin_xdp_ok(struct xdp_md *ctx)
{
	struct lval *v = get(&larr, 0);
	if (!v)
		return 2;
	bpf_spin_lock(&v->l);
	v->cnt = v->other + 1;
	v->other = 0;
	bpf_spin_unlock(&v->l);
	return 2;
}

SEC("tc")
int spin_loop_inside_ok(struct __sk_buff *skb)
{
	struct lval *v = get(&larr, 2);
	if (!v)
		return 0;
	bpf_spin_lock(&v->l);
	for (int i = 0; i < 4; i++)
		v->cnt += i;
	bpf_spin_unlock(&v->l);
	return 0;
}

char _license[] SEC("license") = "GPL";

// bpf_rcu_read_lock/unlock: the RCU read-side region rules of the verifier
// (nesting, unmatched unlock, exit inside the region).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int kf_rcu_lock_unlock_ok(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	int n = skb->len;
	bpf_rcu_read_unlock();
	return n & 1;
}

SEC("xdp")
int kf_rcu_xdp_ok(struct xdp_md *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return XDP_PASS;
}

SEC("tc")
int kf_rcu_nested(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tc")
int kf_rcu_unmatched_unlock(struct __sk_buff *skb)
{
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tc")
int kf_rcu_exit_locked(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("tc")
int kf_rcu_one_branch_unlocked(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->len > 100)
		bpf_rcu_read_unlock();
	return 0;
}

SEC("tc")
int kf_rcu_both_branches_ok(struct __sk_buff *skb)
{
	int r = 1;
	bpf_rcu_read_lock();
	if (skb->len > 100)
		r = 2;
	bpf_rcu_read_unlock();
	return r;
}

char _license[] SEC("license") = "GPL";

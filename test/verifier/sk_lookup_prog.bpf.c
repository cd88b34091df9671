// A tc program that looks a socket up and releases it (the runtime side:
// test/verifier/refs.test.ts runs it; no socket on the host matches).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int lookup_and_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);

	if (!sk)
		return TC_ACT_OK;
	bpf_sk_release(sk);
	return TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";

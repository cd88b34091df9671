// A tc program calling a helper the verifier checks but the runtime does not
// implement (bpf_skb_get_xfrm_state: tsbpf has no IPsec state): it verifies,
// and the loader refuses it naming the helper.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int xfrm(struct __sk_buff *skb)
{
	struct bpf_xfrm_state x = {};

	return bpf_skb_get_xfrm_state(skb, 0, &x, sizeof(x), 0) ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

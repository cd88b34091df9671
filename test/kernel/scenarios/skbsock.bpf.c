// SPDX-License-Identifier: GPL-2.0
/* skbsock: what a tc program learns about the socket of its skb (in a test
 * run, a socket BPF_PROG_TEST_RUN creates for the packet, in the runner's
 * cgroup) and bpf_skb_ecn_set_ce on the packet. Cookies and cgroup ids
 * differ between machines, so their relations are recorded, not values.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

long cookie_nonzero, cookie_same, uid, cg_is_current, anc0_is_root, depth_found, past_depth, anc_neg;

SEC("tc")
int info(struct __sk_buff *skb)
{
	__u64 c1 = bpf_get_socket_cookie(skb), c2 = bpf_get_socket_cookie(skb);
	__u64 cg = bpf_skb_cgroup_id(skb);
	int level;

	cookie_nonzero = c1 != 0;
	cookie_same = c1 == c2;
	uid = bpf_get_socket_uid(skb);
	cg_is_current = cg == bpf_get_current_cgroup_id();
	anc0_is_root = bpf_skb_ancestor_cgroup_id(skb, 0) == 1;
	anc_neg = bpf_skb_ancestor_cgroup_id(skb, -1);
	/* the socket's own level: the ancestor there is the socket's cgroup, none below it */
	for (level = 0; level < 16; level++) {
		if (bpf_skb_ancestor_cgroup_id(skb, level) == cg) {
			depth_found = 1;
			past_depth = bpf_skb_ancestor_cgroup_id(skb, level + 1);
			break;
		}
	}
	return TC_ACT_OK;
}

SEC("tc")
int ecn(struct __sk_buff *skb)
{
	return bpf_skb_ecn_set_ce(skb);
}

char _license[] SEC("license") = "GPL";

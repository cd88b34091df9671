// SPDX-License-Identifier: GPL-2.0
/* netns: bpf_get_netns_cookie from tc. A NULL context asks for the current
 * network namespace (init_net in the kernel's code: the one BPF_PROG_TEST_RUN
 * runs in), the skb for its socket's; a test run's skb socket lives in the
 * runner's namespace (init_net here: the same cookie; in another namespace
 * they would differ). The value is init_net's cookie, 3 on Linux 6.18.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

__u64 cookie, same, stable, nonzero, differs_from_socket, sf_cookie, sf_same;

SEC("tc")
int tc_cookie(struct __sk_buff *skb)
{
	__u64 a = bpf_get_netns_cookie(NULL), b = bpf_get_netns_cookie(skb);

	cookie = a;
	same = a == b;
	stable = b == bpf_get_netns_cookie(skb);
	nonzero = a != 0;
	differs_from_socket = a != bpf_get_socket_cookie(skb);
	return TC_ACT_OK;
}

/* a socket filter gets the same (skb) flavour */
SEC("socket")
int sf_cookie_prog(struct __sk_buff *skb)
{
	sf_cookie = bpf_get_netns_cookie(skb);
	sf_same = sf_cookie == bpf_get_netns_cookie(NULL);
	return 0;
}

char _license[] SEC("license") = "GPL";

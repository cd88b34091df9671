// Socket local storage on the live kernel and on tsbpf: a tc program looks
// up the listening socket of sock.host.json (127.0.0.1:8080) with
// bpf_sk_lookup_tcp, creates its storage from an initial value with
// BPF_SK_STORAGE_GET_F_CREATE (found again by the next run), asks with
// flags past F_CREATE (NULL), deletes it
// (0, then -ENOENT), and releases the socket. Results land in .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} sks SEC(".maps");

long count, bad_flags, peek, del1, del2;

static struct bpf_sock *listener(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};

	t.ipv4.saddr = bpf_htonl(0x7f000001);
	t.ipv4.daddr = bpf_htonl(0x7f000001);
	t.ipv4.sport = bpf_htons(12345);
	t.ipv4.dport = bpf_htons(8080);
	return bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
}

SEC("tc")
int touch(struct __sk_buff *skb)
{
	struct bpf_sock *sk = listener(skb);
	long init = 100, *v;

	if (!sk)
		return 1;
	v = bpf_sk_storage_get(&sks, sk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (v) {
		*v += 1;
		count = *v;
	}
	bad_flags = bpf_sk_storage_get(&sks, sk, NULL, 2) != NULL;
	bpf_sk_release(sk);
	return v ? 0 : 2;
}

SEC("tc")
int look(struct __sk_buff *skb)
{
	struct bpf_sock *sk = listener(skb);
	long *v;

	if (!sk)
		return 1;
	v = bpf_sk_storage_get(&sks, sk, NULL, 0);
	peek = v ? *v : -1;
	bpf_sk_release(sk);
	return 0;
}

SEC("tc")
int del(struct __sk_buff *skb)
{
	struct bpf_sock *sk = listener(skb);

	if (!sk)
		return 1;
	del1 = bpf_sk_storage_delete(&sks, sk);
	del2 = bpf_sk_storage_delete(&sks, sk);
	bpf_sk_release(sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// 257 subprograms (main + 256 callees): the kernel's BPF_MAX_SUBPROGS is
// 256, main included; its neighbour has 256.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define F(n) static __attribute__((noinline)) int f##n(int x) { return x * (n + 1) + n; }
#define F10(n) F(n##0) F(n##1) F(n##2) F(n##3) F(n##4) F(n##5) F(n##6) F(n##7) F(n##8) F(n##9)
#define C(n) + f##n(x)
#define C10(n) C(n##0) C(n##1) C(n##2) C(n##3) C(n##4) C(n##5) C(n##6) C(n##7) C(n##8) C(n##9)

F10(10) F10(11) F10(12) F10(13) F10(14) F10(15) F10(16) F10(17) F10(18) F10(19)
F10(20) F10(21) F10(22) F10(23) F10(24) F10(25) F10(26) F10(27) F10(28) F10(29)
F10(30) F10(31) F10(32) F10(33) F10(34)
F(350) F(351) F(352) F(353) F(354) F(355)

SEC("xdp")
int subprogs_257(struct xdp_md *ctx)
{
	int x = ctx->ingress_ifindex;
	return 0 C10(10) C10(11) C10(12) C10(13) C10(14) C10(15) C10(16) C10(17) C10(18) C10(19)
		C10(20) C10(21) C10(22) C10(23) C10(24) C10(25) C10(26) C10(27) C10(28) C10(29)
		C10(30) C10(31) C10(32) C10(33) C10(34) C(350) C(351) C(352) C(353) C(354) C(355);
}

SEC("xdp")
int subprogs_256(struct xdp_md *ctx)
{
	int x = ctx->ingress_ifindex;
	return 0 C10(10) C10(11) C10(12) C10(13) C10(14) C10(15) C10(16) C10(17) C10(18) C10(19)
		C10(20) C10(21) C10(22) C10(23) C10(24) C10(25) C10(26) C10(27) C10(28) C10(29)
		C10(30) C10(31) C10(32) C10(33) C10(34) C(350) C(351) C(352) C(353) C(354);
}

char _license[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* sections: one empty program per SEC() name libbpf knows (section_defs[] of
 * tools/lib/bpf/libbpf.c; "name+" entries both bare and with a /target), plus
 * near misses libbpf leaves untyped and two SEC("?...") (autoload off).
 * Generated once from src/object/section_defs.ts; sections_probe.c prints what
 * libbpf makes of each, recorded in sections.libbpf.out. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int p0(void *ctx)
{
	return 0;
}

SEC("sk_reuseport/migrate")
int p1(void *ctx)
{
	return 0;
}

SEC("sk_reuseport")
int p2(void *ctx)
{
	return 0;
}

SEC("kprobe")
int p3(void *ctx)
{
	return 0;
}

SEC("kprobe/target_fn")
int p4(void *ctx)
{
	return 0;
}

SEC("uprobe")
int p5(void *ctx)
{
	return 0;
}

SEC("uprobe/target_fn")
int p6(void *ctx)
{
	return 0;
}

SEC("uprobe.s")
int p7(void *ctx)
{
	return 0;
}

SEC("uprobe.s/target_fn")
int p8(void *ctx)
{
	return 0;
}

SEC("kretprobe")
int p9(void *ctx)
{
	return 0;
}

SEC("kretprobe/target_fn")
int p10(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int p11(void *ctx)
{
	return 0;
}

SEC("uretprobe/target_fn")
int p12(void *ctx)
{
	return 0;
}

SEC("uretprobe.s")
int p13(void *ctx)
{
	return 0;
}

SEC("uretprobe.s/target_fn")
int p14(void *ctx)
{
	return 0;
}

SEC("kprobe.multi")
int p15(void *ctx)
{
	return 0;
}

SEC("kprobe.multi/target_fn")
int p16(void *ctx)
{
	return 0;
}

SEC("kretprobe.multi")
int p17(void *ctx)
{
	return 0;
}

SEC("kretprobe.multi/target_fn")
int p18(void *ctx)
{
	return 0;
}

SEC("kprobe.session")
int p19(void *ctx)
{
	return 0;
}

SEC("kprobe.session/target_fn")
int p20(void *ctx)
{
	return 0;
}

SEC("uprobe.multi")
int p21(void *ctx)
{
	return 0;
}

SEC("uprobe.multi/target_fn")
int p22(void *ctx)
{
	return 0;
}

SEC("uretprobe.multi")
int p23(void *ctx)
{
	return 0;
}

SEC("uretprobe.multi/target_fn")
int p24(void *ctx)
{
	return 0;
}

SEC("uprobe.session")
int p25(void *ctx)
{
	return 0;
}

SEC("uprobe.session/target_fn")
int p26(void *ctx)
{
	return 0;
}

SEC("uprobe.multi.s")
int p27(void *ctx)
{
	return 0;
}

SEC("uprobe.multi.s/target_fn")
int p28(void *ctx)
{
	return 0;
}

SEC("uretprobe.multi.s")
int p29(void *ctx)
{
	return 0;
}

SEC("uretprobe.multi.s/target_fn")
int p30(void *ctx)
{
	return 0;
}

SEC("uprobe.session.s")
int p31(void *ctx)
{
	return 0;
}

SEC("uprobe.session.s/target_fn")
int p32(void *ctx)
{
	return 0;
}

SEC("ksyscall")
int p33(void *ctx)
{
	return 0;
}

SEC("ksyscall/target_fn")
int p34(void *ctx)
{
	return 0;
}

SEC("kretsyscall")
int p35(void *ctx)
{
	return 0;
}

SEC("kretsyscall/target_fn")
int p36(void *ctx)
{
	return 0;
}

SEC("usdt")
int p37(void *ctx)
{
	return 0;
}

SEC("usdt/target_fn")
int p38(void *ctx)
{
	return 0;
}

SEC("usdt.s")
int p39(void *ctx)
{
	return 0;
}

SEC("usdt.s/target_fn")
int p40(void *ctx)
{
	return 0;
}

SEC("tc/ingress")
int p41(void *ctx)
{
	return 0;
}

SEC("tc/egress")
int p42(void *ctx)
{
	return 0;
}

SEC("tcx/ingress")
int p43(void *ctx)
{
	return 0;
}

SEC("tcx/egress")
int p44(void *ctx)
{
	return 0;
}

SEC("tc")
int p45(void *ctx)
{
	return 0;
}

SEC("classifier")
int p46(void *ctx)
{
	return 0;
}

SEC("action")
int p47(void *ctx)
{
	return 0;
}

SEC("netkit/primary")
int p48(void *ctx)
{
	return 0;
}

SEC("netkit/peer")
int p49(void *ctx)
{
	return 0;
}

SEC("tracepoint")
int p50(void *ctx)
{
	return 0;
}

SEC("tracepoint/target_fn")
int p51(void *ctx)
{
	return 0;
}

SEC("tp")
int p52(void *ctx)
{
	return 0;
}

SEC("tp/target_fn")
int p53(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint")
int p54(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/target_fn")
int p55(void *ctx)
{
	return 0;
}

SEC("raw_tp")
int p56(void *ctx)
{
	return 0;
}

SEC("raw_tp/target_fn")
int p57(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint.w")
int p58(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint.w/target_fn")
int p59(void *ctx)
{
	return 0;
}

SEC("raw_tp.w")
int p60(void *ctx)
{
	return 0;
}

SEC("raw_tp.w/target_fn")
int p61(void *ctx)
{
	return 0;
}

SEC("tp_btf")
int p62(void *ctx)
{
	return 0;
}

SEC("tp_btf/target_fn")
int p63(void *ctx)
{
	return 0;
}

SEC("fentry")
int p64(void *ctx)
{
	return 0;
}

SEC("fentry/target_fn")
int p65(void *ctx)
{
	return 0;
}

SEC("fmod_ret")
int p66(void *ctx)
{
	return 0;
}

SEC("fmod_ret/target_fn")
int p67(void *ctx)
{
	return 0;
}

SEC("fexit")
int p68(void *ctx)
{
	return 0;
}

SEC("fexit/target_fn")
int p69(void *ctx)
{
	return 0;
}

SEC("fentry.s")
int p70(void *ctx)
{
	return 0;
}

SEC("fentry.s/target_fn")
int p71(void *ctx)
{
	return 0;
}

SEC("fmod_ret.s")
int p72(void *ctx)
{
	return 0;
}

SEC("fmod_ret.s/target_fn")
int p73(void *ctx)
{
	return 0;
}

SEC("fexit.s")
int p74(void *ctx)
{
	return 0;
}

SEC("fexit.s/target_fn")
int p75(void *ctx)
{
	return 0;
}

SEC("freplace")
int p76(void *ctx)
{
	return 0;
}

SEC("freplace/target_fn")
int p77(void *ctx)
{
	return 0;
}

SEC("lsm")
int p78(void *ctx)
{
	return 0;
}

SEC("lsm/target_fn")
int p79(void *ctx)
{
	return 0;
}

SEC("lsm.s")
int p80(void *ctx)
{
	return 0;
}

SEC("lsm.s/target_fn")
int p81(void *ctx)
{
	return 0;
}

SEC("lsm_cgroup")
int p82(void *ctx)
{
	return 0;
}

SEC("lsm_cgroup/target_fn")
int p83(void *ctx)
{
	return 0;
}

SEC("iter")
int p84(void *ctx)
{
	return 0;
}

SEC("iter/target_fn")
int p85(void *ctx)
{
	return 0;
}

SEC("iter.s")
int p86(void *ctx)
{
	return 0;
}

SEC("iter.s/target_fn")
int p87(void *ctx)
{
	return 0;
}

SEC("syscall")
int p88(void *ctx)
{
	return 0;
}

SEC("xdp.frags/devmap")
int p89(void *ctx)
{
	return 0;
}

SEC("xdp/devmap")
int p90(void *ctx)
{
	return 0;
}

SEC("xdp.frags/cpumap")
int p91(void *ctx)
{
	return 0;
}

SEC("xdp/cpumap")
int p92(void *ctx)
{
	return 0;
}

SEC("xdp.frags")
int p93(void *ctx)
{
	return 0;
}

SEC("xdp")
int p94(void *ctx)
{
	return 0;
}

SEC("perf_event")
int p95(void *ctx)
{
	return 0;
}

SEC("lwt_in")
int p96(void *ctx)
{
	return 0;
}

SEC("lwt_out")
int p97(void *ctx)
{
	return 0;
}

SEC("lwt_xmit")
int p98(void *ctx)
{
	return 0;
}

SEC("lwt_seg6local")
int p99(void *ctx)
{
	return 0;
}

SEC("sockops")
int p100(void *ctx)
{
	return 0;
}

SEC("sk_skb/stream_parser")
int p101(void *ctx)
{
	return 0;
}

SEC("sk_skb/stream_verdict")
int p102(void *ctx)
{
	return 0;
}

SEC("sk_skb/verdict")
int p103(void *ctx)
{
	return 0;
}

SEC("sk_skb")
int p104(void *ctx)
{
	return 0;
}

SEC("sk_msg")
int p105(void *ctx)
{
	return 0;
}

SEC("lirc_mode2")
int p106(void *ctx)
{
	return 0;
}

SEC("flow_dissector")
int p107(void *ctx)
{
	return 0;
}

SEC("cgroup_skb/ingress")
int p108(void *ctx)
{
	return 0;
}

SEC("cgroup_skb/egress")
int p109(void *ctx)
{
	return 0;
}

SEC("cgroup/skb")
int p110(void *ctx)
{
	return 0;
}

SEC("cgroup/sock_create")
int p111(void *ctx)
{
	return 0;
}

SEC("cgroup/sock_release")
int p112(void *ctx)
{
	return 0;
}

SEC("cgroup/sock")
int p113(void *ctx)
{
	return 0;
}

SEC("cgroup/post_bind4")
int p114(void *ctx)
{
	return 0;
}

SEC("cgroup/post_bind6")
int p115(void *ctx)
{
	return 0;
}

SEC("cgroup/bind4")
int p116(void *ctx)
{
	return 0;
}

SEC("cgroup/bind6")
int p117(void *ctx)
{
	return 0;
}

SEC("cgroup/connect4")
int p118(void *ctx)
{
	return 0;
}

SEC("cgroup/connect6")
int p119(void *ctx)
{
	return 0;
}

SEC("cgroup/connect_unix")
int p120(void *ctx)
{
	return 0;
}

SEC("cgroup/sendmsg4")
int p121(void *ctx)
{
	return 0;
}

SEC("cgroup/sendmsg6")
int p122(void *ctx)
{
	return 0;
}

SEC("cgroup/sendmsg_unix")
int p123(void *ctx)
{
	return 0;
}

SEC("cgroup/recvmsg4")
int p124(void *ctx)
{
	return 0;
}

SEC("cgroup/recvmsg6")
int p125(void *ctx)
{
	return 0;
}

SEC("cgroup/recvmsg_unix")
int p126(void *ctx)
{
	return 0;
}

SEC("cgroup/getpeername4")
int p127(void *ctx)
{
	return 0;
}

SEC("cgroup/getpeername6")
int p128(void *ctx)
{
	return 0;
}

SEC("cgroup/getpeername_unix")
int p129(void *ctx)
{
	return 0;
}

SEC("cgroup/getsockname4")
int p130(void *ctx)
{
	return 0;
}

SEC("cgroup/getsockname6")
int p131(void *ctx)
{
	return 0;
}

SEC("cgroup/getsockname_unix")
int p132(void *ctx)
{
	return 0;
}

SEC("cgroup/sysctl")
int p133(void *ctx)
{
	return 0;
}

SEC("cgroup/getsockopt")
int p134(void *ctx)
{
	return 0;
}

SEC("cgroup/setsockopt")
int p135(void *ctx)
{
	return 0;
}

SEC("cgroup/dev")
int p136(void *ctx)
{
	return 0;
}

SEC("struct_ops")
int p137(void *ctx)
{
	return 0;
}

SEC("struct_ops/target_fn")
int p138(void *ctx)
{
	return 0;
}

SEC("struct_ops.s")
int p139(void *ctx)
{
	return 0;
}

SEC("struct_ops.s/target_fn")
int p140(void *ctx)
{
	return 0;
}

SEC("sk_lookup")
int p141(void *ctx)
{
	return 0;
}

SEC("netfilter")
int p142(void *ctx)
{
	return 0;
}

SEC("xdp_tx")
int p143(void *ctx)
{
	return 0;
}

SEC("l4lb-demo")
int p144(void *ctx)
{
	return 0;
}

SEC("kprobe_sys")
int p145(void *ctx)
{
	return 0;
}

SEC("tracepointx")
int p146(void *ctx)
{
	return 0;
}

SEC("tc/ingress/x")
int p147(void *ctx)
{
	return 0;
}

SEC("tcx")
int p148(void *ctx)
{
	return 0;
}

SEC("xdp/")
int p149(void *ctx)
{
	return 0;
}

SEC("socket/x")
int p150(void *ctx)
{
	return 0;
}

SEC("classifier/x")
int p151(void *ctx)
{
	return 0;
}

SEC("fentry.x")
int p152(void *ctx)
{
	return 0;
}

SEC("iterx/task")
int p153(void *ctx)
{
	return 0;
}

SEC("sk_skb/unknown")
int p154(void *ctx)
{
	return 0;
}

SEC("cgroup/skbx")
int p155(void *ctx)
{
	return 0;
}

SEC("?xdp")
int p156(void *ctx)
{
	return 0;
}

SEC("?kprobe/optional_fn")
int p157(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

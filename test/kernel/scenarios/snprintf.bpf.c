// bpf_snprintf on the live kernel and on tsbpf: integers with widths, flags
// and sizes, strings, characters, %%, IPv4/IPv6 addresses (%pI4 %pi4 %pI6
// %pi6), truncation to the buffer (the return is the whole length + 1), a
// NULL buffer of size 0, a string argument that cannot be read (printed
// empty), and the runtime -EINVAL for more than 12 arguments; and
// bpf_trace_vprintk's return (the formatted length) through bpf_printk with
// four arguments. The outputs and return values land in .bss for `dump`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct buf {
	char s[80];
};

struct buf o_int, o_str, o_ip, o_trunc, o_pct, o_bad;
long r_int, r_str, r_ip, r_trunc, r_pct, r_null, r_bad, r_many, r_vprintk, r_vmany;

static const char name[] = "tsbpf";

SEC("syscall")
int fmt(void *ctx)
{
	__u8 v4[4] = { 10, 0, 2, 15 };
	__u8 v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 1 };
	__u64 many[13] = {};

	r_int = BPF_SNPRINTF(o_int.s, sizeof(o_int.s), "[%5d|%-5d|%+d|% d|%05u|%x|%X|%llx|%lld|%i|%c]",
			     42, 42, 7, 7, 99, 0xbeef, 0xbeef, 0x1122334455667788ULL, -5LL, -1, 'z');
	r_str = BPF_SNPRINTF(o_str.s, sizeof(o_str.s), "comm=%s pid=%d %-8s|%8s|", name, 4242, name, name);
	r_ip = BPF_SNPRINTF(o_ip.s, sizeof(o_ip.s), "%pI4 %pi4 %pI6 %pi6", v4, v4, v6, v6);
	r_trunc = BPF_SNPRINTF(o_trunc.s, 8, "%s-%s-%s", name, name, name);
	r_pct = BPF_SNPRINTF(o_pct.s, sizeof(o_pct.s), "100%% of %u", 3);
	r_null = bpf_snprintf(NULL, 0, "%d%d", (__u64 *)many, 16);
	r_bad = BPF_SNPRINTF(o_bad.s, sizeof(o_bad.s), "<%s>", (char *)8);
	r_many = bpf_snprintf(o_bad.s, sizeof(o_bad.s), "%d", many, sizeof(many));
	r_vprintk = bpf_printk("tsbpf %d %s %x %c", 7, name, 255, 'k');
	r_vmany = bpf_trace_vprintk("%d", 3, many, sizeof(many));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// CO-RE relocations in a .text function no program calls: libbpf still relocates
// (and logs) them in its copy of .text; one of them cannot be resolved.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct iphdr___l {
	unsigned char ttl;
	unsigned int saddr;
} __attribute__((preserve_access_index));

struct iphdr___bad {
	unsigned int tsbpf_no_such_field;
} __attribute__((preserve_access_index));

__noinline int unused_helper(struct iphdr___l *ip)
{
	return ip->saddr + bpf_core_field_exists(struct iphdr___bad, tsbpf_no_such_field);
}

static __noinline int used_helper(struct iphdr___l *ip)
{
	return ip->ttl;
}

char buf[64];

SEC("syscall")
int prog(void *ctx)
{
	return used_helper((struct iphdr___l *)buf);
}

char _license[] SEC("license") = "GPL";

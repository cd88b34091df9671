// .ksyms variables: a typeless one the kernel has (_stext) (its address, never 0), a
// __weak one it lacks (0), and a __weak typed one it lacks (0 as well).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void _stext __ksym;
extern const void tsbpf_no_such_symbol __ksym __weak;
extern const int tsbpf_no_such_var __ksym __weak;

int have_active, have_missing, have_missing_typed;

SEC("syscall")
int ksyms(void *ctx)
{
	have_active = ((unsigned long)&_stext >> 3) != 0;
	have_missing = (unsigned long)&tsbpf_no_such_symbol == 0 ? 0 : 1;
	have_missing_typed = (unsigned long)&tsbpf_no_such_var == 0 ? 0 : 1;
	return 0;
}

char _license[] SEC("license") = "GPL";

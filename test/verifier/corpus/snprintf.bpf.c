// bpf_snprintf's verifier checks (check_bpf_snprintf_call and
// ARG_PTR_TO_CONST_STR): the format is a NUL-terminated string in a frozen
// read-only map, valid for the number of u64 arguments data_len gives
// (a multiple of 8); %p takes only the extensions the kernel formats.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char out[64];
char fmt_rw[8] = "%d";
static const char fmt_ok[] = "%d %s %pI4 %pK %c %%";
static const char fmt_two[] = "%d %d";
static const char fmt_z[] = "%z";
static const char fmt_pz[] = "%pZ";
static const char fmt_sx[] = "%sx";
static const char fmt_hd[] = "%hd";
static const char fmt_ctl[] = "a\x01";

SEC("syscall")
int snp_ok(void *ctx)
{
	__u64 a[5] = {};

	return bpf_snprintf(out, sizeof(out), fmt_ok, a, sizeof(a));
}

SEC("syscall")
int snp_too_few(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_two, a, sizeof(a));
}

SEC("syscall")
int snp_bad_conv(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_z, a, sizeof(a));
}

SEC("syscall")
int snp_bad_ptr(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_pz, a, sizeof(a));
}

SEC("syscall")
int snp_str_suffix(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_sx, a, sizeof(a));
}

SEC("syscall")
int snp_h(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_hd, a, sizeof(a));
}

SEC("syscall")
int snp_ctl(void *ctx)
{
	return bpf_snprintf(out, sizeof(out), fmt_ctl, NULL, 0);
}

SEC("syscall")
int snp_len_not_8(void *ctx)
{
	__u64 a[2] = {};

	return bpf_snprintf(out, sizeof(out), fmt_two, a, 12);
}

SEC("syscall")
int snp_rw_fmt(void *ctx)
{
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), fmt_rw, a, sizeof(a));
}

SEC("syscall")
int snp_stack_fmt(void *ctx)
{
	char f[4] = "%d";
	__u64 a[1] = {};

	return bpf_snprintf(out, sizeof(out), f, a, sizeof(a));
}

SEC("syscall")
int snp_13_args_ok(void *ctx)
{
	__u64 a[13] = {};

	return bpf_snprintf(out, sizeof(out), fmt_two, a, sizeof(a));
}

char LICENSE[] SEC("license") = "GPL";

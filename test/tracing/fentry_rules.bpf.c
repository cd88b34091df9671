// SPDX-License-Identifier: GPL-2.0
/* fentry_rules: what btf_ctx_access allows fentry/fexit/fmod_ret programs
 * (this kernel refuses fentry at load with -EPERM, so these follow the kernel
 * sources; the same rules on tp_btf are kernel-recorded in
 * test/verifier/corpus/btf_ctx). Loaded one program at a time; the refused
 * ones start with autoload off (SEC("?...")), so the object loads as it is.
 *   entry_past_args   fentry/do_unlinkat reads ctx[2]: do_unlinkat has 2 arguments
 *   exit_ret_ok       fexit/do_unlinkat reads ctx[2]: the return value
 *   exit_past_ret     fexit/do_unlinkat reads ctx[3]
 *   modret_ok         fmod_ret/security_file_open: reads the return so far, returns -EPERM
 *   modret_unlink     fmod_ret/do_unlinkat: not modifiable
 *   entry_name_write  fentry/do_unlinkat writes name->name
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct filename {
	const char *name;
} __attribute__((preserve_access_index));

long long seen;

SEC("?fentry/do_unlinkat")
int entry_past_args(unsigned long long *ctx)
{
	seen = ctx[2];
	return 0;
}

SEC("fexit/do_unlinkat")
int exit_ret_ok(unsigned long long *ctx)
{
	seen = ctx[2];
	return 0;
}

SEC("?fexit/do_unlinkat")
int exit_past_ret(unsigned long long *ctx)
{
	seen = ctx[3];
	return 0;
}

SEC("fmod_ret/security_file_open")
int modret_ok(unsigned long long *ctx)
{
	return ctx[1] ? (int)ctx[1] : -1;
}

SEC("?fmod_ret/do_unlinkat")
int modret_unlink(unsigned long long *ctx)
{
	return 0;
}

SEC("?fentry/do_unlinkat")
int entry_name_write(unsigned long long *ctx)
{
	struct filename *name = (void *)ctx[1];

	name->name = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

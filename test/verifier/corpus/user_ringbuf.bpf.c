// bpf_user_ringbuf_drain's callback: its first argument is a const dynptr
// (CONST_PTR_TO_DYNPTR) that the read-only dynptr helpers and kfuncs accept,
// that cannot be released, re-initialized or dereferenced; the callback
// returns 0 or 1; only a user ring buffer may be drained.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

long out;

static long cb_read(struct bpf_dynptr *d, void *ctx)
{
	__u64 v = 0;

	bpf_dynptr_read(&v, sizeof(v), d, 0, 0);
	out += v + bpf_dynptr_size(d);
	return 0;
}

SEC("xdp")
int urb_read_ok(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_read, NULL, 0) > 0;
}

static long cb_data(struct bpf_dynptr *d, void *ctx)
{
	__u32 *p = bpf_dynptr_data(d, 0, sizeof(*p));

	if (!p)
		return 1;
	*p += 1;
	bpf_dynptr_write(d, 4, &out, 4, 0);
	return 0;
}

SEC("xdp")
int urb_data_write_ok(struct xdp_md *ctx)
{
	long n = 0;

	return bpf_user_ringbuf_drain(&urb, cb_data, &n, 0) > 0;
}

static long cb_data_unchecked(struct bpf_dynptr *d, void *ctx)
{
	__u32 *p = bpf_dynptr_data(d, 0, sizeof(*p));

	return *p & 1;
}

SEC("xdp")
int urb_data_unchecked(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_data_unchecked, NULL, 0) > 0;
}

static long cb_ret2(struct bpf_dynptr *d, void *ctx)
{
	return 2;
}

SEC("xdp")
int urb_cb_ret2(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_ret2, NULL, 0) > 0;
}

static long cb_ret_unknown(struct bpf_dynptr *d, void *ctx)
{
	__u64 v = 0;

	bpf_dynptr_read(&v, sizeof(v), d, 0, 0);
	return v;
}

SEC("xdp")
int urb_cb_ret_unknown(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_ret_unknown, NULL, 0) > 0;
}

static long cb_release(struct bpf_dynptr *d, void *ctx)
{
	bpf_ringbuf_discard_dynptr(d, 0);
	return 0;
}

SEC("xdp")
int urb_cb_release(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_release, NULL, 0) > 0;
}

static long cb_reinit(struct bpf_dynptr *d, void *ctx)
{
	__u64 buf = 0;

	bpf_dynptr_from_mem(&buf, sizeof(buf), 0, d);
	return 0;
}

SEC("xdp")
int urb_cb_reinit(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_reinit, NULL, 0) > 0;
}

static long cb_deref(struct bpf_dynptr *d, void *ctx)
{
	return *(volatile __u64 *)d & 1;
}

SEC("xdp")
int urb_cb_deref(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_deref, NULL, 0) > 0;
}

static long cb_offset(struct bpf_dynptr *d, void *ctx)
{
	__u64 v = 0;

	bpf_dynptr_read(&v, sizeof(v), (void *)d + 8, 0, 0);
	return 0;
}

SEC("xdp")
int urb_cb_offset(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_offset, NULL, 0) > 0;
}

SEC("xdp")
int urb_wrong_map(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&rb, cb_read, NULL, 0) > 0;
}

static long cb_ctx(struct bpf_dynptr *d, void *ctx)
{
	long *n = ctx;

	*n += 1;
	return 0;
}

SEC("xdp")
int urb_ctx_stack_ok(struct xdp_md *ctx)
{
	long n = 0;

	bpf_user_ringbuf_drain(&urb, cb_ctx, &n, 0);
	return n;
}

SEC("xdp")
int urb_ctx_null(struct xdp_md *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_ctx, NULL, 0) > 0;
}

char LICENSE[] SEC("license") = "GPL";

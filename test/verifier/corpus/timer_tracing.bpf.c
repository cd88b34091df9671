// Maps holding a bpf_timer (or a bpf_spin_lock) in tracing program types
// (check_map_prog_compatibility): what kprobe, tracepoint, raw_tp and
// fentry programs may do with them. (fentry loads fail with EPERM before
// verification on the recording machine, so there are none here.)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct elem {
	long x;
	struct bpf_timer t;
};

struct lelem {
	struct bpf_spin_lock l;
	long x;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} tmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct lelem);
} lmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} plain SEC(".maps");

static int cb(void *map, int *key, struct elem *val)
{
	return 0;
}

#define USE_TIMER() do { \
	int key = 0; \
	struct elem *v = bpf_map_lookup_elem(&tmap, &key); \
	if (v) { \
		bpf_timer_init(&v->t, &tmap, 1); \
		bpf_timer_set_callback(&v->t, cb); \
	} \
} while (0)

#define LOOKUP_ONLY() do { \
	int key = 0; \
	struct elem *v = bpf_map_lookup_elem(&tmap, &key); \
	if (v) \
		v->x++; \
} while (0)

#define USE_LOCK() do { \
	int key = 0; \
	struct lelem *v = bpf_map_lookup_elem(&lmap, &key); \
	if (v) { \
		bpf_spin_lock(&v->l); \
		v->x++; \
		bpf_spin_unlock(&v->l); \
	} \
} while (0)

SEC("kprobe/do_nanosleep")
int trace_timer_kprobe(void *ctx)
{
	USE_TIMER();
	return 0;
}

SEC("kprobe/do_nanosleep")
int trace_timer_map_kprobe(void *ctx)
{
	LOOKUP_ONLY();
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
int trace_timer_tracepoint(void *ctx)
{
	USE_TIMER();
	return 0;
}

SEC("raw_tp/sys_enter")
int trace_timer_raw_tp(void *ctx)
{
	USE_TIMER();
	return 0;
}

SEC("kprobe/do_nanosleep")
int trace_plain_map_kprobe_ok(void *ctx)
{
	int key = 0;
	long *v = bpf_map_lookup_elem(&plain, &key);
	if (v)
		(*v)++;
	return 0;
}

SEC("kprobe/do_nanosleep")
int trace_spin_lock_kprobe(void *ctx)
{
	USE_LOCK();
	return 0;
}

SEC("raw_tp/sys_enter")
int trace_spin_lock_raw_tp(void *ctx)
{
	USE_LOCK();
	return 0;
}

char _license[] SEC("license") = "GPL";

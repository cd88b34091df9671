// SPDX-License-Identifier: GPL-2.0
/* helpers_map: the map helpers' return codes for bad arguments the verifier
 * lets through (runtime-only errors). Every result goes to a .bss array so
 * `dump` shows it; -1000 means "not reached".
 *   hash   (syscall) hash of 2 entries: NOEXIST/EXIST/bad flags/full/delete missing
 *   array  (syscall) array of 4: index past the end, NOEXIST, F_LOCK without a lock, delete
 *   percpu (syscall) bpf_map_lookup_percpu_elem with cpu 0, this CPU, huge cpus
 *   lookup (syscall) lookups that find nothing
 * Values are independent of the number of CPUs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} hn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pa SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} ph SEC(".maps");

/* runtime values the verifier cannot see through */
volatile __u64 flags_lock = BPF_F_LOCK;
volatile __u64 flags_bad = 8;
volatile __u64 flags_huge = 1ULL << 40;
volatile __u32 cpu_huge = 0xffffffff;
volatile __u32 cpu_big = 4096;

long rh[16] = {};
long rhn[8] = {};
long ra[12] = {};
long rp[8] = {};
long rl[4] = {};

#define NR -1000

SEC("syscall")
int hash(void *ctx)
{
	__u32 k1 = 1, k2 = 2, k3 = 3;
	__u64 v = 11, *p;

	for (int i = 0; i < 16; i++)
		rh[i] = NR;
	bpf_map_delete_elem(&h, &k1);
	bpf_map_delete_elem(&h, &k2);
	rh[0] = bpf_map_update_elem(&h, &k1, &v, BPF_NOEXIST);   /* 0 */
	rh[1] = bpf_map_update_elem(&h, &k1, &v, BPF_NOEXIST);   /* -EEXIST */
	rh[2] = bpf_map_update_elem(&h, &k2, &v, BPF_EXIST);     /* -ENOENT */
	rh[3] = bpf_map_update_elem(&h, &k1, &v, flags_lock);    /* no spin lock: -EINVAL */
	rh[4] = bpf_map_update_elem(&h, &k1, &v, flags_bad);     /* -EINVAL */
	rh[5] = bpf_map_update_elem(&h, &k1, &v, flags_huge);    /* -EINVAL */
	rh[6] = bpf_map_update_elem(&h, &k2, &v, BPF_ANY);       /* 0: now full */
	rh[7] = bpf_map_update_elem(&h, &k3, &v, BPF_ANY);       /* full: -E2BIG */
	rh[8] = bpf_map_update_elem(&h, &k3, &v, BPF_EXIST);     /* missing: -ENOENT */
	v = 22;
	rh[9] = bpf_map_update_elem(&h, &k1, &v, BPF_EXIST);     /* replace while full: 0 */
	p = bpf_map_lookup_elem(&h, &k1);
	rh[10] = p ? (long)*p : -1;                              /* 22 */
	rh[11] = bpf_map_delete_elem(&h, &k3);                   /* -ENOENT */
	rh[12] = bpf_map_delete_elem(&h, &k2);                   /* 0 */
	rh[13] = bpf_map_delete_elem(&h, &k2);                   /* -ENOENT */
	rh[14] = bpf_map_update_elem(&h, &k3, &v, BPF_NOEXIST);  /* room again: 0 */
	rh[15] = bpf_map_update_elem(&h, &k2, &v, BPF_NOEXIST);  /* full again: -E2BIG */
	return 0;
}

SEC("syscall")
int hashnp(void *ctx)
{
	__u32 k1 = 1, k2 = 2, k3 = 3;
	__u64 v = 5;

	for (int i = 0; i < 8; i++)
		rhn[i] = NR;
	bpf_map_delete_elem(&hn, &k1);
	bpf_map_delete_elem(&hn, &k2);
	bpf_map_delete_elem(&hn, &k3);
	rhn[0] = bpf_map_update_elem(&hn, &k1, &v, BPF_ANY);     /* 0 */
	rhn[1] = bpf_map_update_elem(&hn, &k2, &v, BPF_ANY);     /* 0 */
	rhn[2] = bpf_map_update_elem(&hn, &k3, &v, BPF_ANY);     /* -E2BIG */
	rhn[3] = bpf_map_update_elem(&hn, &k1, &v, BPF_ANY);     /* replace while full: 0 */
	rhn[4] = bpf_map_update_elem(&hn, &k3, &v, flags_bad);   /* flags first: -EINVAL */
	rhn[5] = bpf_map_delete_elem(&hn, &k3);                  /* -ENOENT */
	return 0;
}

SEC("syscall")
int array(void *ctx)
{
	__u32 k0 = 0, k3 = 3, k4 = 4, kbig = 0xffffffff;
	__u64 v = 7, *p;

	for (int i = 0; i < 12; i++)
		ra[i] = NR;
	ra[0] = bpf_map_update_elem(&a, &k4, &v, BPF_ANY);       /* -E2BIG */
	ra[1] = bpf_map_update_elem(&a, &kbig, &v, BPF_ANY);     /* -E2BIG */
	ra[2] = bpf_map_update_elem(&a, &k0, &v, BPF_NOEXIST);   /* -EEXIST: every element exists */
	ra[3] = bpf_map_update_elem(&a, &k3, &v, BPF_EXIST);     /* 0 */
	ra[4] = bpf_map_update_elem(&a, &k0, &v, flags_lock);    /* no spin lock: -EINVAL */
	ra[5] = bpf_map_update_elem(&a, &k4, &v, flags_lock);    /* which check first? */
	ra[6] = bpf_map_update_elem(&a, &k4, &v, flags_bad);     /* -EINVAL before -E2BIG */
	ra[7] = bpf_map_update_elem(&a, &k4, &v, BPF_NOEXIST);   /* -E2BIG before -EEXIST */
	ra[8] = bpf_map_delete_elem(&a, &k0);                    /* -EINVAL */
	ra[9] = bpf_map_delete_elem(&a, &k4);                    /* -EINVAL */
	p = bpf_map_lookup_elem(&a, &k4);
	ra[10] = p ? 1 : 0;                                      /* NULL */
	p = bpf_map_lookup_elem(&a, &k3);
	ra[11] = p ? (long)*p : -1;                              /* 7 */
	return 0;
}

SEC("syscall")
int percpu(void *ctx)
{
	__u32 k0 = 0, k1 = 1, k5 = 5;
	__u64 v = 3, *p;

	for (int i = 0; i < 8; i++)
		rp[i] = NR;
	p = bpf_map_lookup_percpu_elem(&pa, &k0, 0);
	rp[0] = p ? 1 : 0;                                       /* 1 */
	p = bpf_map_lookup_percpu_elem(&pa, &k0, bpf_get_smp_processor_id());
	rp[1] = p ? 1 : 0;                                       /* 1 */
	p = bpf_map_lookup_percpu_elem(&pa, &k0, cpu_huge);
	rp[2] = p ? 1 : 0;                                       /* 0 */
	p = bpf_map_lookup_percpu_elem(&pa, &k0, cpu_big);
	rp[3] = p ? 1 : 0;                                       /* 0: nr_cpu_ids < 4096 here */
	p = bpf_map_lookup_percpu_elem(&pa, &k5, 0);
	rp[4] = p ? 1 : 0;                                       /* 0: index past the end */
	bpf_map_delete_elem(&ph, &k1);
	p = bpf_map_lookup_percpu_elem(&ph, &k1, 0);
	rp[5] = p ? 1 : 0;                                       /* 0: missing */
	rp[6] = bpf_map_update_elem(&ph, &k1, &v, BPF_ANY);      /* 0 */
	p = bpf_map_lookup_percpu_elem(&ph, &k1, 0);
	rp[7] = p ? 1 : 0;                                       /* 1 */
	return 0;
}

SEC("syscall")
int lookup(void *ctx)
{
	__u32 k9 = 9;

	rl[0] = bpf_map_lookup_elem(&h, &k9) ? 1 : 0;
	rl[1] = bpf_map_lookup_elem(&hn, &k9) ? 1 : 0;
	rl[2] = bpf_map_lookup_elem(&a, &k9) ? 1 : 0;
	rl[3] = bpf_map_lookup_elem(&pa, &k9) ? 1 : 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

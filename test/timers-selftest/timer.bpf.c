// SPDX-License-Identifier: GPL-2.0
/* Our rewrite of the kernel selftest pair progs/timer.c + prog_tests/timer.c
 * (tools/testing/selftests/bpf), written for the scenario runner:
 *
 *   the original's fentry/bpf_fentry_test1..5 programs are SEC("syscall")
 *   programs test1..test5 here, run once each with `run:`; fentry does not
 *   load on this kernel, and raw_tp (the other zero-argument test-run type)
 *   may not use bpf_timer at all ("tracing progs cannot use bpf_timer yet").
 *   The assertions of prog_tests/timer.c are globals for `dump`:
 *     callback_check 52 -> 42    hash timer ran 10 times
 *     callback2_check 52 -> 42   no-prealloc hash timer ran 10 times
 *     bss_data 10                array callback + LRU callback, 5 each
 *     abs_data 12                absolute timer ran twice
 *     pinned_callback_check 2    both CPU-pinned timers ran, on their CPU
 *     err 0, ok 1|2|4 = 7
 *   pinned_cpu is a map here, not a global (see below).
 *   `race` is the original's syscall program (start + cancel racing with a
 *   self-re-arming callback); it returns 0.
 *
 * What each part checks:
 *   test1: array timer fires asap, re-arms itself 2^35 ns ahead and kicks
 *          the LRU element's timer; the LRU callback floods the 4-entry LRU
 *          map until its own element is evicted, then bpf_timer_cancel on
 *          its (freed) timer must be -EINVAL.
 *   test2: updating / deleting a hash element with an initialized timer
 *          frees the timer (no leak, re-init works); then both hash timers
 *          count down 10 runs 1 us apart; the prealloc one cancels the armed
 *          array timer (1), cancels itself (-EDEADLK), deletes its own
 *          element and sees its timer gone (start: -EINVAL).
 *   test3: CLOCK_BOOTTIME timer with BPF_F_TIMER_ABS, twice, then 2^35 ns.
 *   test4/test5: BPF_F_TIMER_CPU_PIN, relative and absolute.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define EINVAL 22
#define EBUSY 16
#define EDEADLK 35
#define F_TIMER_ABS (1ULL << 0)
#define F_TIMER_CPU_PIN (1ULL << 1)

#define K_ARRAY 1
#define K_HASH 2
#define K_MALLOC 3
#define K_LRU 4

struct hval {
	int left;			/* runs still to go */
	struct bpf_timer timer;
	struct bpf_spin_lock lock;	/* present, never taken */
};

struct tval {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1000);
	__type(key, int);
	__type(value, struct hval);
} hmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1000);
	__type(key, int);
	__type(value, struct hval);
} hmap_malloc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct tval);
} array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct tval);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} abs_timer SEC(".maps"), soft_timer_pinned SEC(".maps"),
  abs_timer_pinned SEC(".maps"), race_array SEC(".maps");

__u64 bss_data;
__u64 abs_data;
__u64 err;
__u64 ok;
__u64 callback_check = 52;
__u64 callback2_check = 52;
__u64 pinned_callback_check;

/* The original keeps the arming CPU in a global; here it lives in a map
 * (not dumped), because the CPU number depends on where the runner was
 * scheduled and would make the recorded output flaky. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __s32);
} pinned_cpu SEC(".maps");

/* array (key 1) and LRU (key 4) elements share this callback */
static int array_lru_cb(void *map, int *key, struct bpf_timer *timer)
{
	bss_data += 5;

	if (*key == K_ARRAY) {
		int lk = K_LRU;
		struct bpf_timer *lt;

		/* far in the future: test2's hash callback cancels it */
		if (bpf_timer_start(timer, 1ULL << 35, 0) != 0)
			err |= 1;
		lt = bpf_map_lookup_elem(&lru, &lk);
		if (!lt)
			return 0;
		bpf_timer_set_callback(lt, array_lru_cb);
		if (bpf_timer_start(lt, 0, 0) != 0)
			err |= 2;
	} else if (*key == K_LRU) {
		/* push our own element out of the LRU map: insert (and touch)
		 * new keys until the memory behind *key is reused */
		for (int i = K_LRU + 1; i <= 100; i++) {
			struct tval fresh = {};
			int nk = i;

			bpf_map_update_elem(map, &nk, &fresh, 0);
			bpf_map_lookup_elem(map, &nk);
			if (*key != K_LRU)
				break;
		}
		/* eviction freed the timer we are running from */
		if (bpf_timer_cancel(timer) != -EINVAL)
			err |= 4;
		ok |= 1;
	}
	return 0;
}

SEC("syscall")
int test1(void *ctx)
{
	struct bpf_timer *at, *lt;
	struct tval fresh = {};
	int lk = K_LRU, ak = K_ARRAY;

	at = bpf_map_lookup_elem(&array, &ak);
	if (!at)
		return 0;
	bpf_timer_init(at, &array, CLOCK_MONOTONIC);

	bpf_map_update_elem(&lru, &lk, &fresh, 0);
	lt = bpf_map_lookup_elem(&lru, &lk);
	if (!lt)
		return 0;
	bpf_timer_init(lt, &lru, CLOCK_MONOTONIC);

	bpf_timer_set_callback(at, array_lru_cb);
	bpf_timer_start(at, 0, 0);

	/* a second, never armed array timer: freed with the map */
	ak = 0;
	at = bpf_map_lookup_elem(&array, &ak);
	if (!at)
		return 0;
	bpf_timer_init(at, &array, CLOCK_MONOTONIC);
	return 0;
}

/* hash (key 2) and no-prealloc hash (key 3) elements share this callback */
static int hash_cb(void *map, int *key, struct hval *v)
{
	if (*key == K_HASH)
		callback_check--;
	else
		callback2_check--;

	if (v->left > 0 && --v->left) {
		bpf_timer_start(&v->timer, 1000, 0);
	} else if (*key == K_HASH) {
		int ak = K_ARRAY;
		struct bpf_timer *at = bpf_map_lookup_elem(&array, &ak);

		if (!at)
			return 0;
		/* the array timer waits 2^35 ns: cancelling it finds it armed */
		if (bpf_timer_cancel(at) != 1)
			err |= 8;
		if (bpf_timer_cancel(&v->timer) != -EDEADLK)
			err |= 16;
		/* deleting our own element from our own callback is fine */
		bpf_map_delete_elem(map, key);
		/* the element memory stays the map's; its timer is gone */
		if (bpf_timer_start(&v->timer, 1000, 0) != -EINVAL)
			err |= 32;
		ok |= 2;
	} else {
		if (*key != K_MALLOC)
			err |= 64;
		if (bpf_timer_cancel(&v->timer) != -EDEADLK)
			err |= 128;
		bpf_map_delete_elem(map, key);
		ok |= 4;
	}
	return 0;
}

static __always_inline int start_hash_timers(void)
{
	int k = K_HASH, km = K_MALLOC;
	struct hval *v;

	v = bpf_map_lookup_elem(&hmap, &k);
	if (v) {
		if (bpf_timer_init(&v->timer, &hmap, CLOCK_BOOTTIME) != 0)
			err |= 512;
		bpf_timer_set_callback(&v->timer, hash_cb);
		bpf_timer_start(&v->timer, 1000, 0);
	}
	v = bpf_map_lookup_elem(&hmap_malloc, &km);
	if (v) {
		if (bpf_timer_init(&v->timer, &hmap_malloc, CLOCK_BOOTTIME) != 0)
			err |= 1024;
		bpf_timer_set_callback(&v->timer, hash_cb);
		bpf_timer_start(&v->timer, 1000, 0);
	}
	return 0;
}

/* init a timer in map[key], then replace (update) or delete+reinsert it */
static __always_inline void churn(void *map, int key)
{
	struct hval fresh = { .left = 10 }, *v;

	bpf_map_update_elem(map, &key, &fresh, 0);
	v = bpf_map_lookup_elem(map, &key);
	if (v)
		bpf_timer_init(&v->timer, map, CLOCK_BOOTTIME);
}

SEC("syscall")
int test2(void *ctx)
{
	struct hval fresh = { .left = 10 };
	int k = K_HASH, km = K_MALLOC, z = 0;

	/* an update of the same key frees the timer of the old element */
	churn(&hmap, K_HASH);
	bpf_map_update_elem(&hmap, &k, &fresh, 0);
	churn(&hmap_malloc, K_MALLOC);
	bpf_map_update_elem(&hmap_malloc, &km, &fresh, 0);

	/* delete frees it too; a re-inserted key starts uninitialized */
	churn(&hmap, 0);
	bpf_map_delete_elem(&hmap, &z);
	churn(&hmap, 0);
	churn(&hmap_malloc, 0);
	bpf_map_delete_elem(&hmap_malloc, &z);
	churn(&hmap_malloc, 0);

	return start_hash_timers();
}

static int abs_cb(void *map, int *key, struct bpf_timer *timer)
{
	abs_data += 6;
	if (abs_data < 12)
		bpf_timer_start(timer, bpf_ktime_get_boot_ns() + 1000, F_TIMER_ABS);
	else
		bpf_timer_start(timer, bpf_ktime_get_boot_ns() + (1ULL << 35), F_TIMER_ABS);
	return 0;
}

SEC("syscall")
int test3(void *ctx)
{
	int k = 0;
	struct bpf_timer *t = bpf_map_lookup_elem(&abs_timer, &k);

	if (t) {
		if (bpf_timer_init(t, &abs_timer, CLOCK_BOOTTIME) != 0)
			err |= 2048;
		bpf_timer_set_callback(t, abs_cb);
		bpf_timer_start(t, bpf_ktime_get_boot_ns() + 1000, F_TIMER_ABS);
	}
	return 0;
}

static int pinned_cb(void *map, int *key, struct bpf_timer *timer)
{
	int z = 0;
	__s32 *cpu = bpf_map_lookup_elem(&pinned_cpu, &z);

	if (!cpu || (__s32)bpf_get_smp_processor_id() != *cpu)
		err |= 16384;
	pinned_callback_check++;
	return 0;
}

static __always_inline void arm_pinned(void *map, int absolute)
{
	int k = 0;
	struct bpf_timer *t = bpf_map_lookup_elem(map, &k);
	__s32 *cpu = bpf_map_lookup_elem(&pinned_cpu, &k);
	__u64 flags = F_TIMER_CPU_PIN, base = 0;

	if (!t || !cpu) {
		err |= 8192;
		return;
	}
	if (absolute) {
		flags |= F_TIMER_ABS;
		base = bpf_ktime_get_boot_ns();
	}
	if (bpf_timer_init(t, map, CLOCK_BOOTTIME) != 0)
		err |= 4096;
	bpf_timer_set_callback(t, pinned_cb);
	*cpu = bpf_get_smp_processor_id();
	bpf_timer_start(t, base + 1000, flags);
}

SEC("syscall")
int test4(void *ctx)
{
	arm_pinned(&soft_timer_pinned, 0);
	return 0;
}

SEC("syscall")
int test5(void *ctx)
{
	arm_pinned(&abs_timer_pinned, 1);
	return 0;
}

static int race_cb(void *map, int *key, struct bpf_timer *timer)
{
	bpf_timer_start(timer, 1000000, 0);
	return 0;
}

SEC("syscall")
int race(void *ctx)
{
	struct tval fresh = {};
	struct bpf_timer *t;
	int k = 0, e;

	bpf_map_update_elem(&race_array, &k, &fresh, BPF_ANY);
	t = bpf_map_lookup_elem(&race_array, &k);
	if (!t)
		return 1;
	e = bpf_timer_init(t, &race_array, CLOCK_MONOTONIC);
	if (e && e != -EBUSY)
		return 1;
	bpf_timer_set_callback(t, race_cb);
	bpf_timer_start(t, 0, 0);
	bpf_timer_cancel(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

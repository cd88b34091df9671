// SPDX-License-Identifier: GPL-2.0
/* Program-side updates, lookups and deletes of an LRU hash map (issue 13.4:
 * the JIT compiles updates and deletes into wasm, src/jit/inline.ts
 * emitLruUpdate/emitLruDelete; the interpreter calls the helper), with the
 * kernel's answer recorded: check_flags' errors, what a stale pointer reads
 * once its element was freed and taken again, and which of 1000 keys pushed
 * through 512 entries the LRU keeps (the eviction choices: second chance for
 * looked-up elements, replaced elements freed from the pending or the global
 * lists, deletes).
 *
 * One run of one program, so one CPU's local lists; 512 entries give a
 * local free target of 128 whatever the number of possible CPUs (tsbpf run
 * has 1, the recording machine 2), so the refills are the same on both.
 *
 * Kernel semantics (hashtab.c htab_lru_map_update_elem, bpf_lru_list.c): the
 * new element is popped from this CPU's local free list first; an update over
 * an existing key frees the old element, and one still on this CPU's pending
 * list goes back to the top of its local free list, so the next insert takes
 * it: the stale pointer reads the old value (0xaaaa), then the next insert's
 * (0xcccc).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ENTRIES 512
#define KEYS 1024

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ENTRIES);
	__type(key, int);
	__type(value, long);
} lru SEC(".maps");

long stale_old = 9, stale_reused = 9;
long e_noexist = 9, e_exist = 9, e_flags = 9, e_exist_ok = 9, e_del = 9, e_del_again = 9;
long insert_errors = 0, replace_errors = 0, deletes_ok = 0, lookups_hit = 0;
long left = 0, sum = 0;
/* bit k % 64 of present[k / 64]: key k is in the map at the end */
__u64 present[KEYS / 64];

static __always_inline long set(int k, long v, __u64 flags)
{
	return bpf_map_update_elem(&lru, &k, &v, flags);
}

static __always_inline long *get(int k)
{
	return bpf_map_lookup_elem(&lru, &k);
}

static __always_inline long del(int k)
{
	return bpf_map_delete_elem(&lru, &k);
}

/* a permutation of 0..1023 */
static __always_inline int key_of(unsigned int i)
{
	return (i * 37) & (KEYS - 1);
}

static long churn(__u64 idx, void *unused)
{
	unsigned int i = idx;
	long *p;

	if (set(key_of(i), i, BPF_NOEXIST))
		insert_errors++;
	/* second chance: every third key is looked up again 30 keys later */
	if (i % 3 == 0 && i >= 30) {
		p = get(key_of(i - 30));
		if (p) {
			*p += 100000;
			lookups_hit++;
		}
	}
	/* replacing updates: of an old key (global lists), of the previous one (pending) */
	if (i % 7 == 0 && set(key_of(i / 2), i + 200000, BPF_ANY))
		replace_errors++;
	if (i % 5 == 0 && i > 0 && set(key_of(i - 1), i + 300000, BPF_EXIST))
		replace_errors++;
	if (i % 11 == 0 && i >= 5 && del(key_of(i - 5)) == 0)
		deletes_ok++;
	return 0;
}

static long collect(__u64 idx, void *unused)
{
	unsigned int i = idx & (KEYS - 1);
	long *p = get(i);

	if (p) {
		present[i / 64] |= 1ULL << (i % 64);
		sum += *p;
		left++;
	}
	return 0;
}

SEC("syscall")
int ops(void *ctx)
{
	long *p;

	if (set(1, 0xaaaa, BPF_ANY))
		return 1;
	p = get(1);
	if (!p)
		return 2;
	set(1, 0xbbbb, BPF_ANY);
	stale_old = *p;
	set(2, 0xcccc, BPF_ANY);
	stale_reused = *p;
	e_noexist = set(1, 1, BPF_NOEXIST);
	e_exist = set(3, 1, BPF_EXIST);
	e_flags = set(1, 1, 8);
	e_exist_ok = set(1, 0xdddd, BPF_EXIST);
	e_del = del(2);
	e_del_again = del(2);

	bpf_loop(1000, churn, NULL, 0);
	bpf_loop(KEYS, collect, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* Program-side updates and deletes of a preallocated hash map (issue 13.4:
 * the JIT compiles them into wasm, src/jit/inline.ts emitHashUpdate and
 * emitHashDelete; the interpreter calls the helper): what a stale pointer
 * reads after updates over its key, check_flags' errors, a full map, a
 * deleted slot taken again. (The bucket order the updates leave is compared
 * between the engines in test/jit/inline.test.ts: tsbpf's verifier does not
 * model bpf_for_each_map_elem's callback yet, which would read it here.)
 *
 * Kernel semantics (hashtab.c): an update of an existing key takes this
 * CPU's spare element (extra_elems) and the old element becomes the spare.
 * So after two updates over key 1 on one CPU, the pointer the first lookup
 * gave reads the first update's old value (0xaaaa), then, once the second
 * update reused that element as the new one, the second update's value
 * (0xcccc), and a fresh lookup gives that same pointer again.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_ZERO_SEED);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} h SEC(".maps");

long s_first = 9, s_second = 9, same_ptr = 9;
long e_noexist = 9, e_exist = 9, e_lock = 9, e_flags = 9, e_full = 9;
long e_del = 9, e_del_again = 9, e_reinsert = 9, e_move = 9;

static __always_inline long set(int k, long v, __u64 flags)
{
	return bpf_map_update_elem(&h, &k, &v, flags);
}

static __always_inline long del(int k)
{
	return bpf_map_delete_elem(&h, &k);
}

SEC("syscall")
int ops(void *ctx)
{
	int k = 1;
	long *p, *q;

	if (set(1, 0xaaaa, BPF_ANY))
		return 1;
	p = bpf_map_lookup_elem(&h, &k);
	if (!p)
		return 2;
	set(1, 0xbbbb, BPF_ANY);
	s_first = *p;
	set(1, 0xcccc, BPF_EXIST);
	s_second = *p;
	q = bpf_map_lookup_elem(&h, &k);
	same_ptr = q == p;

	e_noexist = set(1, 1, BPF_NOEXIST);
	e_exist = set(9, 1, BPF_EXIST);
	e_lock = set(1, 1, BPF_F_LOCK);
	e_flags = set(1, 1, 8);

	set(2, 0x222, BPF_ANY);
	set(3, 0x333, BPF_NOEXIST);
	set(4, 0x444, BPF_ANY);
	e_full = set(5, 0x555, BPF_ANY);

	e_del = del(3);
	e_del_again = del(3);
	e_reinsert = set(7, 0x777, BPF_NOEXIST);
	e_move = set(2, 0x223, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

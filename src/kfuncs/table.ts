// The kfunc table: every kernel function tsbpf provides, with the prototype
// and flags Linux 6.18 registers it with (kernel/bpf/helpers.c common set,
// net/core/filter.c skb/xdp sets, net/netfilter/nf_conntrack_bpf.c).
import * as T from '../uapi/bpf.js';
import {
  KF_ACQUIRE, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS, type KfuncArg, type KfuncProto,
} from './proto.js';

/** bpf_kfunc_set_skb's program types */
const SKB_TYPES = [
  T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_SCHED_ACT, T.BPF_PROG_TYPE_SK_SKB, T.BPF_PROG_TYPE_SOCKET_FILTER,
  T.BPF_PROG_TYPE_CGROUP_SKB, T.BPF_PROG_TYPE_LWT_OUT, T.BPF_PROG_TYPE_LWT_IN, T.BPF_PROG_TYPE_LWT_XMIT,
  T.BPF_PROG_TYPE_LWT_SEG6LOCAL,
];
/** nf_conntrack_kfunc_set is registered for XDP and tc classifiers */
const CT_TYPES = [T.BPF_PROG_TYPE_XDP, T.BPF_PROG_TYPE_SCHED_CLS];

const dynptr = (name: string, uninit = false): KfuncArg => ({ kind: 'dynptr', name, ...(uninit ? { uninit } : {}) });
const scalar = (name: string): KfuncArg => ({ kind: 'scalar', name });
const ctLookupArgs = (ctx: 'sk_buff' | 'xdp_md', ctxName: string): KfuncArg[] => [
  { kind: 'ctx', name: ctxName, ctx },
  { kind: 'mem', name: 'bpf_tuple', struct: 'bpf_sock_tuple' },
  { kind: 'size', name: 'tuple__sz' },
  { kind: 'mem', name: 'opts', struct: 'bpf_ct_opts' },
  { kind: 'size', name: 'opts__sz' },
];
/** generic_kfunc_set's program types (kfunc_init in kernel/bpf/helpers.c) */
const GENERIC_TYPES = [
  T.BPF_PROG_TYPE_TRACING, T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_XDP, T.BPF_PROG_TYPE_STRUCT_OPS,
  T.BPF_PROG_TYPE_SYSCALL, T.BPF_PROG_TYPE_CGROUP_SKB,
];
const nfConn = (name: string): KfuncArg => ({ kind: 'btf', name, struct: 'nf_conn' });
const nfConnInit = (name: string): KfuncArg => ({ kind: 'btf', name, struct: 'nf_conn___init' });

export const KFUNCS: readonly KfuncProto[] = [
  { name: 'bpf_rcu_read_lock', flags: 0, args: [], ret: { kind: 'void' } },
  { name: 'bpf_rcu_read_unlock', flags: 0, args: [], ret: { kind: 'void' } },

  { name: 'bpf_dynptr_from_skb', flags: KF_TRUSTED_ARGS, args: [{ kind: 'ctx', name: 's', ctx: 'sk_buff' }, scalar('flags'), dynptr('ptr__uninit', true)], ret: { kind: 'scalar' }, progTypes: SKB_TYPES },
  { name: 'bpf_dynptr_from_xdp', flags: 0, args: [{ kind: 'ctx', name: 'x', ctx: 'xdp_md' }, scalar('flags'), dynptr('ptr__uninit', true)], ret: { kind: 'scalar' }, progTypes: [T.BPF_PROG_TYPE_XDP] },
  { name: 'bpf_dynptr_slice', flags: KF_RET_NULL, args: [dynptr('p'), scalar('offset'), { kind: 'mem', name: 'buffer__opt', struct: 'void', optional: true }, { kind: 'size', name: 'buffer__szk', konst: true }], ret: { kind: 'slice', rdonly: true } },
  { name: 'bpf_dynptr_slice_rdwr', flags: KF_RET_NULL, args: [dynptr('p'), scalar('offset'), { kind: 'mem', name: 'buffer__opt', struct: 'void', optional: true }, { kind: 'size', name: 'buffer__szk', konst: true }], ret: { kind: 'slice', rdonly: false } },
  { name: 'bpf_dynptr_adjust', flags: 0, args: [dynptr('p'), scalar('start'), scalar('end')], ret: { kind: 'scalar' } },
  { name: 'bpf_dynptr_is_null', flags: 0, args: [dynptr('p')], ret: { kind: 'scalar' } },
  { name: 'bpf_dynptr_is_rdonly', flags: 0, args: [dynptr('p')], ret: { kind: 'scalar' } },
  { name: 'bpf_dynptr_size', flags: 0, args: [dynptr('p')], ret: { kind: 'scalar' } },
  { name: 'bpf_dynptr_clone', flags: 0, args: [dynptr('p'), dynptr('clone__uninit', true)], ret: { kind: 'scalar' } },

  { name: 'bpf_cgroup_from_id', flags: KF_ACQUIRE | KF_RET_NULL, args: [scalar('cgid')], ret: { kind: 'btf', struct: 'cgroup' }, progTypes: GENERIC_TYPES },
  { name: 'bpf_cgroup_release', flags: KF_RELEASE, args: [{ kind: 'btf', name: 'cgrp', struct: 'cgroup' }], ret: { kind: 'void' }, progTypes: GENERIC_TYPES },

  { name: 'bpf_skb_ct_lookup', flags: KF_ACQUIRE | KF_RET_NULL, args: ctLookupArgs('sk_buff', 'skb_ctx'), ret: { kind: 'btf', struct: 'nf_conn' }, progTypes: CT_TYPES },
  { name: 'bpf_xdp_ct_lookup', flags: KF_ACQUIRE | KF_RET_NULL, args: ctLookupArgs('xdp_md', 'xdp_ctx'), ret: { kind: 'btf', struct: 'nf_conn' }, progTypes: CT_TYPES },
  { name: 'bpf_skb_ct_alloc', flags: KF_ACQUIRE | KF_RET_NULL, args: ctLookupArgs('sk_buff', 'skb_ctx'), ret: { kind: 'btf', struct: 'nf_conn___init' }, progTypes: CT_TYPES },
  { name: 'bpf_xdp_ct_alloc', flags: KF_ACQUIRE | KF_RET_NULL, args: ctLookupArgs('xdp_md', 'xdp_ctx'), ret: { kind: 'btf', struct: 'nf_conn___init' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_insert_entry', flags: KF_ACQUIRE | KF_RET_NULL | KF_RELEASE, args: [nfConnInit('nfct_i')], ret: { kind: 'btf', struct: 'nf_conn' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_release', flags: KF_RELEASE, args: [nfConn('nfct')], ret: { kind: 'void' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_set_timeout', flags: KF_TRUSTED_ARGS, args: [nfConnInit('nfct'), scalar('timeout')], ret: { kind: 'void' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_change_timeout', flags: KF_TRUSTED_ARGS, args: [nfConn('nfct'), scalar('timeout')], ret: { kind: 'scalar' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_set_status', flags: KF_TRUSTED_ARGS, args: [nfConnInit('nfct'), scalar('status')], ret: { kind: 'scalar' }, progTypes: CT_TYPES },
  { name: 'bpf_ct_change_status', flags: KF_TRUSTED_ARGS, args: [nfConn('nfct'), scalar('status')], ret: { kind: 'scalar' }, progTypes: CT_TYPES },
];

/**
 * The BTF ids tsbpf gives its kfuncs (the "kernel BTF" libbpf resolves
 * extern functions against): stable per table order, in a range of their own.
 */
export const KFUNC_BTF_ID_BASE = 0x10000;

const byName = new Map(KFUNCS.map((k, i) => [k.name, { proto: k, btfId: KFUNC_BTF_ID_BASE + i }]));
const byId = new Map([...byName.values()].map((e) => [e.btfId, e.proto]));

/** The kfunc named `name` and its BTF id, or undefined when tsbpf does not provide it. */
export function kfuncByName(name: string): { proto: KfuncProto; btfId: number } | undefined {
  return byName.get(name);
}

/** The kfunc with tsbpf's BTF id `btfId`. */
export function kfuncById(btfId: number): KfuncProto | undefined {
  return byId.get(btfId);
}

// The kfunc implementations, bound to one runtime. A kfunc call
// (BPF_PSEUDO_KFUNC_CALL, imm = tsbpf's BTF id of the kfunc) is verified as
// such; the loader then turns it into a call of the runtime-internal helper
// id kfuncHelperId(name), outside the range of real helper ids.
import type { HelperFn } from '../vm/env.js';
import type { Arena } from '../memory/arena.js';
import type { ConntrackTable } from '../net/conntrack.js';
import type { Btf } from '../btf/btf.js';
import { ConntrackKfuncs } from './conntrack.js';
import { DynptrOps } from './dynptr.js';
import { CgroupKfuncs, type CgroupKfuncEnv } from './cgroup.js';
import { KFUNCS } from './table.js';

export { KFUNCS, kfuncById, kfuncByName, KFUNC_BTF_ID_BASE } from './table.js';
export type { KfuncProto, KfuncArg, KfuncRet } from './proto.js';

/** Base of the runtime-internal helper ids kfunc calls run as (BPF_FUNC_loop_inlined sits at 0x7f00_0000 + 181). */
export const KFUNC_HELPER_BASE = 0x7e00_0000;

const index = new Map(KFUNCS.map((k, i) => [k.name, i]));

/** The helper id a verified call of kfunc `name` runs as. */
export function kfuncHelperId(name: string): number | undefined {
  const i = index.get(name);
  return i === undefined ? undefined : KFUNC_HELPER_BASE + i;
}

export interface KfuncEnv extends CgroupKfuncEnv {
  readonly arena: Arena;
  readonly conntrack: ConntrackTable;
  /** the kernel BTF kernel objects (struct nf_conn) are laid out by */
  readonly coreTarget: { readonly btf: Btf };
}

const ret0: HelperFn = () => 0n;

/** helper id -> implementation, for every kfunc the runtime implements. */
export function createKfuncs(env: KfuncEnv): Map<number, HelperFn> {
  const ct = new ConntrackKfuncs(env);
  const dp = new DynptrOps(env.arena);
  const cg = new CgroupKfuncs(env);
  const impl: Record<string, HelperFn> = {
    bpf_dynptr_from_skb: dp.fromSkb,
    bpf_dynptr_from_xdp: dp.fromXdp,
    bpf_dynptr_slice: dp.sliceRdonly,
    bpf_dynptr_slice_rdwr: dp.sliceRdwr,
    bpf_dynptr_adjust: dp.adjust,
    bpf_dynptr_is_null: dp.isNull,
    bpf_dynptr_is_rdonly: dp.isRdonly,
    bpf_dynptr_size: dp.size,
    bpf_dynptr_clone: dp.clone,
    // a run is never preempted and nothing is freed under it: the RCU read-side lock has nothing to hold off
    bpf_rcu_read_lock: ret0,
    bpf_rcu_read_unlock: ret0,
    bpf_cgroup_from_id: cg.fromId,
    bpf_cgroup_release: cg.release,
    bpf_skb_ct_lookup: ct.lookup,
    bpf_xdp_ct_lookup: ct.lookup,
    bpf_skb_ct_alloc: ct.alloc,
    bpf_xdp_ct_alloc: ct.alloc,
    bpf_ct_insert_entry: ct.insert,
    bpf_ct_release: ct.release,
    bpf_ct_set_timeout: ct.setTimeout,
    bpf_ct_change_timeout: ct.changeTimeout,
    bpf_ct_set_status: ct.setStatus,
    bpf_ct_change_status: ct.changeStatus,
  };
  const out = new Map<number, HelperFn>();
  for (const k of KFUNCS) {
    const fn = impl[k.name];
    if (!fn) throw new Error(`kfunc ${k.name} is in the table without an implementation`);
    out.set(kfuncHelperId(k.name)!, fn);
  }
  return out;
}

/** Every kfunc of the table has an implementation (createKfuncs checks it). */
export function kfuncImplemented(name: string): boolean {
  return index.has(name);
}

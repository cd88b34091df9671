// The cgroup kfuncs of kernel/bpf/helpers.c that tsbpf provides:
// bpf_cgroup_from_id takes a reference on the simulated host's cgroup with
// that id (NULL when there is none), bpf_cgroup_release drops it. A struct
// cgroup pointer is the cgroup's kernel address (cgroupAddr): what the cgroup
// storage helpers key their storage by. Programs cannot read its fields (the
// verifier does not model BTF field loads).
import type { HelperFn } from '../vm/env.js';
import type { Cgroup } from '../net/host.js';

/** where the simulated cgroups live in kernel memory: one page each, by id */
const CGROUP_ADDR_BASE = 0xffff888010000000n;

/** The kernel address of the cgroup with this id (a struct cgroup *). */
export const cgroupAddr = (id: bigint): bigint => CGROUP_ADDR_BASE + BigInt.asUintN(32, id) * 0x1000n;

export interface CgroupKfuncEnv {
  readonly host: { readonly cgroups: ReadonlyMap<string, Cgroup> };
}

export class CgroupKfuncs {
  constructor(private readonly env: CgroupKfuncEnv) {}

  /** bpf_cgroup_from_id(cgid): the cgroup or NULL (cgroup_get_from_id failing) */
  readonly fromId: HelperFn = (_vm, r1) => {
    for (const c of this.env.host.cgroups.values()) if (c.id === r1) return cgroupAddr(c.id);
    return 0n;
  };

  /** bpf_cgroup_release: the simulated host's cgroups are never freed, so the reference has nothing to keep */
  readonly release: HelperFn = () => 0n;
}

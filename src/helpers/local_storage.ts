// bpf_get_local_storage (kernel/bpf/helpers.c): the cgroup storage of the
// running program for a CGROUP_STORAGE / PERCPU_CGROUP_STORAGE map. Never
// NULL (the verifier insists flags are 0). A test run has storage of its
// own, zeroed at its start, as BPF_PROG_TEST_RUN allocates it.

import type { HelperFn } from '../vm/env.js';
import { CgroupStorageMap } from '../maps/local_storage.js';
import type { HelperEnv } from './env.js';
import { HelperFault, mapArg, u64 } from './misc.js';

export function bpf_get_local_storage(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const m = mapArg(env, r1, 'bpf_get_local_storage').map;
    if (!(m instanceof CgroupStorageMap)) throw new HelperFault(`bpf_get_local_storage: ${m.describe()} is not a cgroup storage map`);
    const run = env.currentRun?.();
    if (!run) throw new HelperFault('bpf_get_local_storage: no program run in progress');
    return u64(m.runStorage(run));
  };
}

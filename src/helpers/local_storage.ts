// bpf_get_local_storage (kernel/bpf/helpers.c): the cgroup storage of the
// running program for a CGROUP_STORAGE / PERCPU_CGROUP_STORAGE map. Never
// NULL (the verifier insists flags are 0). A test run has storage of its
// own, zeroed at its start, as BPF_PROG_TEST_RUN allocates it.
// And the owner-keyed local storage helpers (bpf_task_storage.c,
// bpf_cgrp_storage.c, bpf_inode_storage.c, net/core/bpf_sk_storage.c).

import type { HelperFn } from '../vm/env.js';
import { CgroupStorageMap } from '../maps/local_storage.js';
import { BPF_LOCAL_STORAGE_GET_F_CREATE, LocalStorageMap, type StorageOwner } from '../maps/bpf_local_storage.js';
import { EINVAL } from '../uapi/errno.js';
import type { HelperEnv } from './env.js';
import { addrOf, checkMem, HelperFault, mapArg, u64 } from './misc.js';
import { socketTable } from './sock.js';

export function bpf_get_local_storage(env: HelperEnv): HelperFn {
  return (_vm, r1) => {
    const m = mapArg(env, r1, 'bpf_get_local_storage').map;
    if (!(m instanceof CgroupStorageMap)) throw new HelperFault(`bpf_get_local_storage: ${m.describe()} is not a cgroup storage map`);
    const run = env.currentRun?.();
    if (!run) throw new HelperFault('bpf_get_local_storage: no program run in progress');
    return u64(m.runStorage(run));
  };
}

/** The task, inode, cgroup or socket storage map of a *_storage_get/delete call. */
function storageArg(env: HelperEnv, r1: bigint, what: string, owner: StorageOwner): LocalStorageMap {
  const m = mapArg(env, r1, what).map;
  if (!(m instanceof LocalStorageMap) || m.owner !== owner) throw new HelperFault(`${what}: ${m.describe()} is not a ${owner} storage map`);
  return m;
}

/**
 * bpf_{task,inode,cgrp,sk}_storage_get(map, owner, value, flags): the owner's
 * storage, created from `value` (zeroed when NULL) with
 * BPF_LOCAL_STORAGE_GET_F_CREATE; NULL for a NULL owner, other flags, or
 * no storage without F_CREATE. The owner is its kernel address.
 */
export function bpf_storage_get(owner: StorageOwner) {
  const what = `bpf_${owner}_storage_get`;
  return (env: HelperEnv): HelperFn => (_vm, r1, r2, r3, r4) => {
    const m = storageArg(env, r1, what, owner);
    if (r4 & ~BPF_LOCAL_STORAGE_GET_F_CREATE || r2 === 0n) return 0n;
    const init = r3 === 0n ? 0 : checkMem(env.arena, r3, m.valueSize, false, `${what} value`);
    return u64(m.progGet(r2, init, r4 !== 0n));
  };
}

/** bpf_{task,inode,cgrp,sk}_storage_delete(map, owner): 0, -ENOENT (no storage), -EINVAL (NULL owner) */
export function bpf_storage_delete(owner: StorageOwner) {
  const what = `bpf_${owner}_storage_delete`;
  return (env: HelperEnv): HelperFn => (_vm, r1, r2) => {
    const m = storageArg(env, r1, what, owner);
    if (r2 === 0n) return u64(-EINVAL);
    return u64(m.progDelete(r2));
  };
}

/** BPF_SK_STORAGE_GET_F_CREATE */
const BPF_SK_STORAGE_GET_F_CREATE = 1n;

/** The struct bpf_sock address of the socket a sock / sock_common / tcp_sock pointer stands for: what its storage is keyed by. */
function sockOwner(env: HelperEnv, r: bigint, what: string): bigint {
  const v = socketTable(env).sockAt(addrOf(r));
  if (!v) throw new HelperFault(`${what}: 0x${r.toString(16)} is not a socket`);
  return BigInt(v.sk);
}

/**
 * bpf_sk_storage_get(map, sk, value, flags): the socket's storage, created
 * from `value` with BPF_SK_STORAGE_GET_F_CREATE; NULL for flags past it.
 * Every socket tsbpf models is a full socket.
 */
export function bpf_sk_storage_get(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const m = storageArg(env, r1, 'bpf_sk_storage_get', 'sk');
    if (r2 === 0n || r4 > BPF_SK_STORAGE_GET_F_CREATE) return 0n;
    const owner = sockOwner(env, r2, 'bpf_sk_storage_get');
    const init = r3 === 0n ? 0 : checkMem(env.arena, r3, m.valueSize, false, 'bpf_sk_storage_get value');
    return u64(m.progGet(owner, init, r4 === BPF_SK_STORAGE_GET_F_CREATE));
  };
}

/** bpf_sk_storage_delete(map, sk): 0, -ENOENT (no storage), -EINVAL (NULL) */
export function bpf_sk_storage_delete(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => {
    const m = storageArg(env, r1, 'bpf_sk_storage_delete', 'sk');
    if (r2 === 0n) return u64(-EINVAL);
    return u64(m.progDelete(sockOwner(env, r2, 'bpf_sk_storage_delete')));
  };
}

// BPF_MAP_TYPE_TASK_STORAGE, INODE_STORAGE, CGRP_STORAGE and SK_STORAGE
// (kernel/bpf/bpf_local_storage.c with bpf_task_storage.c, bpf_inode_storage.c,
// bpf_cgrp_storage.c, net/core/bpf_sk_storage.c): a value per owner object
// (a task, inode, cgroup or socket), created by the *_storage_get helpers
// with BPF_LOCAL_STORAGE_GET_F_CREATE and removed by *_storage_delete.
//
// Owners are the simulated host's objects, named by their kernel address
// (the task_struct address of rt.task, a socket's, a cgroup's). The user-side
// key is a file descriptor (a pidfd, an inode's fd, a cgroup fd, a socket fd):
// tsbpf has no file descriptors, so every user-side lookup/update/delete
// answers -EBADF, as the kernel does for an fd that is not open.
// `ownerValue()` is the TypeScript way to look at an owner's storage.

import { E2BIG, EBADF, EINVAL, ENOENT, ENOTSUPP } from '../uapi/errno.js';
import {
  BPF_F_CLONE, BPF_F_NO_PREALLOC, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_SK_STORAGE,
  BPF_MAP_TYPE_TASK_STORAGE,
} from '../uapi/bpf.js';
import { ARENA_ACCESS_RW } from '../memory/arena.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';

/** BPF_LOCAL_STORAGE_CREATE_FLAG_MASK */
const LOCAL_STORAGE_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_CLONE;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX - sizeof(struct bpf_local_storage_elem) (65407 on 6.18 x86-64, found live) */
const BPF_LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - 128;
/** BPF_LOCAL_STORAGE_GET_F_CREATE */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1n;

export type StorageOwner = 'task' | 'inode' | 'cgrp' | 'sk';

const OWNER: Readonly<Record<number, StorageOwner>> = {
  [BPF_MAP_TYPE_TASK_STORAGE]: 'task', [BPF_MAP_TYPE_INODE_STORAGE]: 'inode',
  [BPF_MAP_TYPE_CGRP_STORAGE]: 'cgrp', [BPF_MAP_TYPE_SK_STORAGE]: 'sk',
};

/** bpf_local_storage_map_alloc_check, then map_check_btf's bpf_local_storage_map_check_btf */
function localStorageAllocCheck(spec: MapSpec): number {
  if (spec.flags & ~LOCAL_STORAGE_CREATE_FLAG_MASK || !(spec.flags & BPF_F_NO_PREALLOC) || spec.maxEntries
    || spec.keySize !== 4 || !spec.valueSize || !spec.btf) return -EINVAL;
  if (spec.valueSize > BPF_LOCAL_STORAGE_MAX_VALUE_SIZE) return -E2BIG;
  // the key is an fd: its BTF type must be a 32-bit integer
  if (!spec.btf.keyI32) return -EINVAL;
  return 0;
}

export class LocalStorageMap extends BpfMap {
  readonly owner: StorageOwner;
  /** owner address -> the value's arena address */
  private readonly elems = new Map<bigint, number>();

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.owner = OWNER[spec.type]!;
  }

  get elemCount(): number {
    return this.elems.size;
  }

  protected storageBytes(): number {
    return this.elems.size * this.valueSize;
  }

  /**
   * The program side of *_storage_get: the owner's value address, created
   * (zeroed, then the special-field-free part of `init` copied when non-zero)
   * when absent and `create`; 0 when absent and not created or out of memory.
   */
  progGet(owner: bigint, init: number, create: boolean): number {
    const have = this.elems.get(owner);
    if (have !== undefined) return have;
    if (!create) return 0;
    const p = this.tryAlloc(this.valueSize, ARENA_ACCESS_RW);
    if (p < 0) return 0;
    this.arena.u8.fill(0, p, p + this.valueSize);
    if (init) this.copyValueIn(p, this.arena.u8.subarray(init, init + this.valueSize));
    this.elems.set(owner, p);
    return p;
  }

  /** The program side of *_storage_delete: 0, or -ENOENT when the owner has no storage here. */
  progDelete(owner: bigint): number {
    const p = this.elems.get(owner);
    if (p === undefined) return -ENOENT;
    this.elems.delete(owner);
    // a program may still hold the pointer until its run ends
    this.env.callRcu(() => this.arena.free(p));
    return 0;
  }

  /** The owner's storage (a copy), or undefined: what a lookup by the owner's fd would return. */
  ownerValue(owner: bigint): Uint8Array | undefined {
    const p = this.elems.get(BigInt(owner));
    if (p === undefined) return undefined;
    const out = new Uint8Array(this.valueSize);
    this.copyValueOut(p, out);
    return out;
  }

  /** The owners that have storage here, in creation order. */
  owners(): bigint[] {
    return [...this.elems.keys()];
  }

  protected freeElems(): void {
    for (const p of this.elems.values()) this.arena.free(p);
    this.elems.clear();
  }

  // ---- user side: keys are fds, and tsbpf has none ----

  private noFd(key: Uint8Array): string {
    const fd = new DataView(key.buffer, key.byteOffset, 4).getInt32(0, true);
    return `fd ${fd} of ${this.describe()}: tsbpf has no file descriptors (use ownerValue())`;
  }

  protected override sysLookup(key: Uint8Array): Uint8Array {
    throw new MapError(this.noFd(key), -EBADF);
  }

  protected override sysUpdate(): number {
    return -EBADF;
  }

  protected override sysDelete(): number {
    return -EBADF;
  }

  /** notsupp_get_next_key */
  protected override sysGetNextKey(): number {
    return -ENOTSUPP;
  }
}

const ops = {
  allocCheck: (spec: MapSpec) => localStorageAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new LocalStorageMap(env, spec),
};
for (const t of [BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_SK_STORAGE]) {
  registerMapType(t, ops);
}

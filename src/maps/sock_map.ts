// BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c), as
// storage only: the create rules and what user space sees of an empty map.
// Their values are sockets given by fd; tsbpf has no socket fds, so an
// update is -EBADF (sockfd_lookup of an fd that is not open), and nothing is
// ever stored. Programs cannot use these maps yet (the verifier refuses
// them by name).

import { E2BIG, EBADF, EINVAL, ENOENT } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, registerMapType } from './map.js';

const SOCK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
const MAX_BPF_STACK = 512;

/** sock_map_alloc / sock_hash_alloc checks */
function sockMapAllocCheck(spec: MapSpec): number {
  const hash = spec.type === BPF_MAP_TYPE_SOCKHASH;
  if (spec.maxEntries === 0 || (!hash && spec.keySize !== 4) || (hash && spec.keySize === 0) ||
      (spec.valueSize !== 4 && spec.valueSize !== 8) || spec.flags & ~SOCK_CREATE_FLAG_MASK) {
    return -EINVAL;
  }
  if (hash && spec.keySize > MAX_BPF_STACK) return -E2BIG;
  return 0;
}

export class SockMap extends BpfMap {
  readonly hash: boolean;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.hash = spec.type === BPF_MAP_TYPE_SOCKHASH;
  }

  get elemCount(): number {
    return 0;
  }

  protected storageBytes(): number {
    return 0;
  }

  protected freeElems(): void {}

  private index(key: Uint8Array): number {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  protected override sysLookup(): Uint8Array {
    throw new MapError(`no socket in ${this.describe()}`, -ENOENT);
  }

  /** sock_map_update_elem_sys: the fd is looked up first; no fd is a socket here */
  protected override sysUpdate(_key: Uint8Array, _value: Uint8Array, flags: number): number {
    if (flags > 2) return -EINVAL; // BPF_ANY, BPF_NOEXIST, BPF_EXIST only
    return -EBADF;
  }

  protected override sysDelete(key: Uint8Array): number {
    if (this.hash) return -ENOENT;
    void this.index(key);
    return -EINVAL; // sock_map_delete_elem: out of range, or an empty slot
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    if (this.hash) return -ENOENT;
    const i = key === undefined ? this.maxEntries : this.index(key);
    let next = 0;
    if (i < this.maxEntries) {
      if (i === this.maxEntries - 1) return -ENOENT;
      next = i + 1;
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }
}

const ops = {
  allocCheck: (spec: MapSpec) => sockMapAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new SockMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_SOCKMAP, ops);
registerMapType(BPF_MAP_TYPE_SOCKHASH, ops);

// A live map: the map layer's BpfMap plus the kernel's two reference counts,
// and the user-facing handle (one handle = one user reference, like an fd).

import { ARENA_ACCESS_READ, ArenaError } from '../memory/arena.js';
import type { Btf } from '../btf/btf.js';
import { BpfMap, MapError } from '../maps/map.js';
import { LocalStorageMap } from '../maps/bpf_local_storage.js';
import { CgroupArrayMap } from '../maps/cgroup_array.js';
import type { HelperMap } from '../helpers/env.js';
import { ENOENT, EBADF, EINVAL } from '../uapi/errno.js';
import { UserRefObject } from './refcount.js';
import { mapTypeName } from '../uapi/bpf.js';
import type { TypedValue } from '../btf/codec.js';
import { decodeMapKey, decodeMapValue, encodeMapValue, keyBytes, type KeyInput, type TimerFieldState } from './typed.js';

export interface MapOwner {
  /** the runtime forgets a freed map */
  mapFreed(m: MapObject): void;
  /** the state of the timer in field `fieldOff` of the element with `key` (typed reads) */
  timerAt?(m: MapObject, key: Uint8Array, fieldOff: number): TimerFieldState;
}

export class MapObject extends UserRefObject implements HelperMap {
  /** a read-only arena copy of the key a timer callback gets as R2 */
  private keyScratch = 0;
  /** references this map holds on inner maps / programs, dropped when it is freed */
  readonly held: { put(): void }[] = [];

  constructor(
    private readonly owner: MapOwner,
    readonly map: BpfMap,
    readonly btf?: Btf,
    readonly valueTypeId = 0,
    readonly keyTypeId = 0,
  ) {
    super();
  }

  get name(): string {
    return this.map.name;
  }

  /** the state of a timer field of the element with `key` (see MapOwner.timerAt) */
  timerAt(key: Uint8Array, fieldOff: number): TimerFieldState {
    return this.owner.timerAt?.(this, key, fieldOff) ?? { state: 'uninit' };
  }

  get ptr(): number {
    return this.map.ptr;
  }

  hasUserRefs(): boolean {
    return this.usercnt > 0;
  }

  keyOf(valuePtr: number): number {
    if (!this.keyScratch) {
      const key = this.map.elemKey(valuePtr);
      if (!key) return 0;
      this.keyScratch = this.map.arena.alloc(key.length, ARENA_ACCESS_READ);
    }
    return this.map.copyElemKey(valuePtr, this.keyScratch) ? this.keyScratch : 0;
  }

  /**
   * keyOf as the timer lane does it (src/runtime/timer_lane.ts): the key word (made if
   * needed) and the element's key to copy there at each expiry; undefined if there is no room.
   */
  laneKey(valuePtr: number): { addr: number; bytes: Uint8Array } | undefined {
    const key = this.map.elemKey(valuePtr);
    if (!key) return { addr: 0, bytes: new Uint8Array(0) };
    if (!this.keyScratch) {
      // made now rather than at the first expiry, so the lane can fire that one too
      try {
        this.keyOf(valuePtr);
      } catch (e) {
        if (e instanceof ArenaError) return undefined;
        throw e;
      }
    }
    return this.keyScratch ? { addr: this.keyScratch, bytes: key } : undefined;
  }

  protected releaseUref(): void {
    this.map.env.freeReason = 'uref';
    this.map.releaseUref();
    this.map.env.freeReason = undefined;
  }

  /**
   * The last reference went: the map's memory is released after a grace
   * period (a program that got this map as an inner map may still be using
   * it, as the kernel frees inner maps after RCU), never handed to another
   * map while such a program runs.
   */
  protected free(): void {
    this.map.env.callRcu(() => {
      this.map.env.freeReason = 'map_free';
      this.map.free();
      this.map.env.freeReason = undefined;
      if (this.keyScratch) this.map.arena.free(this.keyScratch);
      this.keyScratch = 0;
      for (const h of this.held.splice(0)) h.put();
      this.owner.mapFreed(this);
    });
  }

  describe(): string {
    return `map '${this.map.name}'`;
  }
}

export type KeyLike = Uint8Array | number | bigint;

/** A program or map handle given as a map value (prog arrays, map-in-map): structurally, to keep imports one-way. */
export interface FdObject {
  readonly isClosed: boolean;
  readonly object: { readonly id?: number; readonly map?: { readonly id: number } };
}

/** The id an fd map stores for a handle (the kernel resolves fds to objects and reports ids). */
function fdValue(v: KeyLike | FdObject): KeyLike {
  if (v instanceof Uint8Array || typeof v !== 'object' || v === null) return v as KeyLike;
  if (v.isClosed) throw new MapError('the handle given as a value is closed', -EBADF);
  const id = v.object.map?.id ?? v.object.id;
  if (typeof id !== 'number') throw new MapError('value is neither bytes, a number, a Program nor a MapHandle', -EINVAL);
  return id;
}

/** Encodes a number/bigint key or value as `size` little-endian bytes. */
export function toBytes(v: KeyLike, size: number, what: string): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length !== size) throw new MapError(`${what} is ${v.length} bytes, the map wants ${size}`, -22);
    return v;
  }
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) {
    throw new MapError(`${what} of ${size} bytes must be given as a Uint8Array`, -22);
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const big = BigInt.asUintN(size * 8, BigInt(v));
  if (size === 8) dv.setBigUint64(0, big, true);
  else for (let i = 0; i < size; i++) out[i] = Number((big >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * A user handle on a map: one user reference, like an fd. Methods follow the
 * bpf() syscall: lookup returns undefined for a missing key (-ENOENT) and
 * throws MapError with the kernel errno for everything else.
 */
export class MapHandle {
  private closed = false;

  constructor(readonly object: MapObject) {
    object.incUref();
  }

  // ---- typed access: keys and values by BTF (README "Typed data") ----

  /** The value of `key`, decoded by the map's BTF value type; undefined if absent. */
  get(key: KeyInput): TypedValue | undefined {
    const k = this.typedKey(key);
    const bytes = this.lookup(k);
    return bytes === undefined ? undefined : decodeMapValue(this.object, k, bytes, (o, kk, off) => this.object.timerAt(kk, off));
  }

  /** Encodes `value` by the map's BTF value type (missing fields zero) and updates `key`. */
  set(key: KeyInput, value: TypedValue, flags = 0): void {
    this.update(this.typedKey(key), encodeMapValue(this.object, value, this.m.userValueSize), flags);
  }

  /** Every entry, decoded, in the kernel's key order. */
  entries(): [TypedValue, TypedValue][] {
    const out: [TypedValue, TypedValue][] = [];
    for (const k of this.keys()) {
      const v = this.get(k);
      if (v !== undefined) out.push([decodeMapKey(this.object, k), v]);
    }
    return out;
  }

  private typedKey(key: KeyInput): Uint8Array {
    return keyBytes(this.object, key, (k) => toBytes(k, this.m.keySize, 'key'));
  }

  private get m(): BpfMap {
    if (this.closed) throw new MapError(`map handle '${this.object.name}' is closed`, -EBADF);
    return this.object.map;
  }

  get name(): string {
    return this.object.name;
  }
  get type(): number {
    return this.object.map.type;
  }
  /** bpftool's name of the map type: 'hash', 'lru_hash', 'ringbuf', ... */
  get typeName(): string {
    return mapTypeName(this.object.map.type);
  }
  get keySize(): number {
    return this.object.map.keySize;
  }
  get valueSize(): number {
    return this.object.map.valueSize;
  }
  get maxEntries(): number {
    return this.object.map.maxEntries;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  lookup(key: KeyLike, flags = 0): Uint8Array | undefined {
    const m = this.m;
    try {
      return m.lookup(toBytes(key, m.keySize, 'key'), flags);
    } catch (e) {
      if (e instanceof MapError && e.errno === -ENOENT) return undefined;
      throw e;
    }
  }

  /**
   * BPF_MAP_UPDATE_ELEM. A prog array takes a Program, a map-in-map a
   * MapHandle (what user space would pass as an fd); the kernel's
   * compatibility checks apply (-EINVAL for a program of another type,
   * expected attach type, xdp.frags, ...).
   */
  update(key: KeyLike, value: KeyLike | FdObject, flags = 0): void {
    const m = this.m;
    m.env.freeReason = 'update';
    try {
      m.update(toBytes(key, m.keySize, 'key'), toBytes(fdValue(value), m.userValueSize, 'value'), flags);
    } finally {
      m.env.freeReason = undefined;
    }
  }

  /**
   * A cgroup array's slot: the simulated host's cgroup with this id (e.g.
   * rt.host.cgroups.get('/app')!.id), or undefined to empty it. This stands for
   * BPF_MAP_UPDATE_ELEM with a cgroup directory fd, which tsbpf does not have
   * (an update with any fd value fails -EBADF, as for a non-cgroup fd).
   */
  setCgroup(index: number, cgroupId: bigint | undefined): void {
    const m = this.m;
    if (!(m instanceof CgroupArrayMap)) throw new MapError(`${m.describe()} is not a cgroup array`, -EINVAL);
    m.setCgroup(index, cgroupId);
  }

  delete(key: KeyLike): void {
    const m = this.m;
    m.env.freeReason = 'delete';
    try {
      m.delete(toBytes(key, m.keySize, 'key'));
    } finally {
      m.env.freeReason = undefined;
    }
  }

  /** BPF_MAP_GET_NEXT_KEY from undefined: every key, in the kernel's order */
  keys(): Uint8Array[] {
    const m = this.m;
    const out: Uint8Array[] = [];
    for (let k = m.getNextKey(undefined); k; k = m.getNextKey(k)) {
      out.push(k);
      if (out.length > m.maxEntries) break; // a concurrent modification cannot loop us forever
    }
    return out;
  }

  getNextKey(key?: KeyLike): Uint8Array | undefined {
    const m = this.m;
    return m.getNextKey(key === undefined ? undefined : toBytes(key, m.keySize, 'key'));
  }

  push(value: KeyLike, flags = 0): void {
    const m = this.m;
    m.push(toBytes(value, m.valueSize, 'value'), flags);
  }
  pop(): Uint8Array | undefined {
    try {
      return this.m.pop();
    } catch (e) {
      if (e instanceof MapError && e.errno === -ENOENT) return undefined;
      throw e;
    }
  }
  peek(): Uint8Array | undefined {
    try {
      return this.m.peek();
    } catch (e) {
      if (e instanceof MapError && e.errno === -ENOENT) return undefined;
      throw e;
    }
  }

  /** BPF_MAP_FREEZE: from now on user-space writes fail with -EPERM (a loaded .rodata is frozen already). */
  freeze(): void {
    this.m.freeze();
  }

  /**
   * A task/inode/cgroup/socket storage map: the storage of the owner at this
   * kernel address (e.g. `rt.task.taskStruct`), or undefined. The kernel's
   * user-side key is an fd of the owner; tsbpf has none (lookup: -EBADF).
   */
  storageOf(owner: bigint): Uint8Array | undefined {
    const m = this.m;
    if (!(m instanceof LocalStorageMap)) throw new MapError(`map '${this.name}' is not a local storage map`, -EINVAL);
    return m.ownerValue(owner);
  }

  /** Whether the map was frozen (BPF_MAP_FREEZE, or a loaded .rodata/.kconfig). */
  get frozen(): boolean {
    return this.object.map.frozen;
  }

  /** Drops this user reference (like close(fd)). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.object.putUref();
  }
}

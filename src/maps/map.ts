// The map object model: a spec (what BPF_MAP_CREATE is given), one BpfMap
// base class whose methods are the kernel's bpf_map_ops, and a table of map
// types (ops registered by type, as bpf_map_types[] in the kernel).
//
// Two faces, as in the kernel:
//  - program side (what helpers call): pointers into the arena in, a value
//    pointer or a negative errno out; never throws for bad input.
//  - user side (what the bpf() syscall does): bytes copied in and out, errors
//    thrown as MapError carrying the kernel errno.

import type { LookupLayout } from '../vm/env.js';
import { Arena, ArenaError, ARENA_ACCESS_NONE, ARENA_ACCESS_READ } from '../memory/arena.js';
import { mapHeaderSize, setMapHeaderFrozen, writeMapHeader } from './map_header.js';
import { EBADF, EINVAL, ENOENT, EOPNOTSUPP, ENOTSUPP, EPERM, errnoName, E2BIG, ENOMEM } from '../uapi/errno.js';
import {
  BPF_F_LOCK, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_OBJ_NAME_LEN,
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_BLOOM_FILTER, mapTypeName,
} from '../uapi/bpf.js';

/** the last map type of Linux 6.18's enum bpf_map_type (BPF_MAP_TYPE_ARENA) */
const BPF_MAP_TYPE_MAX = 33;

/** sizeof(struct bpf_timer) and sizeof(struct bpf_spin_lock) */
export const BPF_TIMER_SIZE = 16;
export const BPF_SPIN_LOCK_SIZE = 4;

export interface SpecialFields {
  /** byte offsets of `struct bpf_timer` fields inside the value */
  timers: number[];
  /** byte offset of the `struct bpf_spin_lock`, if any */
  spinLock?: number;
}

export interface MapSpec {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
  /** found by the BTF layer; absent means none */
  specialFields?: SpecialFields;
  /** map-in-map: the inner map's spec (the kernel's inner_map_fd template) */
  inner?: MapSpec;
  /** map_extra: the bloom filter's number of hash functions; must be 0 for every other type */
  mapExtra?: bigint;
  /**
   * created with BTF key and value type ids (absent: without BTF); keyI32:
   * the key type resolves to a 32-bit integer (btf_type_is_i32)
   */
  btf?: { keyI32: boolean };
}

export class MapError extends Error {
  constructor(message: string, readonly errno: number) {
    super(`${message} (${errnoName(errno)})`);
    this.name = 'MapError';
  }
}

/**
 * References to kernel objects a map can hold (inner maps, programs). The
 * runtime implements it: `get` turns what user space passed (an fd or id)
 * into the object and takes a reference, or returns a negative errno
 * (-EBADF for an unknown fd, -EINVAL for an incompatible one); `put` drops
 * it; `id` is what user-space lookups report (the kernel reports ids).
 */
export interface ObjectRefs<T> {
  get(ufd: number): T | number;
  put(obj: T): void;
  id(obj: T): number;
  /** programs: what bpf_prog_map_compatible compares (struct bpf_map_owner) */
  compat?(obj: T): ProgCompat;
}

/** The program properties a map holding programs records from its first program (struct bpf_map_owner). */
export interface ProgCompat {
  /** resolve_prog_type(fp) */
  type: number;
  expectedAttachType: number;
  /** loaded from an xdp.frags section (BPF_F_XDP_HAS_FRAGS) */
  xdpHasFrags: boolean;
  sleepable: boolean;
  /** tracing/LSM/ext/struct_ops: the attach target (stands for attach_func_proto) */
  attachTo: string;
}

/**
 * Why a value's special fields (its timers) are being released now, for the
 * timer trace: set around the operation that releases them.
 */
export type FreeReason = 'delete' | 'update' | 'evict' | 'uref' | 'map_free' | 'element';

export interface MapEnvOptions {
  arena: Arena;
  /** number of simulated CPUs (num_possible_cpus) */
  nCpus?: number;
  /** called for every value whose special fields (timers) the map releases */
  onFreeSpecial?: (map: BpfMap, valuePtr: number) => void;
  /** hash seed; the kernel's default is random, BPF_F_ZERO_SEED makes it 0 */
  hashSeed?: number;
  progs?: ObjectRefs<object>;
}

/** What maps share inside one runtime: the arena, CPUs, the current CPU, object tables. */
export class MapEnv {
  readonly arena: Arena;
  readonly nCpus: number;
  private cpu = 0;
  /** arena word mirroring currentCpu for compiled per-CPU lookups (0: none asked for yet) */
  private cpuCell = 0;
  hashSeed: number;
  onFreeSpecial?: (map: BpfMap, valuePtr: number) => void;
  /** the operation releasing special fields now (undefined: some other path) */
  freeReason: FreeReason | undefined;
  /** maps by their header pointer (what programs hold) and by id */
  readonly byPtr = new Map<number, BpfMap>();
  readonly byId = new Map<number, BpfMap>();
  private nextId = 1;
  /** inner-map references; default: ids of live maps in this env, no refcounting */
  mapRefs: ObjectRefs<BpfMap>;
  /** dev_get_by_index for devmaps: the simulated host's interfaces (set by the runtime) */
  netdevExists: (ifindex: number) => boolean = (i) => i === 1;
  progs?: ObjectRefs<object>;

  /** CPU that program-side operations run on; the runtime sets it for each run (the same CPU as the engine's) */
  get currentCpu(): number {
    return this.cpu;
  }
  set currentCpu(v: number) {
    this.cpu = v;
    if (this.cpuCell !== 0) this.arena.dv.setUint32(this.cpuCell, v, true);
  }

  /** the CPU word if currentCpuCell made it (0: not), without making it: a runtime-lifetime word rt.stats() does not count */
  get cpuCellAllocated(): number {
    return this.cpuCell;
  }

  /**
   * An arena word (programs cannot access it) that always holds currentCpu:
   * what a per-CPU lookup compiled inline reads, as the kernel's this_cpu_ptr.
   * Made on first request; 0 when the arena has no room.
   */
  currentCpuCell(): number {
    if (this.cpuCell === 0) {
      try {
        this.cpuCell = this.arena.alloc(8, ARENA_ACCESS_NONE);
      } catch (e) {
        if (e instanceof ArenaError) return 0;
        throw e;
      }
      this.arena.dv.setUint32(this.cpuCell, this.cpu, true);
    }
    return this.cpuCell;
  }

  constructor(opts: MapEnvOptions) {
    this.arena = opts.arena;
    this.nCpus = opts.nCpus ?? 1;
    this.hashSeed = opts.hashSeed ?? 0;
    this.onFreeSpecial = opts.onFreeSpecial;
    this.progs = opts.progs;
    this.mapRefs = {
      get: (ufd) => this.byId.get(ufd) ?? -EBADF,
      put: () => {},
      id: (m) => m.id,
    };
  }

  allocId(): number {
    return this.nextId++;
  }

  // ---- grace periods (RCU analog) ----
  //
  // A program may keep using a value pointer after its element left the map
  // (the verifier allows it, as the kernel's does). Element memory freed while
  // a program or a callback it triggered may still hold such a pointer is
  // therefore handed out again only after the outermost read-side section (a
  // run, with the callbacks it triggered) has returned: call_rcu semantics.
  // Outside any section nothing can hold a pointer (one thread), so the
  // callback runs at once.

  private readDepth = 0;
  private readonly rcuCallbacks: (() => void)[] = [];

  /** rcu_read_lock: a program (or callback) starts running */
  rcuReadLock(): void {
    this.readDepth++;
  }

  /** rcu_read_unlock: at the outermost unlock the grace period ends and the queued callbacks run */
  rcuReadUnlock(): void {
    if (this.readDepth <= 0) throw new Error('rcuReadUnlock without rcuReadLock');
    if (--this.readDepth > 0) return;
    // callbacks may queue more (a freed outer map puts its inner maps): all run now
    if (this.rcuCallbacks.length === 0) return; // (setting length costs more than a whole timer callback's bookkeeping)
    for (let i = 0; i < this.rcuCallbacks.length; i++) this.rcuCallbacks[i]!();
    this.rcuCallbacks.length = 0;
  }

  /** inside a read-side section (some program may hold element pointers) */
  get inReadSection(): boolean {
    return this.readDepth > 0;
  }

  /** call_rcu: `fn` runs once no program can hold a pointer freed before this call */
  callRcu(fn: () => void): void {
    if (this.readDepth === 0) fn();
    else this.rcuCallbacks.push(fn);
  }

  /** callbacks waiting for the end of the grace period */
  get rcuPending(): number {
    return this.rcuCallbacks.length;
  }

  /** The map a program's map pointer names (ld_imm64 map, or an inner map from a lookup). */
  mapAt(ptr: number): BpfMap | undefined {
    return this.byPtr.get(ptr);
  }
}

export const roundUp8 = (n: number): number => (n + 7) & ~7;

/** bpf_map_flags_access_ok: a map cannot be both read-only and write-only on one side */
export function mapFlagsAccessOk(flags: number): boolean {
  return !((flags & (BPF_F_RDONLY | BPF_F_WRONLY)) === (BPF_F_RDONLY | BPF_F_WRONLY)) &&
    !((flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) === (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG));
}

/**
 * The kernel's struct bpf_map + bpf_map_ops. Subclasses override the ops
 * their type has; the defaults return what the kernel does for a missing op.
 */
export abstract class BpfMap {
  readonly id: number;
  /** arena address of this map's header: the map pointer programs pass to helpers */
  readonly ptr: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** may differ from spec.maxEntries (BPF_F_NO_COMMON_LRU rounds to a multiple of nCpus) */
  maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly special: SpecialFields;
  /** the bytes each special field occupies, as [offset, size] sorted by offset */
  readonly specialRanges: [number, number][];
  private freed = false;

  constructor(readonly env: MapEnv, readonly spec: MapSpec) {
    this.type = spec.type;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags;
    this.name = spec.name;
    this.special = { timers: [...(spec.specialFields?.timers ?? [])], spinLock: spec.specialFields?.spinLock };
    const r: [number, number][] = this.special.timers.map((o) => [o, BPF_TIMER_SIZE]);
    if (this.special.spinLock !== undefined) r.push([this.special.spinLock, BPF_SPIN_LOCK_SIZE]);
    this.specialRanges = r.sort((a, b) => a[0] - b[0]);
    this.id = env.allocId();
    // programs may read it through a map pointer (check_ptr_to_map_access), never write
    this.ptr = env.arena.alloc(mapHeaderSize(this.type), ARENA_ACCESS_READ);
    env.byPtr.set(this.ptr, this);
    env.byId.set(this.id, this);
  }

  /** map_gen_lookup: the layout an engine may compile lookups against (array and hash maps), else undefined */
  inlineLayout(): LookupLayout | undefined {
    return undefined;
  }

  get arena(): Arena {
    return this.env.arena;
  }

  get hasSpecial(): boolean {
    return this.specialRanges.length > 0;
  }

  get isFreed(): boolean {
    return this.freed;
  }

  private isFrozen = false;

  /** BPF_MAP_FREEZE was done: user space may no longer write (programs still may, unless BPF_F_RDONLY_PROG). */
  get frozen(): boolean {
    return this.isFrozen;
  }

  /**
   * BPF_MAP_FREEZE (kernel/bpf/syscall.c map_freeze): -ENOTSUPP for a map with
   * special fields (bpf_timer, bpf_spin_lock), -EPERM when user space cannot
   * write it (BPF_F_RDONLY, or frozen already: a frozen map loses FMODE_CAN_WRITE).
   */
  freeze(): void {
    if (this.hasSpecial) throw new MapError(`map ${this.name} has special fields (bpf_timer/bpf_spin_lock) and cannot be frozen`, -ENOTSUPP);
    this.checkSysWrite();
    this.isFrozen = true;
    setMapHeaderFrozen(this.env.arena.dv, this.ptr, true);
  }

  /** map_get_sys_perms(): FMODE_CAN_WRITE, checked before anything else of a write. */
  protected checkSysWrite(): void {
    if (this.flags & BPF_F_RDONLY) throw new MapError(`map ${this.name} is read-only`, -EPERM);
    if (this.isFrozen) throw new MapError(`map ${this.name} is frozen`, -EPERM);
  }

  /** Bytes a user-space lookup returns / update takes (per-CPU maps: one rounded value per CPU). */
  get userValueSize(): number {
    return this.valueSize;
  }

  // ---- program side: arena pointers in; value pointer / 0 / -errno out ----

  /** bpf_map_lookup_elem: the value's arena address, or 0 (NULL) */
  lookupElem(_keyPtr: number): number {
    return 0;
  }

  /** bpf_map_update_elem from a program: 0 or -errno */
  updateElem(_keyPtr: number, _valuePtr: number, _flags: number): number {
    return -EINVAL;
  }

  /** bpf_map_delete_elem: 0 or -errno */
  deleteElem(_keyPtr: number): number {
    return -EINVAL;
  }

  /** bpf_map_push_elem / pop / peek (queue, stack): 0 or -errno */
  pushElem(_valuePtr: number, _flags: number): number {
    return -ENOTSUPP;
  }
  popElem(_valuePtr: number): number {
    return -ENOTSUPP;
  }
  peekElem(_valuePtr: number): number {
    return -ENOTSUPP;
  }

  /** bpf_map_lookup_percpu_elem: another CPU's copy of a per-CPU value, or 0 */
  lookupPercpuElem(_keyPtr: number, _cpu: number): number {
    return 0;
  }

  // ---- element reverse lookups (bpf_timer needs them) ----

  /**
   * The start of the live element value that contains arena address `addr`,
   * or 0. bpf_timer_init gets only the timer field's address; the kernel
   * knows its element from the verifier, we ask the map.
   */
  elemValueAt(_addr: number): number {
    return 0;
  }

  /** The key of the element whose value starts at valuePtr (a timer callback's R2). */
  elemKey(_valuePtr: number): Uint8Array | undefined {
    return undefined;
  }

  /** elemKey written into the arena at dst (every timer callback asks: no allocation where a map can help it); false when there is none */
  copyElemKey(valuePtr: number, dst: number): boolean {
    const key = this.elemKey(valuePtr);
    if (!key) return false;
    this.arena.u8.set(key, dst);
    return true;
  }

  // ---- user side: bytes in/out; MapError on failure ----

  /** BPF_MAP_LOOKUP_ELEM; special fields read as zero */
  lookup(key: Uint8Array, flags = 0): Uint8Array {
    this.checkSysFlags(flags, 'lookup');
    this.checkKey(key);
    if (this.flags & BPF_F_WRONLY) throw new MapError(`map ${this.name} is write-only`, -EPERM);
    return this.sysLookup(key, flags);
  }

  /** BPF_MAP_UPDATE_ELEM */
  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    this.checkSysWrite();
    this.checkSysFlags(flags, 'update');
    this.checkKey(key);
    this.checkValue(value);
    const err = this.sysUpdate(key, value, flags);
    if (err < 0) throw new MapError(`update of ${this.describe()} failed`, err);
  }

  /** BPF_MAP_DELETE_ELEM */
  delete(key: Uint8Array): void {
    this.checkSysWrite();
    this.checkKey(key);
    const err = this.sysDelete(key);
    if (err < 0) throw new MapError(`delete from ${this.describe()} failed`, err);
  }

  /**
   * BPF_MAP_GET_NEXT_KEY: the key after `key` (or the first key for
   * undefined); undefined where the kernel returns -ENOENT (end of iteration).
   */
  getNextKey(key?: Uint8Array): Uint8Array | undefined {
    if (key !== undefined) this.checkKey(key);
    if (this.flags & BPF_F_WRONLY) throw new MapError(`map ${this.name} is write-only`, -EPERM);
    const r = this.sysGetNextKey(key);
    if (typeof r === 'number') {
      if (r === -ENOENT) return undefined;
      throw new MapError(`get_next_key on ${this.describe()} failed`, r);
    }
    return r;
  }

  /** All keys in BPF_MAP_GET_NEXT_KEY order. */
  *keys(): Generator<Uint8Array> {
    let k = this.getNextKey();
    while (k !== undefined) {
      yield k;
      k = this.getNextKey(k);
    }
  }

  /** BPF_MAP_UPDATE_ELEM on a queue/stack */
  push(value: Uint8Array, flags = 0): void {
    this.checkSysWrite();
    this.checkValue(value);
    const err = this.sysPush(value, flags);
    if (err < 0) throw new MapError(`push to ${this.describe()} failed`, err);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM on a queue/stack */
  pop(): Uint8Array {
    if (this.flags & (BPF_F_RDONLY | BPF_F_WRONLY)) throw new MapError(`map ${this.name} is not read-write`, -EPERM);
    this.checkSysWrite();
    return this.sysPop(false);
  }

  /** BPF_MAP_LOOKUP_ELEM on a queue/stack */
  peek(): Uint8Array {
    if (this.flags & BPF_F_WRONLY) throw new MapError(`map ${this.name} is write-only`, -EPERM);
    return this.sysPop(true);
  }

  // ---- lifecycle ----

  /** map_release_uref: the last user reference is gone (arrays/hashes cancel timers, prog arrays clear). */
  releaseUref(): void {}

  /** map_free: release every element's special fields and return all arena memory. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.freeElems();
    this.dropHeader();
  }

  /** Unregisters the map and frees its header (also used when a constructor fails half-way). */
  protected dropHeader(): void {
    this.env.byPtr.delete(this.ptr);
    this.env.byId.delete(this.id);
    this.arena.free(this.ptr);
  }

  /** Live elements (what bpftool calls entries). */
  abstract get elemCount(): number;

  /** Arena bytes this map holds, header included. */
  get arenaBytes(): number {
    return this.freed ? 0 : mapHeaderSize(this.type) + this.storageBytes();
  }

  describe(): string {
    return `${mapTypeName(this.type)} map ${this.name || `#${this.id}`}`;
  }

  // ---- for subclasses ----

  protected abstract storageBytes(): number;
  protected abstract freeElems(): void;

  protected sysLookup(_key: Uint8Array, _flags: number): Uint8Array {
    throw new MapError(`lookup not supported by ${this.describe()}`, -ENOTSUPP);
  }
  protected sysUpdate(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -ENOTSUPP;
  }
  protected sysDelete(_key: Uint8Array): number {
    return -ENOTSUPP;
  }
  protected sysGetNextKey(_key: Uint8Array | undefined): Uint8Array | number {
    return -ENOTSUPP;
  }
  protected sysPush(_value: Uint8Array, _flags: number): number {
    return -ENOTSUPP;
  }
  protected sysPop(_peek: boolean): Uint8Array {
    throw new MapError(`pop not supported by ${this.describe()}`, -ENOTSUPP);
  }

  /** map_lookup_elem/map_update_elem in syscall.c: only BPF_F_LOCK is a valid extra flag, and needs a spin lock */
  protected checkSysFlags(flags: number, op: 'lookup' | 'update'): void {
    if (op === 'lookup' && flags & ~BPF_F_LOCK) throw new MapError(`bad lookup flags ${flags}`, -EINVAL);
    if (flags & BPF_F_LOCK && this.special.spinLock === undefined) {
      throw new MapError(`BPF_F_LOCK on ${this.describe()}, which has no bpf_spin_lock`, -EINVAL);
    }
  }

  protected checkKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== this.keySize) {
      throw new MapError(`key of ${key?.length} bytes for ${this.describe()} with key_size ${this.keySize}`, -EINVAL);
    }
  }

  protected checkValue(value: Uint8Array): void {
    if (!(value instanceof Uint8Array) || value.length !== this.userValueSize) {
      throw new MapError(`value of ${value?.length} bytes for ${this.describe()}, expected ${this.userValueSize}`, -EINVAL);
    }
  }

  /** Reads `size` bytes at a program-supplied pointer (copied: arena growth detaches views). */
  protected readArena(ptr: number, size: number): Uint8Array {
    return this.arena.u8.slice(ptr, ptr + size);
  }

  /** copy_map_value: copy a value into map storage, skipping special fields. */
  protected copyValueIn(dst: number, src: Uint8Array, srcOff = 0): void {
    const u8 = this.arena.u8;
    if (this.specialRanges.length === 0 && this.valueSize <= 64) {
      // small plain values (the common case): a loop beats making a subarray to set from
      for (let i = 0; i < this.valueSize; i++) u8[dst + i] = src[srcOff + i]!;
      return;
    }
    let pos = 0;
    for (const [off, size] of this.specialRanges) {
      if (off > pos) u8.set(src.subarray(srcOff + pos, srcOff + off), dst + pos);
      pos = Math.max(pos, off + size);
    }
    if (pos < this.valueSize) u8.set(src.subarray(srcOff + pos, srcOff + this.valueSize), dst + pos);
  }

  /** copy out for user space: special fields read as zero (check_and_init_map_value) */
  protected copyValueOut(src: number, dst: Uint8Array, dstOff = 0): void {
    dst.set(this.arena.u8.subarray(src, src + this.valueSize), dstOff);
    for (const [off, size] of this.specialRanges) dst.fill(0, dstOff + off, dstOff + off + size);
  }

  /** zero_map_value: zero a value except its special fields */
  protected zeroValue(dst: number): void {
    const u8 = this.arena.u8;
    let pos = 0;
    for (const [off, size] of this.specialRanges) {
      if (off > pos) u8.fill(0, dst + pos, dst + off);
      pos = Math.max(pos, off + size);
    }
    if (pos < this.valueSize) u8.fill(0, dst + pos, dst + this.valueSize);
  }

  /** bpf_obj_free_fields: hand the value's timers to the runtime, then zero the fields. */
  protected freeSpecial(valuePtr: number): void {
    if (!this.hasSpecial) return;
    const hook = this.env.onFreeSpecial;
    if (hook && this.special.timers.length > 0) hook(this, valuePtr);
    const u8 = this.arena.u8;
    for (const off of this.special.timers) u8.fill(0, valuePtr + off, valuePtr + off + BPF_TIMER_SIZE);
  }

  /** Arena allocation that reports -ENOMEM as a number instead of throwing. */
  protected tryAlloc(size: number, access: number): number {
    try {
      return this.arena.alloc(size, access);
    } catch (e) {
      if (e instanceof ArenaError) return -ENOMEM;
      throw e;
    }
  }
}

// ---- map types: the bpf_map_types[] table ----

export interface MapTypeOps {
  /** map_alloc_check: 0 or -errno for an invalid spec */
  allocCheck(spec: MapSpec, env: MapEnv): number;
  /** map_alloc: the live map (may throw MapError(-ENOMEM) when the arena is full) */
  alloc(env: MapEnv, spec: MapSpec): BpfMap;
}

const mapTypes = new Map<number, MapTypeOps>();

export function registerMapType(type: number, ops: MapTypeOps): void {
  mapTypes.set(type, ops);
}

export function mapTypeSupported(type: number): boolean {
  return mapTypes.has(type);
}

const NAME_RE = /^[A-Za-z0-9_.]*$/;

/**
 * BPF_MAP_CREATE: validate the spec as map_create() and the type's
 * map_alloc_check do, check the special fields as map_check_btf does, then
 * allocate. Throws MapError with the kernel's errno.
 */
export function createMap(env: MapEnv, spec: MapSpec): BpfMap {
  const err = checkMapSpec(env, spec);
  if (err < 0 && Number.isInteger(spec.type) && spec.type > 0 && spec.type <= BPF_MAP_TYPE_MAX && !mapTypes.has(spec.type)) {
    throw new MapError(`map type ${mapTypeName(spec.type)} (${spec.type}) not supported by tsbpf: cannot create map '${spec.name}'`, err);
  }
  if (err < 0) throw new MapError(`cannot create ${mapTypeName(spec.type)} map '${spec.name}'`, err);
  try {
    const m = mapTypes.get(spec.type)!.alloc(env, spec);
    // after alloc: some types adjust max_entries (BPF_F_NO_COMMON_LRU)
    writeMapHeader(env.arena.dv, m.ptr, {
      type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, mapExtra: spec.mapExtra ?? 0n,
      flags: m.flags, id: m.id, name: m.name,
    });
    return m;
  } catch (e) {
    if (e instanceof ArenaError) throw new MapError(`cannot allocate ${mapTypeName(spec.type)} map '${spec.name}'`, -ENOMEM);
    throw e;
  }
}

/** The errno BPF_MAP_CREATE would return for this spec, or 0. */
export function checkMapSpec(env: MapEnv, spec: MapSpec): number {
  for (const f of ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const) {
    const v = spec[f];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) return -EINVAL;
  }
  // bpf_obj_name_cpy: at most 15 characters of [A-Za-z0-9_.]
  if (typeof spec.name !== 'string' || spec.name.length >= BPF_OBJ_NAME_LEN || !NAME_RE.test(spec.name)) return -EINVAL;
  // map_create: only a bloom filter takes map_extra
  if (spec.mapExtra !== undefined && spec.mapExtra !== 0n && spec.type !== BPF_MAP_TYPE_BLOOM_FILTER) return -EINVAL;
  // find_and_alloc_map: a type without ops (a kernel built without it) is -EINVAL; so is one tsbpf lacks
  const ops = mapTypes.get(spec.type);
  if (!ops) return -EINVAL;
  const err = ops.allocCheck(spec, env);
  if (err < 0) return err;
  return checkSpecialFields(spec);
}

/** map_check_btf: which map types may hold timers and spin locks, and where. */
function checkSpecialFields(spec: MapSpec): number {
  const sf = spec.specialFields;
  if (!sf) return 0;
  const ranges: [number, number][] = sf.timers.map((o) => [o, BPF_TIMER_SIZE]);
  if (sf.spinLock !== undefined) ranges.push([sf.spinLock, BPF_SPIN_LOCK_SIZE]);
  ranges.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [off, size] of ranges) {
    if (!Number.isInteger(off) || off < end || off + size > spec.valueSize || off % (size === BPF_TIMER_SIZE ? 8 : 4)) {
      return -EINVAL;
    }
    end = off + size;
  }
  // btf_parse_fields finds at most one timer and one spin lock per value
  if (sf.timers.length > 1) return -E2BIG;
  if (sf.timers.length > 0 && spec.type !== BPF_MAP_TYPE_HASH && spec.type !== BPF_MAP_TYPE_LRU_HASH &&
      spec.type !== BPF_MAP_TYPE_ARRAY) {
    return -EOPNOTSUPP;
  }
  if (sf.spinLock !== undefined && spec.type !== BPF_MAP_TYPE_HASH && spec.type !== BPF_MAP_TYPE_ARRAY) {
    return -EOPNOTSUPP;
  }
  return 0;
}

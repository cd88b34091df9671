// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO), as
// kernel/bpf/queue_stack_maps.c: a ring of max_entries + 1 slots with head
// (next write) and tail (oldest). Keyless; BPF_EXIST on a full map drops the
// oldest element to make room, for both kinds. From user space, update is
// push, lookup is peek, lookup-and-delete is pop.

import { ARENA_ACCESS_NONE } from '../memory/arena.js';
import { E2BIG, EINVAL, ENOENT, EFAULT } from '../uapi/errno.js';
import {
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_F_NUMA_NODE, BPF_F_ACCESS_MASK, BPF_NOEXIST, BPF_EXIST,
} from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType } from './map.js';

const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK;
const KMALLOC_MAX_SIZE = 4 << 20;

/** queue_stack_map_alloc_check */
function queueStackAllocCheck(spec: MapSpec): number {
  if (spec.maxEntries === 0 || spec.keySize !== 0 || spec.valueSize === 0 ||
      spec.flags & ~QUEUE_STACK_CREATE_FLAG_MASK || !mapFlagsAccessOk(spec.flags)) {
    return -EINVAL;
  }
  if (spec.valueSize > KMALLOC_MAX_SIZE) return -E2BIG;
  return 0;
}

export class QueueStackMap extends BpfMap {
  readonly stack: boolean;
  private readonly size: number;
  private readonly elements: number;
  private head = 0;
  private tail = 0;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.stack = spec.type === BPF_MAP_TYPE_STACK;
    this.size = spec.maxEntries + 1;
    try {
      this.elements = env.arena.alloc(this.size * spec.valueSize, ARENA_ACCESS_NONE);
    } catch (e) {
      this.dropHeader();
      throw e;
    }
  }

  get elemCount(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  protected storageBytes(): number {
    return this.arena.sizeOf(this.elements);
  }

  private isFull(): boolean {
    return (this.head + 1) % this.size === this.tail;
  }

  /** queue_stack_map_push_elem */
  private pushValue(value: Uint8Array, flags: number): number {
    if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -EINVAL;
    if (this.isFull()) {
      if (flags !== BPF_EXIST) return -E2BIG;
      this.tail = (this.tail + 1) % this.size; // overwrite the oldest
    }
    this.arena.u8.set(value.subarray(0, this.valueSize), this.elements + this.head * this.valueSize);
    this.head = (this.head + 1) % this.size;
    return 0;
  }

  /** __queue_map_get / __stack_map_get: the value, or -ENOENT when empty */
  private getValue(remove: boolean): Uint8Array | number {
    if (this.head === this.tail) return -ENOENT;
    const slot = this.stack ? (this.head - 1 + this.size) % this.size : this.tail;
    const p = this.elements + slot * this.valueSize;
    const v = this.arena.u8.slice(p, p + this.valueSize);
    if (remove) {
      if (this.stack) this.head = slot;
      else this.tail = (this.tail + 1) % this.size;
    }
    return v;
  }

  override pushElem(valuePtr: number, flags: number): number {
    if (valuePtr <= 0 || valuePtr + this.valueSize > this.arena.u8.length) return -EFAULT;
    return this.pushValue(this.readArena(valuePtr, this.valueSize), flags);
  }

  override popElem(valuePtr: number): number {
    return this.getInto(valuePtr, true);
  }

  override peekElem(valuePtr: number): number {
    return this.getInto(valuePtr, false);
  }

  private getInto(valuePtr: number, remove: boolean): number {
    if (valuePtr <= 0 || valuePtr + this.valueSize > this.arena.u8.length) return -EFAULT;
    const v = this.getValue(remove);
    if (typeof v === 'number') {
      this.arena.u8.fill(0, valuePtr, valuePtr + this.valueSize); // the helpers zero the buffer on error
      return v;
    }
    this.arena.u8.set(v, valuePtr);
    return 0;
  }

  override lookupElem(): number {
    return 0;
  }

  override updateElem(): number {
    return -EINVAL;
  }

  override deleteElem(): number {
    return -EINVAL;
  }

  // user side: BPF_MAP_LOOKUP_ELEM peeks, BPF_MAP_UPDATE_ELEM pushes
  protected override sysLookup(): Uint8Array {
    return this.sysPop(true);
  }

  protected override sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.pushValue(value, flags);
  }

  protected override sysDelete(): number {
    return -EINVAL;
  }

  protected override sysGetNextKey(): number {
    return -EINVAL;
  }

  protected override sysPush(value: Uint8Array, flags: number): number {
    return this.pushValue(value, flags);
  }

  protected override sysPop(peek: boolean): Uint8Array {
    const v = this.getValue(!peek);
    if (typeof v === 'number') throw new MapError(`${this.describe()} is empty`, v);
    return v;
  }

  protected freeElems(): void {
    this.arena.free(this.elements);
  }
}

const ops = {
  allocCheck: (spec: MapSpec) => queueStackAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new QueueStackMap(env, spec),
};
registerMapType(BPF_MAP_TYPE_QUEUE, ops);
registerMapType(BPF_MAP_TYPE_STACK, ops);

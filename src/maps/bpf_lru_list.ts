// The LRU behind BPF_MAP_TYPE_LRU_HASH and LRU_PERCPU_HASH, following
// kernel/bpf/bpf_lru_list.c step for step so that eviction picks the key
// the kernel picks (given the same CPU for each operation).
//
// It is not a strict LRU. Each list has active, inactive and free parts.
// Lookups from programs only set a node's `ref` bit. When a CPU needs a free
// node and has none, the lists are rotated (referenced nodes move to active,
// unreferenced active nodes age into inactive) and nodes are reclaimed from
// the tail of inactive, skipping referenced ones ("second chance"); if none
// qualifies, the oldest node is taken regardless.
//
// Common LRU (default): one global list, plus per CPU a local free list and
// a local pending list. New elements sit on their CPU's pending list until
// that CPU next refills its free list, when they are flushed to the global
// list. A refill takes up to target_free nodes at once. When everything is
// empty, a CPU steals from the other CPUs' local lists, round robin.
// BPF_F_NO_COMMON_LRU: an independent list per CPU with max_entries/nCpus
// nodes each, no local lists.
//
// Nodes are made when first needed: bpf_lru_populate puts every node on a
// free list (each at the front, so they leave highest index first), and
// every node freed later also goes to the front, so the nodes never used yet
// are always the tail of that free list, in descending order. A free list
// keeps them as a range [virtLo, virtHi) and makes the next one when a walk
// reaches its end: a 10 M-entry map costs nothing until it is used, and the
// order every node leaves in is the kernel's.

export const BPF_LRU_LIST_T_ACTIVE = 0;
export const BPF_LRU_LIST_T_INACTIVE = 1;
export const BPF_LRU_LIST_T_FREE = 2;
export const BPF_LRU_LOCAL_LIST_T_FREE = 3;
export const BPF_LRU_LOCAL_LIST_T_PENDING = 4;

const LOCAL_FREE_TARGET = 128;
const LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
const PERCPU_FREE_TARGET = 4;
const PERCPU_NR_SCANS = PERCPU_FREE_TARGET;

const isLocal = (t: number): boolean => t === BPF_LRU_LOCAL_LIST_T_FREE || t === BPF_LRU_LOCAL_LIST_T_PENDING;

/** struct list_head: circular, doubly linked, a sentinel per list */
export class ListHead {
  prev: ListHead = this;
  next: ListHead = this;
}

function listDel(n: ListHead): void {
  n.prev.next = n.next;
  n.next.prev = n.prev;
  n.prev = n;
  n.next = n;
}

/** list_add_tail: insert right before head (at the back) */
function listAddTail(n: ListHead, head: ListHead): void {
  n.prev = head.prev;
  n.next = head;
  head.prev.next = n;
  head.prev = n;
}

/** list_add: insert right after head (at the front) */
function listAdd(n: ListHead, head: ListHead): void {
  n.next = head.next;
  n.prev = head;
  head.next.prev = n;
  head.next = n;
}

function listMove(n: ListHead, head: ListHead): void {
  listDel(n);
  listAdd(n, head);
}

const listEmpty = (h: ListHead): boolean => h.next === h;

/** struct bpf_lru_node; the hash table element embeds one */
export class LruNode extends ListHead {
  type = BPF_LRU_LIST_T_FREE;
  ref = false;
  cpu = 0;
}

class LruList {
  readonly lists = [new ListHead(), new ListHead(), new ListHead()]; // active, inactive, free
  readonly counts = [0, 0]; // active, inactive
  nextInactiveRotation: ListHead;
  /** nodes [virtLo, virtHi) are on the free list's tail but not made yet (highest first) */
  virtLo = 0;
  virtHi = 0;
  cpu = 0;
  constructor() {
    this.nextInactiveRotation = this.lists[BPF_LRU_LIST_T_INACTIVE]!;
  }
}

/**
 * A CPU's local free list. The kernel's is a list_head, but every node joins
 * it at the front and leaves it from the front, so it is a stack; its nodes'
 * own links stay detached. The hash map may keep it in the arena (compiled
 * updates pop from it).
 */
export interface FreeStack {
  push(n: LruNode): void;
  pop(): LruNode | undefined;
  readonly empty: boolean;
}

class ArrayStack implements FreeStack {
  readonly nodes: LruNode[] = [];
  push(n: LruNode): void {
    this.nodes.push(n);
  }
  pop(): LruNode | undefined {
    return this.nodes.pop();
  }
  get empty(): boolean {
    return this.nodes.length === 0;
  }
}

class LocalList {
  free: FreeStack = new ArrayStack();
  readonly pending = new ListHead();
  constructor(public nextSteal: number) {}
}

/** where a node joins a free list: a global free list_head or a CPU's free stack */
function putFree(n: LruNode, dest: ListHead | FreeStack): void {
  if (dest instanceof ListHead) {
    listMove(n, dest);
  } else {
    listDel(n);
    dest.push(n);
  }
}

/** Removes the element owning `node` from the hash table; false if it is gone already. */
export type DelFromHtab = (node: LruNode) => boolean;

export class BpfLru {
  private readonly percpu: boolean;
  private readonly nrScans: number;
  private targetFree = 1;
  private readonly common = new LruList();
  private readonly local: LocalList[] = [];
  private readonly percpuLists: LruList[] = [];

  constructor(readonly nCpus: number, percpu: boolean, private readonly delFromHtab: DelFromHtab) {
    this.percpu = percpu;
    this.nrScans = percpu ? PERCPU_NR_SCANS : LOCAL_NR_SCANS;
    for (let cpu = 0; cpu < nCpus; cpu++) {
      if (percpu) this.percpuLists.push(new LruList());
      else this.local.push(new LocalList(cpu));
    }
  }

  private make: (i: number) => LruNode = () => {
    throw new Error('BpfLru: populate first');
  };

  /**
   * bpf_lru_populate: every node starts free, in element order; `make(i)`
   * builds node i when it is first needed.
   */
  populate(count: number, make: (i: number) => LruNode): void {
    this.make = make;
    if (!this.percpu) {
      this.common.virtLo = 0;
      this.common.virtHi = count;
      this.targetFree = Math.min(Math.max(Math.floor(Math.floor(count / this.nCpus) / 2), 1), LOCAL_FREE_TARGET);
      return;
    }
    // CPU k gets the k-th run of count/nCpus nodes (count is a multiple of nCpus)
    const pcpuEntries = Math.floor(count / this.nCpus);
    let i = 0;
    for (let cpu = 0; cpu < this.nCpus && i < count; cpu++) {
      const l = this.percpuLists[cpu]!;
      const end = pcpuEntries > 0 ? Math.min(count, i + pcpuEntries) : count;
      l.cpu = cpu;
      l.virtLo = i;
      l.virtHi = end;
      i = end;
    }
  }

  /** makes the next node not made yet and puts it at the free list's tail; false if none is left */
  private materialize(l: LruList): boolean {
    if (l.virtHi <= l.virtLo) return false;
    const n = this.make(--l.virtHi);
    n.cpu = l.cpu;
    n.type = BPF_LRU_LIST_T_FREE;
    this.clearRef(n);
    listAddTail(n, l.lists[BPF_LRU_LIST_T_FREE]!);
    return true;
  }

  /**
   * Where the ref bits are: each node's `ref` (default), or bytes the owner
   * keeps elsewhere (the hash map's arena mirror, once compiled lookups set them).
   */
  refBits: { get(n: LruNode): boolean; set(n: LruNode, v: boolean): void } | undefined;

  private isRef(n: LruNode): boolean {
    return this.refBits === undefined ? n.ref : this.refBits.get(n);
  }

  private clearRef(n: LruNode): void {
    if (this.replaying) return; // compiled code cleared the arena's bit when it did the operation
    if (this.refBits === undefined) n.ref = false;
    else this.refBits.set(n, false);
  }

  /**
   * For compiled updates (common LRU only): told the CPU + 1 of a node that
   * joins a CPU's pending list, 0 when it leaves (the code pushing a freed
   * element reads where it goes).
   */
  pendBits: { set(n: LruNode, cpuPlus1: number): void } | undefined;

  /** replaying what compiled code did: the arena's bits are already right */
  private replaying = false;

  private setPend(n: LruNode, v: number): void {
    if (!this.replaying) this.pendBits?.set(n, v);
  }

  /** one global list with per-CPU local lists (not BPF_F_NO_COMMON_LRU) */
  get commonLru(): boolean {
    return !this.percpu;
  }

  /** CPU `cpu`'s local free stack, bottom first (the arena copy is built from it) */
  localFreeNodes(cpu: number): readonly LruNode[] {
    const f = this.local[cpu]!.free;
    if (!(f instanceof ArrayStack)) throw new Error('internal: BpfLru local free list moved already');
    return f.nodes;
  }

  /** replaces CPU `cpu`'s local free stack (the hash map's arena copy of it, holding the same nodes) */
  setLocalFree(cpu: number, s: FreeStack): void {
    this.local[cpu]!.free = s;
  }

  /** the nodes on CPU `cpu`'s pending list, front first */
  pendingNodes(cpu: number): LruNode[] {
    const out: LruNode[] = [];
    const h = this.local[cpu]!.pending;
    for (let c = h.next; c !== h; c = c.next) out.push(c as LruNode);
    return out;
  }

  /**
   * A compiled update popped `n` off CPU `cpu`'s free stack for a new element
   * (commonPopFree's fast path and addPending): the list part, the arena's
   * part (stack, ref and pending bits) being done.
   */
  replayPop(cpu: number, n: LruNode): void {
    n.cpu = cpu;
    n.type = BPF_LRU_LOCAL_LIST_T_PENDING;
    listAdd(n, this.local[cpu]!.pending);
  }

  /** A compiled update or delete freed `n` (pushFree): the list part, as replayPop. */
  replayPush(n: LruNode): void {
    if (n.type === BPF_LRU_LOCAL_LIST_T_PENDING) {
      n.type = BPF_LRU_LOCAL_LIST_T_FREE;
      listDel(n); // it is on the arena's free stack already
      return;
    }
    this.replaying = true;
    try {
      this.pushFree(n);
    } finally {
      this.replaying = false;
    }
  }

  /** bpf_lru_node_set_ref: what a program's lookup does */
  setRef(n: LruNode): void {
    if (this.refBits === undefined) n.ref = true;
    else this.refBits.set(n, true);
  }

  /** bpf_lru_pop_free: a free node for a new element on `cpu`, evicting if needed; undefined if none */
  popFree(cpu: number): LruNode | undefined {
    return this.percpu ? this.percpuPopFree(cpu) : this.commonPopFree(cpu);
  }

  /** bpf_lru_push_free: an element's node is free again */
  pushFree(n: LruNode): void {
    if (n.type === BPF_LRU_LIST_T_FREE || n.type === BPF_LRU_LOCAL_LIST_T_FREE) return;
    if (this.percpu) {
      this.nodeMove(this.percpuLists[n.cpu]!, n, BPF_LRU_LIST_T_FREE);
      return;
    }
    if (n.type === BPF_LRU_LOCAL_LIST_T_PENDING) {
      n.type = BPF_LRU_LOCAL_LIST_T_FREE;
      this.clearRef(n);
      this.setPend(n, 0);
      putFree(n, this.local[n.cpu]!.free);
      return;
    }
    this.nodeMove(this.common, n, BPF_LRU_LIST_T_FREE);
  }

  // ---- list primitives ----

  private countInc(l: LruList, t: number): void {
    if (t < 2) l.counts[t]!++;
  }
  private countDec(l: LruList, t: number): void {
    if (t < 2) l.counts[t]!--;
  }

  /** __bpf_lru_node_move_to_free */
  private moveToFree(l: LruList, n: LruNode, freeList: ListHead | FreeStack, tgt: number): void {
    if (isLocal(n.type)) return;
    if (n === l.nextInactiveRotation) l.nextInactiveRotation = l.nextInactiveRotation.prev;
    this.countDec(l, n.type);
    n.type = tgt;
    putFree(n, freeList);
  }

  /** __bpf_lru_node_move_in: from a local list into the global one */
  private moveIn(l: LruList, n: LruNode, tgt: number): void {
    this.countInc(l, tgt);
    n.type = tgt;
    this.clearRef(n);
    this.setPend(n, 0);
    listMove(n, l.lists[tgt]!);
  }

  /** __bpf_lru_node_move: to the front of another (or the same) global list */
  private nodeMove(l: LruList, n: LruNode, tgt: number): void {
    if (isLocal(n.type) || isLocal(tgt)) return;
    if (n.type !== tgt) {
      this.countDec(l, n.type);
      this.countInc(l, tgt);
      n.type = tgt;
    }
    this.clearRef(n);
    if (n === l.nextInactiveRotation) l.nextInactiveRotation = l.nextInactiveRotation.prev;
    listMove(n, l.lists[tgt]!);
  }

  // ---- rotation and shrinking ----

  /** __bpf_lru_list_rotate_active: from the tail, referenced nodes stay active, others go inactive */
  private rotateActive(l: LruList): void {
    const active = l.lists[BPF_LRU_LIST_T_ACTIVE]!;
    const first = active.next;
    let i = 0;
    for (let cur = active.prev, tmp = cur.prev; cur !== active; cur = tmp, tmp = cur.prev) {
      const n = cur as LruNode;
      this.nodeMove(l, n, this.isRef(n) ? BPF_LRU_LIST_T_ACTIVE : BPF_LRU_LIST_T_INACTIVE);
      if (++i === this.nrScans || n === first) break;
    }
  }

  /** __bpf_lru_list_rotate_inactive: a bounded walk that resumes where the last one stopped */
  private rotateInactive(l: LruList): void {
    const inactive = l.lists[BPF_LRU_LIST_T_INACTIVE]!;
    if (listEmpty(inactive)) return;
    let last = l.nextInactiveRotation.next;
    if (last === inactive) last = last.next;
    let cur = l.nextInactiveRotation;
    let next: ListHead = inactive;
    let i = 0;
    while (i < this.nrScans) {
      if (cur === inactive) {
        cur = cur.prev;
        continue;
      }
      const n = cur as LruNode;
      next = cur.prev;
      if (this.isRef(n)) this.nodeMove(l, n, BPF_LRU_LIST_T_ACTIVE);
      if (cur === last) break;
      cur = next;
      i++;
    }
    l.nextInactiveRotation = next;
  }

  /** __bpf_lru_list_rotate */
  private rotate(l: LruList): void {
    if (l.counts[BPF_LRU_LIST_T_INACTIVE]! < l.counts[BPF_LRU_LIST_T_ACTIVE]!) this.rotateActive(l);
    this.rotateInactive(l);
  }

  /** __bpf_lru_list_shrink_inactive */
  private shrinkInactive(l: LruList, want: number, freeList: ListHead | FreeStack, tgt: number): number {
    const inactive = l.lists[BPF_LRU_LIST_T_INACTIVE]!;
    let got = 0;
    let i = 0;
    for (let cur = inactive.prev, tmp = cur.prev; cur !== inactive; cur = tmp, tmp = cur.prev) {
      const n = cur as LruNode;
      if (this.isRef(n)) {
        this.nodeMove(l, n, BPF_LRU_LIST_T_ACTIVE);
      } else if (this.delFromHtab(n)) {
        this.moveToFree(l, n, freeList, tgt);
        if (++got === want) break;
      }
      if (++i === this.nrScans) break;
    }
    return got;
  }

  /** __bpf_lru_list_shrink: second chance first, then force-evict the oldest */
  private shrink(l: LruList, want: number, freeList: ListHead | FreeStack, tgt: number): number {
    const got = this.shrinkInactive(l, want, freeList, tgt);
    if (got) return got;
    const inactive = l.lists[BPF_LRU_LIST_T_INACTIVE]!;
    const force = listEmpty(inactive) ? l.lists[BPF_LRU_LIST_T_ACTIVE]! : inactive;
    for (let cur = force.prev, tmp = cur.prev; cur !== force; cur = tmp, tmp = cur.prev) {
      const n = cur as LruNode;
      if (this.delFromHtab(n)) {
        this.moveToFree(l, n, freeList, tgt);
        return 1;
      }
    }
    return 0;
  }

  // ---- per-CPU LRU ----

  private percpuPopFree(cpu: number): LruNode | undefined {
    const l = this.percpuLists[cpu]!;
    this.rotate(l);
    const free = l.lists[BPF_LRU_LIST_T_FREE]!;
    if (listEmpty(free)) this.materialize(l);
    if (listEmpty(free)) this.shrink(l, PERCPU_FREE_TARGET, free, BPF_LRU_LIST_T_FREE);
    if (listEmpty(free)) return undefined;
    const n = free.next as LruNode;
    this.clearRef(n);
    this.nodeMove(l, n, BPF_LRU_LIST_T_INACTIVE);
    return n;
  }

  // ---- common LRU ----

  /** __local_list_flush: pending nodes join the global list */
  private localFlush(loc: LocalList): void {
    const l = this.common;
    for (let cur = loc.pending.prev, tmp = cur.prev; cur !== loc.pending; cur = tmp, tmp = cur.prev) {
      const n = cur as LruNode;
      this.moveIn(l, n, this.isRef(n) ? BPF_LRU_LIST_T_ACTIVE : BPF_LRU_LIST_T_INACTIVE);
    }
  }

  /** bpf_lru_list_pop_free_to_local */
  private popFreeToLocal(loc: LocalList): void {
    const l = this.common;
    this.localFlush(loc);
    this.rotate(l);
    const free = l.lists[BPF_LRU_LIST_T_FREE]!;
    let nfree = 0;
    for (let cur = free.next; nfree < this.targetFree; ) {
      if (cur === free) {
        // the walk reached the nodes not made yet: the next one
        if (!this.materialize(l)) break;
        cur = free.prev;
      }
      const tmp = cur.next;
      this.moveToFree(l, cur as LruNode, loc.free, BPF_LRU_LOCAL_LIST_T_FREE);
      nfree++;
      cur = tmp;
    }
    if (nfree < this.targetFree) this.shrink(l, this.targetFree - nfree, loc.free, BPF_LRU_LOCAL_LIST_T_FREE);
  }

  private static localPopFree(loc: LocalList): LruNode | undefined {
    return loc.free.pop();
  }

  /** __local_list_pop_pending: steal the oldest pending node, unreferenced ones first */
  private localPopPending(loc: LocalList): LruNode | undefined {
    for (const force of [false, true]) {
      for (let cur = loc.pending.prev; cur !== loc.pending; cur = cur.prev) {
        const n = cur as LruNode;
        if ((!this.isRef(n) || force) && this.delFromHtab(n)) {
          listDel(n);
          return n;
        }
      }
    }
    return undefined;
  }

  private addPending(loc: LocalList, cpu: number, n: LruNode): void {
    n.cpu = cpu;
    n.type = BPF_LRU_LOCAL_LIST_T_PENDING;
    this.clearRef(n);
    this.setPend(n, cpu + 1);
    listAdd(n, loc.pending);
  }

  private commonPopFree(cpu: number): LruNode | undefined {
    const loc = this.local[cpu]!;
    let n = BpfLru.localPopFree(loc);
    if (!n) {
      this.popFreeToLocal(loc);
      n = BpfLru.localPopFree(loc);
    }
    if (n) {
      this.addPending(loc, cpu, n);
      return n;
    }
    // nothing free anywhere global: steal from the CPUs' local lists, round robin
    const first = loc.nextSteal;
    let steal = first;
    do {
      const sl = this.local[steal]!;
      n = BpfLru.localPopFree(sl) ?? this.localPopPending(sl);
      steal = (steal + 1) % this.nCpus;
    } while (!n && steal !== first);
    loc.nextSteal = steal;
    if (n) this.addPending(loc, cpu, n);
    return n;
  }
}

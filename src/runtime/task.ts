// The simulated current task and the address spaces tracing helpers read:
// what bpf_get_current_pid_tgid & co. answer and what bpf_probe_read_* can
// see. Plain data the test sets (rt.task, rt.memory); nothing is guessed:
// an address no region covers faults (-EFAULT), as an unmapped one does.

/** TASK_COMM_LEN */
export const TASK_COMM_LEN = 16;
/** x86-64 TASK_SIZE_MAX (4-level paging): user addresses are below it */
export const TASK_SIZE_MAX = 0x00007ffffffff000n;

/** The task a tracing program runs in (struct task_struct, the fields helpers read). */
export interface Task {
  /** thread id (task->pid) */
  pid: number;
  /** process id (task->tgid) */
  tgid: number;
  uid: number;
  gid: number;
  /** task->comm, at most 15 bytes are visible */
  comm: string;
  /** id of the task's cgroup on the default hierarchy (bpf_get_current_cgroup_id) */
  cgroupId: bigint;
  /** the task_struct's kernel address (bpf_get_current_task) */
  taskStruct: bigint;
  /** kernel stack, innermost first (bpf_get_stack) */
  kernelStack: bigint[];
  /** user stack, innermost first (bpf_get_stack with BPF_F_USER_STACK) */
  userStack: bigint[];
  /** task->exit_code (wait status: the exit status << 8, or the signal), for exit tracepoints */
  exitCode: number;
  /** the parent process's id: task->real_parent (and ->parent) point to a task_struct with this pid and tgid */
  ppid: number;
}

export function defaultTask(): Task {
  return {
    pid: 1000, tgid: 1000, uid: 0, gid: 0, comm: 'tsbpf', cgroupId: 1n,
    taskStruct: 0xffff888004000000n, kernelStack: [], userStack: [], exitCode: 0, ppid: 1,
  };
}

interface Region { addr: bigint; bytes: Uint8Array }

/** One address space: byte regions at 64-bit addresses. */
export class AddressSpace {
  private readonly regions: Region[] = [];
  /** bytes the runtime itself provides where no region of the test is mapped (the task_struct fields) */
  fallback?: (addr: bigint) => number | undefined;

  /** Maps `bytes` at `addr` (the same array: later changes are seen). A new region shadows older ones it overlaps. */
  map(addr: bigint | number, bytes: Uint8Array): void {
    this.regions.unshift({ addr: BigInt(addr), bytes });
  }

  unmap(addr: bigint | number): void {
    const a = BigInt(addr);
    const i = this.regions.findIndex((r) => r.addr === a);
    if (i >= 0) this.regions.splice(i, 1);
  }

  clear(): void {
    this.regions.length = 0;
  }

  /** The byte at addr, or undefined where nothing is mapped. */
  byte(addr: bigint): number | undefined {
    for (const r of this.regions) {
      const off = addr - r.addr;
      if (off >= 0n && off < BigInt(r.bytes.length)) return r.bytes[Number(off)];
    }
    return this.fallback?.(addr);
  }

  /** len bytes at addr, or undefined if any of them is unmapped. */
  read(addr: bigint, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const b = this.byte(addr + BigInt(i));
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  }
}

/** Kernel and user memory a test provides for bpf_probe_read_*. */
export class SimMemory {
  /** kernel addresses (>= TASK_SIZE_MAX on x86-64) */
  readonly kernel = new AddressSpace();
  /** the current task's user addresses */
  readonly user = new AddressSpace();
}

/** where the parent's task_struct lies, after the current task's */
export const PARENT_TASK_OFFSET = 0x10000n;

/** The kernel address of the simulated parent's task_struct (what task->real_parent holds). */
export function parentTaskStruct(t: Task): bigint {
  return BigInt.asUintN(64, t.taskStruct + PARENT_TASK_OFFSET);
}

/** where the task's struct cred lies (what task->cred and task->real_cred hold) */
export const CRED_OFFSET = 0x20000n;

export function taskCred(t: Task): bigint {
  return BigInt.asUintN(64, t.taskStruct + CRED_OFFSET);
}

const CRED_FIELDS = ['uid', 'gid', 'suid', 'sgid', 'euid', 'egid', 'fsuid', 'fsgid'] as const;

/** The bytes of the task's struct cred: every uid field rt.task.uid, every gid field rt.task.gid (kuid_t / kgid_t: one u32). */
export function credFields(t: Task, layout: Layout): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (const f of CRED_FIELDS) {
    const at = layout.get(f);
    if (!at || at.size !== 4) continue;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, (f.endsWith('uid') ? t.uid : t.gid) >>> 0, true);
    out.push([at.offset, b]);
  }
  return out;
}

/** The task_struct fields the runtime lays out from the simulated task (kernel names). */
const TASK_FIELDS = ['pid', 'tgid', 'exit_code', 'comm', 'real_parent', 'parent', 'group_leader', 'real_cred', 'cred'] as const;
/** Those of the parent's task_struct: its ids, and itself as its thread group's leader. */
const PARENT_FIELDS = ['pid', 'tgid', 'group_leader'] as const;

type Layout = ReadonlyMap<string, { offset: number; size: number }>;

/**
 * The bytes of the simulated task's task_struct fields (or its parent's), laid
 * out at the offsets of a target BTF's struct task_struct (tsbpf's built-in
 * one, or a vmlinux BTF): [offset, bytes] per field that BTF has. Other fields
 * are not mapped, so reading them faults (-EFAULT) instead of reading made-up
 * zeroes. The pointers: real_parent and parent to the parent's task_struct,
 * group_leader to the task itself when it leads its thread group (pid == tgid;
 * else the leader is not simulated), real_cred and cred to the task's struct
 * cred (credFields).
 */
export function taskStructFields(t: Task, layout: Layout, parent = false): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const self = parent ? parentTaskStruct(t) : BigInt.asUintN(64, t.taskStruct);
  for (const f of parent ? PARENT_FIELDS : TASK_FIELDS) {
    const at = layout.get(f);
    if (!at) continue;
    const b = new Uint8Array(at.size);
    const dv = new DataView(b.buffer);
    if (f === 'comm') {
      const c = new TextEncoder().encode(t.comm).subarray(0, Math.min(at.size, TASK_COMM_LEN) - 1);
      b.set(c);
    } else if (f === 'real_parent' || f === 'parent' || f === 'group_leader' || f === 'real_cred' || f === 'cred') {
      if (at.size !== 8) continue;
      if (f === 'group_leader' && !parent && t.pid !== t.tgid) continue;
      dv.setBigUint64(0, f === 'group_leader' ? self : f.endsWith('cred') ? taskCred(t) : parentTaskStruct(t), true);
    } else if (at.size === 4) {
      dv.setInt32(0, parent ? t.ppid : f === 'pid' ? t.pid : f === 'tgid' ? t.tgid : t.exitCode, true);
    } else {
      continue;
    }
    out.push([at.offset, b]);
  }
  return out;
}

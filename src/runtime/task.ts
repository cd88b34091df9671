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
}

export function defaultTask(): Task {
  return {
    pid: 1000, tgid: 1000, uid: 0, gid: 0, comm: 'tsbpf', cgroupId: 1n,
    taskStruct: 0xffff888004000000n, kernelStack: [], userStack: [],
  };
}

interface Region { addr: bigint; bytes: Uint8Array }

/** One address space: byte regions at 64-bit addresses. */
export class AddressSpace {
  private readonly regions: Region[] = [];
  /** memory the runtime emulates behind every mapped region (the simulated task_struct) */
  fallback?: (addr: bigint) => Region | undefined;

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
    const r = this.fallback?.(addr);
    return r ? r.bytes[Number(addr - r.addr)] : undefined;
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

/** The fields of the simulated task_struct the runtime fills in (the rest reads as zeroes). */
export interface TaskStructLayout {
  size: number;
  fields: ReadonlyMap<string, { offset: number; size: number }>;
}

/**
 * The simulated task's struct task_struct as bytes, laid out as the target
 * BTF says (the built-in one, or the user's vmlinux): pid, tgid and comm from
 * the Task; a running (__state 0, TASK_RUNNING) SCHED_NORMAL task at nice 0
 * (prio, static_prio, normal_prio 120), its own group_leader when pid == tgid,
 * exit_signal SIGCHLD; every other byte zero (no parent task is simulated).
 */
export function taskStructImage(layout: TaskStructLayout, task: Task): Uint8Array {
  const b = new Uint8Array(layout.size);
  const dv = new DataView(b.buffer);
  const int = (name: string, v: number): void => {
    const f = layout.fields.get(name);
    if (f?.size === 4) dv.setInt32(f.offset, v, true);
  };
  for (const p of ['prio', 'static_prio', 'normal_prio']) int(p, 120);
  int('exit_signal', 17);
  const leader = layout.fields.get('group_leader');
  if (leader?.size === 8 && task.pid === task.tgid) dv.setBigUint64(leader.offset, task.taskStruct, true);
  const pid = layout.fields.get('pid');
  const tgid = layout.fields.get('tgid');
  const comm = layout.fields.get('comm');
  if (pid?.size === 4) dv.setInt32(pid.offset, task.pid, true);
  if (tgid?.size === 4) dv.setInt32(tgid.offset, task.tgid, true);
  if (comm) {
    const c = new TextEncoder().encode(task.comm).subarray(0, Math.min(comm.size, TASK_COMM_LEN) - 1);
    b.set(c, comm.offset);
  }
  return b;
}

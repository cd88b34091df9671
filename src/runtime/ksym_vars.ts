// The kernel variables typed .ksyms externs name (`extern const struct rq
// runqueues __ksym;`): the runtime owns their memory, laid out as the target
// BTF says, one copy per simulated CPU for per-CPU variables (the kernel's
// per_cpu_offset), reached by programs through bpf_per_cpu_ptr/bpf_this_cpu_ptr.

import type { Btf } from '../btf/btf.js';
import { builtinKernelBtf, structLayout } from '../btf/kernel/kernel_btf.js';
import { BTF_KIND_DATASEC, BTF_KIND_VAR } from '../btf/types.js';
import { ARENA_ACCESS_READ, type Arena } from '../memory/arena.js';

interface KsymVar {
  readonly name: string;
  /** arena address of the (CPU 0) copy: what the program's ld_imm64 loads */
  readonly addr: number;
  readonly size: number;
  /** distance between two CPUs' copies (per-CPU variables) */
  readonly stride: number;
  readonly percpu: boolean;
}

/** The variables tsbpf emulates: the VARs of its built-in BTF (the kernel's kallsyms for typed ksyms). */
let offered: ReadonlySet<string> | undefined;
export function offeredKsymVars(): ReadonlySet<string> {
  if (!offered) {
    const btf = builtinKernelBtf();
    const names = new Set<string>();
    for (let id = 1; id < btf.length; id++) {
      const t = btf.type(id);
      if (t.kind === BTF_KIND_VAR) names.add(t.name);
    }
    offered = names;
  }
  return offered;
}

export class KsymVars {
  private readonly vars = new Map<string, KsymVar>();

  private offeredSet?: ReadonlySet<string>;

  // the built-in BTF is parsed on first use only (a runtime that never meets a typed ksym never needs it)
  constructor(private readonly arena: Arena, private readonly cpus: number, private readonly target: () => Btf, private readonly names?: readonly string[]) {}

  /** The variables this runtime has (RuntimeOptions.ksymVars, checked against what tsbpf provides). */
  private get offered(): ReadonlySet<string> {
    if (!this.offeredSet) {
      const known = offeredKsymVars();
      for (const n of this.names ?? []) {
        if (!known.has(n)) throw new RangeError(`ksymVars: tsbpf does not provide a kernel variable '${n}' (it has ${[...known].join(', ')})`);
      }
      this.offeredSet = this.names ? new Set(this.names) : known;
    }
    return this.offeredSet;
  }

  /** kallsyms_lookup_name: the runtime has memory for this variable */
  has(name: string): boolean {
    return this.offered.has(name) && this.target().typeByName(name, BTF_KIND_VAR) !== undefined;
  }

  /** The address a program's ld_imm64 of the variable loads (allocated and initialized on first use). */
  address(name: string): number {
    return this.lookup(name).addr;
  }

  /** bpf_per_cpu_ptr: the copy of `cpu`, NULL for a CPU the runtime does not have (or an address that is no per-CPU variable). */
  percpuPtr(ptr: number, cpu: number): number {
    if (cpu < 0 || cpu >= this.cpus) return 0;
    for (const v of this.vars.values()) {
      if (v.percpu && ptr >= v.addr && ptr < v.addr + v.stride) return ptr + cpu * v.stride;
    }
    return 0;
  }

  /** The bytes of a variable (of one CPU's copy), for tests and tools: a live view of the runtime's memory. */
  bytes(name: string, cpu = 0): Uint8Array {
    const v = this.lookup(name);
    if (!v.percpu && cpu !== 0) throw new RangeError(`${name} is not a per-CPU variable`);
    if (cpu < 0 || cpu >= this.cpus) throw new RangeError(`cpu ${cpu} out of range (the runtime has ${this.cpus})`);
    const at = v.addr + cpu * v.stride;
    return this.arena.u8.subarray(at, at + v.size);
  }

  private lookup(name: string): KsymVar {
    let v = this.vars.get(name);
    if (v) return v;
    if (!this.has(name)) throw new RangeError(`kernel variable '${name}' is not provided by tsbpf`);
    const btf = this.target();
    const t = btf.typeByName(name, BTF_KIND_VAR)!;
    const ds = btf.typeByName('.data..percpu', BTF_KIND_DATASEC) as { vars: { type: number }[] } | undefined;
    const percpu = !!ds?.vars.some((x) => x.type === t.id);
    const size = Math.max(1, btf.sizeof(t.id));
    const stride = Math.ceil(size / 64) * 64;
    const addr = this.arena.alloc(percpu ? stride * this.cpus : size, ARENA_ACCESS_READ, 64);
    v = { name, addr, size, stride, percpu };
    this.vars.set(name, v);
    this.init(v, btf);
    return v;
  }

  /** What the kernel keeps in them that tsbpf knows: each run queue's own CPU number (rq->cpu, at the target BTF's offset). */
  private init(v: KsymVar, btf: Btf): void {
    if (v.name !== 'runqueues') return;
    const cpu = structLayout(btf, 'rq')?.get('cpu');
    if (!cpu || cpu.size !== 4) return;
    const dv = new DataView(this.arena.u8.buffer);
    for (let c = 0; c < this.cpus; c++) dv.setInt32(v.addr + c * v.stride + cpu.offset, c, true);
  }
}

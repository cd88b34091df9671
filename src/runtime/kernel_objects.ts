// Kernel objects a test hands to a tracing program (the `struct filename *`
// of fentry/do_unlinkat, the tasks of tp_btf/sched_switch): laid out by the
// runtime's target BTF in the arena, where the program's PTR_TO_BTF_ID loads
// read them directly and bpf_probe_read_kernel reads them as kernel memory.
// Pointer members take a string (a NUL-terminated copy is placed too), an
// object (the pointee struct, placed the same way) or an address.
import type { Btf } from '../btf/btf.js';
import { BtfEncodeError, encodeBtfValue } from '../btf/encode.js';
import { BTF_KIND_STRUCT, BTF_KIND_UNION, isComposite } from '../btf/types.js';
import type { Arena } from '../memory/arena.js';
import { EINVAL, ENOENT } from '../uapi/errno.js';

export class KernelObjectError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'KernelObjectError';
  }
}

export class KernelObjects {
  private readonly blocks: number[] = [];

  constructor(private readonly arena: Arena, private readonly btf: () => Btf) {}

  private place(bytes: Uint8Array): bigint {
    const p = this.arena.alloc(Math.max(bytes.length, 8));
    this.arena.u8.fill(0, p, p + Math.max(bytes.length, 8));
    this.arena.u8.set(bytes, p);
    this.blocks.push(p);
    return BigInt(p);
  }

  /**
   * A `struct NAME` of the target BTF with `fields` set (the rest zero);
   * returns its address.
   */
  create(struct: string, fields: Record<string, unknown> = {}): bigint {
    const btf = this.btf();
    const t = btf.typesByName(struct).find((x) => x.kind === BTF_KIND_STRUCT || x.kind === BTF_KIND_UNION);
    if (!t || !isComposite(t)) throw new KernelObjectError(`the kernel BTF has no struct ${struct}`, -ENOENT);
    return this.encode(btf, t.id, fields, struct);
  }

  private encode(btf: Btf, id: number, value: unknown, path: string): bigint {
    const out = new Uint8Array(btf.sizeof(id));
    try {
      encodeBtfValue(btf, id, value, out, 0, path, 0, 0, (pid, v, at) => this.pointee(btf, pid, v, at));
    } catch (e) {
      if (e instanceof BtfEncodeError) throw new KernelObjectError(e.message, -EINVAL);
      throw e;
    }
    return this.place(out);
  }

  private pointee(btf: Btf, pointeeId: number, value: unknown, path: string): bigint {
    if (typeof value === 'string') return this.place(new TextEncoder().encode(`${value}\0`));
    if (value instanceof Uint8Array) return this.place(value);
    const t = btf.resolve(pointeeId);
    if (typeof value === 'object' && value !== null && isComposite(t)) return this.encode(btf, t.id, value, path);
    throw new KernelObjectError(`${path}: a pointer takes an address, a string, bytes or an object of its struct`, -EINVAL);
  }

  /** Frees every object created so far. */
  clear(): void {
    for (const p of this.blocks.splice(0)) this.arena.free(p);
  }
}

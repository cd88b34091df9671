// Kernel-style object lifetimes. A map has two counters, as struct bpf_map does:
// `refcnt` (anything that keeps the object alive: programs using it, outer
// maps, armed timers' programs, user handles, pins) and `usercnt` (only user
// handles and pins). When usercnt drops to zero the map's release_uref hook
// runs (arrays and hashes cancel their timers then); when refcnt drops to zero
// the object is freed. A program has one counter.

export class RefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefError';
  }
}

export abstract class KernelObject {
  private refs = 1;
  private freed = false;

  get refcnt(): number {
    return this.refs;
  }

  get isFreed(): boolean {
    return this.freed;
  }

  /** bpf_map_inc / bpf_prog_inc */
  inc(): void {
    if (this.freed) throw new RefError(`${this.describe()} used after it was freed`);
    this.refs++;
  }

  /** bpf_map_put / bpf_prog_put: frees the object when the last reference goes. */
  put(): void {
    if (this.freed) throw new RefError(`${this.describe()} released after it was freed`);
    if (--this.refs === 0) {
      this.freed = true;
      this.free();
    }
  }

  protected abstract free(): void;
  abstract describe(): string;
}

/** A kernel object that also counts user references (maps). */
export abstract class UserRefObject extends KernelObject {
  private urefs = 0;

  get usercnt(): number {
    return this.urefs;
  }

  /** bpf_map_inc_with_uref: a user handle or a pin. */
  incUref(): void {
    this.inc();
    this.urefs++;
  }

  /** bpf_map_put_with_uref */
  putUref(): void {
    if (this.urefs <= 0) throw new RefError(`${this.describe()} has no user reference to drop`);
    if (--this.urefs === 0) this.releaseUref();
    this.put();
  }

  /** map_release_uref: the last user reference went away. */
  protected abstract releaseUref(): void;
}

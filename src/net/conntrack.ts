// The connection tracking table the conntrack kfuncs (bpf_skb_ct_lookup,
// bpf_xdp_ct_lookup, bpf_*_ct_alloc, bpf_ct_insert_entry, ...) work on: the
// kernel's nf_conntrack hash as plain data a test fills from TypeScript
// (`rt.conntrack.add({...})`), keyed by tuple and zone, with an entry found
// from either direction (opts->dir says which). Timeouts run on the
// runtime's clock. The simulated host (src/net) may own one later: this file
// depends on nothing but a clock reading.

/** IPPROTO_TCP / IPPROTO_UDP: the only protocols the kfuncs accept */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** enum ip_conntrack_status bits the kfuncs look at */
export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_CONFIRMED = 1 << 3;
export const IPS_DYING = 1 << 9;
/** IPS_UNCHANGEABLE_MASK: bits a program may not set (NAT, expected, confirmed, dying, template, ...) */
export const IPS_UNCHANGEABLE_MASK = 0xdbf9;

/** One direction of a connection: addresses as 4 or 16 bytes, ports in host order. */
export interface CtTuple {
  family: 4 | 6;
  proto: number;
  saddr: Uint8Array;
  daddr: Uint8Array;
  sport: number;
  dport: number;
}

export interface CtEntry {
  /** the original direction */
  readonly orig: CtTuple;
  /** IPS_* status bits */
  status: number;
  mark: number;
  zone: number;
  /** expiry on the runtime's CLOCK_MONOTONIC, ns */
  expiresNs: bigint;
}

export interface CtAddOptions {
  proto: 'tcp' | 'udp' | number;
  saddr: string | Uint8Array;
  daddr: string | Uint8Array;
  sport: number;
  dport: number;
  /** lifetime from now, ms (default 30 s) */
  timeoutMs?: number;
  status?: number;
  mark?: number;
  zone?: number;
}

export class ConntrackError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'ConntrackError';
  }
}

function parseIp(a: string | Uint8Array): Uint8Array {
  if (a instanceof Uint8Array) {
    if (a.length !== 4 && a.length !== 16) throw new ConntrackError(`address of ${a.length} bytes (want 4 or 16)`, -22);
    return a.slice();
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) throw new ConntrackError(`bad IPv4 address '${a}'`, -22);
    return Uint8Array.from(b);
  }
  // IPv6: expand '::'
  const [head, tail, ...rest] = a.split('::');
  if (rest.length) throw new ConntrackError(`bad IPv6 address '${a}'`, -22);
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new ConntrackError(`bad IPv6 address '${a}'`, -22);
    return parseInt(g, 16);
  }) : []);
  const h = groups(head), t = groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && h.length !== 8)) throw new ConntrackError(`bad IPv6 address '${a}'`, -22);
  const all = [...h, ...new Array(fill).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function tupleEq(a: CtTuple, b: CtTuple): boolean {
  return a.family === b.family && a.proto === b.proto && a.sport === b.sport && a.dport === b.dport
    && sameBytes(a.saddr, b.saddr) && sameBytes(a.daddr, b.daddr);
}

/** The reply direction of a tuple (no NAT: the addresses and ports swapped). */
export function invertTuple(t: CtTuple): CtTuple {
  return { family: t.family, proto: t.proto, saddr: t.daddr, daddr: t.saddr, sport: t.dport, dport: t.sport };
}

export class ConntrackTable {
  private readonly list: CtEntry[] = [];

  /** `now()` is the runtime's CLOCK_MONOTONIC in ns */
  constructor(private readonly now: () => bigint) {}

  /** Adds an established connection, as if the host had tracked it (confirmed). */
  add(o: CtAddOptions): CtEntry {
    const proto = o.proto === 'tcp' ? IPPROTO_TCP : o.proto === 'udp' ? IPPROTO_UDP : o.proto;
    const saddr = parseIp(o.saddr), daddr = parseIp(o.daddr);
    if (saddr.length !== daddr.length) throw new ConntrackError('saddr and daddr of different families', -22);
    for (const p of [o.sport, o.dport]) if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new ConntrackError(`bad port ${p}`, -22);
    const e: CtEntry = {
      orig: { family: saddr.length === 4 ? 4 : 6, proto, saddr, daddr, sport: o.sport, dport: o.dport },
      status: (o.status ?? 0) | IPS_CONFIRMED,
      mark: o.mark ?? 0,
      zone: o.zone ?? 0,
      expiresNs: this.now() + BigInt(o.timeoutMs ?? 30_000) * 1_000_000n,
    };
    if (!this.insert(e)) throw new ConntrackError('an entry for this tuple exists', -17);
    return e;
  }

  /** nf_conntrack_find_get: the live entry with this tuple in either direction, and the direction (0 original, 1 reply). */
  find(t: CtTuple, zone = 0): { entry: CtEntry; dir: 0 | 1 } | undefined {
    this.expire();
    for (const e of this.list) {
      if (e.zone !== zone) continue;
      if (tupleEq(e.orig, t)) return { entry: e, dir: 0 };
      if (tupleEq(invertTuple(e.orig), t)) return { entry: e, dir: 1 };
    }
    return undefined;
  }

  /** nf_conntrack_hash_check_insert: false when either direction is taken (-EEXIST). */
  insert(e: CtEntry): boolean {
    if (this.find(e.orig, e.zone) || this.find(invertTuple(e.orig), e.zone)) return false;
    e.status |= IPS_CONFIRMED;
    this.list.push(e);
    return true;
  }

  delete(e: CtEntry): boolean {
    const i = this.list.indexOf(e);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** The live entries, oldest first. */
  entries(): readonly CtEntry[] {
    this.expire();
    return [...this.list];
  }

  clear(): void { this.list.length = 0; }

  /** A new, unconfirmed entry (nf_conntrack_alloc), not in the table until insert. */
  alloc(orig: CtTuple, zone: number, timeoutMs: number): CtEntry {
    return { orig, status: 0, mark: 0, zone, expiresNs: this.now() + BigInt(timeoutMs) * 1_000_000n };
  }

  setTimeout(e: CtEntry, ms: number): void {
    e.expiresNs = this.now() + BigInt(ms) * 1_000_000n;
  }

  private expire(): void {
    const now = this.now();
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.expiresNs <= now) this.list.splice(i, 1);
  }
}

/** nf_ct_change_status_common: 0, or -EBUSY for a change the kfuncs may not make. */
export function changeStatus(e: CtEntry, status: number): number {
  const d = (e.status ^ status) >>> 0;
  if (d & (IPS_EXPECTED | IPS_CONFIRMED | IPS_DYING)) return -16;
  if (d & IPS_SEEN_REPLY && !(status & IPS_SEEN_REPLY)) return -16;
  if (d & IPS_ASSURED && !(status & IPS_ASSURED)) return -16;
  e.status = ((e.status & IPS_UNCHANGEABLE_MASK) | (status & ~IPS_UNCHANGEABLE_MASK)) >>> 0;
  return 0;
}

// The conntrack kfuncs (net/netfilter/nf_conntrack_bpf.c) on the runtime's
// ConntrackTable: an acquired struct nf_conn is an arena block laid out as
// the kernel BTF's nf_conn (src/kfuncs/nf_conn.ts), which names the table
// entry until bpf_ct_release / bpf_ct_insert_entry.
import { ARENA_ACCESS_NONE, type Arena } from '../memory/arena.js';
import type { Btf } from '../btf/btf.js';
import { HZ, INITIAL_JIFFIES } from '../helpers/trace_misc.js';
import { type NfConnLayout, nfConnLayout, readNfConnMark, writeNfConn, writeNfConnField } from './nf_conn.js';
import {
  type ConntrackTable, type CtEntry, type CtTuple, IPPROTO_TCP, IPPROTO_UDP, changeStatus,
} from '../net/conntrack.js';
import { EAFNOSUPPORT, EINVAL, ENOENT, ENONET, EPROTO } from '../uapi/errno.js';
import { HelperFault, addrOf, checkMem, u32, u64 } from '../helpers/misc.js';
import type { HelperFn } from '../vm/env.js';

/** NF_BPF_CT_OPTS_SZ in 6.18 (with the ct zone fields), and the older 12-byte layout it still takes */
const OPTS_SZ = 16;
const OPTS_OLD_SZ = 12;
/** default timeout of bpf_*_ct_alloc, seconds */
const ALLOC_TIMEOUT_S = 10;

interface Handle { entry: CtEntry; confirmed: boolean; relTimeoutMs: number }

export interface ConntrackKfuncEnv {
  readonly arena: Arena;
  readonly conntrack: ConntrackTable;
  /** the kernel BTF nf_conn is laid out by */
  readonly coreTarget: { readonly btf: Btf };
}

/** msecs_to_jiffies */
const msToJiffies = (ms: number): bigint => (BigInt(ms) * HZ + 999n) / 1000n;

export class ConntrackKfuncs {
  private readonly handles = new Map<number, Handle>();

  constructor(private readonly env: ConntrackKfuncEnv) {}

  private handle(r: bigint, what: string): Handle {
    const h = this.handles.get(addrOf(r));
    if (!h) throw new HelperFault(`${what}: 0x${r.toString(16)} is not an nf_conn this program holds`);
    return h;
  }

  private layout(): NfConnLayout | undefined {
    return nfConnLayout(this.env.coreTarget.btf);
  }

  /** ct->timeout: jiffies of the expiry once confirmed (nfct_time_stamp + timeout), the relative timeout before */
  private timeoutField(h: Handle): bigint {
    if (!h.confirmed) return msToJiffies(h.relTimeoutMs);
    return BigInt.asUintN(32, INITIAL_JIFFIES + h.entry.expiresNs * HZ / 1_000_000_000n);
  }

  private newHandle(entry: CtEntry, confirmed: boolean, relTimeoutMs: number): bigint {
    const L = this.layout();
    // without an nf_conn in the kernel BTF, a block the program cannot read or write stands for it
    const p = L ? this.env.arena.alloc(Math.max(L.size, 8)) : this.env.arena.alloc(16, ARENA_ACCESS_NONE);
    const h: Handle = { entry, confirmed, relTimeoutMs };
    this.handles.set(p, h);
    if (L) writeNfConn(this.env.arena.dv, p, L, entry, this.timeoutField(h));
    return BigInt(p);
  }

  /** ct->mark as the program wrote it (the one writable field) goes back to the entry */
  private syncMark(a: number, h: Handle): void {
    const L = this.layout();
    const m = L ? readNfConnMark(this.env.arena.dv, a, L) : undefined;
    if (m !== undefined) h.entry.mark = m;
  }

  /** status and timeout after a setter */
  private refresh(r: bigint, h: Handle): void {
    const L = this.layout();
    if (!L) return;
    writeNfConnField(this.env.arena.dv, addrOf(r), L, 'status', h.entry.status);
    writeNfConnField(this.env.arena.dv, addrOf(r), L, 'timeout', this.timeoutField(h));
  }

  private drop(r: bigint): void {
    const a = addrOf(r);
    const h = this.handles.get(a);
    if (h) this.syncMark(a, h);
    this.handles.delete(a);
    this.env.arena.free(a);
  }

  /** __bpf_nf_ct_lookup / __bpf_nf_ct_alloc_entry argument parsing; an errno or the tuple and zone */
  private parse(rTuple: bigint, tupleSz: number, rOpts: bigint, optsSz: number, alloc: boolean): number | { tuple: CtTuple; zone: number; opts: number } {
    if (rOpts === 0n || rTuple === 0n) return -EINVAL;
    if (optsSz !== OPTS_SZ && optsSz !== OPTS_OLD_SZ) return -EINVAL;
    const dv = this.env.arena.dv;
    const o = checkMem(this.env.arena, rOpts, optsSz, true, 'bpf_ct_opts');
    const reservedFrom = optsSz === OPTS_SZ ? 13 : 10;
    for (let i = reservedFrom; i < optsSz; i++) if (dv.getUint8(o + i) !== 0) return -EINVAL;
    const netns = dv.getInt32(o, true);
    const proto = dv.getUint8(o + 8);
    if (!alloc && proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return -EPROTO;
    if (netns < -1) return -EINVAL;
    if (alloc && proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return -EPROTO;
    let tuple: CtTuple;
    if (tupleSz === 12) {
      const t = checkMem(this.env.arena, rTuple, 12, false, 'bpf_sock_tuple');
      const b = this.env.arena.u8;
      tuple = { family: 4, proto, saddr: b.slice(t, t + 4), daddr: b.slice(t + 4, t + 8), sport: dv.getUint16(t + 8, false), dport: dv.getUint16(t + 10, false) };
    } else if (tupleSz === 36) {
      const t = checkMem(this.env.arena, rTuple, 36, false, 'bpf_sock_tuple');
      const b = this.env.arena.u8;
      tuple = { family: 6, proto, saddr: b.slice(t, t + 16), daddr: b.slice(t + 16, t + 32), sport: dv.getUint16(t + 32, false), dport: dv.getUint16(t + 34, false) };
    } else {
      return -EAFNOSUPPORT;
    }
    // the runtime has one network namespace: the caller's (BPF_F_CURRENT_NETNS)
    if (netns >= 0) return -ENONET;
    const zone = optsSz === OPTS_SZ ? dv.getUint16(o + 10, true) : 0;
    return { tuple, zone, opts: o };
  }

  private setError(rOpts: bigint, err: number): bigint {
    if (rOpts !== 0n) {
      const o = checkMem(this.env.arena, rOpts, 8, true, 'bpf_ct_opts');
      this.env.arena.dv.setInt32(o + 4, err, true);
    }
    return 0n;
  }

  /** bpf_skb_ct_lookup / bpf_xdp_ct_lookup */
  readonly lookup: HelperFn = (_vm, _ctx, rTuple, rTupleSz, rOpts, rOptsSz) => {
    const p = this.parse(rTuple, u32(rTupleSz), rOpts, u32(rOptsSz), false);
    if (typeof p === 'number') return this.setError(rOpts, p);
    const hit = this.env.conntrack.find(p.tuple, p.zone);
    if (!hit) return this.setError(rOpts, -ENOENT);
    this.env.arena.dv.setUint8(p.opts + 9, hit.dir);
    return this.newHandle(hit.entry, true, 0);
  };

  /** bpf_skb_ct_alloc / bpf_xdp_ct_alloc: a new entry, not in the table until bpf_ct_insert_entry */
  readonly alloc: HelperFn = (_vm, _ctx, rTuple, rTupleSz, rOpts, rOptsSz) => {
    const p = this.parse(rTuple, u32(rTupleSz), rOpts, u32(rOptsSz), true);
    if (typeof p === 'number') return this.setError(rOpts, p);
    const e = this.env.conntrack.alloc(p.tuple, p.zone, ALLOC_TIMEOUT_S * 1000);
    return this.newHandle(e, false, ALLOC_TIMEOUT_S * 1000);
  };

  /** bpf_ct_insert_entry: the same object, now confirmed, or NULL (the entry is freed) when the tuple is taken */
  readonly insert: HelperFn = (_vm, r1) => {
    const h = this.handle(r1, 'bpf_ct_insert_entry');
    this.syncMark(addrOf(r1), h);
    this.env.conntrack.setTimeout(h.entry, h.relTimeoutMs);
    if (!this.env.conntrack.insert(h.entry)) { this.drop(r1); return 0n; }
    h.confirmed = true;
    this.refresh(r1, h);
    return r1;
  };

  readonly release: HelperFn = (_vm, r1) => {
    if (r1 === 0n) return 0n;
    this.handle(r1, 'bpf_ct_release');
    this.drop(r1);
    return 0n;
  };

  /** bpf_ct_set_timeout: msecs, applied when the entry is inserted */
  readonly setTimeout: HelperFn = (_vm, r1, r2) => {
    const h = this.handle(r1, 'bpf_ct_set_timeout');
    h.relTimeoutMs = u32(r2);
    this.refresh(r1, h);
    return 0n;
  };

  /** bpf_ct_change_timeout: a new expiry from now */
  readonly changeTimeout: HelperFn = (_vm, r1, r2) => {
    const h = this.handle(r1, 'bpf_ct_change_timeout');
    if (h.confirmed) this.env.conntrack.setTimeout(h.entry, u32(r2));
    else h.relTimeoutMs = u32(r2);
    this.refresh(r1, h);
    return 0n;
  };

  private status(r1: bigint, r2: bigint, what: string): bigint {
    const h = this.handle(r1, what);
    const ret = changeStatus(h.entry, u32(r2));
    this.refresh(r1, h);
    return u64(ret);
  }

  readonly setStatus: HelperFn = (_vm, r1, r2) => this.status(r1, r2, 'bpf_ct_set_status');
  readonly changeStatus: HelperFn = (_vm, r1, r2) => this.status(r1, r2, 'bpf_ct_change_status');
}

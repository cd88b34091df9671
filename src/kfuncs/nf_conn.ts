// struct nf_conn as the conntrack kfuncs hand it out: each acquired entry is
// laid out in the arena at the offsets of the runtime's kernel BTF (built-in
// or the user's vmlinux), so a program reads ct->status, ct->mark,
// ct->timeout and ct->tuplehash[dir].tuple directly, as it would the
// kernel's object. ct->mark is the one field programs may write (the
// verifier's nf_conntrack_btf_struct_access); the runtime reads it back.
import type { Btf } from '../btf/btf.js';
import { BTF_KIND_ARRAY, BTF_KIND_STRUCT, isComposite } from '../btf/types.js';
import type { CtEntry, CtTuple } from '../net/conntrack.js';

interface Field { off: number; size: number }

/** where each field the runtime fills sits in struct nf_conn (fields the BTF lacks are left out) */
export interface NfConnLayout {
  size: number;
  fields: Map<string, Field>;
}

/** offset and size of a member path (names through nested and anonymous members, numbers index arrays) */
function fieldAt(btf: Btf, typeId: number, path: readonly (string | number)[]): Field | undefined {
  let t = btf.resolve(typeId);
  let off = 0;
  for (const step of path) {
    if (typeof step === 'number') {
      if (t.kind !== BTF_KIND_ARRAY || step >= t.nelems) return undefined;
      off += step * btf.sizeof(t.type);
      t = btf.resolve(t.type);
      continue;
    }
    const hit = member(btf, t, step);
    if (!hit) return undefined;
    off += hit.bitOffset / 8;
    t = btf.resolve(hit.type);
  }
  return { off, size: btf.sizeof(t.id) };
}

function member(btf: Btf, t: ReturnType<Btf['resolve']>, name: string): { bitOffset: number; type: number } | undefined {
  if (!isComposite(t)) return undefined;
  for (const m of t.members) {
    if (m.bitfieldSize) continue;
    if (m.name === name) return { bitOffset: m.bitOffset, type: m.type };
    if (m.name === '') {
      const inner = member(btf, btf.resolve(m.type), name);
      if (inner) return { bitOffset: m.bitOffset + inner.bitOffset, type: inner.type };
    }
  }
  return undefined;
}

const TUPLE_FIELDS = ['src.u3', 'src.u.all', 'src.l3num', 'dst.u3', 'dst.u.all', 'dst.protonum', 'dst.dir'] as const;

const layouts = new WeakMap<Btf, NfConnLayout | null>();

/** The layout of struct nf_conn in `btf`, or undefined when it has none. */
export function nfConnLayout(btf: Btf): NfConnLayout | undefined {
  const cached = layouts.get(btf);
  if (cached !== undefined) return cached ?? undefined;
  const t = btf.typesByName('nf_conn').find((x) => x.kind === BTF_KIND_STRUCT);
  let out: NfConnLayout | null = null;
  if (t) {
    const fields = new Map<string, Field>();
    const add = (name: string, path: (string | number)[]) => {
      const f = fieldAt(btf, t.id, path);
      if (f) fields.set(name, f);
    };
    add('use', ['ct_general', 'use']);
    add('timeout', ['timeout']);
    add('zone.id', ['zone', 'id']);
    add('status', ['status']);
    add('mark', ['mark']);
    for (const dir of [0, 1]) {
      for (const f of TUPLE_FIELDS) add(`${dir}.${f}`, ['tuplehash', dir, 'tuple', ...f.split('.')]);
    }
    out = { size: btf.sizeof(t.id), fields };
  }
  layouts.set(btf, out);
  return out ?? undefined;
}

function put(dv: DataView, at: number, f: Field | undefined, v: bigint | number): void {
  if (!f) return;
  const b = BigInt.asUintN(64, BigInt(v));
  for (let i = 0; i < f.size && i < 8; i++) dv.setUint8(at + f.off + i, Number((b >> BigInt(8 * i)) & 0xffn));
}

function putTuple(dv: DataView, at: number, L: NfConnLayout, dir: 0 | 1, t: CtTuple): void {
  const f = (n: string) => L.fields.get(`${dir}.${n}`);
  const addr = (fl: Field | undefined, bytes: Uint8Array) => {
    if (!fl) return;
    for (let i = 0; i < fl.size; i++) dv.setUint8(at + fl.off + i, bytes[i] ?? 0);
  };
  // ports are __be16, addresses in network order
  const be16 = (fl: Field | undefined, v: number) => {
    if (!fl) return;
    dv.setUint8(at + fl.off, v >> 8);
    dv.setUint8(at + fl.off + 1, v & 0xff);
  };
  addr(f('src.u3'), dir === 0 ? t.saddr : t.daddr);
  be16(f('src.u.all'), dir === 0 ? t.sport : t.dport);
  put(dv, at, f('src.l3num'), t.family === 4 ? 2 : 10);
  addr(f('dst.u3'), dir === 0 ? t.daddr : t.saddr);
  be16(f('dst.u.all'), dir === 0 ? t.dport : t.sport);
  put(dv, at, f('dst.protonum'), t.proto);
  put(dv, at, f('dst.dir'), dir);
}

/**
 * Writes `e` as struct nf_conn at `at` (zeroed first). `timeout` is what the
 * kernel keeps there: the expiry in jiffies once confirmed, the relative
 * timeout in jiffies before.
 */
export function writeNfConn(dv: DataView, at: number, L: NfConnLayout, e: CtEntry, timeout: bigint): void {
  for (let i = 0; i < L.size; i++) dv.setUint8(at + i, 0);
  put(dv, at, L.fields.get('use'), 1);
  put(dv, at, L.fields.get('timeout'), timeout);
  put(dv, at, L.fields.get('zone.id'), e.zone);
  put(dv, at, L.fields.get('status'), e.status);
  put(dv, at, L.fields.get('mark'), e.mark);
  putTuple(dv, at, L, 0, e.orig);
  putTuple(dv, at, L, 1, e.orig);
}

/** The fields the runtime keeps in step after kfunc calls. */
export function writeNfConnField(dv: DataView, at: number, L: NfConnLayout, name: 'status' | 'timeout' | 'mark', v: bigint | number): void {
  put(dv, at, L.fields.get(name), v);
}

/** ct->mark as the program left it. */
export function readNfConnMark(dv: DataView, at: number, L: NfConnLayout): number | undefined {
  const f = L.fields.get('mark');
  return f && f.size === 4 ? dv.getUint32(at + f.off, true) : undefined;
}

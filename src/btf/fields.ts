// Special fields of map values: where the bpf_timer, bpf_spin_lock, ... are.
//
// Two views:
//  - specialFields(): every special struct anywhere in a type (through typedefs,
//    nested structs, unions and arrays), for tools and messages.
//  - parseFields(): the kernel's btf_parse_fields() record, with its rules
//    (checked against Linux 6.18, see test/btf/fields.test.ts):
//      * a member counts only if its type is *directly* the named struct (or an
//        array of it): no typedef/const is looked through, unions are not entered;
//      * nested structs are entered (up to MAX_RESOLVE_DEPTH levels);
//      * a duplicate timer/spin lock/wq at the same struct level fails the
//        record with -E2BIG (for spin locks the kernel already refuses the BTF);
//      * arrays with more than one element of a timer/lock/wq, or of a struct
//        containing one, fail with -EINVAL ("repeat" is only for kptrs/graph roots);
//      * a field off its natural alignment is ignored;
//      * one at an outer level plus one in a nested struct is accepted; both are
//        in the record, and the one the helpers accept (timer_off,
//        spin_lock_off) is the last found in member order.
//    A failed record is not a map-creation error in the kernel: the map is
//    created without special fields, and the verifier then says
//    "map 'm' has no valid bpf_timer".

import { Btf, BtfError, MAX_RESOLVE_DEPTH } from './btf.js';
import { BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_STRUCT, BTF_KIND_VAR, isComposite } from './types.js';

export type SpecialFieldKind =
  | 'bpf_spin_lock' | 'bpf_res_spin_lock' | 'bpf_timer' | 'bpf_wq' | 'bpf_list_head'
  | 'bpf_list_node' | 'bpf_rb_root' | 'bpf_rb_node' | 'bpf_refcount' | 'bpf_task_work';

/** Size and alignment of each special struct (include/uapi/linux/bpf.h). */
export const SPECIAL_FIELD_LAYOUT: Readonly<Record<SpecialFieldKind, { size: number; align: number }>> = {
  bpf_spin_lock: { size: 4, align: 4 },
  bpf_res_spin_lock: { size: 8, align: 4 },
  bpf_timer: { size: 16, align: 8 },
  bpf_wq: { size: 16, align: 8 },
  bpf_list_head: { size: 16, align: 8 },
  bpf_list_node: { size: 24, align: 8 },
  bpf_rb_root: { size: 16, align: 8 },
  bpf_rb_node: { size: 32, align: 8 },
  bpf_refcount: { size: 4, align: 4 },
  bpf_task_work: { size: 8, align: 8 },
};

/** Kinds of which the kernel allows at most one per struct level. */
const SINGLETON: ReadonlySet<SpecialFieldKind> = new Set(['bpf_spin_lock', 'bpf_res_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_task_work']);

function specialKind(name: string): SpecialFieldKind | undefined {
  return Object.prototype.hasOwnProperty.call(SPECIAL_FIELD_LAYOUT, name) ? (name as SpecialFieldKind) : undefined;
}

export interface SpecialField {
  kind: SpecialFieldKind;
  /** byte offset from the start of the value */
  offset: number;
  size: number;
  /** the struct type id (e.g. of struct bpf_timer) */
  typeId: number;
  /** member path, e.g. "il.lock" or "a[1].t" */
  path: string;
}

/** More special fields than any map value can have: a corrupt or absurd type (e.g. 2^32 timers). */
const MAX_SPECIAL_FIELDS = 4096;

/** Every special struct anywhere in the type, in offset order. */
export function specialFields(btf: Btf, id: number): SpecialField[] {
  const out: SpecialField[] = [];
  const walk = (typeId: number, base: number, path: string, depth: number): void => {
    if (out.length > MAX_SPECIAL_FIELDS) throw new BtfError(`more than ${MAX_SPECIAL_FIELDS} special fields (an array too large for a map value?)`, '.BTF', undefined, id);
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('type nesting deeper than MAX_RESOLVE_DEPTH (loop in the type graph?)', '.BTF', undefined, typeId);
    const t = btf.resolve(typeId);
    if (t.kind === BTF_KIND_ARRAY) {
      const elemSize = btf.sizeof(t.type);
      // Only walk arrays whose elements can hold special fields.
      if (!mayContain(btf, t.type, depth + 1)) return;
      for (let i = 0; i < t.nelems; i++) walk(t.type, base + i * elemSize, `${path}[${i}]`, depth + 1);
      return;
    }
    if (t.kind === BTF_KIND_DATASEC) {
      for (const v of t.vars) {
        const vt = btf.type(v.type);
        walk(vt.kind === BTF_KIND_VAR ? vt.type : v.type, base + v.offset, vt.name, depth + 1);
      }
      return;
    }
    if (!isComposite(t)) return;
    const kind = t.kind === BTF_KIND_STRUCT ? specialKind(t.name) : undefined;
    if (kind) {
      out.push({ kind, offset: base, size: t.size, typeId: t.id, path });
      return;
    }
    for (const m of t.members) {
      if (m.bitfieldSize) continue;
      walk(m.type, base + Math.floor(m.bitOffset / 8), path ? `${path}.${m.name}` : m.name, depth + 1);
    }
  };
  walk(id, 0, '', 0);
  return out.sort((a, b) => a.offset - b.offset);
}

function mayContain(btf: Btf, id: number, depth: number): boolean {
  if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('type nesting deeper than MAX_RESOLVE_DEPTH (loop in the type graph?)', '.BTF', undefined, id);
  const t = btf.resolve(id);
  if (t.kind === BTF_KIND_ARRAY) return t.nelems > 0 && mayContain(btf, t.type, depth + 1);
  if (!isComposite(t)) return false;
  if (t.kind === BTF_KIND_STRUCT && specialKind(t.name)) return true;
  return t.members.some((m) => mayContain(btf, m.type, depth + 1));
}

/** The kernel's struct btf_record for a map value type. */
export interface BtfRecord {
  fields: SpecialField[];
  /** offset of the bpf_spin_lock the helpers accept, or -1 */
  spinLockOff: number;
  /** offset of the bpf_timer the helpers accept, or -1 */
  timerOff: number;
  /** offset of the bpf_wq, or -1 */
  wqOff: number;
  /** set when btf_parse_fields() would fail: the map then has no special fields */
  error?: { errno: number; reason: string };
}

const E2BIG = 7;
const EINVAL = 22;
/** BTF_FIELDS_MAX: btf_parse_fields() fails with -E2BIG past this many fields */
export const BTF_FIELDS_MAX = 11;

class RecordError extends Error {
  constructor(readonly errno: number, reason: string) { super(reason); }
}

/** btf_parse_fields() for a map value type (struct or DATASEC), with the kernel's rules. */
export function parseFields(btf: Btf, valueTypeId: number): BtfRecord {
  const rec: BtfRecord = { fields: [], spinLockOff: -1, timerOff: -1, wqOff: -1 };
  const top = btf.resolve(valueTypeId); // the value type itself is resolved through modifiers
  const fields: SpecialField[] = [];
  // repeated (array) fields are counted before they are made: an array of 2^32 list heads must not be expanded
  const room = (n: number, what: string): void => {
    if (n > BTF_FIELDS_MAX) throw new RecordError(E2BIG, `${what}: more than BTF_FIELDS_MAX (${BTF_FIELDS_MAX}) special fields`);
  };

  // One struct level: returns its fields (offsets relative to the struct).
  const structLevel = (members: { name: string; type: number; off: number }[], level: number, path: string): SpecialField[] => {
    const found: SpecialField[] = [];
    const seen = new Set<SpecialFieldKind>();
    for (const m of members) {
      let t = btf.type(m.type);
      let nelems = 1;
      for (let i = 0; t.kind === BTF_KIND_ARRAY; i++) {
        if (i >= MAX_RESOLVE_DEPTH) throw new RecordError(E2BIG, `${path}${m.name}: array nesting too deep`);
        nelems *= t.nelems;
        t = btf.type(t.type);
      }
      if (nelems === 0) continue;
      const mpath = path + m.name;
      if (t.kind !== BTF_KIND_STRUCT) continue; // unions and typedefs are not entered
      const kind = specialKind(t.name);
      if (kind) {
        if (SINGLETON.has(kind)) {
          if (seen.has(kind)) throw new RecordError(E2BIG, `more than one ${kind} in one struct (at ${mpath})`);
          seen.add(kind);
        }
        const layout = SPECIAL_FIELD_LAYOUT[kind];
        if (t.size !== layout.size || m.off % layout.align) continue; // ignored, as the kernel does
        if (nelems > 1 && SINGLETON.has(kind)) throw new RecordError(EINVAL, `array of ${nelems} ${kind} at ${mpath}`);
        room(found.length + nelems, mpath);
        for (let i = 0; i < nelems; i++) {
          found.push({ kind, offset: m.off + i * t.size, size: t.size, typeId: t.id, path: nelems > 1 ? `${mpath}[${i}]` : mpath });
        }
        continue;
      }
      if (level + 1 >= MAX_RESOLVE_DEPTH) throw new RecordError(E2BIG, `${mpath}: structs nested too deep`);
      const inner = structLevel(
        t.members.map((x) => ({ name: x.name, type: x.type, off: Math.floor(x.bitOffset / 8) })),
        level + 1, `${mpath}.`,
      );
      if (inner.length === 0) continue;
      if (nelems > 1) {
        const bad = inner.find((f) => SINGLETON.has(f.kind) || f.kind === 'bpf_list_node' || f.kind === 'bpf_rb_node' || f.kind === 'bpf_refcount');
        if (bad) throw new RecordError(EINVAL, `array of ${nelems} structs containing ${bad.kind} at ${mpath}`);
      }
      const size = t.size;
      room(found.length + inner.length * nelems, mpath);
      for (let i = 0; i < nelems; i++) {
        for (const f of inner) found.push({ ...f, offset: m.off + i * size + f.offset });
      }
    }
    return found;
  };

  try {
    if (top.kind === BTF_KIND_STRUCT) {
      for (const m of top.members) {
        if (m.bitOffset % 8) throw new RecordError(EINVAL, `member ${m.name} is not byte aligned`);
      }
      fields.push(...structLevel(top.members.map((m) => ({ name: m.name, type: m.type, off: m.bitOffset / 8 })), 0, ''));
    } else if (top.kind === BTF_KIND_DATASEC) {
      fields.push(...structLevel(top.vars.map((v) => {
        const vt = btf.type(v.type);
        return { name: vt.name, type: vt.kind === BTF_KIND_VAR ? vt.type : v.type, off: v.offset };
      }), 0, ''));
    }
    // Anything else (a union, an int, ...): btf_parse_fields() only looks into structs and datasecs.
  } catch (e) {
    if (e instanceof RecordError) {
      rec.error = { errno: e.errno, reason: e.message };
      return rec;
    }
    throw e;
  }
  // The kernel caches the offset of the last one found in member order.
  for (const f of fields) {
    if (f.kind === 'bpf_spin_lock' || f.kind === 'bpf_res_spin_lock') rec.spinLockOff = f.offset;
    if (f.kind === 'bpf_timer') rec.timerOff = f.offset;
    if (f.kind === 'bpf_wq') rec.wqOff = f.offset;
  }
  rec.fields = [...fields].sort((a, b) => a.offset - b.offset);
  return rec;
}

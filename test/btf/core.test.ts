// Unit tests of the CO-RE engine (src/btf/core.ts, src/object/core_relo.ts)
// on small target BTFs built here: libbpf's name flavours, candidate search,
// the compatibility and match relations, ambiguity, and each failure mode.
// The differential tests against libbpf and the kernel are core_libbpf.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../src/btf/btf.js';
import {
  BPF_CORE_ENUMVAL_VALUE, BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_FIELD_BYTE_SIZE, BPF_CORE_FIELD_EXISTS, BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_ID_LOCAL,
  BPF_CORE_TYPE_MATCHES, BPF_CORE_TYPE_SIZE, CoreError, calcCoreReloInsn, essentialName, essentialNameLen, fieldsAreCompat,
  findCoreCands, parseCoreSpec, typesAreCompat, typesMatch,
} from '../../src/btf/core.js';
import { CORE_POISON_IMM, patchCoreInsn } from '../../src/object/core_relo.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { ElfFile } from '../../src/elf/elf.js';
import { LoadError } from '../../src/runtime/loader.js';
import { repoRoot } from '../kernel/kernel.js';

/** A tiny BTF writer: each method appends a type and returns its id. */
class BtfBuilder {
  private strs = [0];
  private readonly strOff = new Map<string, number>([['', 0]]);
  private readonly words: number[] = [];
  private n = 0;
  private s(name: string): number {
    let o = this.strOff.get(name);
    if (o === undefined) {
      o = this.strs.length;
      this.strs.push(...Buffer.from(name), 0);
      this.strOff.set(name, o);
    }
    return o;
  }
  private t(name: string, kind: number, vlen: number, sizeOrType: number, extra: number[], kflag = false): number {
    this.words.push(this.s(name), ((kflag ? 1 : 0) << 31 | kind << 24 | vlen) >>> 0, sizeOrType, ...extra);
    return ++this.n;
  }
  int(name: string, size: number, signed = false): number { return this.t(name, 1, 0, size, [(signed ? 1 : 0) << 24 | size * 8]); }
  ptr(type: number): number { return this.t('', 2, 0, type, []); }
  array(type: number, nelems: number, index: number): number { return this.t('', 3, 0, 0, [type, index, nelems]); }
  struct(name: string, size: number, members: [string, number, number, number?][], union = false): number {
    const bitf = members.some((m) => m[3]);
    const extra = members.flatMap(([n, ty, off, bits]) => [this.s(n), ty, bitf ? ((bits ?? 0) << 24 | off) >>> 0 : off]);
    return this.t(name, union ? 5 : 4, members.length, size, extra, bitf);
  }
  enum(name: string, values: [string, number][], size = 4): number {
    return this.t(name, 6, values.length, size, values.flatMap(([n, v]) => [this.s(n), v >>> 0]));
  }
  enum64(name: string, values: [string, bigint][], signed = false): number {
    return this.t(name, 19, values.length, 8, values.flatMap(([n, v]) => [this.s(n), Number(v & 0xffffffffn), Number(v >> 32n)]), signed);
  }
  fwd(name: string, union = false): number { return this.t(name, 7, 0, 0, [], union); }
  typedef(name: string, type: number): number { return this.t(name, 8, 0, type, []); }
  build(): Btf {
    const types = new Uint8Array(new Uint32Array(this.words).buffer);
    const strs = new Uint8Array(this.strs);
    const out = new Uint8Array(24 + types.length + strs.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true); out[2] = 1; dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true); dv.setUint32(12, types.length, true);
    dv.setUint32(16, types.length, true); dv.setUint32(20, strs.length, true);
    out.set(types, 24); out.set(strs, 24 + types.length);
    return new Btf(out);
  }
  bytes(): Uint8Array { return this.build().bytes; }
}

test('flavours: the essential name ends at the last X___Y separator', () => {
  assert.equal(essentialName('task_struct___v2'), 'task_struct');
  assert.equal(essentialName('foo___a___b'), 'foo___a');
  assert.equal(essentialName('foo___'), 'foo___'); // nothing after the underscores
  assert.equal(essentialName('foo____bar'), 'foo____bar'); // four underscores: no separator
  assert.equal(essentialName('___x'), '___x');
  assert.equal(essentialNameLen('a___b'), 1);
});

test('candidates: same essential name and a compatible kind, in target id order', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, true);
  const foo = b.struct('foo', 8, [['a', int, 0], ['b', int, 32]]);
  b.struct('foobar', 4, [['a', int, 0]]);
  b.struct('foo', 4, [['a', int, 0]], true); // union foo: other kind
  const v2 = b.struct('foo___v2', 8, [['b', int, 0], ['a', int, 32]]);
  b.struct('foo___', 4, [['a', int, 0]]);
  const e = b.enum('e', [['X', 1]]);
  const target = b.build();
  const l = new BtfBuilder();
  const lint = l.int('int', 4, true);
  const lfoo = l.struct('foo___mine', 4, [['a', lint, 0]]);
  const le = l.enum('e___x', [['X___y', 5]], 8);
  const local = l.build();
  assert.deepEqual(findCoreCands(local, lfoo, target).map((c) => c.id), [foo, v2]);
  assert.deepEqual(findCoreCands(local, le, target).map((c) => c.id), [e]);

  // both flavours have 'a', at different offsets: libbpf's ambiguity error
  const cands = findCoreCands(local, lfoo, target);
  assert.throws(() => calcCoreReloInsn('p', BPF_CORE_FIELD_BYTE_OFFSET, lfoo, '0:0', 3, 7, local, cands),
    (e: CoreError) => e.errno === 22 && e.warning === "prog 'p': relo #7: field offset ambiguity: 32 != 0");
  // libbpf compares the bit offsets for every field kind, existence included
  assert.throws(() => calcCoreReloInsn('p', BPF_CORE_FIELD_EXISTS, lfoo, '0:0', 3, 8, local, cands),
    (e: CoreError) => e.warning === "prog 'p': relo #8: field offset ambiguity: 32 != 0");
  assert.equal(cands.length, 2);
  // enumerator by essential name, value from the target; sizes may differ
  const ev = calcCoreReloInsn('p', BPF_CORE_ENUMVAL_VALUE, le, '0', 0, 0, local, findCoreCands(local, le, target));
  assert.equal(ev.res.newVal, 1n);
  assert.equal(ev.res.origVal, 5n);
});

test('relocation decision ambiguity: same offset, different answers; enum64 values', () => {
  const b = new BtfBuilder();
  const i4 = b.int('int', 4, true);
  const i8 = b.int('long', 8, true);
  b.struct('bar', 8, [['v', i4, 0]]);
  b.struct('bar___2', 8, [['v', i8, 0]]);
  const e64 = b.enum64('big', [['HUGE', 0x1_2345_6789n]]);
  const target = b.build();
  const l = new BtfBuilder();
  const li = l.int('int', 4, true);
  const lbar = l.struct('bar', 4, [['v', li, 0]]);
  const le = l.enum('big___l', [['HUGE', 1]]);
  const local = l.build();
  assert.throws(() => calcCoreReloInsn('p', BPF_CORE_FIELD_BYTE_SIZE, lbar, '0:0', 0, 3, local, findCoreCands(local, lbar, target)),
    (e: CoreError) => e.warning === "prog 'p': relo #3: relocation decision ambiguity: success 8 != success 4");
  // an enum64 is a candidate for an enum; its 64-bit value goes into an ld_imm64
  const cands = findCoreCands(local, le, target);
  assert.deepEqual(cands.map((c) => c.id), [e64]);
  const r = calcCoreReloInsn('p', BPF_CORE_ENUMVAL_VALUE, le, '0', 0, 0, local, cands);
  assert.equal(r.res.newVal, 0x1_2345_6789n);
  assert.equal(r.log[1], `prog 'p': relo #0: matching candidate #0 <enumval_value> [${e64}] enum64 big::HUGE = 4886718345`);
});

test('candidate lists are pruned to the candidates that matched (shared by later relocations)', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, true);
  b.struct('foo', 4, [['a', int, 0]]);
  const v2 = b.struct('foo___v2', 8, [['a', int, 0], ['c', int, 32]]);
  const target = b.build();
  const l = new BtfBuilder();
  const lint = l.int('int', 4, true);
  const lfoo = l.struct('foo', 8, [['a', lint, 0], ['c', lint, 32]]);
  const local = l.build();
  const cands = findCoreCands(local, lfoo, target);
  assert.equal(cands.length, 2);
  const r = calcCoreReloInsn('p', BPF_CORE_FIELD_BYTE_OFFSET, lfoo, '0:1', 0, 0, local, cands);
  assert.equal(r.res.newVal, 4n);
  assert.deepEqual(cands.map((c) => c.id), [v2]);
  assert.deepEqual(r.log.slice(1), [
    "prog 'p': relo #0: non-matching candidate #0 <byte_off> [2] struct foo (0 @ offset 0)",
    "prog 'p': relo #0: matching candidate #1 <byte_off> [3] struct foo___v2.c (0:1 @ offset 4)",
  ]);
});

test('access strings: arrays, anonymous members, and malformed strings', () => {
  const b = new BtfBuilder();
  const u8 = b.int('unsigned char', 1);
  const int = b.int('int', 4, true);
  const idx = b.int('__ARRAY_SIZE_TYPE__', 4);
  const arr = b.array(u8, 16, idx);
  const anon = b.struct('', 8, [['x', int, 0], ['y', int, 32]]);
  const s = b.struct('s', 32, [['pad', int, 0], ['', anon, 32], ['name', arr, 96], ['tail', b.array(int, 0, idx), 256]]);
  const btf = b.build();
  const spec = parseCoreSpec(btf, s, '0:2:5', BPF_CORE_FIELD_BYTE_OFFSET);
  assert.equal(spec.bitOffset, (12 + 5) * 8);
  assert.deepEqual(spec.spec.map((a) => a.name ?? a.idx), [0, 'name', 5]);
  // anonymous struct: no high-level accessor of its own
  const y = parseCoreSpec(btf, s, '0:1:1', BPF_CORE_FIELD_BYTE_OFFSET);
  assert.deepEqual(y.spec.map((a) => a.name ?? a.idx), [0, 'y']);
  assert.equal(y.bitOffset, 64);
  // a flexible array member may be indexed past its zero length
  assert.equal(parseCoreSpec(btf, s, '0:3:9', BPF_CORE_FIELD_BYTE_OFFSET).bitOffset, 256 + 9 * 32);
  for (const bad of ['', ':0', '0:4', '0:2:16', 'x']) {
    assert.throws(() => parseCoreSpec(btf, s, bad, BPF_CORE_FIELD_BYTE_OFFSET), CoreError, bad);
  }
  assert.throws(() => parseCoreSpec(btf, s, '1', BPF_CORE_TYPE_SIZE), CoreError); // type relocations take "0"
  assert.throws(() => parseCoreSpec(btf, int, '0:0', BPF_CORE_FIELD_BYTE_OFFSET),
    (e: CoreError) => /captures type \[\d+\] of unexpected kind int/.test(e.warning ?? ''));
  // the engine's message for an unparsable record
  assert.throws(() => calcCoreReloInsn('p', BPF_CORE_FIELD_BYTE_OFFSET, s, '0:9', 0, 2, btf, []),
    (e: CoreError) => e.warning === `prog 'p': relo #2: parsing [${s}] struct s + 0:9 failed: -22`);
});

test('field compatibility (bpf_core_fields_are_compat) and type compatibility (types_are_compat)', () => {
  const b = new BtfBuilder();
  const i4 = b.int('int', 4, true);
  const u8 = b.int('u8', 1);
  const p = b.ptr(i4);
  const st = b.struct('a', 4, [['x', i4, 0]]);
  const un = b.struct('b', 4, [['x', i4, 0]], true);
  const e1 = b.enum('color', [['RED', 0]]);
  const e2 = b.enum('color___v2', [['RED', 0]]);
  const e3 = b.enum('shape', [['SQ', 0]]);
  const idx = b.int('sz', 4);
  const a1 = b.array(i4, 4, idx);
  const a2 = b.array(u8, 9, idx);
  const td = b.typedef('myint', i4);
  const btf = b.build();
  assert.equal(fieldsAreCompat(btf, i4, btf, u8), true); // ints: size and sign ignored
  assert.equal(fieldsAreCompat(btf, td, btf, i4), true); // typedefs skipped
  assert.equal(fieldsAreCompat(btf, i4, btf, p), false);
  assert.equal(fieldsAreCompat(btf, st, btf, un), true); // any two composites
  assert.equal(fieldsAreCompat(btf, e1, btf, e2), true);
  assert.equal(fieldsAreCompat(btf, e1, btf, e3), false);
  assert.equal(fieldsAreCompat(btf, a1, btf, a2), true); // element types compared, not lengths
  assert.equal(typesAreCompat(btf, st, btf, un), false); // different kinds at the root
  assert.equal(typesAreCompat(btf, p, btf, b.build().type(p).id), true);
  assert.equal(typesAreCompat(btf, a1, btf, a2), true);
});

test('TYPE_MATCHES (__bpf_core_types_match): members by name, int size and sign, enum names, fwd behind pointers', () => {
  const t = new BtfBuilder();
  const ti = t.int('int', 4, true);
  const tu = t.int('unsigned int', 4);
  const node = t.struct('node', 16, [['next', 0, 0], ['val', ti, 64]]);
  const tnode = t.build(); void tnode;
  const tp = t.ptr(node);
  const list = t.struct('list', 16, [['head', tp, 0], ['n', tu, 64], ['extra', ti, 96]]);
  const en = t.enum('mode', [['A', 1], ['B', 2]]);
  const target = t.build();

  const l = new BtfBuilder();
  const li = l.int('int', 4, true);
  const lu = l.int('unsigned int', 4);
  const fwd = l.fwd('node');
  const lp = l.ptr(fwd);
  const okList = l.struct('list___ok', 16, [['n', lu, 64], ['head', lp, 0]]);
  const badSign = l.struct('list___sign', 16, [['n', li, 64]]);
  const badName = l.struct('list___name', 16, [['count', lu, 64]]);
  const enOk = l.enum('mode___x', [['B', 7]]);
  const enBad = l.enum('mode___y', [['C', 7]]);
  const local = l.build();
  assert.equal(typesMatch(local, okList, target, list), true);
  assert.equal(typesMatch(local, badSign, target, list), false);
  assert.equal(typesMatch(local, badName, target, list), false);
  assert.equal(typesMatch(local, enOk, target, en), true);
  assert.equal(typesMatch(local, enBad, target, en), false);
  // through the relocation: TYPE_MATCHES is 0 where TYPE_EXISTS is 1
  const cands = findCoreCands(local, badSign, target);
  assert.equal(calcCoreReloInsn('p', BPF_CORE_TYPE_MATCHES, badSign, '0', 0, 0, local, cands).res.newVal, 0n);
  assert.equal(calcCoreReloInsn('p', BPF_CORE_TYPE_EXISTS, badSign, '0', 0, 0, local, findCoreCands(local, badSign, target)).res.newVal, 1n);
  // TYPE_ID_LOCAL needs no target at all
  const idl = calcCoreReloInsn('p', BPF_CORE_TYPE_ID_LOCAL, okList, '0', 0, 0, local, []);
  assert.equal(idl.res.newVal, BigInt(okList));
});

test('patching: poison (both halves of an ld_imm64), value checks, ranges, unknown instruction classes', () => {
  const base = { origVal: 4n, newVal: 8n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 };
  const ld = () => [{ code: 0x18, dst: 1, src: 0, off: 0, imm: 4 }, { code: 0, dst: 0, src: 0, off: 0, imm: 0 }];
  let insns = ld();
  const log: string[] = [];
  assert.equal(patchCoreInsn('p', insns, 0, 5, 1, { ...base, poison: true }, log), 0);
  assert.deepEqual(insns.map((x) => [x.code, x.imm]), [[0x85, CORE_POISON_IMM], [0x85, CORE_POISON_IMM]]);
  assert.deepEqual(log, ["prog 'p': relo #1: substituting insn #6 w/ invalid insn", "prog 'p': relo #1: substituting insn #5 w/ invalid insn"]);
  insns = ld();
  assert.equal(patchCoreInsn('p', insns, 0, 5, 1, { ...base, newVal: 0x1_0000_0002n }, []), 0);
  assert.deepEqual(insns.map((x) => x.imm), [2, 1]);
  // a value that is not what the compiler put there
  const alu = [{ code: 0xb7, dst: 1, src: 0, off: 0, imm: 3 }];
  const l2: string[] = [];
  assert.equal(patchCoreInsn('p', alu, 0, 2, 0, base, l2), 22);
  assert.equal(l2[0], "prog 'p': relo #0: unexpected insn #2 (ALU/ALU64) value: got 3, exp 4 -> 8");
  // register-source ALU cannot carry a relocation
  assert.equal(patchCoreInsn('p', [{ code: 0xbf, dst: 1, src: 2, off: 0, imm: 4 }], 0, 0, 0, base, []), 22);
  // an offset past SHRT_MAX
  const ldx = [{ code: 0x61, dst: 1, src: 2, off: 4, imm: 0 }];
  const l3: string[] = [];
  assert.equal(patchCoreInsn('p', ldx, 0, 0, 0, { ...base, newVal: 40000n }, l3), 34);
  assert.match(l3[0]!, /value too big: 40000/);
  // load size follows the field (u32 -> u16), as libbpf allows for unsigned ints
  assert.equal(patchCoreInsn('p', ldx, 0, 0, 0, { ...base, origSz: 4, newSz: 2 }, []), 0);
  assert.deepEqual([ldx[0]!.code, ldx[0]!.off], [0x69, 8]);
  // a jump cannot be relocated
  const l4: string[] = [];
  assert.equal(patchCoreInsn('p', [{ code: 0x05, dst: 0, src: 0, off: 4, imm: 0 }], 0, 0, 0, base, l4), 22);
  assert.match(l4[0]!, /trying to relocate unrecognized insn #0, code:0x5/);
});

test('a CO-RE failure fails the load with libbpf\'s lines; Runtime({ btf }) takes a path or bytes', () => {
  // a target where iphdr has two flavours disagreeing on 'ttl'
  const b = new BtfBuilder();
  const u8 = b.int('__u8', 1);
  const u32 = b.int('__u32', 4);
  b.struct('iphdr', 20, [['ttl', u8, 64], ['protocol', u8, 72], ['saddr', u32, 96]]);
  b.struct('iphdr___b', 20, [['ttl', u8, 0], ['protocol', u8, 72], ['saddr', u32, 96]]);
  const obj = readFileSync(join(repoRoot, 'test/btf/core/core_pkt.bpf.o'));
  const rt = new Runtime({ btf: b.bytes() });
  assert.throws(() => rt.loadObjectBytes(obj), (e: LoadError) => {
    assert.ok(e instanceof LoadError);
    assert.equal(e.errno, -22);
    assert.match(e.log ?? '', /libbpf: prog 'fields': relo #0: field offset ambiguity: 0 != 64\nlibbpf: prog 'fields': relo #0: failed to relocate: -22\nlibbpf: failed to perform CO-RE relocations: -22\n$/);
    return true;
  });
  assert.equal(rt.stats().maps, 0);
  assert.throws(() => new Runtime({ btf: '/nonexistent/vmlinux' }), /ENOENT/);
  // a BTF that does not parse is a typed error at load, not a crash
  assert.throws(() => new Runtime({ btf: new Uint8Array(8) }).loadObjectBytes(obj), /btf:/);
});

test('mutated CO-RE records: every outcome is a load or a typed error, never a crash', () => {
  const orig = readFileSync(join(repoRoot, 'test/btf/core/core_pkt.bpf.o'));
  const ext = new ElfFile(new Uint8Array(orig)).section('.BTF.ext')!;
  const dv0 = new DataView(orig.buffer, orig.byteOffset, orig.byteLength);
  const hdrLen = dv0.getUint32(ext.offset + 4, true);
  const reloStart = ext.offset + hdrLen + dv0.getUint32(ext.offset + 24, true);
  const n = dv0.getUint32(reloStart + 8, true); // one section of records
  let seed = 0x2545f491;
  const rnd = (m: number): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % m;
  };
  const outcomes = new Map<string, number>();
  const rt = new Runtime();
  for (let iter = 0; iter < 150; iter++) {
    const bytes = new Uint8Array(orig);
    const dv = new DataView(bytes.buffer);
    for (let k = 0; k < 1 + rnd(3); k++) {
      const rec = reloStart + 12 + 16 * rnd(n);
      const field = rnd(4);
      const interesting = [0, 1, 2, 7, 8, 12, 13, 64, 0xffff, 0x7fffffff, 0xffffffff];
      const v = rnd(2) ? interesting[rnd(interesting.length)]! : rnd(field === 1 ? 40 : field === 3 ? 16 : 400);
      dv.setUint32(rec + 4 * field, v, true);
    }
    try {
      rt.loadObjectBytes(bytes).close();
      outcomes.set('loaded', (outcomes.get('loaded') ?? 0) + 1);
    } catch (e) {
      assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), `crash: ${(e as Error).stack}`);
      assert.ok(['LoadError', 'VerifierError', 'BtfError', 'ObjectError', 'ElfError'].includes((e as Error).name), `untyped ${(e as Error).name}: ${(e as Error).message}`);
      outcomes.set((e as Error).name, (outcomes.get((e as Error).name) ?? 0) + 1);
    }
  }
  assert.equal(rt.stats().maps, 0, 'nothing left behind');
  assert.ok((outcomes.get('LoadError') ?? 0) > 0, JSON.stringify([...outcomes]));
});

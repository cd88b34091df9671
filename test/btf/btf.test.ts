import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Btf, BtfError, parseBtf } from '../../src/btf/btf.js';
import { parseBtfExt } from '../../src/btf/ext.js';
import {
  BTF_INT_BOOL, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE, type BtfStruct,
} from '../../src/btf/types.js';
import { parseElf } from '../../src/elf/elf.js';

const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../../../test/${p}`, import.meta.url)));
const kindsElf = parseElf(fixture('btf/fixtures/kinds.bpf.o'));
const kinds = parseBtf(kindsElf.section('.BTF')!.data);

function member(btf: Btf, struct: string, name: string) {
  const t = btf.typeByName(struct, BTF_KIND_STRUCT) as BtfStruct;
  return t.members.find((m) => m.name === name)!;
}

test('parses every kind clang emits (as bpftool btf dump shows them)', () => {
  const seen = new Set<number>(kinds.types.map((t) => t.kind));
  for (const k of [BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM,
    BTF_KIND_FWD, BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE, BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_FUNC,
    BTF_KIND_FUNC_PROTO, BTF_KIND_VAR, BTF_KIND_DATASEC, BTF_KIND_FLOAT, BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG,
    BTF_KIND_ENUM64]) {
    assert.ok(seen.has(k), `kind ${k} not parsed`);
  }
  const s = kinds.typeByName('kinds', BTF_KIND_STRUCT)!;
  assert.equal(s.kind === BTF_KIND_STRUCT && s.size, 160);
  const big = kinds.typeByName('big')!;
  assert.ok(big.kind === BTF_KIND_ENUM64 && big.values[1]!.value === 0xfffffffffn && !big.signed);
  const small = kinds.typeByName('small')!;
  assert.ok(small.kind === BTF_KIND_ENUM && small.signed);
  assert.deepEqual(small.kind === BTF_KIND_ENUM && small.values, [{ name: 'S_NEG', value: -3 }, { name: 'S_POS', value: 5 }]);
  const fwd = kinds.typeByName('fwd_only')!;
  assert.ok(fwd.kind === BTF_KIND_FWD && !fwd.union);
  const b = kinds.typeByName('_Bool')!;
  assert.ok(b.kind === BTF_KIND_INT && b.encoding === BTF_INT_BOOL);
  const wide = kinds.typeByName('__int128')!;
  assert.ok(wide.kind === BTF_KIND_INT && wide.bits === 128 && wide.encoding === BTF_INT_SIGNED);
  const tag = kinds.types.find((t) => t.kind === BTF_KIND_DECL_TAG && t.name === 'field_tag')!;
  assert.ok(tag.kind === BTF_KIND_DECL_TAG && tag.componentIdx === 16);
  const ftag = kinds.types.find((t) => t.kind === BTF_KIND_DECL_TAG && t.name === 'func_tag')!;
  assert.ok(ftag.kind === BTF_KIND_DECL_TAG && ftag.componentIdx === -1 && kinds.type(ftag.type).name === 'tagged_func');
  const fn = kinds.typeByName('tagged_func', BTF_KIND_FUNC)!;
  const proto = kinds.type(fn.kind === BTF_KIND_FUNC ? fn.type : 0);
  assert.ok(proto.kind === BTF_KIND_FUNC_PROTO && proto.params.length === 1 && proto.params[0]!.name === 'x');
});

test('bitfield members come from kind_flag structs', () => {
  assert.deepEqual(member(kinds, 'bits', 'a'), { name: 'a', type: member(kinds, 'bits', 'a').type, bitOffset: 0, bitfieldSize: 3 });
  assert.equal(member(kinds, 'bits', 'b').bitOffset, 3);
  assert.equal(member(kinds, 'bits', 'b').bitfieldSize, 5);
  assert.equal(member(kinds, 'bits', 'd').bitfieldSize, 0);
  assert.equal(member(kinds, 'bits', 'e').bitfieldSize, 40);
  assert.equal(member(kinds, 'bits', 'e').bitOffset, 24);
});

test('resolve, sizeof, alignof, typeByName', () => {
  const cst = member(kinds, 'kinds', 'cst').type; // const u32_again -> u32_t -> unsigned int
  assert.equal(kinds.type(cst).kind, BTF_KIND_CONST);
  assert.equal(kinds.resolve(cst).name, 'unsigned int');
  const tagged = kinds.type(member(kinds, 'kinds', 'tagged_ptr').type);
  assert.ok(tagged.kind === BTF_KIND_PTR);
  assert.equal(kinds.type(tagged.type).kind, BTF_KIND_TYPE_TAG);
  assert.equal(kinds.resolve(tagged.type).name, 'int', 'type tags are skipped');
  assert.equal(kinds.sizeof(cst), 4);
  const matrix = member(kinds, 'kinds', 'matrix').type;
  assert.equal(kinds.sizeof(matrix), 24);
  assert.equal(kinds.alignof(matrix), 4);
  const s = kinds.typeByName('kinds')!.id;
  assert.equal(kinds.sizeof(s), 160);
  assert.equal(kinds.alignof(s), 8);
  assert.equal(kinds.alignof(kinds.typeByName('either')!.id), 4);
  assert.equal(kinds.sizeof(kinds.typeByName('either')!.id), 4);
  assert.equal(kinds.alignof(kinds.typeByName('bits')!.id), 8);
  assert.equal(kinds.sizeof(member(kinds, 'kinds', 'fn').type), 8);
  assert.equal(kinds.typeByName('small', BTF_KIND_STRUCT), undefined);
  assert.equal(kinds.typeByName('no_such_type'), undefined);
  assert.throws(() => kinds.sizeof(kinds.typeByName('tagged_func')!.id), /FUNC has no size/);
  assert.throws(() => kinds.type(100000), (e: unknown) => e instanceof BtfError && /out of range/.test(e.message));
  assert.equal(kinds.typeName(cst), 'const u32_again');
});

test('alignment follows libbpf btf__align_of (packed structs: 1)', () => {
  const fields = parseBtf(parseElf(fixture('btf/fixtures/fields.bpf.o')).section('.BTF')!.data);
  // uapi struct bpf_timer is empty in BTF (its aligned(8) is not recorded), so
  // a packed { int; struct bpf_timer; } still looks 4-aligned, as libbpf computes.
  assert.equal(fields.alignof(fields.typeByName('misaligned')!.id), 4);
  assert.equal(fields.sizeof(fields.typeByName('misaligned')!.id), 20);
  // [2] struct a { int a @0; int b @8 bits } size 5: member off its alignment -> packed
  const packed = parseBtf(buildBtf([INT, [1, info(BTF_KIND_STRUCT, 2), 5, 1, 1, 0, 3, 1, 8]]));
  assert.equal(packed.alignof(2), 1);
  const odd = parseBtf(buildBtf([INT, [1, info(BTF_KIND_STRUCT, 1), 6, 1, 1, 0]]));
  assert.equal(odd.alignof(2), 1, 'size not a multiple of the member alignment');
});

// A small BTF writer for malformed inputs.
function buildBtf(types: number[][], strings = '\0a\0b\0'): Uint8Array {
  const words = types.flat();
  const typeLen = words.length * 4;
  const str = new TextEncoder().encode(strings);
  const out = new Uint8Array(24 + typeLen + str.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true); out[2] = 1; dv.setUint32(4, 24, true);
  dv.setUint32(8, 0, true); dv.setUint32(12, typeLen, true); dv.setUint32(16, typeLen, true); dv.setUint32(20, str.length, true);
  words.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, true));
  out.set(str, 24 + typeLen);
  return out;
}
const info = (kind: number, vlen = 0, kflag = 0) => ((kflag << 31) | (kind << 24) | vlen) >>> 0;
const INT = [1, info(BTF_KIND_INT), 4, 32]; // [1] int a

test('loops in the type graph are reported, never recursed into forever', () => {
  // [2] typedef a -> [3], [3] typedef b -> [2]
  const loop = parseBtf(buildBtf([INT, [1, info(BTF_KIND_TYPEDEF), 3], [3, info(BTF_KIND_TYPEDEF), 2]]));
  assert.throws(() => loop.resolve(2), (e: unknown) => e instanceof BtfError && /loop/.test(e.message) && e.typeId === 2);
  assert.throws(() => loop.sizeof(3), (e: unknown) => e instanceof BtfError && /loop/.test(e.message));
  assert.throws(() => loop.alignof(3), BtfError);
  // [2] array of [3], [3] const -> [2]: array/modifier cycle
  const arr = parseBtf(buildBtf([INT, [0, info(BTF_KIND_ARRAY), 0, 3, 1, 2], [0, info(BTF_KIND_CONST), 2]]));
  assert.throws(() => arr.sizeof(2), (e: unknown) => e instanceof BtfError && /loop/.test(e.message));
  assert.throws(() => arr.alignof(2), BtfError);
  // self-containing struct: [2] struct a { struct a x; }
  const self = parseBtf(buildBtf([INT, [1, info(BTF_KIND_STRUCT, 1), 4, 3, 2, 0]]));
  assert.throws(() => self.alignof(2), (e: unknown) => e instanceof BtfError && /loop|deep/.test(e.message));
  assert.equal(self.typeName(2), 'struct a');
});

test('bad headers, kinds, ids and offsets are BtfErrors with the offset', () => {
  const good = buildBtf([INT]);
  assert.equal(parseBtf(good).types.length, 2);
  const bad = (edit: (dv: DataView, b: Uint8Array) => void): Uint8Array => { const b = good.slice(); edit(new DataView(b.buffer), b); return b; };
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 10), /shorter than the 24-byte header/],
    [bad((dv) => dv.setUint16(0, 0x1234, true)), /bad magic/],
    [bad((_dv, b) => { b[2] = 2; }), /unsupported version/],
    [bad((dv) => dv.setUint32(12, 1000, true)), /type section .* outside/],
    [bad((dv) => dv.setUint32(20, 1000, true)), /string section .* outside/],
    [bad((dv) => dv.setUint32(8, 2, true)), /not 4-byte aligned/],
    [buildBtf([[1, info(25), 4]]), /offset 24.*unknown kind 25/],
    [buildBtf([INT, [0, info(BTF_KIND_PTR), 9]]), /type \[2\].*refers to type id 9/],
    [buildBtf([[99, info(BTF_KIND_INT), 4, 32]]), /offset 24.*string offset 99/],
    [buildBtf([INT, [0, info(BTF_KIND_STRUCT, 3), 8, 1, 1, 0]]), /member .*run past the end/],
    [buildBtf([INT], '\0a\0b'), /not NUL-terminated/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(() => parseBtf(bytes), (e: unknown) => e instanceof BtfError && re.test(e.message), `expected ${re}`);
  }
});

test('.BTF.ext func_info and line_info per section', () => {
  const elf = parseElf(fixture('object/fixtures/kitchen.bpf.o'));
  const btf = parseBtf(elf.section('.BTF')!.data);
  const ext = parseBtfExt(elf.section('.BTF.ext')!.data, btf);
  const text = ext.funcInfo.get('.text')!;
  // global_twice @0, add_static @4, loop_cb @11, timer_cb @20 (llvm-objdump -d)
  assert.deepEqual(text.map((f) => [f.insnOff / 8, btf.type(f.typeId).name]),
    [[0, 'global_twice'], [4, 'add_static'], [11, 'loop_cb'], [20, 'timer_cb']]);
  assert.deepEqual(ext.funcInfo.get('xdp')!.map((f) => [f.insnOff, btf.type(f.typeId).name]), [[0, 'xdp_prog']]);
  const lines = ext.lineInfo.get('xdp')!;
  assert.ok(lines.length > 3);
  assert.match(lines[0]!.fileName, /kitchen\.bpf\.c$/);
  assert.ok(lines.every((l) => l.lineNum > 0));
  assert.ok(lines.some((l) => l.line.includes('bpf_loop(ro_limit, loop_cb, 0, 0);')));
  const first = lines[0]!;
  assert.equal(first.insnOff, 0);
  assert.equal(first.line, 'int xdp_prog(struct xdp_md *ctx)');
});

test('fuzz: corrupted .BTF / .BTF.ext give BtfError, never a crash', () => {
  const elf = parseElf(fixture('object/fixtures/kitchen.bpf.o'));
  const btfBytes = elf.section('.BTF')!.data;
  const extBytes = elf.section('.BTF.ext')!.data;
  const btf = parseBtf(btfBytes);
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let i = 0; i < 300; i++) {
    for (const [which, src] of [['btf', btfBytes], ['ext', extBytes]] as const) {
      const b = src.slice(0, i % 3 === 0 ? rnd(src.length) : src.length);
      for (let f = 0; f < 1 + rnd(6); f++) if (b.length) b[rnd(b.length)]! ^= 1 << rnd(8);
      try {
        if (which === 'btf') {
          const t = parseBtf(b);
          for (let id = 1; id < t.length; id++) {
            try { t.sizeof(id); t.alignof(id); t.typeName(id); } catch (e) { assert.ok(e instanceof BtfError, `${(e as Error).message}`); }
          }
        } else {
          parseBtfExt(b, btf);
        }
      } catch (e) {
        assert.ok(e instanceof BtfError, `${which} iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  }
});

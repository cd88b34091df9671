// Bad input, class by class (issue #3): every corrupt object is made from a
// real committed one by byte surgery, and must give a typed error naming the
// section (and offset) at fault, never a TypeError/RangeError; a failed load
// leaves nothing behind (Runtime.stats() back to zero, an object loaded
// before it untouched). Where the kernel is available, the map-size and
// section-name classes are also compared with libbpf + BPF_MAP_CREATE on the
// live kernel (test/kernel/runner.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfError, parseElf, type ElfFile } from '../../src/elf/elf.js';
import { BtfError } from '../../src/btf/btf.js';
import { parseFields, specialFields } from '../../src/btf/fields.js';
import { ObjectError } from '../../src/object/errors.js';
import { parseObject } from '../../src/object/object.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { LoadError } from '../../src/runtime/loader.js';
import { VerifierError } from '../../src/verifier/env.js';
import { kernelAvailable, repoRoot, runKernelScenario } from '../kernel/kernel.js';

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(join(repoRoot, p)));
const COUNTER = read('test/kernel/scenarios/counter.bpf.o');
const TIMER = read('test/kernel/scenarios/timer.bpf.o');
const HMAP = read('test/kernel/scenarios/helpers_map.bpf.o');
const SIZES = read('test/object/fixtures/sizes.bpf.o');
const KITCHEN = read('test/object/fixtures/kitchen.bpf.o');

const avail = kernelAvailable();
const liveSkip = avail.ok ? false : `live kernel not available: ${avail.why ?? '?'}`;
if (!avail.ok) console.log(`# bad_input: SKIPPING live kernel comparisons: ${avail.why ?? '?'}`);

type Typed = ElfError | BtfError | LoadError | VerifierError;
const isTyped = (e: unknown): e is Typed =>
  e instanceof ElfError || e instanceof BtfError || e instanceof LoadError || e instanceof VerifierError;

function zeroStats(rt: Runtime, what: string): void {
  const s = rt.stats();
  assert.deepEqual(
    { maps: s.maps, programs: s.programs, timers: s.timers, arenaBytes: s.arenaBytes, arenaBlocks: s.arenaBlocks },
    { maps: 0, programs: 0, timers: 0, arenaBytes: 0, arenaBlocks: 0 },
    `${what}: something was left behind`,
  );
}

// One runtime for every load: each Runtime reserves its arena's address space,
// and thousands of them make V8 stall on memory reservations. It must be empty
// after every load, failed or closed.
const RT = new Runtime();

/**
 * Loads bytes into the shared runtime: returns the typed error, or undefined
 * when the load succeeded (then the object's globals are read and it is
 * closed). Either way nothing may be left behind.
 */
function tryLoad(bytes: Uint8Array, what: string): Typed | undefined {
  const rt = RT;
  let err: Typed | undefined;
  try {
    const obj = rt.loadObjectBytes(bytes);
    try {
      for (const g of obj.globals()) obj.globalBytes(g.name);
    } finally {
      obj.close();
    }
  } catch (e) {
    if (!isTyped(e)) {
      assert.fail(`${what}: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack ?? ''}`);
    }
    err = e;
  }
  zeroStats(rt, what);
  return err;
}

interface Where { section?: string; offset?: number }

/** The load fails with `cls`, its message matching `re`, naming `where`. */
function rejects(bytes: Uint8Array, cls: abstract new (...a: never[]) => Error, re: RegExp, where: Where = {}, what = re.source): Typed {
  const e = tryLoad(bytes, what);
  assert.ok(e, `${what}: loaded, expected ${cls.name} ${re}`);
  assert.ok(e instanceof cls, `${what}: got ${e.name}: ${e.message}, expected ${cls.name}`);
  assert.match(e.message, re, what);
  if (where.section !== undefined) {
    assert.equal((e as ElfError | BtfError).section, where.section, `${what}: section of ${e.message}`);
    assert.ok(e.message.includes(where.section), `${what}: message names ${where.section}: ${e.message}`);
  }
  if (where.offset !== undefined) {
    assert.equal((e as ElfError | BtfError).offset, where.offset, `${what}: offset of ${e.message}`);
    assert.ok(e.message.includes(`offset ${where.offset}`), `${what}: message names offset ${where.offset}: ${e.message}`);
  }
  return e;
}

// ---- byte surgery ----

function patch(src: Uint8Array, edit: (b: Uint8Array, dv: DataView, elf: ElfFile) => void): Uint8Array {
  const b = src.slice();
  edit(b, new DataView(b.buffer), parseElf(src));
  return b;
}

const SHDR = 64;
/** file offset of a field of a section header */
const shdrAt = (elf: ElfFile, name: string, field: number): number => elf.header.shoff + elf.section(name)!.index * SHDR + field;
const SH_NAME = 0, SH_OFFSET = 24, SH_SIZE = 32, SH_LINK = 40, SH_INFO = 44;

/** file offset of symbol `name` in .symtab */
function symAt(elf: ElfFile, name: string): number {
  const sym = elf.symbols.find((s) => s.name === name);
  assert.ok(sym, `no symbol ${name}`);
  return elf.section('.symtab')!.offset + sym.index * 24;
}

/** A BTF type record: its id, kind, vlen and file offset. */
interface BtfRec { id: number; kind: number; vlen: number; at: number }

function btfRecords(bytes: Uint8Array, elf: ElfFile): { recs: BtfRec[]; base: number; strAt: number } {
  const sec = elf.section('.BTF')!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const base = sec.offset;
  const hdrLen = dv.getUint32(base + 4, true);
  const typeOff = dv.getUint32(base + 8, true);
  const typeLen = dv.getUint32(base + 12, true);
  const strAt = base + hdrLen + dv.getUint32(base + 16, true);
  const recs: BtfRec[] = [];
  let p = base + hdrLen + typeOff;
  const end = p + typeLen;
  for (let id = 1; p < end; id++) {
    const info = dv.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    recs.push({ id, kind, vlen, at: p });
    let size = 12;
    if (kind === 3) size += 12; // ARRAY
    else if (kind === 1 || kind === 14 || kind === 17) size += 4; // INT, VAR, DECL_TAG
    else if (kind === 4 || kind === 5 || kind === 15 || kind === 19) size += 12 * vlen; // STRUCT, UNION, DATASEC, ENUM64
    else if (kind === 6 || kind === 13) size += 8 * vlen; // ENUM, FUNC_PROTO
    p += size;
  }
  return { recs, base, strAt };
}

const BTF_NAME = (b: Uint8Array, strAt: number, r: BtfRec): string => {
  const off = new DataView(b.buffer, b.byteOffset).getUint32(r.at, true);
  let e = strAt + off;
  while (b[e] !== 0) e++;
  return new TextDecoder().decode(b.subarray(strAt + off, e));
};

/** The BTF record of kind `kind` named `name`. */
function btfRec(bytes: Uint8Array, kind: number, name: string): BtfRec {
  const elf = parseElf(bytes);
  const { recs, strAt } = btfRecords(bytes, elf);
  const r = recs.find((x) => x.kind === kind && BTF_NAME(bytes, strAt, x) === name);
  assert.ok(r, `no BTF ${kind} '${name}'`);
  return r;
}

const K = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, TYPEDEF: 8, VOLATILE: 9, CONST: 10 };

// ---- 1. truncated ELF ----

test('ELF truncated at every length is an ElfError, never a crash', () => {
  for (const [name, src] of [['counter', COUNTER], ['sizes', SIZES]] as const) {
    for (let n = 0; n < src.length; n++) {
      let err: unknown;
      try {
        parseObject(src.subarray(0, n));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ElfError, `${name} cut at ${n}: ${String(err)}`);
    }
  }
  // through the runtime too (a stride: each load builds a runtime)
  for (let n = 0; n < COUNTER.length; n += 211) {
    rejects(COUNTER.subarray(0, n), ElfError, /shorter than the ELF64 header|outside the file|run past the end/, {}, `counter cut at ${n}`);
  }
  rejects(COUNTER.subarray(0, 10), ElfError, /file is 10 bytes, shorter than the ELF64 header/, { offset: 0 });
});

test('a section cut short (sh_size past the end, or .BTF truncated) names the section', () => {
  const elf = parseElf(COUNTER);
  for (const s of elf.sections) {
    if (s.index === 0 || s.type === 8 /* NOBITS */) continue;
    const bad = patch(COUNTER, (_b, dv) => dv.setBigUint64(elf.header.shoff + s.index * SHDR + SH_SIZE, BigInt(COUNTER.length), true));
    // the section name table cannot name itself: it is called by its index
    const name = s.index === elf.header.shstrndx ? `#${s.index} (section names)` : s.name;
    rejects(bad, ElfError, /contents \[\d+, \d+\) run past the end of the file/, { section: name, offset: s.offset }, `sh_size of ${s.name}`);
    const off = patch(COUNTER, (_b, dv) => dv.setBigUint64(elf.header.shoff + s.index * SHDR + SH_OFFSET, BigInt(COUNTER.length - 1), true));
    if (s.size > 1) rejects(off, ElfError, /run past the end of the file/, { section: name }, `sh_offset of ${s.name}`);
  }
  // every shorter .BTF: a BtfError (or, cut inside the strings, an unterminated string table)
  const btf = elf.section('.BTF')!;
  for (let n = 0; n < btf.size; n++) {
    const bad = patch(COUNTER, (_b, dv) => dv.setBigUint64(shdrAt(elf, '.BTF', SH_SIZE), BigInt(n), true));
    const e = tryLoad(bad, `.BTF cut at ${n}`);
    assert.ok(e instanceof BtfError, `.BTF cut at ${n}: ${String(e)}`);
    assert.equal(e.section, '.BTF');
  }
});

// ---- 2. ELF header fields ----

test('e_shoff, e_shnum, e_shstrndx, e_shentsize out of range', () => {
  const e = parseElf(COUNTER).header;
  const cases: [string, (dv: DataView) => void, RegExp, Where][] = [
    ['e_shoff past the file', (dv) => dv.setBigUint64(40, BigInt(COUNTER.length), true), /section header table .* outside the file/, { offset: COUNTER.length }],
    ['e_shoff 2^63', (dv) => dv.setBigUint64(40, 1n << 63n, true), /e_shoff \d+ is too large/, { offset: 40 }],
    ['e_shoff 0', (dv) => dv.setBigUint64(40, 0n, true), /no section headers/, { offset: 40 }],
    ['e_shnum 0xffff', (dv) => dv.setUint16(60, 0xffff, true), /section header table .* outside the file/, {}],
    ['e_shnum + 1', (dv) => dv.setUint16(60, e.shnum + 1, true), /section header table .* outside the file/, {}],
    ['e_shnum 0 (extended, header 0 says 0)', (dv) => dv.setUint16(60, 0, true), /no section headers/, {}],
    ['e_shstrndx past e_shnum', (dv) => dv.setUint16(62, e.shnum, true), new RegExp(`e_shstrndx ${e.shnum} out of range`), { offset: 62 }],
    ['e_shstrndx is not a string table', (dv) => dv.setUint16(62, parseElf(COUNTER).section('.symtab')!.index, true), /not SHT_STRTAB/, { offset: 62 }],
    ['e_shentsize 40', (dv) => dv.setUint16(58, 40, true), /e_shentsize 40, expected 64/, { offset: 58 }],
    ['e_machine x86-64', (dv) => dv.setUint16(18, 62, true), /e_machine 62 is not EM_BPF/, { offset: 18 }],
    ['ELFCLASS32', (dv) => dv.setUint8(4, 1), /not ELFCLASS64/, { offset: 4 }],
    ['big-endian', (dv) => dv.setUint8(5, 2), /big-endian/, { offset: 5 }],
    ['magic', (dv) => dv.setUint8(1, 0x46), /bad magic/, { offset: 0 }],
  ];
  for (const [what, edit, re, where] of cases) rejects(patch(COUNTER, (_b, dv) => edit(dv)), ElfError, re, where, what);
});

// ---- 3. sh_link / sh_info pointing nowhere, symbols, string tables ----

test('sh_link / sh_info pointing nowhere name the section', () => {
  const elf = parseElf(COUNTER);
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(shdrAt(elf, '.symtab', SH_LINK), 999, true)), ElfError, /\.symtab sh_link 999 out of range/, {}, 'symtab link');
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(shdrAt(elf, '.symtab', SH_LINK), elf.section('.symtab')!.index, true)),
    ElfError, /sh_link \d+ is section '\.symtab' of type 2, not a string table/, { section: '.symtab' }, 'symtab linked to itself');
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(shdrAt(elf, '.relxdp', SH_INFO), 999, true)), ElfError, /\.relxdp sh_info 999 out of range/, {}, 'rel info');
  // a relocation section applied to the wrong code section: its offsets hit the wrong instructions
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(shdrAt(elf, '.relxdp', SH_INFO), elf.section('syscall')!.index, true)),
    ObjectError, /relocation/, { section: 'syscall' }, 'rel info -> another program');
});

test('symbols: st_shndx and st_name out of range, string table not NUL-terminated', () => {
  const elf = parseElf(COUNTER);
  const symtab = elf.section('.symtab')!;
  const at = symAt(elf, 'count');
  const idx = (at - symtab.offset) / 24;
  rejects(patch(COUNTER, (_b, dv) => dv.setUint16(at + 6, 0x1234, true)), ElfError,
    new RegExp(`symbol ${idx}: st_shndx 4660 out of range`), { section: '.symtab', offset: idx * 24 + 6 }, 'st_shndx');
  const strtab = elf.sections[symtab.link]!;
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(at, strtab.size + 5, true)), ElfError,
    new RegExp(`name of symbol ${idx}: string offset ${strtab.size + 5} outside the table`), { section: strtab.name, offset: strtab.size + 5 }, 'st_name');
  // the last string of .strtab loses its NUL
  const last = strtab.offset + strtab.size - 1;
  const e = rejects(patch(COUNTER, (b) => { b[last] = 0x41; }), ElfError, /unterminated string/, { section: strtab.name }, 'strtab not terminated');
  assert.ok((e as ElfError).offset !== undefined && (e as ElfError).offset! < strtab.size);
  // a section name offset past the section name table
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(shdrAt(elf, 'xdp', SH_NAME), 0xfffff, true)), ElfError,
    /name of section #\d+: string offset 1048575 outside the table/, { section: strtab.name }, 'sh_name');
  // .symtab of a size that is not whole symbols
  rejects(patch(COUNTER, (_b, dv) => dv.setBigUint64(shdrAt(elf, '.symtab', SH_SIZE), BigInt(symtab.size - 5), true)), ElfError,
    /is not a multiple of 24/, { section: '.symtab' }, 'symtab size');
  // a program symbol that runs past its section
  rejects(patch(COUNTER, (_b, dv) => dv.setBigUint64(at + 16, BigInt(elf.section('xdp')!.size + 8), true)), ObjectError,
    /function 'count' .* is not a whole number of instructions inside the section/, { section: 'xdp', offset: 0 }, 'st_size');
});

// ---- 4. BTF header ----

test('BTF header: magic, version, hdr_len, type/str offsets out of range or overlapping', () => {
  const elf = parseElf(COUNTER);
  const b0 = elf.section('.BTF')!.offset;
  const size = elf.section('.BTF')!.size;
  const dv0 = new DataView(COUNTER.buffer, COUNTER.byteOffset);
  const typeLen = dv0.getUint32(b0 + 12, true);
  const strOff = dv0.getUint32(b0 + 16, true);
  const strLen = dv0.getUint32(b0 + 20, true);
  const cases: [string, number, number, RegExp, number][] = [
    ['magic', 0, 0xeb9e, /bad magic 0xeb9e/, 0],
    ['hdr_len 8', 4, 8, /bad hdr_len 8/, 4],
    ['hdr_len past the section', 4, size + 1, /bad hdr_len/, 4],
    ['type_off unaligned', 8, 2, /type_off 2 is not 4-byte aligned/, 8],
    ['type_len past the data', 12, size, /type section .* outside the data/, 8],
    ['str_off past the data', 16, size, /string section .* outside the data/, 16],
    ['str_len past the data', 20, strLen + 1, /string section .* outside the data/, 16],
    ['type/str overlap', 16, 4, /overlaps or follows the string section/, 8],
    ['str_len 0', 20, 0, /string section is empty|overlaps/, 24 + strOff],
  ];
  for (const [what, field, v, re, off] of cases) {
    const bad = patch(COUNTER, (_b, dv) => (field === 0 ? dv.setUint16(b0, v, true) : dv.setUint32(b0 + field, v, true)));
    rejects(bad, BtfError, re, { section: '.BTF', offset: off }, `BTF ${what}`);
  }
  rejects(patch(COUNTER, (b) => { b[b0 + 2] = 2; }), BtfError, /unsupported version 2/, { section: '.BTF', offset: 2 });
  rejects(patch(COUNTER, (b) => { b[b0 + 24 + strOff + strLen - 1] = 0x41; }), BtfError, /string section is not NUL-terminated/, { section: '.BTF' });
  rejects(patch(COUNTER, (b) => { b[b0 + 24 + strOff] = 0x41; }), BtfError, /does not start with a NUL/, { section: '.BTF', offset: 24 + strOff });
  assert.ok(typeLen > 0);
});

// ---- 5. BTF types ----

test('BTF types: id out of range, name_off out of range, vlen overflow, bad kind', () => {
  const { recs } = btfRecords(COUNTER, parseElf(COUNTER));
  const pair = btfRec(COUNTER, K.STRUCT, 'pair');
  const ptr = recs.find((r) => r.kind === K.PTR)!;
  const cases: [string, (dv: DataView) => void, RegExp, Where & { typeId?: number }][] = [
    ['PTR to id 99999', (dv) => dv.setUint32(ptr.at + 8, 99999, true), /refers to type id 99999, beyond the last type/, { typeId: ptr.id }],
    ['member type 70000', (dv) => dv.setUint32(pair.at + 12 + 4, 70000, true), /refers to type id 70000/, { typeId: pair.id }],
    ['name_off out of range', (dv) => dv.setUint32(pair.at, 0x7fffff, true), /string offset 8388607 outside the string section/, {}],
    ['member name_off out of range', (dv) => dv.setUint32(pair.at + 12, 0x7fffff, true), /string offset 8388607/, {}],
    // the members run into the following types and then past the end of the type section
    ['vlen 0xffff', (dv) => dv.setUint32(pair.at + 4, (K.STRUCT << 24) | 0xffff, true), /run past the end|string offset \d+ outside|unknown kind/, {}],
    ['kind 25', (dv) => dv.setUint32(pair.at + 4, 25 << 24, true), /unknown kind 25/, { typeId: pair.id }],
    ['kind 0 (UNKN)', (dv) => dv.setUint32(pair.at + 4, 0, true), /unknown kind 0/, { typeId: pair.id }],
    ['int of 200 bits', (dv) => dv.setUint32(btfRec(COUNTER, K.INT, 'int').at + 12, 200, true), /int of 200 bits/, {}],
  ];
  for (const [what, edit, re, where] of cases) {
    const e = rejects(patch(COUNTER, (_b, dv) => edit(dv)), BtfError, re, { section: '.BTF' }, what);
    if (where.typeId !== undefined) assert.equal((e as BtfError).typeId, where.typeId, what);
    if (/name_off|vlen|kind/.test(what)) assert.ok((e as BtfError).offset !== undefined, `${what}: offset in ${e.message}`);
  }
});

test('BTF type graph loops: typedef/const/volatile cycles, a struct containing itself, pointer cycles', () => {
  // helpers_map: map keys are `__u32 *`, __u32 a TYPEDEF of `unsigned int`
  const u32 = btfRec(HMAP, K.TYPEDEF, '__u32');
  // typedef __u32 -> __u32
  rejects(patch(HMAP, (_b, dv) => dv.setUint32(u32.at + 8, u32.id, true)), ObjectError,
    /map 'h': can't determine key size for type \[\d+\]: .*loop/, { section: '.maps' }, 'typedef self loop');
  // a CONST -> VOLATILE -> TYPEDEF cycle, through the records of counter's .data variables
  const { recs } = btfRecords(HMAP, parseElf(HMAP));
  const vol = recs.find((r) => r.kind === K.VOLATILE)!;
  rejects(patch(HMAP, (_b, dv) => {
    dv.setUint32(u32.at + 8, vol.id, true); // __u32 -> volatile X
    dv.setUint32(vol.at + 8, u32.id, true); // volatile -> __u32
  }), ObjectError, /loop/, { section: '.maps' }, 'typedef/volatile cycle');
  // a PTR -> TYPEDEF -> PTR cycle is legal C (a pointer has a size): the key
  // `__u32 *` becomes `T *` with `typedef T *__u32`, so the key is 8 bytes; no
  // loop error, the verifier then sees 4-byte keys on the stack of an 8-byte-key map
  const keyPtr = recs.find((r) => r.kind === K.PTR && new DataView(HMAP.buffer, HMAP.byteOffset).getUint32(r.at + 8, true) === u32.id)!;
  const viaPtr = patch(HMAP, (_b, dv) => dv.setUint32(u32.at + 8, keyPtr.id, true));
  const spec = parseObject(viaPtr);
  assert.equal(spec.maps.find((m) => m.name === 'h')!.keySize, 8, 'sizeof(pointer)');
  const pe = tryLoad(viaPtr, 'ptr cycle');
  assert.ok(pe === undefined || !/loop/.test(pe.message), `a pointer cycle is no loop: ${pe?.message}`);

  // a struct containing itself by value: timer.bpf.o's map value `struct elem`
  const elem = btfRec(TIMER, K.STRUCT, 'elem');
  const selfish = patch(TIMER, (_b, dv) => dv.setUint32(elem.at + 12 + 4, elem.id, true));
  const e = tryLoad(selfish, 'struct contains itself');
  // libbpf takes the value size from the struct's size; the special-field walk
  // gives up (the kernel's btf_parse_fields fails with -E2BIG); the verifier then
  // finds no bpf_timer in the value
  assert.ok(e, 'a struct containing itself cannot carry a usable timer');
  assert.match(e.message, /bpf_timer|loop|deep/);
});

test('BTF: an array of 2^32 - 1 timers in a map value is refused without being expanded', () => {
  // timer.bpf.o: the map value `struct elem { struct bpf_timer t; }`; LICENSE's ARRAY becomes bpf_timer[0xffffffff]
  const elem = btfRec(TIMER, K.STRUCT, 'elem');
  const timer = btfRec(TIMER, K.STRUCT, 'bpf_timer');
  const { recs } = btfRecords(TIMER, parseElf(TIMER));
  const arr = recs.filter((r) => r.kind === K.ARRAY).at(-1)!;
  const bad = patch(TIMER, (_b, dv) => {
    dv.setUint32(arr.at + 12, timer.id, true);
    dv.setUint32(arr.at + 20, 0xffffffff, true);
    dv.setUint32(elem.at + 12 + 4, arr.id, true);
  });
  const btf = parseObject(bad).btf!;
  assert.throws(() => specialFields(btf, elem.id), (e: unknown) => e instanceof BtfError && /more than 4096 special fields/.test(e.message));
  const rec = parseFields(btf, elem.id);
  assert.deepEqual(rec.error?.errno, 22, 'the kernel refuses arrays of timers (-EINVAL): the map gets no special fields');
  assert.equal(rec.fields.length, 0);
  // the kernel's BTF checker refuses this BTF (the array overflows struct elem), so libbpf loads the
  // object without BTF and the verifier finds no timer at all (checked with test/kernel's runner on 6.18)
  rejects(bad, VerifierError, /map 'timers' has to have BTF in order to use bpf_timer/, {}, 'timer array');
});

// ---- 6. BTF.ext ----

test('.BTF.ext: bad rec_size, section name, record counts and header', () => {
  const elf = parseElf(COUNTER);
  const x = elf.section('.BTF.ext')!.offset;
  const dv0 = new DataView(COUNTER.buffer, COUNTER.byteOffset);
  const hdrLen = dv0.getUint32(x + 4, true);
  const fOff = x + hdrLen + dv0.getUint32(x + 8, true); // func_info: rec_size, then per section
  const lOff = x + hdrLen + dv0.getUint32(x + 16, true);
  const cases: [string, (dv: DataView) => void, RegExp][] = [
    ['func_info rec_size 0', (dv) => dv.setUint32(fOff, 0, true), /func_info rec_size 0 is invalid/],
    ['func_info rec_size 7', (dv) => dv.setUint32(fOff, 7, true), /func_info rec_size 7 is invalid/],
    ['func_info rec_size huge', (dv) => dv.setUint32(fOff, 0x10000, true), /records run past the end/],
    ['line_info rec_size 12', (dv) => dv.setUint32(lOff, 12, true), /line_info rec_size 12 is invalid/],
    ['func_info sec_name_off', (dv) => dv.setUint32(fOff + 4, 0xffffff, true), /string offset 16777215 is outside the \.BTF string section/],
    ['func_info num_info 0', (dv) => dv.setUint32(fOff + 8, 0, true), /has no records/],
    ['func_info num_info huge', (dv) => dv.setUint32(fOff + 8, 0x1000000, true), /records run past the end/],
    ['func_info type id', (dv) => dv.setUint32(fOff + 12 + 4, 99999, true), /func_info of \w+: type id 99999 out of range/],
    ['func_info insn_off unaligned', (dv) => dv.setUint32(fOff + 12, 3, true), /func_info of \w+: insn_off 3 is not a multiple of 8/],
    ['line_info insn_off unaligned', (dv) => dv.setUint32(lOff + 12, 5, true), /line_info of \w+: insn_off 5 is not a multiple of 8/],
    ['line_info file name', (dv) => dv.setUint32(lOff + 12 + 4, 0xffffff, true), /outside the \.BTF string section/],
    ['hdr_len', (dv) => dv.setUint32(x + 4, 4, true), /bad hdr_len 4/],
    ['magic', (dv) => dv.setUint16(x, 0x1234, true), /bad magic 0x1234/],
    ['func_info past the section', (dv) => dv.setUint32(x + 12, 0x100000, true), /func_info .* outside the data/],
  ];
  for (const [what, edit, re] of cases) {
    const e = rejects(patch(COUNTER, (_b, dv) => edit(dv)), BtfError, re, { section: '.BTF.ext' }, what);
    assert.ok((e as BtfError).offset !== undefined && /offset \d+/.test(e.message), `${what}: no offset in ${e.message}`);
  }
  // a line_info record for an instruction outside every function is ignored, as libbpf does
  assert.equal(tryLoad(patch(COUNTER, (_b, dv) => dv.setUint32(lOff + 12, 0x7ffffff8, true)), 'line_info far away'), undefined);
});

// ---- 7. relocations ----

test('relocations: symbol index, r_offset and instruction kind, targets nowhere', () => {
  const elf = parseElf(COUNTER);
  const rel = elf.section('.relxdp')!;
  const rels = elf.relocationsFor(elf.section('xdp')!);
  assert.ok(rels.length >= 2);
  const r0 = rel.offset; // first entry: r_offset, r_info
  const xdpSize = elf.section('xdp')!.size;
  const symCount = elf.symbols.length;
  // the first instruction that is neither ld_imm64 nor a call
  const code = elf.section('xdp')!.data;
  let plain = 0;
  while (code[plain] === 0x18 || code[plain] === 0x85 || code[plain] === 0) plain += 8;
  const cases: [string, (dv: DataView) => void, new (...a: never[]) => Error, RegExp, Where][] = [
    ['symbol index out of range', (dv) => dv.setUint32(r0 + 12, symCount + 3, true), ElfError,
      new RegExp(`relocation symbol ${symCount + 3} out of range \\(${symCount} symbols\\)`), { section: '.relxdp', offset: 0 }],
    ['r_offset past the section', (dv) => dv.setBigUint64(r0, BigInt(xdpSize + 8), true), ObjectError,
      /is not at an instruction inside the section/, { section: 'xdp', offset: xdpSize + 8 }],
    ['r_offset unaligned', (dv) => dv.setBigUint64(r0, BigInt(rels[0]!.offset + 3), true), ObjectError,
      /is not at an instruction inside the section/, { section: 'xdp', offset: rels[0]!.offset + 3 }],
    ['r_offset 2^60', (dv) => dv.setBigUint64(r0, 1n << 60n, true), ElfError, /r_offset \d+ is too large/, { section: '.relxdp', offset: 0 }],
    ['r_offset at a plain instruction', (dv) => dv.setBigUint64(r0, BigInt(plain), true), ObjectError,
      /is neither ld_imm64 nor call/, { section: 'xdp', offset: plain }],
    ['unknown relocation type', (dv) => dv.setUint32(r0 + 8, 77, true), ObjectError, /unexpected relocation type 77 for ld_imm64/, { section: 'xdp' }],
    ['relocation against the null symbol', (dv) => dv.setUint32(r0 + 12, 0, true), ObjectError, /extern symbols .* are not supported/, { section: 'xdp' }],
  ];
  for (const [what, edit, cls, re, where] of cases) rejects(patch(COUNTER, (_b, dv) => edit(dv)), cls, re, where, what);
  // a relocation against a symbol in a section that is no map, data or code (LICENSE)
  const lic = elf.symbols.find((y) => y.name === 'LICENSE')!;
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(r0 + 12, lic.index, true)), ObjectError,
    /relocation against 'LICENSE': symbol is in section 'license', which is neither a map, global data nor \.text/,
    { section: 'xdp', offset: rels[0]!.offset }, 'reloc into license');
  // against the STT_FILE symbol, which is SHN_ABS
  const file = elf.symbols.find((y) => y.type === 4 /* STT_FILE */)!;
  assert.equal(file.shndx, 0xfff1);
  rejects(patch(COUNTER, (_b, dv) => dv.setUint32(r0 + 12, file.index, true)), ObjectError,
    /symbol section index 65521 is not a section/, { section: 'xdp' }, 'reloc against SHN_ABS');
  // the function ends between the two slots of a relocated ld_imm64 (found by the fuzzer: a TypeError before)
  assert.equal(code[rels[0]!.offset], 0x18);
  rejects(patch(COUNTER, (_b, dv) => dv.setBigUint64(symAt(elf, 'count') + 16, BigInt(rels[0]!.offset + 8), true)), ObjectError,
    /the ld_imm64 at instruction \d+ is cut by the end of function 'count'/, { section: 'xdp', offset: rels[0]!.offset }, 'ld_imm64 cut');
  // a relocation section whose size is not whole entries
  rejects(patch(COUNTER, (_b, dv) => dv.setBigUint64(shdrAt(elf, '.relxdp', SH_SIZE), BigInt(rel.size - 3), true)), ElfError,
    /is not a multiple of 16/, { section: '.relxdp' }, 'rel size');
});

// ---- 8. unknown SEC() names ----

/** Renames a section in place (the new name must not be longer). */
function renameSection(src: Uint8Array, from: string, to: string): Uint8Array {
  return patch(src, (b, dv, elf) => {
    const shstr = elf.sections[elf.header.shstrndx]!;
    const at = shstr.offset + dv.getUint32(shdrAt(elf, from, SH_NAME), true);
    assert.ok(to.length <= from.length);
    for (let i = 0; i < to.length; i++) b[at + i] = to.charCodeAt(i);
    b[at + to.length] = 0;
  });
}

test('unknown SEC() names: libbpf\'s "missing BPF prog type" at load, -EINVAL', () => {
  for (const [from, to, prog] of [['xdp', 'xdq', 'count'], ['syscall', 'sysca', 'minus1'], ['raw_tp/sys_enter', 'rawtp/x', 'rawtp']] as const) {
    const bad = renameSection(COUNTER, from, to);
    const spec = parseObject(bad);
    assert.equal(spec.programs.find((p) => p.name === prog)!.type, 0, 'parses: the type is unknown');
    const e = rejects(bad, LoadError, new RegExp(`prog '${prog}': missing BPF prog type, check ELF section name '${to.replace('/', '\\/')}'`), {}, to);
    assert.equal((e as LoadError).errno, -22);
  }
});

// ---- 9. maps with impossible sizes ----

/** sizes.bpf.o with the BTF ARRAY of `nelems === from` set to `to` (see sizes.bpf.c). */
function resize(pairs: [number, number][]): Uint8Array {
  return patch(SIZES, (_b, dv, elf) => {
    const { recs } = btfRecords(SIZES, elf);
    for (const [from, to] of pairs) {
      const r = recs.find((x) => x.kind === K.ARRAY && dv.getUint32(x.at + 20, true) === from);
      assert.ok(r, `no ARRAY of ${from}`);
      dv.setUint32(r.at + 20, to >>> 0, true);
    }
  });
}

// [what, patches, errno on Linux 6.18 (BPF_MAP_CREATE via libbpf), or 0 for a successful load]
const SIZE_CASES: [string, [number, number][], number][] = [
  ['hash key_size 0', [[103, 0]], -22],
  ['hash value_size 0', [[107, 0]], -22],
  ['hash max_entries 0', [[101, 0]], -22],
  ['hash value_size 1 GiB', [[107, 1 << 30]], -7],
  ['hash max_entries 2^27 + 1 (n_buckets overflow)', [[101, 2 ** 27 + 1]], -7],
  ['hash max_entries 2^30', [[101, 2 ** 30]], -7],
  ['hash max_entries 2^32 - 1', [[101, 0xffffffff]], -7],
  ['hash key_size 513', [[103, 513]], 0],
  ['array max_entries 0', [[109, 0]], -22],
  ['array value_size 0', [[113, 0]], -22],
  ['array key_size 8', [[4, 8]], -22],
  ['array value_size 4 MiB + 1', [[113, 4 * 1024 * 1024 + 1]], 0],
  ['array 4 MiB x 2^20 (4 TiB)', [[113, 4 * 1024 * 1024], [109, 1 << 20]], -12],
  ['array max_entries 2^32 - 1', [[109, 0xffffffff]], -12],
  ['queue max_entries 0', [[127, 0]], -22],
  ['queue value_size 0', [[131, 0]], -22],
  ['queue value_size 1 GiB', [[131, 1 << 30]], -7],
];

test('maps with impossible sizes: the errno BPF_MAP_CREATE gives, nothing left behind', () => {
  for (const [what, pairs, errno] of SIZE_CASES) {
    const bad = resize(pairs);
    const e = tryLoad(bad, what);
    if (errno === 0) {
      assert.equal(e, undefined, `${what}: ${e?.message}`);
      continue;
    }
    assert.ok(e instanceof LoadError, `${what}: ${e ? `${e.name}: ${e.message}` : 'loaded'}`);
    assert.equal(e.errno, errno, `${what}: ${e.message}`);
    assert.match(e.message, /^map '(hsz|asz|qsz)': /, what);
  }
  // over the runtime's memory limit (default 1 GiB), whatever the machine: -ENOMEM
  const rt = new Runtime({ memoryLimit: 64 << 20 });
  assert.throws(() => rt.loadObjectBytes(resize([[113, 1 << 20], [109, 128]])), (e: unknown) => e instanceof LoadError && e.errno === -12);
  zeroStats(rt, 'over the memory limit');
});

test('live kernel: the map-size errnos and the unknown section match libbpf + BPF_MAP_CREATE', { skip: liveSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-bad-'));
  try {
    const cases: [string, Uint8Array, number][] = SIZE_CASES.map(([what, pairs, errno]) => [what, resize(pairs), errno]);
    cases.push(['unknown section', renameSection(SIZES, 'xdp', 'xdq'), -22]);
    const names: Record<number, string> = { [-22]: 'EINVAL', [-7]: 'E2BIG', [-12]: 'ENOMEM' };
    for (const [i, [what, bytes, errno]] of cases.entries()) {
      const path = join(dir, `case${i}.bpf.o`);
      writeFileSync(path, bytes);
      const r = await runKernelScenario(path, []);
      const want = errno === 0 ? 'load=ok\n' : `load=failed\nerrno=-${names[errno]}\nverifier_error=\n`;
      assert.equal(r.stdout, want, `kernel: ${what}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- 10. nothing is lost ----

test('a failed load leaves an object loaded before it untouched', () => {
  const rt = new Runtime();
  const good = rt.loadObjectBytes(COUNTER);
  const prog = good.program('count');
  assert.equal(prog.run({ data: new Uint8Array(64) }).retval, 2); // (the first run allocates the runtime's stack)
  const before = rt.stats();
  const bads = [
    resize([[107, 0]]), // map creation fails after other maps were made
    resize([[113, 4 * 1024 * 1024], [109, 1 << 20]]),
    renameSection(COUNTER, 'syscall', 'sysca'), // maps made, then a program refused
    read('test/kernel/scenarios/reject.bpf.o'), // the verifier refuses
    COUNTER.subarray(0, 3000),
  ];
  for (const [i, b] of bads.entries()) {
    assert.throws(() => rt.loadObjectBytes(b), (e: unknown) => isTyped(e), `bad ${i}`);
    assert.deepEqual(rt.stats(), before, `bad ${i}: the runtime's objects changed`);
  }
  assert.equal(prog.run({ data: new Uint8Array(64) }).retval, 2);
  assert.equal(good.global('hits'), 2, 'the good object still counts');
  good.close();
  zeroStats(rt, 'after close');
});

// ---- 11. random mutations ----

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
}

test('fuzz: seeded byte mutations load or throw a typed error; nothing is left behind', () => {
  const r = rng(0x1ee7);
  const srcs = [COUNTER, HMAP, TIMER, SIZES, KITCHEN];
  let loaded = 0;
  const byClass = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const src = srcs[i % srcs.length]!;
    const elf = parseElf(src);
    const b = src.slice();
    // aim at the interesting parts most of the time: .BTF, .BTF.ext, .symtab, relocations, headers
    const targets = ['.BTF', '.BTF.ext', '.symtab', '.maps', '.strtab'].map((n) => elf.section(n)).filter((s) => s && s.size > 0);
    for (const rs of elf.relSections) targets.push(rs.section);
    const flips = 1 + r(4);
    for (let f = 0; f < flips; f++) {
      const mode = r(10);
      let at: number;
      if (mode < 6 && targets.length) {
        const s = targets[r(targets.length)]!;
        at = s.offset + r(s.size);
      } else if (mode < 8) {
        at = elf.header.shoff + r(elf.header.shnum * SHDR);
      } else {
        at = r(b.length);
      }
      b[at] = r(3) === 0 ? [0, 0xff, 0x7f, 0x80][r(4)]! : b[at]! ^ (1 << r(8));
    }
    // every mutation is parsed; one in four that parses is also loaded (maps
    // created, programs verified; not kitchen, whose load is ~100 ms): a load
    // is ~100 times dearer than a parse
    let e: Typed | undefined;
    try {
      parseObject(b);
      if (i % 4 === 0 && src !== KITCHEN) e = tryLoad(b, `mutation ${i}`);
    } catch (err) {
      if (!isTyped(err)) assert.fail(`mutation ${i}: ${(err as Error)?.name}: ${(err as Error)?.message}\n${(err as Error)?.stack ?? ''}`);
      e = err;
    }
    if (e === undefined) loaded++;
    else byClass.set(e.name, (byClass.get(e.name) ?? 0) + 1);
  }
  // the mutations must reach past the ELF layer, and some must survive
  assert.ok(loaded > 0, 'no mutation loaded');
  for (const c of ['ElfError', 'BtfError', 'ObjectError']) assert.ok((byClass.get(c) ?? 0) > 0, `no ${c} in ${JSON.stringify([...byClass])}`);
});

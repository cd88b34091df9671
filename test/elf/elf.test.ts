import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  EM_BPF, ET_REL, R_BPF_64_32, R_BPF_64_64, R_BPF_64_ABS64, SHF_EXECINSTR, SHT_NOBITS, SHT_REL,
  STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_OBJECT,
} from '../../src/elf/constants.js';
import { ElfError, parseElf } from '../../src/elf/elf.js';

const kitchen = new Uint8Array(readFileSync(new URL('../../../test/object/fixtures/kitchen.bpf.o', import.meta.url)));

test('reads the header, sections and their names', () => {
  const elf = parseElf(kitchen);
  assert.equal(elf.header.machine, EM_BPF);
  assert.equal(elf.header.type, ET_REL);
  const names = elf.sections.map((s) => s.name);
  for (const n of ['.text', 'xdp', 'tc', 'socket', 'raw_tp/sys_enter', 'syscall', '.maps', '.data', '.bss', '.rodata', '.data.custom', 'license', '.BTF', '.BTF.ext', '.symtab', '.rel.text', '.relxdp']) {
    assert.ok(names.includes(n), `missing section ${n}`);
  }
  const xdp = elf.section('xdp')!;
  assert.ok(xdp.flags & SHF_EXECINSTR);
  assert.equal(xdp.data.length, xdp.size);
  assert.equal(xdp.size % 8, 0);
  const bss = elf.section('.bss')!;
  assert.equal(bss.type, SHT_NOBITS);
  assert.equal(bss.data.length, 0, 'NOBITS has no file contents');
  assert.equal(new TextDecoder().decode(elf.section('license')!.data), 'GPL\0');
});

test('reads symbols with binding, type, section and size', () => {
  const elf = parseElf(kitchen);
  const sym = (n: string) => elf.symbols.find((s) => s.name === n)!;
  const xdp = sym('xdp_prog');
  assert.equal(xdp.type, STT_FUNC);
  assert.equal(xdp.bind, STB_GLOBAL);
  assert.equal(elf.sections[xdp.shndx]!.name, 'xdp');
  assert.equal(xdp.value, 0);
  assert.equal(xdp.size, 26 * 8);
  const add = sym('add_static');
  assert.equal(add.bind, STB_LOCAL);
  assert.equal(elf.sections[add.shndx]!.name, '.text');
  assert.equal(add.value, 4 * 8);
  const data = sym('data_point');
  assert.equal(data.type, STT_OBJECT);
  assert.equal(data.size, 8);
  assert.equal(data.value, 16);
  assert.equal(elf.symbols[0]!.name, '', 'symbol 0 is the null symbol');
});

test('reads SHT_REL relocations of code and of .maps', () => {
  const elf = parseElf(kitchen);
  const xdpRels = elf.relSections.find((r) => r.target.name === 'xdp')!;
  assert.equal(xdpRels.section.type, SHT_REL);
  // as llvm-objdump -dr shows: arr, global_twice, ro_limit, .text (loop_cb)
  assert.deepEqual(
    xdpRels.rels.map((r) => [r.offset / 8, r.type, elf.symbolName(elf.symbols[r.symbol]!)]),
    [[4, R_BPF_64_64, 'arr'], [10, R_BPF_64_32, 'global_twice'], [16, R_BPF_64_64, 'ro_limit'], [19, R_BPF_64_64, '.text']],
  );
  const maps = elf.relocationsFor(elf.section('.maps')!);
  assert.deepEqual(maps.map((r) => [r.offset, r.type, elf.symbols[r.symbol]!.name]), [[0x58, R_BPF_64_ABS64, 'inner1'], [0x68, R_BPF_64_ABS64, 'inner2']]);
});

function patched(edit: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = kitchen.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

test('rejects what is not an ELF64 LE EM_BPF object with a clear ElfError', () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(10), /shorter than the ELF64 header/],
    [patched((b) => { b[0] = 0; }), /bad magic/],
    [patched((b) => { b[4] = 1; }), /ELFCLASS64/],
    [patched((b) => { b[5] = 2; }), /big-endian/],
    [patched((_b, dv) => dv.setUint16(18, 62, true)), /e_machine 62 is not EM_BPF \(247\)/],
    [patched((_b, dv) => dv.setBigUint64(40, BigInt(kitchen.length - 8), true)), /section header table .* outside the file/],
    [patched((_b, dv) => dv.setUint16(62, 999, true)), /e_shstrndx 999 out of range/],
    [kitchen.subarray(0, kitchen.length - 100), /outside the file/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(() => parseElf(bytes), (e: unknown) => e instanceof ElfError && re.test(e.message), `expected ${re}`);
  }
});

test('a section whose contents run past the file names the section', () => {
  const elf = parseElf(kitchen);
  const idx = elf.section('tc')!.index;
  const bad = patched((_b, dv) => dv.setBigUint64(elf.header.shoff + idx * 64 + 32, 1n << 40n, true));
  assert.throws(() => parseElf(bad), (e: unknown) => e instanceof ElfError && e.section === 'tc' && /section tc, offset \d+: contents .* run past the end of the file/.test(e.message));
});

test('fuzz: truncations and bit flips give ElfError or a parse, never a crash', () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let i = 0; i < 400; i++) {
    const b = kitchen.slice(0, i % 4 === 0 ? rnd(kitchen.length) : kitchen.length);
    for (let f = 0; f < 1 + rnd(8); f++) if (b.length) b[rnd(b.length)]! ^= 1 << rnd(8);
    try {
      parseElf(b);
    } catch (e) {
      assert.ok(e instanceof ElfError, `iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ElfError } from '../../src/elf/elf.js';
import { BtfError } from '../../src/btf/btf.js';
import { LD_IMM64 } from '../../src/isa/insn.js';
import { BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../../src/isa/opcodes.js';
import { ObjectError } from '../../src/object/errors.js';
import * as M from '../../src/object/map_types.js';
import { internalMapName } from '../../src/object/maps.js';
import { findMap, findProgram, objectNameFromPath, parseObject } from '../../src/object/object.js';
import * as P from '../../src/object/prog_types.js';
import { findSectionDef } from '../../src/object/section_defs.js';

const path = (p: string) => new URL(`../../../test/object/fixtures/${p}`, import.meta.url);
const bytes = new Uint8Array(readFileSync(path('kitchen.bpf.o')));
const spec = parseObject(bytes, { name: objectNameFromPath('test/object/fixtures/kitchen.bpf.o') });
const prog = (n: string) => findProgram(spec, n)!;

test('one program per SEC() function, with libbpf program types', () => {
  assert.equal(spec.name, 'kitchen');
  assert.equal(spec.license, 'GPL');
  assert.equal(spec.kernelVersion, undefined);
  assert.deepEqual(spec.programs.map((p) => [p.name, p.section, p.type, p.expectedAttachType]), [
    ['xdp_prog', 'xdp', P.BPF_PROG_TYPE_XDP, P.BPF_XDP],
    ['tc_prog', 'tc', P.BPF_PROG_TYPE_SCHED_CLS, 0],
    ['sock_prog', 'socket', P.BPF_PROG_TYPE_SOCKET_FILTER, 0],
    ['rawtp_prog', 'raw_tp/sys_enter', P.BPF_PROG_TYPE_RAW_TRACEPOINT, 0],
    ['tp_prog', 'tp/syscalls/sys_enter_getpid', P.BPF_PROG_TYPE_TRACEPOINT, 0],
    ['syscall_prog', 'syscall', P.BPF_PROG_TYPE_SYSCALL, 0],
  ]);
  assert.equal(prog('rawtp_prog').attachTo, 'sys_enter');
  assert.equal(prog('syscall_prog').sleepable, true);
  assert.equal(P.BPF_PROG_TYPE_XDP, 6);
});

test('section names match as libbpf does', () => {
  const t = (n: string) => findSectionDef(n)?.progType;
  assert.equal(t('kprobe/do_sys_open'), P.BPF_PROG_TYPE_KPROBE);
  assert.equal(t('kprobe'), P.BPF_PROG_TYPE_KPROBE);
  assert.equal(t('kprobex'), undefined, '"kprobe+" needs "/" or the exact name');
  assert.equal(t('fentry/foo'), P.BPF_PROG_TYPE_TRACING);
  assert.equal(findSectionDef('fexit/foo')?.expectedAttachType, P.BPF_TRACE_FEXIT);
  assert.equal(t('raw_tracepoint/sched_switch'), P.BPF_PROG_TYPE_RAW_TRACEPOINT);
  assert.equal(t('tracepoint/a/b'), P.BPF_PROG_TYPE_TRACEPOINT);
  assert.equal(t('classifier'), P.BPF_PROG_TYPE_SCHED_CLS);
  assert.equal(findSectionDef('tc/ingress')?.expectedAttachType, P.BPF_TCX_INGRESS);
  assert.equal(findSectionDef('xdp.frags')?.xdpFrags, true);
  assert.equal(t('xdp/foo'), undefined, 'xdp is exact');
  assert.equal(t('socket1'), undefined);
});

test('subprograms are appended depth first, each program with its own copy', () => {
  const fns = (n: string) => prog(n).functions.map((f) => `${f.name}@${f.insnIndex}+${f.insnCount}`);
  assert.deepEqual(fns('xdp_prog'), ['xdp_prog@0+26', 'global_twice@26+4', 'add_static@30+7', 'loop_cb@37+9']);
  assert.deepEqual(fns('tc_prog'), ['tc_prog@0+64', 'timer_cb@64+9', 'add_static@73+7']);
  assert.deepEqual(fns('sock_prog'), ['sock_prog@0+27']);
  assert.deepEqual(fns('tp_prog'), ['tp_prog@0+5', 'global_twice@5+4', 'add_static@9+7']);
  assert.deepEqual(fns('syscall_prog'), ['syscall_prog@0+4', 'add_static@4+7']);
  assert.equal(prog('xdp_prog').insns.length, 46);
});

test('calls and callbacks point at the appended copies', () => {
  const x = prog('xdp_prog');
  const rel = (kind: string) => x.relocations.filter((r) => r.kind === kind);
  assert.deepEqual(rel('subprog_call').map((r) => [r.insnIndex, r.targetInsn, r.symbol]), [[10, 26, 'global_twice'], [27, 30, 'add_static']]);
  for (const r of rel('subprog_call')) {
    const i = x.insns[r.insnIndex]!;
    assert.equal(i.src, BPF_PSEUDO_CALL);
    assert.equal(r.insnIndex + 1 + i.imm, r.targetInsn);
  }
  // bpf_loop(ro_limit, loop_cb, ...): ld_imm64 r2 = BPF_PSEUDO_FUNC
  const [cb] = rel('func');
  assert.deepEqual([cb!.insnIndex, cb!.targetInsn, cb!.symbol], [19, 37, 'loop_cb']);
  assert.equal(x.insns[19]!.code, LD_IMM64);
  assert.equal(x.insns[19]!.src, BPF_PSEUDO_FUNC);
  assert.equal(x.insns[19]!.imm, 37 - 19 - 1);
  // bpf_timer_set_callback(&e->timer, timer_cb)
  const tc = prog('tc_prog');
  const tcb = tc.relocations.find((r) => r.kind === 'func')!;
  assert.equal(tcb.symbol, 'timer_cb');
  assert.equal(tcb.targetInsn, 64);
  assert.equal(tc.insns[tcb.insnIndex]!.imm, 64 - tcb.insnIndex - 1);
});

test('map and global data references', () => {
  const x = prog('xdp_prog');
  const m = x.relocations.find((r) => r.kind === 'map_fd')!;
  assert.equal(m.mapName, 'arr');
  assert.equal(x.insns[m.insnIndex]!.src, BPF_PSEUDO_MAP_FD);
  assert.equal(spec.maps[x.insns[m.insnIndex]!.imm]!.name, 'arr', 'imm is the map index');
  const s = prog('sock_prog').relocations.filter((r) => r.kind === 'map_value');
  assert.deepEqual(s.map((r) => [r.mapName, r.offset]), [['.data.custom', 0], ['kitchen.data', 16]]);
  const pt = prog('sock_prog').insns[s[1]!.insnIndex]!;
  assert.equal(pt.src, BPF_PSEUDO_MAP_VALUE);
  assert.equal(prog('sock_prog').insns[s[1]!.insnIndex + 1]!.imm, 16, 'data_point offset in the second slot');
  // the copy of add_static inside tc_prog reads data_int through its own relocation
  const tcData = prog('tc_prog').relocations.filter((r) => r.kind === 'map_value').map((r) => [r.insnIndex, r.mapName, r.offset]);
  assert.deepEqual(tcData, [[52, 'kitchen.bss', 0], [75, 'kitchen.data', 0]]);
});

test('BTF-defined maps', () => {
  const m = (n: string) => findMap(spec, n)!;
  assert.deepEqual(spec.maps.map((x) => x.name), ['inner1', 'inner2', 'outer_arr', 'arr', 'hmap', 'lru', 'pcpu', 'outer_hash',
    'kitchen.data', 'kitchen.rodata', '.data.custom', 'kitchen.bss']);
  const arr = m('arr');
  assert.deepEqual([arr.type, arr.keySize, arr.valueSize, arr.maxEntries, arr.flags], [M.BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0]);
  assert.equal(spec.btf!.typeName(arr.keyTypeId), '__u32');
  const hmap = m('hmap');
  assert.deepEqual([hmap.type, hmap.keySize, hmap.valueSize, hmap.maxEntries, hmap.flags], [M.BPF_MAP_TYPE_HASH, 4, 32, 128, M.BPF_F_NO_PREALLOC]);
  assert.equal(spec.btf!.typeName(hmap.valueTypeId), 'struct elem');
  const lru = m('lru');
  assert.deepEqual([lru.type, lru.keySize, lru.valueSize, lru.pinning], [M.BPF_MAP_TYPE_LRU_HASH, 8, 24, M.LIBBPF_PIN_BY_NAME]);
  assert.equal(m('pcpu').type, M.BPF_MAP_TYPE_PERCPU_ARRAY);
  const outer = m('outer_arr');
  assert.deepEqual([outer.type, outer.keySize, outer.valueSize, outer.maxEntries], [M.BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3]);
  assert.deepEqual([outer.inner!.name, outer.inner!.type, outer.inner!.keySize, outer.inner!.valueSize, outer.inner!.maxEntries], ['outer_arr.inner', M.BPF_MAP_TYPE_ARRAY, 4, 4, 1]);
  assert.deepEqual(outer.initialSlots, [{ index: 0, name: 'inner1', kind: 'map' }, { index: 2, name: 'inner2', kind: 'map' }]);
  const oh = m('outer_hash');
  assert.equal(oh.type, M.BPF_MAP_TYPE_HASH_OF_MAPS);
  assert.deepEqual(oh.initialSlots, []);
  assert.equal(oh.inner!.type, M.BPF_MAP_TYPE_ARRAY);
});

test('global data sections are one-element array maps with their variables', () => {
  const bss = findMap(spec, '.bss')!;
  assert.equal(bss.name, 'kitchen.bss');
  assert.deepEqual([bss.type, bss.keySize, bss.valueSize, bss.maxEntries], [M.BPF_MAP_TYPE_ARRAY, 4, 16, 1]);
  assert.deepEqual(bss.globalData!.initial, new Uint8Array(16));
  assert.deepEqual(bss.globalData!.variables.map((v) => [v.name, v.offset, v.size]), [['bss_color', 0, 4], ['bss_count', 8, 8]]);
  const ro = findMap(spec, '.rodata')!;
  assert.equal(ro.flags & M.BPF_F_RDONLY_PROG, M.BPF_F_RDONLY_PROG);
  assert.deepEqual(ro.globalData!.variables.map((v) => [v.name, v.offset, v.size]), [['ro_limit', 0, 4], ['ro_name', 4, 8]]);
  const dv = new DataView(ro.globalData!.initial.buffer, ro.globalData!.initial.byteOffset);
  assert.equal(dv.getUint32(0, true), 1000);
  const data = findMap(spec, 'kitchen.data')!;
  const pt = data.globalData!.variables.find((v) => v.name === 'data_point')!;
  assert.equal(spec.btf!.typeName(pt.typeId), 'struct point');
  assert.equal(spec.btf!.typeName(data.valueTypeId), 'SEC(.data)');
  assert.equal(findMap(spec, '.data.custom')!.globalData!.kind, 'data');
});

test('internal map names follow libbpf', () => {
  assert.equal(internalMapName('kitchen', '.bss'), 'kitchen.bss');
  assert.equal(internalMapName('a_very_long_object', '.rodata'), 'a_very_l.rodata');
  assert.equal(internalMapName('obj', '.data.custom'), '.data.custom');
  assert.equal(internalMapName('obj', '.rodata.str1.1'), '.rodata.str1.1');
  assert.equal(internalMapName('my-obj', '.data'), 'my_obj.data');
});

test('func_info and line_info follow the final layout', () => {
  const x = prog('xdp_prog');
  assert.deepEqual(x.funcInfo.map((f) => [f.insnIndex, spec.btf!.type(f.typeId).name]),
    [[0, 'xdp_prog'], [26, 'global_twice'], [30, 'add_static'], [37, 'loop_cb']]);
  assert.equal(spec.btf!.type(x.btfFuncId!).name, 'xdp_prog');
  const cbLine = x.lineInfo.find((l) => l.insnIndex >= 37)!;
  assert.match(cbLine.line, /loop_cb|bss_count/);
  assert.ok(x.lineInfo.every((l, i, a) => i === 0 || a[i - 1]!.insnIndex <= l.insnIndex));
  const tp = prog('tp_prog');
  assert.deepEqual(tp.funcInfo.map((f) => f.insnIndex), [0, 5, 9]);
  // every line of a copied subprogram is in the program's copy
  assert.equal(tp.lineInfo.filter((l) => l.insnIndex >= 9).length, x.lineInfo.filter((l) => l.insnIndex >= 30 && l.insnIndex < 37).length);
});

interface Golden { maps: Record<string, string>; programs: Record<string, { type: number; expected_attach_type: number; insns: number[][] }> }

test("final instructions are exactly libbpf's (kitchen.libbpf.json from bpf_program__insns())", () => {
  const golden = JSON.parse(readFileSync(path('kitchen.libbpf.json'), 'utf8')) as Golden;
  assert.deepEqual(Object.keys(golden.programs).sort(), spec.programs.map((p) => p.name).sort());
  for (const p of spec.programs) {
    const g = golden.programs[p.name]!;
    assert.equal(p.type, g.type, `${p.name} type`);
    assert.equal(p.insns.length, g.insns.length, `${p.name} instruction count`);
    p.insns.forEach((i, k) => {
      const [code, dst, src, off, imm] = g.insns[k]!;
      const what = `${p.name} insn ${k}`;
      assert.deepEqual([i.code, i.dst, i.src, i.off], [code, dst, src, off], what);
      const isMapSlot = i.code === LD_IMM64 && (i.src === BPF_PSEUDO_MAP_FD || i.src === BPF_PSEUDO_MAP_VALUE);
      if (isMapSlot) {
        assert.equal(spec.maps[i.imm]!.name, golden.maps[String(imm)], `${what} map`);
      } else {
        // includes call/callback offsets and the map-value offset in the second slot
        assert.equal(i.imm, imm, what);
      }
    });
  }
});

// Building malformed objects by patching the fixture.
function patchedObject(edit: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = bytes.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

function sectionHeader(name: string): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const shstr = dv.getUint16(62, true);
  const strOff = Number(dv.getBigUint64(shoff + shstr * 64 + 24, true));
  for (let i = 0; i < shnum; i++) {
    const nameOff = dv.getUint32(shoff + i * 64, true);
    let s = '';
    for (let p = strOff + nameOff; bytes[p]; p++) s += String.fromCharCode(bytes[p]!);
    if (s === name) return shoff + i * 64;
  }
  throw new Error(`no section ${name}`);
}

test('bad relocations give ObjectErrors naming section and offset', () => {
  // .relxdp entry 0 (arr, at offset 0x20): move it off the instruction grid, then past the section
  const rel = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(sectionHeader('.relxdp') + 24, true));
  const cases: [Uint8Array, RegExp][] = [
    [patchedObject((_b, dv) => dv.setBigUint64(rel, 0x21n, true)), /section xdp, offset 33: relocation at 33 .* not at an instruction/],
    [patchedObject((_b, dv) => dv.setBigUint64(rel, 0x10000n, true)), /section xdp, offset 65536/],
    // point the relocation at instruction 0 (a mov, not ld_imm64)
    [patchedObject((_b, dv) => dv.setBigUint64(rel, 0n, true)), /section xdp, offset 0: relocation against 'arr': instruction 0 .* neither ld_imm64 nor call/],
    // symbol index out of range
    [patchedObject((_b, dv) => dv.setUint32(rel + 12, 5000, true)), /relocation symbol 5000 out of range/],
  ];
  for (const [b, re] of cases) {
    assert.throws(() => parseObject(b), (e: unknown) => e instanceof ElfError && re.test(e.message), `expected ${re}`);
  }
  // the same relocation against a symbol in a non-map, non-data section (license)
  const licSym = (() => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const symtab = sectionHeader('.symtab');
    const off = Number(dv.getBigUint64(symtab + 24, true));
    const size = Number(dv.getBigUint64(symtab + 32, true));
    const strtabIdx = dv.getUint32(symtab + 40, true);
    const shoff = Number(dv.getBigUint64(40, true));
    const strOff = Number(dv.getBigUint64(shoff + strtabIdx * 64 + 24, true));
    for (let i = 0; i * 24 < size; i++) {
      let s = '';
      for (let p = strOff + dv.getUint32(off + i * 24, true); bytes[p]; p++) s += String.fromCharCode(bytes[p]!);
      if (s === 'LICENSE') return i;
    }
    throw new Error('no LICENSE symbol');
  })();
  assert.throws(() => parseObject(patchedObject((_b, dv) => dv.setUint32(rel + 12, licSym, true))),
    (e: unknown) => e instanceof ObjectError && /relocation against 'LICENSE': symbol is in section 'license'/.test(e.message));
});

test('legacy maps are rejected clearly; an ELF section renamed .kconfig is not mistaken for externs', () => {
  const renamed = (from: string, to: string) => patchedObject((b, dv) => {
    const hdr = sectionHeader(from);
    const shoff = Number(dv.getBigUint64(40, true));
    const strOff = Number(dv.getBigUint64(shoff + dv.getUint16(62, true) * 64 + 24, true));
    const p = strOff + dv.getUint32(hdr, true);
    b.set(new TextEncoder().encode(to + '\0'), p);
  });
  assert.throws(() => parseObject(renamed('.maps', 'maps\0')), (e: unknown) => e instanceof ObjectError && /legacy map definitions/.test(e.message));
  // .kconfig externs are supported (test/loader): the renamed .data leaves its DATASEC without a section
  assert.throws(() => parseObject(renamed('.data', '.kconfig')), (e: unknown) => e instanceof ObjectError && /BTF DATASEC '\.data' has no ELF section/.test(e.message));
});

test('fuzz: corrupted objects throw ElfError/BtfError, never TypeError/RangeError', () => {
  let seed = 99;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  let parsed = 0;
  for (let i = 0; i < 400; i++) {
    const b = bytes.slice(0, i % 5 === 0 ? rnd(bytes.length) : bytes.length);
    for (let f = 0; f < 1 + rnd(4); f++) if (b.length) b[rnd(b.length)]! ^= 1 << rnd(8);
    try {
      parseObject(b);
      parsed++;
    } catch (e) {
      assert.ok(e instanceof ElfError || e instanceof BtfError || (e as Error).name === 'InsnError',
        `iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  assert.ok(parsed > 0, 'some flips land in harmless bytes');
});

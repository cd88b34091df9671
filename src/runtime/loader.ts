// ObjectSpec -> live objects, as libbpf's bpf_object__load does: create the
// maps (global data with its initial bytes), resolve relocations to arena
// addresses, verify and load every program. A failure releases everything
// created so far, so nothing leaks from a rejected load.

import { parseObject, objectNameFromPath, type ObjectSpec, type ProgramSpec } from '../object/index.js';
import type { MapSpec as ObjMapSpec, GlobalVariable } from '../object/maps.js';
import { parseFields } from '../btf/fields.js';
import type { Btf } from '../btf/btf.js';
import { BTF_KIND_INT, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64 } from '../btf/types.js';
import { createMap, MapError, type MapSpec } from '../maps/map.js';
import { ArrayMap } from '../maps/arraymap.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { MapObject, MapHandle } from './map.js';
import { Program, type ProgObject } from './program.js';
import type { Runtime } from './runtime.js';
import { EINVAL } from '../uapi/errno.js';
import { verify } from '../verifier/verifier.js';
import type { MapMeta } from '../verifier/env.js';

export interface LoadOptions {
  /** object name (default: from the path) */
  name?: string;
}

export class LoadError extends Error {
  constructor(message: string, readonly errno: number, readonly log?: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/** A typed global variable value: numbers for ints up to 32 bits, bigint for 64, arrays of those, else bytes. */
export type GlobalValue = number | bigint | (number | bigint)[] | Uint8Array;

export interface GlobalInfo {
  name: string;
  section: string;
  offset: number;
  size: number;
  /** 'int' (signed?), 'int-array', or 'bytes' */
  shape: { kind: 'int'; size: number; signed: boolean } | { kind: 'int-array'; size: number; signed: boolean; n: number } | { kind: 'bytes' };
}

/** A loaded object: handles on its maps and programs (cilium/ebpf's Collection). */
export class BpfObject {
  private closed = false;

  constructor(
    readonly spec: ObjectSpec,
    private readonly maps: Map<string, MapHandle>,
    private readonly progs: Map<string, Program>,
    /** global-data maps by section (no reference held: see loadCollection) */
    private readonly dataMaps: Map<string, MapObject>,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  programNames(): string[] {
    return [...this.progs.keys()];
  }

  mapNames(): string[] {
    return [...this.maps.keys()];
  }

  program(name: string): Program {
    const p = this.progs.get(name);
    if (!p) throw new LoadError(`no program '${name}' in ${this.spec.name} (have: ${this.programNames().join(', ')})`, -2);
    return p;
  }

  /** A map by name: libbpf's name ('timers', 'obj.bss') or its section ('.bss'). */
  map(name: string): MapHandle {
    const m = this.maps.get(name) ?? [...this.maps.values()].find((h) => sectionOf(this.spec, h.name) === name);
    if (!m) throw new LoadError(`no map '${name}' in ${this.spec.name} (have: ${this.mapNames().join(', ')})`, -2);
    return m;
  }

  /** Global variables of .data/.bss/.rodata (and .data.*, ...), in section then offset order. */
  globals(sections?: (section: string) => boolean): GlobalInfo[] {
    const out: GlobalInfo[] = [];
    for (const ms of this.spec.maps) {
      const gd = ms.globalData;
      if (!gd || (sections && !sections(ms.section))) continue;
      const vars = [...gd.variables].sort((a, b) => a.offset - b.offset);
      for (const v of vars) out.push({ name: v.name, section: ms.section, offset: v.offset, size: v.size, shape: shapeOf(this.spec.btf, v) });
    }
    return out;
  }

  /** Raw bytes of a global variable, or undefined once its map was freed. */
  globalBytes(name: string): Uint8Array | undefined {
    const g = this.globals().find((x) => x.name === name);
    if (!g) throw new LoadError(`no global variable '${name}' in ${this.spec.name}`, -2);
    const mo = this.dataMaps.get(g.section);
    if (!mo || mo.isFreed) return undefined;
    const base = (mo.map as ArrayMap).elemPtr(0);
    return mo.map.arena.u8.slice(base + g.offset, base + g.offset + g.size);
  }

  /** A typed read of a global variable (DESIGN: `obj.global('ok')`). */
  global(name: string): GlobalValue {
    const g = this.globals().find((x) => x.name === name);
    if (!g) throw new LoadError(`no global variable '${name}' in ${this.spec.name}`, -2);
    const bytes = this.globalBytes(name);
    if (!bytes) throw new LoadError(`global '${name}': its map has been freed`, -2);
    return decodeGlobal(g, bytes);
  }

  /** Drops every user reference this object holds (maps and programs). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.maps.values()) m.close();
    for (const p of this.progs.values()) p.close();
  }
}

function sectionOf(spec: ObjectSpec, mapName: string): string | undefined {
  return spec.maps.find((m) => m.name === mapName)?.section;
}

function shapeOf(btf: Btf | undefined, v: GlobalVariable): GlobalInfo['shape'] {
  if (!btf || !v.typeId) return { kind: 'bytes' };
  try {
    const t = btf.resolve(v.typeId);
    const intInfo = (id: number): { size: number; signed: boolean } | undefined => {
      const x = btf.resolve(id);
      if (x.kind === BTF_KIND_INT) {
        const it = x as unknown as { size: number; encoding: number; bits: number };
        if (it.size > 8) return undefined;
        return { size: it.size, signed: true };
      }
      if (x.kind === BTF_KIND_ENUM || x.kind === BTF_KIND_ENUM64) return { size: (x as unknown as { size: number }).size, signed: true };
      return undefined;
    };
    const i = intInfo(v.typeId);
    if (i) return { kind: 'int', ...i };
    if (t.kind === BTF_KIND_ARRAY) {
      const a = t as unknown as { type: number; nelems: number };
      const e = intInfo(a.type);
      if (e && btf.resolve(a.type).kind !== BTF_KIND_ARRAY) return { kind: 'int-array', ...e, n: a.nelems };
    }
  } catch {
    // malformed BTF for this variable: show it as bytes
  }
  return { kind: 'bytes' };
}

function readInt(bytes: Uint8Array, off: number, size: number, signed: boolean): number | bigint {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (size) {
    case 1: return signed ? dv.getInt8(off) : dv.getUint8(off);
    case 2: return signed ? dv.getInt16(off, true) : dv.getUint16(off, true);
    case 4: return signed ? dv.getInt32(off, true) : dv.getUint32(off, true);
    default: return signed ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true);
  }
}

export function decodeGlobal(g: GlobalInfo, bytes: Uint8Array): GlobalValue {
  const s = g.shape;
  if (s.kind === 'int') return readInt(bytes, 0, s.size, s.signed);
  if (s.kind === 'int-array') return Array.from({ length: s.n }, (_, i) => readInt(bytes, i * s.size, s.size, s.signed));
  return bytes;
}

/** The map layer's spec for an object map: sizes, flags and the special fields from BTF. */
function mapSpecFor(spec: ObjectSpec, ms: ObjMapSpec): MapSpec {
  const out: MapSpec = {
    type: ms.type, keySize: ms.keySize, valueSize: ms.valueSize, maxEntries: ms.maxEntries, flags: ms.flags,
    // libbpf truncates names to BPF_OBJ_NAME_LEN - 1 before BPF_MAP_CREATE
    name: ms.name.slice(0, 15),
  };
  if (spec.btf && ms.valueTypeId) {
    const rec = parseFields(spec.btf, ms.valueTypeId);
    if (!rec.error && (rec.timerOff >= 0 || rec.spinLockOff >= 0)) {
      out.specialFields = { timers: rec.timerOff >= 0 ? [rec.timerOff] : [] };
      if (rec.spinLockOff >= 0) out.specialFields.spinLock = rec.spinLockOff;
    }
  }
  if (ms.inner) out.inner = mapSpecFor(spec, ms.inner);
  return out;
}

/** What the verifier needs to know of a map (the kernel's bpf_map fields it reads). */
function mapMetaFor(spec: ObjectSpec, ms: ObjMapSpec): MapMeta {
  const m = mapSpecFor(spec, ms);
  const meta: MapMeta = {
    type: ms.type, keySize: ms.keySize, valueSize: ms.valueSize, maxEntries: ms.maxEntries, flags: ms.flags,
    timerOff: m.specialFields?.timers[0] ?? -1, spinLockOff: m.specialFields?.spinLock ?? -1,
    name: ms.name, hasBtf: !!(spec.btf && ms.valueTypeId),
  };
  if (ms.inner) meta.inner = mapMetaFor(spec, ms.inner);
  return meta;
}

/** ld_imm64 at i gets the 64-bit value v with no pseudo source (what engines execute). */
function setImm64(insns: Insn[], i: number, v: number): void {
  insns[i] = { ...insns[i]!, src: 0, imm: v | 0 };
  insns[i + 1] = { ...insns[i + 1]!, imm: 0 };
}

/** Relocated program: engine instructions and the indexes of the maps it uses. */
function relocate(ps: ProgramSpec, mapObjs: MapObject[]): { insns: Insn[]; used: Set<number> } {
  const insns = ps.insns.map((x) => ({ ...x }));
  const used = new Set<number>();
  for (const r of ps.relocations) {
    const at = insns[r.insnIndex];
    if (!at) throw new LoadError(`prog '${ps.name}': relocation at insn ${r.insnIndex} is outside the program`, -EINVAL);
    if (r.kind === 'subprog_call') continue;
    if (at.code !== LD_IMM64) throw new LoadError(`prog '${ps.name}': relocation at insn ${r.insnIndex} is not ld_imm64`, -EINVAL);
    if (r.kind === 'func') {
      setImm64(insns, r.insnIndex, r.targetInsn ?? 0);
      continue;
    }
    const mo = r.mapIndex === undefined ? undefined : mapObjs[r.mapIndex];
    if (!mo) throw new LoadError(`prog '${ps.name}': insn ${r.insnIndex} refers to unknown map '${r.mapName}'`, -EINVAL);
    used.add(r.mapIndex!);
    if (r.kind === 'map_fd') {
      setImm64(insns, r.insnIndex, mo.ptr);
    } else {
      if (!(mo.map instanceof ArrayMap)) throw new LoadError(`prog '${ps.name}': map value relocation into non-array map '${mo.name}'`, -EINVAL);
      setImm64(insns, r.insnIndex, mo.map.elemPtr(0) + (r.offset ?? 0));
    }
  }
  return { insns, used };
}

/** license_is_gpl_compatible */
function isGpl(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

export function loadCollection(rt: Runtime, bytes: Uint8Array, opts: LoadOptions): BpfObject {
  const spec = parseObject(bytes, opts.name === undefined ? {} : { name: objectNameFromPath(opts.name) });
  const mapObjs: MapObject[] = [];
  const progObjs: ProgObject[] = [];
  const metas = spec.maps.map((ms) => mapMetaFor(spec, ms));
  try {
    for (const ms of spec.maps) {
      let map;
      try {
        map = createMap(rt.mapEnv, mapSpecFor(spec, ms));
      } catch (e) {
        if (e instanceof MapError) throw new LoadError(`map '${ms.name}': ${e.message}`, e.errno);
        throw e;
      }
      const mo = rt.registerMap(map, spec.btf ? { btf: spec.btf, keyTypeId: ms.keyTypeId, valueTypeId: ms.valueTypeId } : undefined);
      mapObjs.push(mo);
      if (ms.globalData && ms.globalData.initial.length > 0) {
        map.update(new Uint8Array(4), ms.globalData.initial.slice(0, ms.valueSize), 0);
      }
    }
    // initial map-in-map slots: the outer map stores the inner map (a map id, as an fd would resolve)
    spec.maps.forEach((ms, i) => {
      for (const slot of ms.initialSlots) {
        if (slot.kind !== 'map') continue;
        const inner = mapObjs[spec.maps.findIndex((m) => m.name === slot.name)];
        if (!inner) throw new LoadError(`map '${ms.name}': slot ${slot.index} names unknown map '${slot.name}'`, -EINVAL);
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, slot.index, true);
        const val = new Uint8Array(4);
        new DataView(val.buffer).setUint32(0, inner.map.id, true);
        mapObjs[i]!.map.update(key, val, 0);
      }
    });
    for (const ps of spec.programs) {
      if (ps.type === 0) throw new LoadError(`prog '${ps.name}': unknown section '${ps.section}'`, -EINVAL);
      // the spec's instructions carry map indexes and relative callback offsets: the verifier's input form
      verify({ insns: ps.insns, progType: ps.type, gpl: isGpl(spec.license), maps: metas });
      const { insns, used } = relocate(ps, mapObjs);
      const maps = [...used].map((i) => {
        mapObjs[i]!.inc();
        return mapObjs[i]!;
      });
      progObjs.push(rt.createProg(ps.name, ps.type, insns, maps));
    }
  } catch (e) {
    for (const p of progObjs) p.put();
    for (const m of mapObjs) m.put();
    throw e;
  }
  // hand the creation references over to user handles
  const maps = new Map<string, MapHandle>();
  const dataMaps = new Map<string, MapObject>();
  spec.maps.forEach((ms, i) => {
    const mo = mapObjs[i]!;
    maps.set(ms.name, new MapHandle(mo));
    // remembered without a reference: as in the kernel, a data map no program
    // uses is freed when its user references go, and then reads as 'freed'
    if (ms.globalData) dataMaps.set(ms.section, mo);
    mo.put();
  });
  const progs = new Map<string, Program>();
  spec.programs.forEach((ps, i) => {
    const po = progObjs[i]!;
    progs.set(ps.name, new Program(po));
    po.put();
  });
  return new BpfObject(spec, maps, progs, dataMaps);
}

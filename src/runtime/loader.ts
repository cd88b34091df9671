// ObjectSpec -> live objects, as libbpf's bpf_object__load does: apply the
// per-program options (type, expected attach type, autoload), compute the
// initial global data (skeleton-style values, .kconfig externs), create the
// maps and freeze .rodata/.kconfig, resolve relocations to arena addresses,
// verify and load every autoload program. A failure releases everything
// created so far, so nothing leaks from a rejected load.

import { decodeValue, type TypedValue } from '../btf/codec.js';
import { BPF_FUNC_loop_inlined } from '../helpers/loop.js';
import { parseObject, objectNameFromPath, type ObjectSpec, type ProgramSpec } from '../object/index.js';
import type { MapSpec as ObjMapSpec, GlobalVariable } from '../object/maps.js';
import { parseFields } from '../btf/fields.js';
import { btfCheckMeta } from '../btf/check.js';
import type { Btf } from '../btf/btf.js';
import { BTF_KIND_INT, BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC, BTF_KIND_TYPEDEF, BTF_KIND_VAR } from '../btf/types.js';
import { btfKindStr, typesAreCompat } from '../btf/core.js';
import { createMap, checkMapSpec, MapError, type MapEnv, type MapSpec } from '../maps/map.js';
import {
  BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_DEVMAP,
  BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_QUEUE,
  BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_XSKMAP,
  BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SCHED_ACT,
  BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_STRUCT_OPS, BPF_PROG_TYPE_SYSCALL,
  BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_XDP,
} from '../uapi/bpf.js';
import { ArrayMap } from '../maps/arraymap.js';
import { FdArrayMap } from '../maps/fd_arraymap.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { MapObject, MapHandle } from './map.js';
import { Program, type ProgObject } from './program.js';
import type { Runtime } from './runtime.js';
import { EINVAL, ENOENT, EOPNOTSUPP, EPERM, ESRCH } from '../uapi/errno.js';
import { ITER_TARGET_NAMES } from '../verifier/iter_ctx.js';
import {
  BPF_LSM_CGROUP, BPF_LSM_MAC, BPF_MODIFY_RETURN, BPF_TRACE_ITER, BPF_TRACE_RAW_TP, PROG_TYPE_NAMES, attachTypeByName, progTypeByName,
} from '../object/prog_types.js';
import { type AttachTarget, attachTargetOf } from '../verifier/btf_ctx.js';
import { ObjectError } from '../object/errors.js';
import { KconfigError, resolveKconfig, type KconfigValue } from './kconfig.js';
import { BtfEncodeError, encodeBtfValue } from '../btf/encode.js';
import { funcIdName } from '../isa/funcids.js';
import { BPF_F_RDONLY_PROG, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF } from '../uapi/bpf.js';
import { RingBuffer, UserRingBuffer, type RingbufOptions } from './ringbuf.js';
import { PerfBuffer, type PerfBufferOptions } from './perf_buffer.js';
import { verify, verifyOrReject } from '../verifier/verifier.js';
import { CoreLoadError, coreProgram, fixupCoreRejection, resolveObjectCore } from './core_load.js';
import { CORE_POISON_IMM } from '../object/core_relo.js';
import { kfuncById, kfuncByName, kfuncHelperId, kfuncImplemented } from '../kfuncs/index.js';
import {
  BPF_LDX, BPF_MEMSX, BPF_MODE, BPF_PROBE_MEM, BPF_PROBE_MEMSX, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_SIZE,
} from '../isa/opcodes.js';
import { VerifierError, type MapMeta, type VerifierInput, type VerifierResult } from '../verifier/env.js';

/** Per-program settings made between open and load (libbpf's bpf_program__set_*). */
export interface ProgramOptions {
  /** bpf_program__set_type: 'xdp', 'sched_cls', ... (libbpf's names) or the enum bpf_prog_type number */
  type?: number | string;
  /** bpf_program__set_expected_attach_type: 'xdp_devmap', 'tcx_ingress', ... or the number */
  expectedAttachType?: number | string;
  /** bpf_program__set_autoload: false skips the program (it is not verified and cannot run) */
  autoload?: boolean;
}

/** Global variables by name, set before load as a skeleton does (values typed by BTF, see src/btf/encode.ts). */
export type GlobalInit = Readonly<Record<string, unknown>>;

export interface LoadOptions {
  /** object name (default: from the path) */
  name?: string;
  /** per-program type / expected attach type / autoload, by program (function) name */
  programs?: Readonly<Record<string, ProgramOptions>>;
  /** values of .kconfig externs (CONFIG_*, and LINUX_* to override the emulated kernel's); see DEFAULT_KCONFIG */
  kconfig?: Readonly<Record<string, KconfigValue>>;
  /** initial values of .rodata variables (frozen after load: the verifier sees them as constants) */
  rodata?: GlobalInit;
  /** initial values of .data variables */
  data?: GlobalInit;
  /** initial values of .bss variables */
  bss?: GlobalInit;
  /** initial values by name in whichever of .rodata/.data/.bss holds the variable (the CLI's --set) */
  globals?: GlobalInit;
  /** libbpf's warnings that do not fail the load (e.g. a truncated kconfig string) */
  onWarning?: (message: string) => void;
  /** verifier log level for every program (default: 0, and after a rejection 1 for its log, as libbpf retries) */
  logLevel?: 0 | 1 | 2;
  /** each program's verdict as it is verified: the log and stats, or the rejection (`tsbpf prog load`) */
  onVerified?: (prog: string, outcome: VerifierResult | VerifierError) => void;
  /** libbpf's CO-RE debug lines ("prog 'X': relo #0: patched insn #3 (LDX/ST/STX) off 4 -> 8"), once relocations are applied */
  onCoreLog?: (lines: string[]) => void;
}

export class LoadError extends Error {
  constructor(message: string, readonly errno: number, readonly log?: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/** What happened to one program of the object at load (libbpf: loaded, or skipped with autoload off). */
export interface ProgramLoadResult {
  name: string;
  section: string;
  /** enum bpf_prog_type after the options (0: unknown) */
  type: number;
  expectedAttachType: number;
  autoload: boolean;
  loaded: boolean;
}

/** A typed global variable value: numbers for ints up to 32 bits, bigint for 64, arrays of those, else bytes. */
export type GlobalValue = number | bigint | (number | bigint)[] | Uint8Array;

export interface GlobalInfo {
  name: string;
  section: string;
  offset: number;
  size: number;
  /** the variable's BTF type (0 without BTF) */
  typeId: number;
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
    /** every program of the object, loaded or not */
    readonly programResults: readonly ProgramLoadResult[] = [],
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
    if (p) return p;
    if (this.programResults.some((r) => r.name === name && !r.loaded)) {
      throw new LoadError(`program '${name}' of ${this.spec.name} was not loaded (autoload is off)`, -ENOENT);
    }
    throw new LoadError(`no program '${name}' in ${this.spec.name} (have: ${this.programNames().join(', ')})`, -ENOENT);
  }

  /** A map by name: libbpf's name ('timers', 'obj.bss') or its section ('.bss'). */
  map(name: string): MapHandle {
    const m = this.maps.get(name) ?? [...this.maps.values()].find((h) => sectionOf(this.spec, h.name) === name);
    if (!m) throw new LoadError(`no map '${name}' in ${this.spec.name} (have: ${this.mapNames().join(', ')})`, -2);
    return m;
  }

  /** A consumer on a BPF_MAP_TYPE_RINGBUF map (its own user reference): consume(), poll(), for await. */
  ringbuf(name: string, opts: RingbufOptions = {}): RingBuffer {
    return new RingBuffer(new MapHandle(this.map(name).object), this.spec.btf, opts);
  }

  /** Per-CPU perf buffers on a BPF_MAP_TYPE_PERF_EVENT_ARRAY map (libbpf's perf_buffer__new). */
  perfBuffer(name: string, opts: PerfBufferOptions = {}): PerfBuffer {
    return new PerfBuffer(new MapHandle(this.map(name).object), this.spec.btf, opts);
  }

  /** A producer on a BPF_MAP_TYPE_USER_RINGBUF map (its own user reference). */
  userRingbuf(name: string): UserRingBuffer {
    return new UserRingBuffer(new MapHandle(this.map(name).object));
  }

  /** Global variables of .data/.bss/.rodata (and .data.*, ...), in section then offset order. */
  globals(sections?: (section: string) => boolean): GlobalInfo[] {
    const out: GlobalInfo[] = [];
    for (const ms of this.spec.maps) {
      const gd = ms.globalData;
      if (!gd || (sections && !sections(ms.section))) continue;
      const vars = [...gd.variables].sort((a, b) => a.offset - b.offset);
      for (const v of vars) out.push({ name: v.name, section: ms.section, offset: v.offset, size: v.size, typeId: v.typeId ?? 0, shape: shapeOf(this.spec.btf, v) });
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

  /**
   * A typed read of a global variable (DESIGN: `obj.global('ok')`), decoded
   * by its BTF type as map values are (README "Typed data": up to 32-bit
   * integers as numbers, 64-bit as bigint, structs as objects, char arrays as
   * strings, enums by name). Without BTF: the raw bytes.
   */
  global(name: string): TypedValue {
    const g = this.globals().find((x) => x.name === name);
    if (!g) throw new LoadError(`no global variable '${name}' in ${this.spec.name}`, -2);
    const bytes = this.globalBytes(name);
    if (!bytes) throw new LoadError(`global '${name}': its map has been freed`, -2);
    const btf = this.spec.btf;
    if (btf && g.typeId) {
      try {
        return decodeValue(btf, g.typeId, bytes);
      } catch {
        // a type the codec cannot decode: fall back to the plain view
      }
    }
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

/** What map creation depends on besides the object: the runtime's map layer and capabilities. */
interface LoadCtx {
  mapEnv: MapEnv;
  /** CAP_BPF (RuntimeOptions.capBpf) */
  capBpf: boolean;
  /** the object's BTF is in the kernel: BPF_BTF_LOAD needs CAP_BPF and a BTF its checker accepts */
  btfLoaded: boolean;
}

// Map types libbpf creates without BTF whatever the object says
// (bpf_object__create_map zeroes btf_fd and the key/value type ids for them).
const BTF_LESS_MAP_TYPES = new Set([
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP,
  BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_ARENA,
]);

/**
 * libbpf passes BTF to BPF_MAP_CREATE: the object's BTF is loaded (BPF_BTF_LOAD
 * needs CAP_BPF; without it libbpf goes on without BTF), the map has a key or
 * value type, and its type takes BTF.
 */
function offersBtf(spec: ObjectSpec, ms: ObjMapSpec, ctx: LoadCtx): boolean {
  return ctx.btfLoaded && !!spec.btf && !!(ms.keyTypeId || ms.valueTypeId) && !BTF_LESS_MAP_TYPES.has(ms.type);
}

/**
 * The map layer's spec for an object map: sizes, flags and the special fields
 * from BTF. `btfless`: the map is created without BTF (libbpf's retry), so
 * it has no special fields.
 */
function mapSpecFor(spec: ObjectSpec, ms: ObjMapSpec, ctx: LoadCtx, btfless = false): MapSpec {
  const out: MapSpec = {
    type: ms.type, keySize: ms.keySize, valueSize: ms.valueSize, maxEntries: ms.maxEntries, flags: ms.flags,
    // libbpf truncates names to BPF_OBJ_NAME_LEN - 1 before BPF_MAP_CREATE
    name: ms.name.slice(0, 15),
    mapExtra: ms.mapExtra,
  };
  libbpfAdjustMapDef(out, ctx.mapEnv.nCpus);
  // BPF_MAP_CREATE with btf_key_type_id and btf_value_type_id (local storage maps require both)
  if (!btfless && offersBtf(spec, ms, ctx) && spec.btf && ms.keyTypeId && ms.valueTypeId) {
    out.btf = { keyI32: btfTypeIsI32(spec.btf, ms.keyTypeId) };
  }
  if (!btfless && offersBtf(spec, ms, ctx) && spec.btf && ms.valueTypeId) {
    const rec = parseFields(spec.btf, ms.valueTypeId);
    if (!rec.error && (rec.timerOff >= 0 || rec.spinLockOff >= 0)) {
      out.specialFields = { timers: rec.timerOff >= 0 ? [rec.timerOff] : [] };
      if (rec.spinLockOff >= 0) out.specialFields.spinLock = rec.spinLockOff;
    }
  }
  if (ms.inner) out.inner = mapSpecFor(spec, ms.inner, ctx, innerTemplateBtfless(spec, ms.inner, ctx));
  return out;
}

/** btf_type_is_i32 of the key type after typedefs and modifiers (map_check_btf's btf_type_id_size) */
function btfTypeIsI32(btf: Btf, id: number): boolean {
  try {
    const t = btf.resolve(id);
    return t.kind === BTF_KIND_INT && t.size === 4 && t.bits === 32 && t.bitOffset === 0;
  } catch {
    return false;
  }
}

/**
 * What libbpf changes in a map definition before BPF_MAP_CREATE: a ring
 * buffer's size rounded up to a power-of-2 multiple of the page size
 * (adjust_ringbuf_sz), a perf event array without max_entries gets one slot
 * per possible CPU.
 */
function libbpfAdjustMapDef(def: MapSpec, nCpus: number): void {
  if (def.type === BPF_MAP_TYPE_RINGBUF || def.type === BPF_MAP_TYPE_USER_RINGBUF) {
    const sz = def.maxEntries;
    const page = 4096;
    if (sz === 0 || (sz % page === 0 && ((sz / page) & (sz / page - 1)) === 0)) return;
    for (let mul = 1; mul <= Math.floor(0xffffffff / page); mul *= 2) {
      if (mul * page > sz) { def.maxEntries = mul * page; return; }
    }
  } else if (def.type === BPF_MAP_TYPE_PERF_EVENT_ARRAY && def.maxEntries === 0) {
    def.maxEntries = nCpus;
  }
}

/**
 * libbpf creates the inner map template as a map of its own (with the same
 * BTF retry) before the outer map: whether that template ends up BTF-less.
 */
function innerTemplateBtfless(spec: ObjectSpec, inner: ObjMapSpec, ctx: LoadCtx): boolean {
  return offersBtf(spec, inner, ctx) && btfRejected(ctx, mapSpecFor(spec, inner, ctx));
}

/** Would BPF_MAP_CREATE with BTF fail where it succeeds without? (map_check_btf refusing the special fields for the map type) */
function btfRejected(ctx: LoadCtx, withBtf: MapSpec): boolean {
  if (!withBtf.specialFields) return false;
  const { specialFields: _sf, ...without } = withBtf;
  return checkMapSpec(ctx.mapEnv, withBtf) < 0 && checkMapSpec(ctx.mapEnv, without) === 0;
}

/** What the verifier needs to know of a map (the kernel's bpf_map fields it reads). */
function mapMetaFor(spec: ObjectSpec, ms: ObjMapSpec, ctx: LoadCtx, btfless = false): MapMeta {
  const m = mapSpecFor(spec, ms, ctx, btfless);
  const meta: MapMeta = {
    type: ms.type, keySize: ms.keySize, valueSize: ms.valueSize, maxEntries: ms.maxEntries, flags: ms.flags,
    timerOff: m.specialFields?.timers[0] ?? -1, spinLockOff: m.specialFields?.spinLock ?? -1,
    name: ms.name, hasBtf: !btfless && offersBtf(spec, ms, ctx) && !!ms.valueTypeId,
  };
  if (ms.inner) meta.inner = mapMetaFor(spec, ms.inner, ctx, innerTemplateBtfless(spec, ms.inner, ctx));
  // .rodata/.kconfig: rdonlyValue and frozenValue are set where loadCollection freezes them (with the user's values)
  return meta;
}

/** ld_imm64 at i gets the 64-bit value v with no pseudo source (what engines execute). */
function setImm64(insns: Insn[], i: number, v: number): void {
  insns[i] = { ...insns[i]!, src: 0, imm: v | 0 };
  insns[i + 1] = { ...insns[i + 1]!, imm: 0 };
}

/** Relocated program: engine instructions and the indexes of the maps it uses. */
function relocate(ps: ProgramSpec, mapObjs: MapObject[], ksymVar: (name: string) => number): { insns: Insn[]; used: Set<number> } {
  const insns = ps.insns.map((x) => ({ ...x }));
  const used = new Set<number>();
  for (const r of ps.relocations) {
    const at = insns[r.insnIndex];
    if (!at) throw new LoadError(`prog '${ps.name}': relocation at insn ${r.insnIndex} is outside the program`, -EINVAL);
    // a verified typed ksym: the address of the runtime's variable (the kernel's check_pseudo_btf_id puts kallsyms' there)
    if (r.kind === 'ksym' && at.code === LD_IMM64 && at.src === BPF_PSEUDO_BTF_ID) {
      const addr = ksymVar(r.symbol!);
      insns[r.insnIndex] = { ...at, src: 0, imm: addr | 0 };
      insns[r.insnIndex + 1] = { ...insns[r.insnIndex + 1]!, imm: 0 };
      continue;
    }
    // calls, and externs resolved before verification (resolveKfuncExterns, resolveKsymVars)
    if (r.kind === 'subprog_call' || r.kind === 'kfunc' || r.kind === 'ksym') continue;
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
export function isGpl(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

/**
 * Program types tsbpf can verify and run (a context, ctx access rules and a
 * test run). Anything else is refused at load, naming the program.
 */
export const RUNNABLE_PROG_TYPES: Set<number> = new Set([
  BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT,
  BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_RAW_TRACEPOINT,
  BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_PERF_EVENT,
]);

/**
 * The program specs with the user's options applied, as libbpf's
 * bpf_program__set_type / set_expected_attach_type / set_autoload do between
 * open and load. A changed type drops the section's handler (libbpf resets
 * sec_def), so its flags (sleepable, attach-BTF, XDP frags) no longer apply.
 */
function applyProgramOptions(spec: ObjectSpec, opts: LoadOptions): ProgramSpec[] {
  const given = opts.programs ?? {};
  for (const name of Object.keys(given)) {
    if (!spec.programs.some((p) => p.name === name)) {
      throw new LoadError(`programs: no program '${name}' in ${spec.name} (have: ${spec.programs.map((p) => p.name).join(', ')})`, -ENOENT);
    }
  }
  return spec.programs.map((ps) => {
    const o = Object.prototype.hasOwnProperty.call(given, ps.name) ? given[ps.name]! : {};
    const out: ProgramSpec = { ...ps };
    if (o.type !== undefined) {
      const t = progTypeByName(o.type);
      if (t === undefined || !(t in PROG_TYPE_NAMES)) throw new LoadError(`prog '${ps.name}': unknown program type ${JSON.stringify(o.type)} (libbpf's names: ${Object.values(PROG_TYPE_NAMES).join(', ')})`, -EINVAL);
      if (t !== ps.type) Object.assign(out, { type: t, sleepable: false, attachBtf: false, xdpFrags: false });
    }
    if (o.expectedAttachType !== undefined) {
      const a = attachTypeByName(o.expectedAttachType);
      if (a === undefined) throw new LoadError(`prog '${ps.name}': unknown expected attach type ${JSON.stringify(o.expectedAttachType)}`, -EINVAL);
      out.expectedAttachType = a;
    }
    if (o.autoload !== undefined) {
      if (typeof o.autoload !== 'boolean') throw new LoadError(`prog '${ps.name}': autoload must be true or false`, -EINVAL);
      out.autoload = o.autoload;
    }
    return out;
  });
}

/**
 * libbpf's find_kernel_btf_id for SEC_ATTACH_BTF programs (the name after
 * the section's '/': a FUNC, `btf_trace_<tp>` TYPEDEF for tp_btf,
 * `bpf_lsm_<hook>` FUNC for lsm), then the kernel's bpf_check_attach_target
 * checks tsbpf models (the target's prototype; fmod_ret only on
 * security_* functions: the error-injection list is not known here).
 */
function findAttachTarget(ps: ProgramSpec, btf: Btf): AttachTarget {
  const name = ps.section.slice(ps.section.indexOf('/') + 1);
  const a = ps.expectedAttachType;
  const [prefix, kind] = a === BPF_TRACE_RAW_TP ? ['btf_trace_', BTF_KIND_TYPEDEF]
    : a === BPF_LSM_MAC || a === BPF_LSM_CGROUP ? ['bpf_lsm_', BTF_KIND_FUNC] : ['', BTF_KIND_FUNC];
  const t = btf.typeByName(prefix + name, kind);
  if (!t) throw new LoadError(`prog '${ps.name}': failed to find kernel BTF type ID of '${name}': -${ESRCH}`, -ESRCH);
  const target = attachTargetOf(btf, t.id, a);
  if (!target) throw new LoadError(`prog '${ps.name}': attach_btf_id ${t.id} (${prefix + name}) has no function prototype`, -EINVAL);
  if (a === BPF_MODIFY_RETURN && !name.startsWith('security_')) {
    throw new LoadError(`prog '${ps.name}': ${name}() is not modifiable`, -EINVAL, `${name}() is not modifiable\n`);
  }
  return target;
}

/** Why tsbpf cannot load this (autoload-on) program, or undefined: libbpf's checks, then ours. */
function programLoadError(ps: ProgramSpec, capBpf: boolean): LoadError | undefined {
  if (ps.type === 0) return new LoadError(`prog '${ps.name}': missing BPF prog type, check ELF section name '${ps.section}'`, -EINVAL);
  // libbpf_prepare_prog_load: SEC("fentry") etc. need a target
  if (ps.attachBtf && !ps.section.includes('/')) {
    return new LoadError(`prog '${ps.name}': no BTF-based attach target is specified, use bpf_program__set_attach_target()`, -EINVAL);
  }
  if (ps.type === BPF_PROG_TYPE_STRUCT_OPS) {
    return new LoadError(`prog '${ps.name}': struct_ops programs (SEC("${ps.section}")) are not supported by tsbpf`, -EOPNOTSUPP);
  }
  // iterators load (the verifier types their context) for the targets tsbpf knows; they never run
  if (ps.type === BPF_PROG_TYPE_TRACING && ps.expectedAttachType === BPF_TRACE_ITER && !ITER_TARGET_NAMES.includes(ps.attachTo)) {
    return new LoadError(`prog '${ps.name}': BPF iterator target '${ps.attachTo}' (SEC("${ps.section}")) is not supported by tsbpf (supported: ${ITER_TARGET_NAMES.join(', ')})`, -EOPNOTSUPP);
  }
  if (!RUNNABLE_PROG_TYPES.has(ps.type)) {
    const tn = PROG_TYPE_NAMES[ps.type] ?? `type ${ps.type}`;
    return new LoadError(`prog '${ps.name}': program type ${tn} (SEC("${ps.section}")) is not supported by tsbpf`, -EOPNOTSUPP);
  }
  // bpf_prog_load: without CAP_BPF only socket filter and cgroup skb programs load
  if (!capBpf && ps.type !== BPF_PROG_TYPE_SOCKET_FILTER && ps.type !== BPF_PROG_TYPE_CGROUP_SKB) {
    return new LoadError(`prog '${ps.name}': this program type needs CAP_BPF (the runtime has capBpf: false)`, -EPERM);
  }
  return undefined;
}

/**
 * Initial bytes of every global-data map: the section's contents, the
 * skeleton-style values of `opts.rodata/data/bss`, and the .kconfig values
 * (libbpf's bpf_object__resolve_externs).
 */
function initialValues(spec: ObjectSpec, opts: LoadOptions, rtKconfig: Readonly<Record<string, KconfigValue>>): Map<ObjMapSpec, Uint8Array> {
  const out = new Map<ObjMapSpec, Uint8Array>();
  for (const ms of spec.maps) if (ms.globalData) out.set(ms, ms.globalData.initial.slice(0, ms.valueSize));
  for (const kind of ['rodata', 'data', 'bss', 'globals'] as const) {
    const init = opts[kind];
    if (init === undefined) continue;
    if (typeof init !== 'object' || init === null) throw new LoadError(`${kind}: expected an object of variable values`, -EINVAL);
    const sections = spec.maps.filter((m) => m.globalData && m.globalData.kind !== 'kconfig' && (kind === 'globals' || m.globalData.kind === kind));
    for (const [name, value] of Object.entries(init)) {
      const ms = sections.find((m) => m.globalData!.variables.some((v) => v.name === name));
      const v = ms?.globalData!.variables.find((x) => x.name === name);
      if (!ms || !v) {
        const have = sections.flatMap((m) => m.globalData!.variables.map((x) => x.name));
        throw new LoadError(`${kind}: no variable '${name}' in ${spec.name}'s ${kind === 'globals' ? 'global data' : `.${kind}`} (have: ${have.join(', ') || 'none'})`, -ENOENT);
      }
      const bytes = out.get(ms)!;
      try {
        if (spec.btf && v.typeId) encodeBtfValue(spec.btf, v.typeId, value, bytes, v.offset, name);
        else if (value instanceof Uint8Array && value.length === v.size) bytes.set(value, v.offset);
        else throw new BtfEncodeError(name, `the object has no BTF for it: give a Uint8Array of ${v.size} bytes`);
      } catch (e) {
        if (e instanceof BtfEncodeError) throw new LoadError(`${kind}: ${e.message}`, -EINVAL);
        throw e;
      }
    }
  }
  const kc = spec.maps.find((m) => m.globalData?.kind === 'kconfig');
  if (kc) {
    try {
      out.set(kc, resolveKconfig(spec.kconfig, kc.valueSize, { ...rtKconfig, ...(opts.kconfig ?? {}) }, undefined, opts.onWarning));
    } catch (e) {
      if (e instanceof KconfigError) throw new LoadError(e.message, e.errno);
      throw e;
    }
  }
  // as libbpf: Kconfig values for externs the object does not have are ignored
  return out;
}

export function loadCollection(rt: Runtime, bytes: Uint8Array, opts: LoadOptions): BpfObject {
  let spec: ObjectSpec;
  try {
    spec = parseObject(bytes, opts.name === undefined ? {} : { name: objectNameFromPath(opts.name) });
  } catch (e) {
    // an ObjectError naming libbpf's errno (e.g. -EOPNOTSUPP for an unsupported kcfg type) loads as that errno
    if (e instanceof ObjectError && e.errno !== undefined) throw new LoadError(e.message, e.errno);
    throw e;
  }
  const programs = applyProgramOptions(spec, opts);
  const initial = initialValues(spec, opts, rt.kconfig);
  // CO-RE first, as libbpf's bpf_object__relocate_core: against the runtime's target BTF
  let core;
  try {
    // records of programs that will not load are left alone (libbpf skips autoload-off programs)
    core = resolveObjectCore(spec, () => rt.coreTarget, (func) => programs.some((p) => p.name === func && !p.autoload));
  } catch (e) {
    if (e instanceof CoreLoadError) throw new LoadError(e.message, e.errno, e.log);
    throw e;
  }
  if (core) opts.onCoreLog?.(core.log);
  const mapObjs: MapObject[] = [];
  const progObjs: (ProgObject | undefined)[] = [];
  // bpf_object__load_btf: a BTF the kernel's checker refuses is dropped ("BTF is
  // optional, ignoring"): maps are then created without it and programs get no
  // func_info/line_info, as with libbpf
  let btfLoaded = rt.capBpf && !!spec.btf;
  const refusedBtf = btfLoaded ? btfCheckMeta(spec.btf!) : undefined;
  if (refusedBtf) {
    btfLoaded = false;
    opts.onWarning?.(`libbpf: Error loading .BTF into kernel: -22 (the kernel's BTF checker: type [${refusedBtf.typeId}] ${refusedBtf.message}). BTF is optional, ignoring.`);
  }
  const ctx: LoadCtx = { mapEnv: rt.mapEnv, capBpf: rt.capBpf, btfLoaded };
  const metas: MapMeta[] = [];
  try {
    for (const ms of spec.maps) {
      // bpf_object__create_map: BPF_MAP_CREATE with BTF; if that fails (e.g.
      // the kernel refuses a bpf_timer in a per-CPU map), libbpf warns
      // "Retrying without BTF." and creates the map again without BTF, hence
      // without special fields.
      const create = (s: MapSpec) => {
        try {
          return createMap(rt.mapEnv, s);
        } catch (e) {
          if (e instanceof MapError) throw new LoadError(`map '${ms.name}': ${e.message}`, e.errno);
          throw e;
        }
      };
      let btfless = !offersBtf(spec, ms, ctx);
      let retried = false;
      let map;
      try {
        map = create(mapSpecFor(spec, ms, ctx, btfless));
      } catch (e) {
        if (!(e instanceof LoadError) || btfless) throw e;
        btfless = retried = true;
        map = create(mapSpecFor(spec, ms, ctx, true));
      }
      const meta = mapMetaFor(spec, ms, ctx, btfless);
      metas.push(meta);
      const mo = rt.registerMap(map, spec.btf && ctx.btfLoaded && !retried ? { btf: spec.btf, keyTypeId: ms.keyTypeId, valueTypeId: ms.valueTypeId } : undefined);
      mapObjs.push(mo);
      const init = initial.get(ms);
      if (init && init.length > 0) {
        map.update(new Uint8Array(4), init, 0);
      }
      // bpf_object__populate_internal_map: .rodata and .kconfig are frozen
      // before any program loads, so the verifier reads them as constants
      const kind = ms.globalData?.kind;
      if (init && (kind === 'rodata' || kind === 'kconfig')) {
        try {
          map.freeze();
        } catch (e) {
          if (e instanceof MapError) throw new LoadError(`map '${ms.name}': failed to freeze as read-only: ${e.message}`, e.errno);
          throw e;
        }
        // the verifier reads it as constants (loads, ARG_PTR_TO_CONST_STR)
        meta.frozenValue = init;
        if (ms.flags & BPF_F_RDONLY_PROG) meta.rdonlyValue = init;
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
        try {
          mapObjs[i]!.map.update(key, val, 0);
        } catch (e) {
          // libbpf: "map 'outer': failed to initialize slot [i] to map 'inner'" (e.g. an incompatible inner map)
          if (e instanceof MapError) throw new LoadError(`map '${ms.name}': failed to initialize slot [${slot.index}] to map '${slot.name}': ${e.message}`, e.errno);
          throw e;
        }
      }
    });
    for (const ps0 of programs) {
      // libbpf: "prog 'x': skipped loading" -- not verified, no fd
      if (!ps0.autoload) {
        progObjs.push(undefined);
        continue;
      }
      let ps: ProgramSpec;
      try {
        ps = coreProgram(spec, ps0, core);
      } catch (e) {
        if (e instanceof CoreLoadError) throw new LoadError(e.message, e.errno, e.log);
        throw e;
      }
      const refused = programLoadError(ps, ctx.capBpf);
      if (refused) throw refused;
      // the spec's instructions carry map indexes and relative callback offsets: the verifier's input form
      // libbpf's bpf_object__resolve_externs: the BTF id of each extern function, the address of each .ksyms variable
      resolveKfuncExterns(ps);
      const typedKsyms = resolveKsymVars(ps, rt, spec);
      // libbpf_find_attach_btf_id: fentry/fexit/fmod_ret/tp_btf/lsm name their target in the kernel's BTF
      // (an iterator's context is typed by its target's struct bpf_iter__<target> instead: iter_ctx.ts)
      const attachTarget = ps.attachBtf && ps.expectedAttachType !== BPF_TRACE_ITER ? findAttachTarget(ps, rt.coreTarget.btf) : undefined;
      let verdict: VerifierResult;
      try {
        const input: VerifierInput = {
          insns: ps.insns, progType: ps.type, expectedAttachType: ps.expectedAttachType, attachTo: ps.attachTo, gpl: isGpl(spec.license), maps: metas,
          capBpf: ctx.capBpf, sleepable: ps.sleepable, ...(ctx.btfLoaded ? verifierBtfInfo(spec, ps) : {}),
          // the kernel BTF: typed kernel variables, and the structs kernel objects are laid out (and walked) by
          targetBtf: rt.coreTarget.btf,
          ...(typedKsyms ? { ksymAddress: (name: string) => rt.ksymVars.has(name) } : {}),
          ...(attachTarget ? { attachTarget } : {}),
        };
        if (opts.logLevel !== undefined) {
          verdict = verify({ ...input, logLevel: opts.logLevel });
        } else {
          // libbpf's way: load without a log (cheap; a level-1 log of an
          // accepted program is its stats line alone, the same as level 0's),
          // and only after a rejection again at level 1 for the log
          const v0 = verifyOrReject({ ...input, logLevel: 0 });
          if ('rejected' in v0) {
            // verification does not depend on the log level: the retry throws
            // the same rejection, now with the log
            verify({ ...input, logLevel: 1 });
            throw new VerifierError(v0.message, v0.errno, v0.log, v0.insnIndex);
          }
          verdict = v0;
        }
      } catch (e0) {
        const e = fixupCoreRejection(spec, ps, e0);
        if (e instanceof VerifierError) opts.onVerified?.(ps.name, e);
        throw e;
      }
      opts.onVerified?.(ps.name, verdict);
      // the verifier checks every helper by its 6.18 prototype; one tsbpf cannot run is refused here, after verification
      const missing = verdict.helpers.filter((id) => !rt.implementsHelper(id));
      if (missing.length > 0) {
        const names = missing.map((id) => `${funcIdName(id)}#${id}`).join(', ');
        throw new LoadError(`prog '${ps.name}': passed verification, but tsbpf does not implement helper ${names}`, -EOPNOTSUPP);
      }
      const { insns, used } = relocate(ps, mapObjs, (name) => rt.ksymVars.address(name));
      // verified kfunc calls run as the runtime's internal helper ids
      bindKfuncCalls(ps, insns);
      // optimize_bpf_loop: the call sites the verifier found fit to inline run the inlined semantics
      for (const i of verdict.inlinedLoops) insns[i] = { ...insns[i]!, imm: BPF_FUNC_loop_inlined };
      // convert_ctx_accesses: loads through kernel pointers become BPF_PROBE_MEM(SX) (a fault reads 0)
      for (const i of verdict.probeMem ?? []) {
        const x = insns[i]!;
        insns[i] = { ...x, code: BPF_LDX | BPF_SIZE(x.code) | (BPF_MODE(x.code) === BPF_MEMSX ? BPF_PROBE_MEMSX : BPF_PROBE_MEM) };
      }
      const maps = [...used].map((i) => {
        mapObjs[i]!.inc();
        return mapObjs[i]!;
      });
      // the callbacks' first instructions: the relocated BPF_PSEUDO_FUNC ld_imm64s' constants
      const callbacks: number[] = [];
      ps.insns.forEach((x, i) => {
        if (x.code === LD_IMM64 && x.src === BPF_PSEUDO_FUNC) {
          const at = insns[i]!.imm;
          if (at >= 0 && at < insns.length && !callbacks.includes(at)) callbacks.push(at);
        }
      });
      const po = rt.createProg(ps.name, ps.type, insns, maps, {
        maxCtxOffset: verdict.maxCtxOffset,
        directAccess: verdict.directAccess,
        callbacks,
        compat: { expectedAttachType: ps.expectedAttachType, xdpHasFrags: ps.xdpFrags, sleepable: ps.sleepable, attachTo: ps.attachTo },
      });
      progObjs.push(po);
      checkTailCall(ps.name, po, maps);
    }
    // bpf_object_init_prog_arrays: after every program loaded, `.values = { [i] = &prog }`
    spec.maps.forEach((ms, i) => {
      for (const slot of ms.initialSlots) {
        if (slot.kind !== 'prog') continue;
        const j = spec.programs.findIndex((p) => p.name === slot.name);
        const po = progObjs[j];
        if (!po) throw new LoadError(`map '${ms.name}': slot [${slot.index}] refers to prog '${slot.name}', which is not loaded`, -EINVAL);
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, slot.index, true);
        const val = new Uint8Array(4);
        new DataView(val.buffer).setUint32(0, po.id, true);
        try {
          mapObjs[i]!.map.update(key, val, 0);
        } catch (e) {
          // libbpf: "map '%s': failed to initialize slot [%d] to prog '%s' fd=%d: %s"
          if (e instanceof MapError) throw new LoadError(`map '${ms.name}': failed to initialize slot [${slot.index}] to prog '${slot.name}': ${e.message}`, e.errno);
          throw e;
        }
      }
    });
  } catch (e) {
    // prog arrays hold their programs: cleared as when their fds close (map_release_uref)
    for (const m of mapObjs) if (m.map instanceof FdArrayMap) m.map.releaseUref();
    for (const p of progObjs) p?.put();
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
  const results: ProgramLoadResult[] = [];
  programs.forEach((ps, i) => {
    const po = progObjs[i];
    results.push({ name: ps.name, section: ps.section, type: ps.type, expectedAttachType: ps.expectedAttachType, autoload: ps.autoload, loaded: !!po });
    if (!po) return;
    progs.set(ps.name, new Program(po));
    po.put();
  });
  return new BpfObject(spec, maps, progs, dataMaps, results);
}

/**
 * bpf_check_tail_call (bpf_prog_select_runtime): every prog array the program
 * uses must accept it (the first program becomes the array's owner), else
 * BPF_PROG_LOAD fails with -EINVAL.
 */
function checkTailCall(name: string, po: ProgObject, maps: readonly MapObject[]): void {
  for (const m of maps) {
    if (!(m.map instanceof FdArrayMap) || m.map.ofMaps) continue;
    if (!m.map.progCompatible(po.compat)) {
      throw new LoadError(`prog '${name}': not compatible with prog array '${m.name}' (program type, expected attach type, xdp.frags or sleepable differ from its owner's)`, -EINVAL);
    }
  }
}

/**
 * BTF func_info and line_info of a program as the verifier takes them (the
 * kernel gets both with BPF_PROG_LOAD): subprogram names and linkage, and the
 * C source lines its log prints ("; x = ctx->data; @ file.c:12").
 */
export function verifierBtfInfo(spec: ObjectSpec, ps: ProgramSpec): Pick<VerifierInput, 'funcInfo' | 'lineInfo'> {
  const btf = spec.btf;
  if (!btf || !ps.funcInfo.length) return {};
  const funcInfo = ps.funcInfo.map((f) => {
    const t = btf.type(f.typeId) as { name?: string; linkage?: number };
    return { insnOff: f.insnIndex, name: t.name ?? '', linkage: t.linkage === 0 ? 'static' as const : 'global' as const };
  });
  const lineInfo = ps.lineInfo.map((l) => ({ insnOff: l.insnIndex, line: l.line, fileName: l.fileName, lineNum: l.lineNum }));
  return { funcInfo, lineInfo };
}

/**
 * Resolves the program's kfunc calls by name against tsbpf's kfunc table (the
 * kernel BTF libbpf searches): imm = the kfunc's BTF id. An unknown kfunc
 * fails the load as libbpf does ("not found in kernel or module BTFs",
 * -EINVAL), unless declared __weak: libbpf 1.1 then leaves the call with
 * imm 0, which the verifier refuses only if it is reachable ("invalid kernel
 * function call not eliminated in verifier pass"; libbpf 1.2+ instead
 * poisons it into an invalid helper call, with the same effect).
 */
function resolveKfuncExterns(ps: ProgramSpec): void {
  const kfuncRelos = ps.relocations.filter((r) => r.kind === 'kfunc');
  if (!kfuncRelos.length) return;
  for (const r of kfuncRelos) {
    const name = r.symbol!;
    const k = kfuncByName(name);
    const at = ps.insns[r.insnIndex]!;
    if (k) {
      ps.insns[r.insnIndex] = { ...at, code: 0x85, src: BPF_PSEUDO_KFUNC_CALL, dst: 0, off: 0, imm: k.btfId };
    } else if (r.weak) {
      ps.insns[r.insnIndex] = { ...at, code: 0x85, src: BPF_PSEUDO_KFUNC_CALL, dst: 0, off: 0, imm: 0 };
    } else {
      // libbpf's bpf_object__resolve_externs turns any ksym BTF resolution failure into -EINVAL
      throw new LoadError(`extern (func ksym) '${name}': not found in kernel or module BTFs`, -EINVAL);
    }
  }
}

/** After verification: each kfunc call becomes a call of the runtime's implementation, or the load fails naming it. */
function bindKfuncCalls(ps: ProgramSpec, insns: Insn[]): void {
  insns.forEach((x, i) => {
    if (x.code !== 0x85 || x.src !== BPF_PSEUDO_KFUNC_CALL) return;
    const k = kfuncById(x.imm);
    if (!k || !kfuncImplemented(k.name)) {
      throw new LoadError(`prog '${ps.name}': kfunc ${k?.name ?? `btf_id ${x.imm}`} (insn ${i}) is not implemented by tsbpf`, -EINVAL);
    }
    insns[i] = { ...x, src: 0, off: 0, imm: kfuncHelperId(k.name)! };
  });
}

/**
 * .ksyms variables, as libbpf resolves them: a typeless one
 * (`extern const void x __ksym;`) gets its address from the kernel's symbol
 * table, here the runtime's (`Runtime.ksyms`); a typed one is looked up as a
 * VAR of the kernel's BTF (the target BTF: built-in or the user's vmlinux),
 * its type checked against the object's as bpf_core_types_are_compat does,
 * and left for the verifier as a BPF_PSEUDO_BTF_ID ld_imm64 (imm = the VAR's
 * id), which checks the runtime has the variable and types the register.
 * Unresolved: a __weak extern is 0, any other fails the load with libbpf's
 * message and errno. Returns whether a typed variable was resolved.
 */
function resolveKsymVars(ps: ProgramSpec, rt: Runtime, spec: ObjectSpec): boolean {
  let typed = false;
  for (const r of ps.relocations) {
    if (r.kind !== 'ksym') continue;
    const name = r.symbol!;
    const at = ps.insns[r.insnIndex]!;
    if (r.typed) {
      const target = rt.coreTarget.btf;
      const v = target.typeByName(name, BTF_KIND_VAR) as { id: number; type: number } | undefined;
      if (v) {
        checkKsymVarCompat(spec, name, target, v.type);
        ps.insns[r.insnIndex] = { ...at, src: BPF_PSEUDO_BTF_ID, imm: v.id };
        ps.insns[r.insnIndex + 1] = { ...ps.insns[r.insnIndex + 1]!, imm: 0 };
        typed = true;
        continue;
      }
      // a BTF resolution failure (-EINVAL, as for kfuncs)
      if (!r.weak) throw new LoadError(`extern (var ksym) '${name}': not found in kernel BTF`, -EINVAL);
    }
    const addr = r.typed ? undefined : rt.ksyms.get(name);
    // typeless: not in the symbol table (-ESRCH)
    if (addr === undefined && !r.weak) throw new LoadError(`extern '${name}' (strong): not resolved`, -ESRCH);
    const val = BigInt.asUintN(64, addr ?? 0n);
    ps.insns[r.insnIndex] = { ...at, src: 0, imm: Number(BigInt.asIntN(32, val)) };
    ps.insns[r.insnIndex + 1] = { ...ps.insns[r.insnIndex + 1]!, imm: Number(BigInt.asIntN(32, val >> 32n)) };
  }
  return typed;
}

/** libbpf's bpf_object__resolve_ksym_var_btf_id: the extern's type must be compatible with the kernel's. */
function checkKsymVarCompat(spec: ObjectSpec, name: string, target: Btf, targVarType: number): void {
  const local = spec.btf;
  const ds = local?.typeByName('.ksyms', BTF_KIND_DATASEC) as { vars: { type: number }[] } | undefined;
  const lv = ds?.vars.map((x) => local!.type(x.type)).find((t) => t.name === name) as { type: number } | undefined;
  if (!local || !lv) return;
  // both sides with modifiers and typedefs skipped (ext->ksym.type_id, skip_mods_and_typedefs)
  const localId = local.resolveId(lv.type);
  const targId = target.resolveId(targVarType);
  if (typesAreCompat(local, localId, target, targId)) return;
  const lt = local.type(localId);
  const tt = target.type(targId);
  throw new LoadError(`extern (var ksym) '${name}': incompatible types, expected [${localId}] ${btfKindStr(lt)} ${lt.name}, `
    + `but kernel has [${targId}] ${btfKindStr(tt)} ${tt.name}`, -EINVAL);
}

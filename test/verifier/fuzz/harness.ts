// The fuzz oracle: verify a program; if the verifier accepts it, run it in
// the interpreter on a few inputs and classify what happened.
//
// "Never touches memory outside what the verifier allowed" is checked more
// tightly than the arena's block check: the arena hands out whole blocks (a
// map's value array is one block; an XDP frame block includes the headroom
// and the slack after data_end), so an access one byte past a map value or
// past data_end would land inside a live block and go unnoticed. The harness
// wraps the runtime's Arena.canAccess (the check every interpreter load,
// store and atomic, and every helper memory argument, goes through) with a
// finer one: inside a map's value storage an access must lie within one
// value's value_size bytes; inside an XDP frame or skb data block it must lie
// in [data_meta, data_end) as the context says at that moment. Stacks and
// contexts are blocks of exactly their size, so the block check is the fine
// check there.
//
// Outcomes of a run: 'ok'; 'budget' (the instruction budget ran out: only
// acceptable when the program calls bpf_loop, whose callback the verifier
// checks once but which runs nr_loops times); anything else the verifier
// should have prevented is a Finding.

import { verify, VerifierError, type MapMeta, type VerifierInput } from '../../../src/verifier/index.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { createMap, type MapSpec } from '../../../src/maps/map.js';
import { ArrayMap } from '../../../src/maps/arraymap.js';
import type { MapObject } from '../../../src/runtime/map.js';
import type { ProgObject } from '../../../src/runtime/program.js';
import { prepareTestRun, hasPacket, XDP_MD_SIZE } from '../../../src/runtime/test_run.js';
import { VmError } from '../../../src/vm/errors.js';
import { disassemble } from '../../../src/isa/disasm.js';
import type { Insn } from '../../../src/isa/insn.js';
import { Rng, PROG_XDP, PROG_SYSCALL, genProgram, mutate, type FuzzProgram } from './gen.js';
import type { EngineKind } from '../../../src/jit/index.js';
import type { HelperFn } from '../../../src/vm/env.js';

/** instruction budget of one run: the verifier's own processed-insn limit */
export const RUN_BUDGET = 1_000_000;
/**
 * The verifier's processed-instruction limit for fuzz programs. Far below the
 * kernel's 1M: random loops full of branches can take our verifier minutes to
 * explore (seed 101, random index 1184: ~2000 insns/s), and a program the
 * verifier gives up on is simply rejected. Accepted programs thus executed at
 * most this many instructions per path, well inside RUN_BUDGET.
 */
export const VERIFY_LIMIT = 20_000;

export type Outcome = 'rejected' | 'ok' | 'budget';

export interface Finding {
  kind: 'verifier-crash' | 'vm-error' | 'js-exception' | 'budget' | 'oracle' | 'reloc';
  message: string;
  /** the run input that exposed it */
  input?: string;
}

export interface AccessCounts {
  stack: number;
  map: number;
  packet: number;
  ctx: number;
}

export interface CheckResult {
  outcome: Outcome;
  finding?: Finding;
  /** accesses the runs made, by region */
  accesses: AccessCounts;
  runs: number;
  processedInsns: number;
}

interface Region {
  kind: 'map' | 'packet' | 'ctx';
  start: number;
  end: number;
  /** map values: element stride and value size */
  stride?: number;
  valid?: number;
  /** packets: the live [data_meta, data_end) */
  live?: () => [number, number];
}

/** Fine-grained access checking layered on the arena's block check. */
class Oracle {
  regions: Region[] = [];
  counts: AccessCounts = { stack: 0, map: 0, packet: 0, ctx: 0 };
  violation: string | undefined;

  check(addr: number, size: number): boolean {
    for (const r of this.regions) {
      if (addr < r.start || addr >= r.end) continue;
      this.counts[r.kind]++;
      if (r.stride !== undefined) {
        const inElem = (addr - r.start) % r.stride;
        if (inElem + size > r.valid!) {
          this.violation ??= `access of ${size} bytes at map value offset ${inElem} (value_size ${r.valid})`;
          return false;
        }
      } else if (r.live) {
        const [lo, hi] = r.live();
        if (addr < lo || addr + size > hi) {
          this.violation ??= `packet access of ${size} bytes at data${addr - lo >= 0 ? '+' : ''}${addr - lo} (packet is ${hi - lo} bytes)`;
          return false;
        }
      }
      return true;
    }
    this.counts.stack++;
    return true;
  }
}

function mapSpecOf(m: MapMeta): MapSpec {
  const spec: MapSpec = { type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.name.slice(0, 15) };
  if (m.timerOff >= 0 || m.spinLockOff >= 0) {
    spec.specialFields = { timers: m.timerOff >= 0 ? [m.timerOff] : [] };
    if (m.spinLockOff >= 0) spec.specialFields.spinLock = m.spinLockOff;
  }
  if (m.inner) spec.inner = mapSpecOf(m.inner);
  // a map recorded with BTF (local storage maps need it): the corpus' keys are ints
  if (m.hasBtf) spec.btf = { keyI32: m.keySize === 4 };
  return spec;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const mode = rng.int(4);
  for (let i = 0; i < n; i++) {
    if (mode === 0) out[i] = rng.u32() & 0xff;
    else if (mode === 1) out[i] = rng.pick([0, 0xff, 0x7f, 0x80, 1]);
    else if (mode === 2) out[i] = 0;
    else out[i] = rng.chance(0.5) ? rng.u32() & 0xff : rng.pick([0, 0xff, 0x80]);
  }
  return out;
}

function keyBytes(k: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, k >>> 0, true);
  return out;
}

/** Whether this runtime can create a map of the type (probed once per type). */
const mapTypes = new Map<number, boolean>();
function mapTypeSupported(type: number): boolean {
  let ok = mapTypes.get(type);
  if (ok === undefined) {
    try {
      const rt = runtime(1);
      const map = createMap(rt.mapEnv, { type, keySize: 4, valueSize: 8, maxEntries: 4096, flags: 0, name: 'probe' });
      rt.registerMap(map).put();
      ok = true;
    } catch (e) {
      ok = !(e instanceof Error && /EOPNOTSUPP|not supported/i.test(e.message));
    }
    mapTypes.set(type, ok);
  }
  return ok;
}

/** program types prepareTestRun can run */
const RUNNABLE = new Set([PROG_XDP, PROG_SYSCALL, 1, 3, 4, 8, 17, 26]);

const hasBpfLoop = (insns: readonly Insn[]): boolean => insns.some((x) => x.code === 0x85 && x.src === 0 && x.imm === 181);

/** Verifier input for a fuzz program (logLevel 0: no log text, fastest). */
export function inputOf(p: FuzzProgram, logLevel: 0 | 1 | 2 = 0): VerifierInput {
  return { insns: p.insns, progType: p.progType, gpl: true, maps: p.maps, logLevel, insnLimit: VERIFY_LIMIT };
}

/**
 * Verifies `p` and, if accepted, runs it `runs` times with inputs drawn from
 * `rng` (packet length and bytes, map contents, the prandom seed).
 */
export function checkProgram(p: FuzzProgram, rng: Rng, runs = 3): CheckResult {
  const accesses: AccessCounts = { stack: 0, map: 0, packet: 0, ctx: 0 };
  let processedInsns = 0;
  try {
    const res = verify(inputOf(p));
    processedInsns = res.stats.processedInsns;
  } catch (e) {
    if (e instanceof VerifierError) return { outcome: 'rejected', accesses, runs: 0, processedInsns };
    return { outcome: 'rejected', accesses, runs: 0, processedInsns, finding: { kind: 'verifier-crash', message: describe(e) } };
  }
  let outcome: Outcome = 'ok';
  // kprobe/tracepoint corpus programs (and their mutants) are verified only: BPF_PROG_TEST_RUN cannot run them
  if (!RUNNABLE.has(p.progType)) return { outcome, accesses, runs: 0, processedInsns };
  // helpers and kfuncs the verifier knows but the runtime does not implement (the loader refuses those programs)
  if (p.insns.some((x) => x.code === 0x85 && (x.src === 2 || (x.src === 0 && !runtime(0).implementsHelper(x.imm))))) {
    return { outcome, accesses, runs: 0, processedInsns };
  }
  // map types the runtime cannot create yet (the loader refuses those objects)
  if (p.maps.some((m) => !mapTypeSupported(m.type))) return { outcome, accesses, runs: 0, processedInsns };
  for (let run = 0; run < runs; run++) {
    const r = runOnce(p, rng, accesses);
    if (r.finding) return { outcome, accesses, runs: run + 1, processedInsns, finding: r.finding };
    if (r.budget) outcome = 'budget';
  }
  return { outcome, accesses, runs, processedInsns };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : String(e);
}

// One runtime for every run: a WebAssembly.Memory per run would exhaust the
// address space V8 reserves for them long before the garbage collector frees
// them. Each run creates its maps and program in it and frees them afterwards.
// (One per engine for the differential test of test/jit; undefined: TSBPF_ENGINE's.)
const shared = new Map<EngineKind | undefined, Runtime>();
/** helper calls of the observed run, when one is observed */
let helperLog: string[] | undefined;

function runtime(seed: number, engine?: EngineKind): Runtime {
  let rt = shared.get(engine);
  if (rt === undefined) {
    rt = new Runtime({ maxInsns: RUN_BUDGET, memoryLimit: 256 << 20, ...(engine === undefined ? {} : { engine }) });
    // every helper call is logged while a run is observed
    const table = (rt as unknown as { helperTable: Map<number, HelperFn> }).helperTable;
    for (const [id, fn] of table) {
      table.set(id, (vm, a, b, c, d, e) => {
        const r = fn(vm, a, b, c, d, e);
        helperLog?.push(`${id}(${a}, ${b}, ${c}, ${d}, ${e}) = ${r}`);
        return r;
      });
    }
    shared.set(engine, rt);
  }
  // bpf_get_prandom_u32's state, so a run does not depend on the runs before it
  (rt as unknown as { rng: number }).rng = seed;
  rt.traceLog.length = 0;
  return rt;
}

/** What one run did, for comparing engines: r0 or the error, helper calls, the arena's bytes after it. */
export interface Observation {
  r0?: bigint;
  error?: string;
  helperCalls: string[];
  /** FNV-1a of the whole arena after the run */
  memory?: number;
  trace?: string;
}

/**
 * Runs `p` (verified or not) once on `engine` with the inputs `seed` draws,
 * and reports what it did. Runs on the engines' own runtimes, which see the
 * same allocations in the same order, so addresses and bytes compare exactly.
 */
export function observeRun(p: FuzzProgram, seed: number, engine: EngineKind): Observation {
  const obs: Observation = { helperCalls: [] };
  helperLog = obs.helperCalls;
  try {
    runOnce(p, new Rng(seed), { stack: 0, map: 0, packet: 0, ctx: 0 }, engine, obs);
  } finally {
    helperLog = undefined;
  }
  return obs;
}

/** Whether checkProgram would run `p` (runnable type, implemented helpers and map types). */
export function runnable(p: FuzzProgram): boolean {
  return RUNNABLE.has(p.progType)
    && !p.insns.some((x) => x.code === 0x85 && (x.src === 2 || (x.src === 0 && !runtime(0).implementsHelper(x.imm))))
    && !p.maps.some((m) => !mapTypeSupported(m.type));
}

function fnv(u8: Uint8Array): number {
  let h = 0x811c9dc5;
  const w = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 16777619);
  return h >>> 0;
}

/**
 * Runs `p` once without verifying it (the oracle's own tests use this to show
 * it catches what an unsound verifier would let through).
 */
export function runUnverified(p: FuzzProgram, rng: Rng): { finding?: Finding; budget?: boolean; accesses: AccessCounts } {
  const accesses: AccessCounts = { stack: 0, map: 0, packet: 0, ctx: 0 };
  return { ...runOnce(p, rng, accesses), accesses };
}

function runOnce(p: FuzzProgram, rng: Rng, acc: AccessCounts, engine?: EngineKind, obs?: Observation): { finding?: Finding; budget?: boolean } {
  const rt = runtime(rng.u32() | 1, engine);
  const oracle = new Oracle();
  const arena = rt.arena;
  const blockCheck = arena.canAccess.bind(arena);
  const mapObjs: MapObject[] = [];
  let po: ProgObject | undefined;
  let inputDesc = '';
  try {
    // maps, with random contents
    for (const m of p.maps) {
      const map = createMap(rt.mapEnv, mapSpecOf(m));
      const mo = rt.registerMap(map);
      mapObjs.push(mo);
      const stride = (m.valueSize + 7) & ~7;
      if (map instanceof ArrayMap) {
        oracle.regions.push({ kind: 'map', start: map.base, end: map.base + stride * m.maxEntries, stride, valid: m.valueSize });
        const n = Math.min(m.maxEntries, 64);
        for (let k = 0; k < n; k++) if (rng.chance(0.8)) map.update(keyBytes(k, m.keySize), valueBytes(rng, m), 0);
      } else {
        const slab = (map as unknown as { slab: number }).slab;
        const slabBytes = (map as unknown as { slabBytes: number }).slabBytes;
        if (slab) oracle.regions.push({ kind: 'map', start: slab, end: slab + slabBytes, stride, valid: m.valueSize });
        const n = Math.min(m.maxEntries, 4);
        for (let k = 0; k < n; k++) {
          if (!rng.chance(0.7)) continue;
          try {
            map.update(keyBytes(k, m.keySize), valueBytes(rng, m), 0);
          } catch {
            // a map type that does not take this key: leave it empty
          }
        }
      }
    }
    // relocate to what the engine runs: map pointers, callback indexes
    const insns = p.insns.map((x) => ({ ...x }));
    for (let i = 0; i < insns.length; i++) {
      const x = insns[i]!;
      if (x.code !== 0x18) continue;
      if (x.src === 1 || x.src === 2) {
        const mo = mapObjs[x.imm]!;
        let v = mo.ptr;
        if (x.src === 2) {
          if (!(mo.map instanceof ArrayMap)) return { finding: { kind: 'reloc', message: `insn ${i}: direct value pointer into a non-array map was accepted` } };
          v = mo.map.elemPtr(0) + (insns[i + 1]!.imm >>> 0);
        }
        insns[i] = { ...x, src: 0, imm: v | 0 };
        insns[i + 1] = { ...insns[i + 1]!, imm: 0 };
      } else if (x.src === 4) {
        insns[i] = { ...x, src: 0, imm: i + x.imm + 1 };
        insns[i + 1] = { ...insns[i + 1]!, imm: 0 };
      }
      i++;
    }
    po = rt.createProg('fuzz', p.progType, insns, []);
    // the input
    let data: Uint8Array | undefined;
    let ctx: Uint8Array | undefined;
    let args: bigint[] | undefined;
    if (hasPacket(p.progType)) {
      const len = rng.pick([14, 15, 16, 20, 33, 34, 54, 60, 63, 64, 65, 100, 128, 1500]);
      data = randomBytes(rng, len);
      inputDesc = `packet of ${len} bytes: ${Buffer.from(data.subarray(0, 80)).toString('hex')}`;
    } else if (p.progType === PROG_SYSCALL) {
      // the verifier allows any ctx offset below 64 KiB; test_run must supply at least max_ctx_offset
      ctx = new Uint8Array(0xffff);
      const head = randomBytes(rng, 512);
      for (let o = 0; o < ctx.length; o += head.length) ctx.set(head.subarray(0, Math.min(head.length, ctx.length - o)), o);
      inputDesc = `ctx of 64 KiB`;
    } else {
      // raw_tp / tracing: the verifier allows reading 12 u64 arguments
      args = Array.from({ length: 12 }, () => BigInt.asUintN(64, BigInt(rng.interesting())));
      inputDesc = `args ${args.join(', ')}`;
    }
    const prep = prepareTestRun(arena, rt.host, { type: p.progType, maxCtxOffset: 0 }, data ? { data } : ctx ? { ctx } : { args: args ?? [] });
    const ctxAddr = Number(prep.r1);
    if (p.progType === PROG_XDP && prep.pkt?.xdp) {
      oracle.regions.push({ kind: 'ctx', start: ctxAddr, end: ctxAddr + XDP_MD_SIZE });
      oracle.regions.push({
        kind: 'packet', start: prep.pkt!.xdp!.hardStart, end: prep.pkt!.xdp!.frameEnd,
        live: () => [arena.dv.getUint32(ctxAddr + 8, true), arena.dv.getUint32(ctxAddr + 4, true)],
      });
    } else if (hasPacket(p.progType)) {
      const blk = arena.blockOf(arena.dv.getUint32(ctxAddr + 76, true));
      if (blk) {
        oracle.regions.push({
          kind: 'packet', start: blk[0], end: blk[1],
          live: () => [arena.dv.getUint32(ctxAddr + 76, true), arena.dv.getUint32(ctxAddr + 80, true)],
        });
      }
      oracle.regions.push({ kind: 'ctx', start: ctxAddr, end: ctxAddr + 192 });
    } else if (ctxAddr) {
      oracle.regions.push({ kind: 'ctx', start: ctxAddr, end: ctxAddr + 0xffff });
    }
    for (const m of mapObjs) inputDesc += `; map ${m.name}`;
    arena.canAccess = (addr: number, size: number, access: number): boolean =>
      blockCheck(addr, size, access) && oracle.check(addr, size);
    try {
      const prog = po;
      const r0 = rt.withProg(prog, 0, prep.pkt, () => {
        prog.vm.cpu = 0;
        return prog.vm.run(0, [prep.r1]);
      });
      if (obs) obs.r0 = r0;
    } finally {
      arena.canAccess = blockCheck;
      if (obs) {
        obs.memory = fnv(arena.u8);
        obs.trace = rt.traceLog.join('\n');
      }
      prep.release();
    }
    return {};
  } catch (e) {
    if (obs) obs.error = e instanceof VmError ? `${e.kind} at ${e.pc}: ${e.message}` : describe(e);
    if (e instanceof VmError) {
      if (e.kind === 'budget' && hasBpfLoop(p.insns)) return { budget: true };
      const why = oracle.violation && e.kind === 'memory' ? ` [${oracle.violation}]` : '';
      return { finding: { kind: e.kind === 'budget' ? 'budget' : 'vm-error', message: `${e.kind}: ${e.message}${why}`, input: inputDesc } };
    }
    return { finding: { kind: 'js-exception', message: describe(e), input: inputDesc } };
  } finally {
    arena.canAccess = blockCheck;
    for (const k of Object.keys(acc) as (keyof AccessCounts)[]) acc[k] += oracle.counts[k];
    try {
      po?.put();
      for (const m of mapObjs) m.put();
    } catch {
      // teardown trouble is not what we are testing
    }
  }
}

function valueBytes(rng: Rng, m: MapMeta): Uint8Array {
  const v = randomBytes(rng, m.valueSize);
  // special fields must start zeroed (the map layer owns them)
  if (m.timerOff >= 0) v.fill(0, m.timerOff, m.timerOff + 16);
  if (m.spinLockOff >= 0) v.fill(0, m.spinLockOff, m.spinLockOff + 4);
  return v;
}

/** A reproducer for a finding: where it came from, the program, the verifier's view. */
export function reproducer(p: FuzzProgram, f: Finding, where: string): string {
  let log = '';
  try {
    log = verify(inputOf(p, 2)).log;
  } catch (e) {
    log = e instanceof VerifierError ? e.log : describe(e);
  }
  const lines = log.split('\n');
  const tail = lines.length > 120 ? ['...', ...lines.slice(-120)] : lines;
  let dis: string[];
  try {
    dis = disassemble(p.insns).map((l, i) => `${String(i).padStart(4)}: ${l}`);
  } catch {
    dis = p.insns.map((x, i) => `${String(i).padStart(4)}: ${JSON.stringify(x)}`);
  }
  return [
    `FINDING (${f.kind}) at ${where}`,
    `origin: ${p.origin}`,
    `prog type ${p.progType}, maps: ${p.maps.map((m) => `${m.name}(type ${m.type}, key ${m.keySize}, value ${m.valueSize}, max ${m.maxEntries})`).join(', ')}`,
    `what: ${f.message}`,
    f.input ? `input: ${f.input}` : '',
    'program:',
    ...dis,
    'insns (JSON):',
    JSON.stringify(p.insns.map((x) => [x.code, x.dst, x.src, x.off, x.imm])),
    'verifier log (level 2, tail):',
    ...tail,
  ].join('\n');
}

export { PROG_XDP };

// ---- the fuzz loop ---------------------------------------------------------------

export interface FuzzOptions {
  seed: number;
  /** random structured programs */
  random: number;
  /** mutated programs (of corpus records and of generated programs) */
  mutated: number;
  /** mutation seeds: real programs (corpus records) */
  corpus: readonly FuzzProgram[];
  /** runs per accepted program */
  runs?: number;
  /** stop after this many findings */
  maxFindings?: number;
  /** progress callback every 1000 programs */
  progress?: (s: FuzzStats) => void;
}

export interface FuzzStats {
  generated: number;
  accepted: number;
  rejected: number;
  ran: number;
  runs: number;
  budget: number;
  acceptedRandom: number;
  acceptedMutated: number;
  /** accepted programs whose runs touched each region */
  progsWith: AccessCounts;
  accesses: AccessCounts;
  findings: string[];
}

/** The program at (seed, stream, index): stream 0 = random, 1 = mutated. Deterministic. */
export function programAt(seed: number, stream: 0 | 1, index: number, corpus: readonly FuzzProgram[]): FuzzProgram {
  const rng = Rng.forIndex(seed, stream, index);
  if (stream === 0) {
    const p = genProgram(rng);
    return { ...p, origin: `gen seed=${seed} index=${index}` };
  }
  // half the mutants come from the real corpus, half from generated programs
  const base = corpus.length > 0 && rng.chance(0.5)
    ? rng.pick(corpus)
    : { ...genProgram(Rng.forIndex(seed, 2, index)), origin: `gen(seed=${seed}, stream 2, index=${index})` };
  return mutate(rng, base);
}

export function fuzz(opts: FuzzOptions): FuzzStats {
  const s: FuzzStats = {
    generated: 0, accepted: 0, rejected: 0, ran: 0, runs: 0, budget: 0, acceptedRandom: 0, acceptedMutated: 0,
    progsWith: { stack: 0, map: 0, packet: 0, ctx: 0 }, accesses: { stack: 0, map: 0, packet: 0, ctx: 0 }, findings: [],
  };
  const max = opts.maxFindings ?? 5;
  const total = opts.random + opts.mutated;
  for (let n = 0; n < total && s.findings.length < max; n++) {
    const stream: 0 | 1 = n < opts.random ? 0 : 1;
    const index = stream === 0 ? n : n - opts.random;
    const p = programAt(opts.seed, stream, index, opts.corpus);
    s.generated++;
    const r = checkProgram(p, Rng.forIndex(opts.seed, 3 + stream, index), opts.runs ?? 3);
    if (r.outcome === 'rejected') s.rejected++;
    else {
      s.accepted++;
      if (stream === 0) s.acceptedRandom++;
      else s.acceptedMutated++;
      if (r.runs > 0) s.ran++;
      s.runs += r.runs;
      if (r.outcome === 'budget') s.budget++;
      for (const k of Object.keys(s.accesses) as (keyof AccessCounts)[]) {
        s.accesses[k] += r.accesses[k];
        if (r.accesses[k] > 0) s.progsWith[k]++;
      }
    }
    if (r.finding) s.findings.push(reproducer(p, r.finding, `seed=${opts.seed} stream=${stream === 0 ? 'random' : 'mutated'} index=${index}`));
    if (opts.progress && (n + 1) % 1000 === 0) opts.progress(s);
  }
  return s;
}

/** The corpus records as mutation seeds. */
export function corpusPrograms(records: readonly { name: string; file: string; progType: number; insns: [number, number, number, number, number][]; maps: MapMeta[] }[]): FuzzProgram[] {
  return records.map((r) => ({
    insns: r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm })),
    progType: r.progType,
    // the fuzzers create the maps afresh, not frozen: no read-only (.rodata) contents (the JSON's are plain arrays)
    maps: r.maps.map(({ rdonlyValue: _ro, ...m }) => m),
    origin: `corpus ${r.file}:${r.name}`,
  }));
}

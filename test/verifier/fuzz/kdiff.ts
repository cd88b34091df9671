// Differential fuzzing against the live kernel (issue #11.4): every program
// of the seeded generator and of the mutator (gen.ts) is loaded by the kernel
// (kfuzz.c, in batches) and verified by tsbpf. Findings:
//  - unsound:  the kernel rejects, tsbpf accepts;
//  - hang:     tsbpf's verification took longer than HANG_MS;
//  - crash:    tsbpf threw something other than a VerifierError;
//  - run-diff: both accept and one BPF_PROG_TEST_RUN (XDP, deterministic
//              programs: map helpers only) differs in retval, packet or
//              array-map contents.
// Kernel-accepts/tsbpf-rejects is counted (completeness), not a finding.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify, VerifierError } from '../../../src/verifier/index.js';
import { encode, type Insn } from '../../../src/isa/insn.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { createMap } from '../../../src/maps/map.js';
import { ArrayMap } from '../../../src/maps/arraymap.js';
import type { MapObject } from '../../../src/runtime/map.js';
import type { ProgObject } from '../../../src/runtime/program.js';
import { prepareTestRun } from '../../../src/runtime/test_run.js';
import { disassemble } from '../../../src/isa/disasm.js';
import { kernelAvailable, repoRoot } from '../../kernel/kernel.js';
import { Rng, PROG_XDP, type FuzzProgram } from './gen.js';
import { asEncoded, programAt } from './harness.js';

/** a verification slower than this is a hang (the kernel bounds every input to seconds) */
export const HANG_MS = 30_000;
/** map types the kernel creates without BTF, as kfuzz.c does */
const PLAIN_MAPS = new Set([1, 2, 5, 6, 9, 10]);
/** helpers whose effect is the same on both sides: map lookup/update/delete */
const DETERMINISTIC_HELPERS = new Set([1, 2, 3]);

export interface KernelAnswer {
  kind: 'ok' | 'err' | 'setup';
  errno: number;
  message: string;
  run?: RunResult;
}
export type RunResult = { retval: number; data: string; maps: string } | { runErr: number };

export interface DiffFinding {
  kind: 'unsound' | 'hang' | 'crash' | 'run-diff';
  detail: string;
  program: FuzzProgram;
  kernel: KernelAnswer;
}

export interface DiffStats {
  programs: number;
  skipped: number;
  bothAccept: number;
  bothReject: number;
  /** kernel accepts, tsbpf rejects (completeness gaps, not findings) */
  kernelOnly: number;
  /** kernel rejects, tsbpf accepts */
  unsound: number;
  hangs: number;
  crashes: number;
  runsCompared: number;
  runDiffs: number;
  /** rejections where both give the same error line */
  sameMessage: number;
  /** our slowest verification, ms */
  maxVerifyMs: number;
  findings: DiffFinding[];
}

export const newStats = (): DiffStats => ({
  programs: 0, skipped: 0, bothAccept: 0, bothReject: 0, kernelOnly: 0, unsound: 0, hangs: 0, crashes: 0,
  runsCompared: 0, runDiffs: 0, sameMessage: 0, maxVerifyMs: 0, findings: [],
});

let bin: string | null | undefined;
let why = '';

/** '' when the kernel can be asked, else why not. */
export function kfuzzUnavailable(): string {
  kfuzzPath();
  return bin ? '' : why;
}

function kfuzzPath(): string | null {
  if (bin !== undefined) return bin;
  bin = null;
  const avail = kernelAvailable();
  if (!avail.ok) { why = avail.why ?? 'no live kernel'; return null; }
  const out = join(mkdtempSync(join(tmpdir(), 'tsbpf-kfuzz-')), 'kfuzz');
  const r = spawnSync('gcc', ['-O1', '-o', out, join(repoRoot, 'test', 'verifier', 'fuzz', 'kfuzz.c'), '-lbpf'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync(out)) bin = out;
  else why = `kfuzz cannot be built (${r.error?.message ?? r.stderr.trim()})`;
  return bin;
}

/** program types that load without attach BTF (tracing, LSM, ext and struct_ops need a target) */
const PLAIN_PROG_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 17, 31]);

/** Programs the kernel can be given as they are (BTF-less maps, no attach target). */
export function eligible(p: FuzzProgram): boolean {
  return PLAIN_PROG_TYPES.has(p.progType) && p.maps.length <= 8 && p.maps.every((m) => PLAIN_MAPS.has(m.type) && m.timerOff < 0 && m.spinLockOff < 0 && !m.inner);
}

const hex = (b: Uint8Array): string => (b.length ? Buffer.from(b).toString('hex') : '-');

/** Whether a run of `p` means the same on both sides. */
export function runnable(p: FuzzProgram): boolean {
  if (p.progType !== PROG_XDP) return false;
  for (const x of p.insns) {
    // may_goto: x86-64's JIT bounds the loop by time (250 ms), tsbpf by BPF_MAX_LOOPS (the kernel
    // interpreter's counter): a loop only may_goto ends runs a different number of times
    if (x.code === 0xe5) return false;
    if (x.code === 0x85 && x.src === 0 && !DETERMINISTIC_HELPERS.has(x.imm)) return false;
    if (x.code === 0x85 && x.src !== 0) return false; // bpf-to-bpf calls are fine, but keep the slice simple
  }
  return true;
}

/** The kernel's answers for a batch (undefined when it cannot be asked). */
export function kernelBatch(items: readonly { p: FuzzProgram; packet?: Uint8Array }[]): KernelAnswer[] | undefined {
  const b = kfuzzPath();
  if (!b) return undefined;
  const lines = items.map(({ p, packet }) => {
    const maps = p.maps.map((m) => `${m.type}:${m.keySize}:${m.valueSize}:${m.maxEntries}:${m.flags}`);
    return [p.progType, p.maps.length, ...maps, hex(encode(p.insns)), packet ? hex(packet) : '-'].join(' ');
  });
  const r = spawnSync(b, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000 });
  const out = (r.stdout ?? '').split('\n');
  if (out.length < items.length) throw new Error(`kfuzz answered ${out.length} of ${items.length} (${r.error?.message ?? r.stderr})`);
  return items.map((_, i) => parseAnswer(out[i]!));
}

function parseAnswer(line: string): KernelAnswer {
  const [kind, ...rest] = line.split(' ');
  if (kind === 'err') return { kind: 'err', errno: Number(rest[0]), message: rest.slice(1).join(' ') };
  if (kind === 'setup') return { kind: 'setup', errno: Number(rest[0]), message: 'map creation failed' };
  if (rest[0] === 'runerr') return { kind: 'ok', errno: 0, message: '', run: { runErr: Number(rest[1]) } };
  if (rest.length >= 3) return { kind: 'ok', errno: 0, message: '', run: { retval: Number(rest[0]), data: rest[1]!, maps: rest[2]! } };
  return { kind: 'ok', errno: 0, message: '' };
}

let rt: Runtime | undefined;

/** One BPF_PROG_TEST_RUN of an accepted XDP program on tsbpf, maps zeroed as the kernel creates them. */
export function runOurs(p: FuzzProgram, packet: Uint8Array): RunResult {
  rt ??= new Runtime({ maxInsns: 1_000_000, memoryLimit: 256 << 20 });
  const r = rt;
  const mapObjs: MapObject[] = [];
  let po: ProgObject | undefined;
  try {
    for (const m of p.maps) {
      mapObjs.push(r.registerMap(createMap(r.mapEnv, { type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.name.slice(0, 15) })));
    }
    const insns: Insn[] = p.insns.map((x) => ({ ...x }));
    for (let i = 0; i < insns.length; i++) {
      const x = insns[i]!;
      if (x.code !== 0x18) continue;
      if (x.src === 1 || x.src === 2) {
        const mo = mapObjs[x.imm]!;
        const v = x.src === 2 ? (mo.map as ArrayMap).elemPtr(0) + (insns[i + 1]!.imm >>> 0) : mo.ptr;
        insns[i] = { ...x, src: 0, imm: v | 0 };
        insns[i + 1] = { ...insns[i + 1]!, imm: 0 };
      }
      i++;
    }
    po = r.createProg('fuzz', p.progType, insns, []);
    const prep = prepareTestRun(r.arena, r.host, { type: p.progType, maxCtxOffset: 0 }, { data: packet });
    let ret: bigint;
    let data: Uint8Array | undefined;
    try {
      const prog = po;
      ret = r.withProg(prog, 0, prep.pkt, () => { prog.vm.cpu = 0; return prog.vm.run(0, [prep.r1]); }) as bigint;
      data = prep.dataOut();
    } finally {
      prep.release();
    }
    let maps = '';
    p.maps.forEach((m, i) => {
      const map = mapObjs[i]!.map;
      if (m.type !== 2 || !(map instanceof ArrayMap)) return;
      for (let k = 0; k < m.maxEntries; k++) {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, k, true);
        const v = map.lookup(key);
        if (v) maps += hex(v) + '.';
      }
    });
    return { retval: Number(BigInt.asUintN(32, ret)), data: hex(data ?? new Uint8Array()), maps: maps || '-' };
  } finally {
    try {
      po?.put();
      for (const m of mapObjs) m.put();
    } catch {
      // teardown trouble is not what this compares
    }
  }
}

/** The packet of one compared run: 64 bytes from the program's stream. */
export function packetFor(rng: Rng): Uint8Array {
  const b = new Uint8Array(rng.pick([14, 34, 54, 64, 100]));
  for (let i = 0; i < b.length; i++) b[i] = rng.chance(0.3) ? 0 : rng.u32() & 0xff;
  return b;
}

/** tsbpf's verdict, timed. */
export function ourVerdict(p: FuzzProgram): { ok: boolean; errno: number; message: string; ms: number; crash?: string; leaks?: boolean } {
  const t = performance.now();
  try {
    // kfuzz.c creates the maps and never freezes them: no read-only values on the kernel's side either
    const maps = p.maps.map(({ rdonlyValue: _r, frozenValue: _f, ...m }) => m);
    const r = verify({ insns: p.insns, progType: p.progType, gpl: true, maps, logLevel: 0 });
    return { ok: true, errno: 0, message: '', ms: performance.now() - t, leaks: r.leaksPointers || r.readsUninitStack };
  } catch (e) {
    const ms = performance.now() - t;
    if (e instanceof VerifierError) return { ok: false, errno: -e.errno, message: e.message, ms };
    return { ok: false, errno: 0, message: '', ms, crash: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/**
 * Runs `count` programs from (seed, start): even indexes generated, odd ones
 * mutants (of the corpus and of generated programs), in batches of `batch`.
 */
export function diffCampaign(opts: {
  seed: number; start?: number; count: number; corpus: readonly FuzzProgram[]; batch?: number;
  maxFindings?: number; progress?: (s: DiffStats) => void;
}): DiffStats | undefined {
  const s = newStats();
  const batch = opts.batch ?? 200;
  const start = opts.start ?? 0;
  for (let n = 0; n < opts.count && s.findings.length < (opts.maxFindings ?? 20); n += batch) {
    const items: { p: FuzzProgram; packet?: Uint8Array }[] = [];
    for (let k = n; k < Math.min(n + batch, opts.count); k++) {
      const idx = start + k;
      const stream: 0 | 1 = idx % 2 === 0 ? 0 : 1;
      const p = asEncoded(programAt(opts.seed, stream, idx >> 1, opts.corpus));
      s.programs++;
      if (!eligible(p)) { s.skipped++; continue; }
      items.push({ p, packet: runnable(p) ? packetFor(Rng.forIndex(opts.seed, 7, idx)) : undefined });
    }
    const answers = kernelBatch(items);
    if (!answers) return undefined;
    items.forEach(({ p, packet }, i) => classify(s, p, answers[i]!, packet));
    opts.progress?.(s);
  }
  return s;
}

export function classify(s: DiffStats, p: FuzzProgram, k: KernelAnswer, packet?: Uint8Array): void {
  if (k.kind === 'setup') { s.skipped++; return; }
  const ours = ourVerdict(p);
  if (ours.ms > s.maxVerifyMs) s.maxVerifyMs = ours.ms;
  const add = (kind: DiffFinding['kind'], detail: string): void => { s.findings.push({ kind, detail, program: p, kernel: k }); };
  if (ours.crash) { s.crashes++; add('crash', ours.crash); return; }
  if (ours.ms > HANG_MS) { s.hangs++; add('hang', `verification took ${ours.ms.toFixed(0)} ms`); }
  if (k.kind === 'err') {
    if (ours.ok) { s.unsound++; add('unsound', `kernel: ${k.message} (errno ${k.errno}); tsbpf accepts`); return; }
    s.bothReject++;
    if (ours.message === k.message) s.sameMessage++;
    return;
  }
  if (!ours.ok) { s.kernelOnly++; return; }
  s.bothAccept++;
  // a leaked pointer's value (kernel address vs arena offset) and uninitialized
  // stack bytes (kernel garbage vs zeroes) differ by design
  if (!packet || !k.run || 'runErr' in k.run || ours.leaks) return;
  let mine: RunResult;
  try {
    mine = runOurs(p, packet);
  } catch (e) {
    s.runDiffs++;
    add('run-diff', `kernel ran it (retval ${k.run.retval}); tsbpf: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  s.runsCompared++;
  if ('runErr' in mine || mine.retval !== k.run.retval || mine.data !== k.run.data || mine.maps !== k.run.maps) {
    s.runDiffs++;
    add('run-diff', `packet ${hex(packet)}\n  kernel: ${JSON.stringify(k.run)}\n  tsbpf:  ${JSON.stringify(mine)}`);
  }
}

/** A finding as text: origin, verdicts, the program (reproducible from its origin). */
export function describeFinding(f: DiffFinding): string {
  const ours = ourVerdict(f.program);
  return [
    `${f.kind}: ${f.detail}`,
    `origin: ${f.program.origin}; prog type ${f.program.progType}; maps ${JSON.stringify(f.program.maps.map((m) => [m.type, m.keySize, m.valueSize, m.maxEntries]))}`,
    `kernel: ${f.kernel.kind === 'ok' ? 'accepts' : `rejects (errno ${f.kernel.errno}): ${f.kernel.message}`}`,
    `tsbpf: ${ours.ok ? 'accepts' : `rejects: ${ours.message}`} (${ours.ms.toFixed(0)} ms)`,
    `insns: ${JSON.stringify(f.program.insns.map((x) => [x.code, x.dst, x.src, x.off, x.imm]))}`,
    ...disassemble(f.program.insns),
  ].join('\n');
}

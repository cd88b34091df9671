// `tsbpf run OBJ [--no-hold] [--clock virtual|real] [--json] STEP...`: a
// scenario without TypeScript. The output contract is shared with the
// kernel-side runner in test/kernel/runner.c, so the two can be diffed.

import { Runtime } from '../runtime/runtime.js';
import { cliEngine, cliRuntimeOptions } from './runtime_opts.js';
import type { BpfObject, LoadOptions } from '../runtime/loader.js';
import { LOAD_OPTIONS_USAGE, LoadOptionError, parseLoadOption } from './load_options.js';
import { errnoName } from '../uapi/errno.js';
import { parseSteps, StepError, type Step } from './steps.js';
import { describeLoadFailure } from './load_failure.js';
import { executeSteps } from './scenario.js';
import { formatTimerEvent } from '../timers/trace.js';
import { renderTimelineHtml, renderTimelineSvg } from '../timeline/render.js';
import { readHostFile } from '../net/host_file.js';
import { formatInsnEvent, type InsnEvent } from '../runtime/insn_trace.js';
import { xlatedLines, type XlatedLine } from './xlated.js';
import type { HostSpec } from '../net/host.js';

const USAGE = `usage: tsbpf run OBJ [--no-hold] [--clock virtual|real] [--host FILE.json] [--effects] [--run-timeout MS] [--json] [--trace] [--trace-insn] [--timeline FILE.html|FILE.svg] ${LOAD_OPTIONS_USAGE} STEP...`;

export { dumpLines } from './scenario.js';

export async function main(argv: string[]): Promise<number> {
  let noHold = false;
  let json = false;
  let clock: 'virtual' | 'real' = 'virtual';
  let runTimeoutMs: number | undefined;
  let trace = false;
  let traceInsn = false;
  let timeline: string | undefined;
  let hostFile: string | undefined;
  let effects = false;
  const rest: string[] = [];
  const load: LoadOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    try {
      const n = parseLoadOption(argv, i, load);
      if (n) {
        i += n - 1;
        continue;
      }
    } catch (e) {
      if (!(e instanceof LoadOptionError)) throw e;
      process.stderr.write(`tsbpf run: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (a === '--no-hold') noHold = true;
    else if (a === '--trace') trace = true;
    else if (a === '--trace-insn') traceInsn = true;
    else if (a === '--timeline') {
      timeline = argv[++i];
      if (!timeline || !/\.(html?|svg)$/.test(timeline)) {
        process.stderr.write(`tsbpf run: --timeline takes a FILE.html or FILE.svg\n${USAGE}\n`);
        return 2;
      }
    }
    else if (a === '--json') json = true;
    else if (a === '--effects') effects = true;
    else if (a === '--host') {
      hostFile = argv[++i];
      if (hostFile === undefined) {
        process.stderr.write(`tsbpf run: --host takes a JSON file\n${USAGE}\n`);
        return 2;
      }
    }
    else if (a === '--clock') {
      const c = argv[++i];
      if (c !== 'virtual' && c !== 'real') {
        process.stderr.write(`tsbpf run: --clock takes virtual or real\n${USAGE}\n`);
        return 2;
      }
      clock = c;
    } else if (a === '--run-timeout') {
      // the watchdog of one program run (RuntimeOptions.runTimeoutMs)
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0 || v > 2 ** 31) {
        process.stderr.write(`tsbpf run: --run-timeout takes milliseconds (1..${2 ** 31})\n${USAGE}\n`);
        return 2;
      }
      runTimeoutMs = v;
    } else rest.push(a);
  }
  const [objPath, ...stepArgs] = rest;
  if (!objPath) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let steps: Step[];
  try {
    steps = parseSteps(stepArgs);
  } catch (e) {
    process.stderr.write(`tsbpf run: ${(e as StepError).message}\n`);
    return 2;
  }
  const out: string[] = [];
  const records: Record<string, unknown>[] = [];
  const emit = (line: string, rec: Record<string, unknown>): void => {
    if (json) records.push(rec);
    else process.stdout.write(`${line}\n`);
    out.push(line);
  };

  let host: HostSpec | undefined;
  if (hostFile !== undefined) {
    try {
      host = readHostFile(hostFile);
    } catch (e) {
      process.stderr.write(`tsbpf run: --host ${hostFile}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let rt: Runtime;
  try {
    // --trace-insn single-steps the interpreter: it picks that engine unless --engine says otherwise
    const engine = traceInsn && cliEngine() === undefined ? { engine: 'interp' as const } : {};
    rt = new Runtime(cliRuntimeOptions({ clock, ...(host ? { host } : {}), ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }), ...engine }));
  } catch (e) {
    process.stderr.write(`tsbpf run: --host ${hostFile}: ${(e as Error).message}\n`);
    return 2;
  }
  // --trace: every timer event, as it happens, between the steps' own lines
  if (trace) rt.on('timer', (e) => { if (!json) process.stdout.write(`timer: ${formatTimerEvent(e)}\n`); });
  const recorder = timeline !== undefined ? rt.recordTimers() : undefined;
  let obj: BpfObject;
  try {
    obj = await rt.loadObject(objPath, load);
  } catch (e) {
    const f = describeLoadFailure(e);
    emit('load=failed', { load: 'failed', errno: f.errno, verifier_error: f.verifierError, message: f.message });
    if (!json) process.stdout.write(`errno=-${errnoName(f.errno)}\nverifier_error=${f.verifierError}\n`);
    if (f.message && !json) process.stderr.write(`tsbpf run: ${f.message}\n`);
    if (json) process.stdout.write(`${JSON.stringify(records)}\n`);
    return 3;
  }
  emit('load=ok', { load: 'ok' });
  // --trace-insn: each executed instruction with the registers it changed
  if (traceInsn) {
    const tracer = insnTraceWriter(obj);
    rt.on('insn', (e) => {
      if (json) records.push({ insn: { prog: e.prog, pc: e.pc, level: e.level, text: e.text, changed: Object.fromEntries(e.changed.map((c) => [`r${c.reg}`, `0x${c.value.toString(16)}`])), ...(e.faulted ? { faulted: true } : {}) } });
      else for (const l of tracer(e)) process.stdout.write(`${l}\n`);
    });
  }
  if (noHold) for (const n of obj.mapNames()) obj.map(n).close();

  let status = 0;
  try {
    await executeSteps(rt, obj, steps, {
      record: emit,
      dump: (lines) => {
        if (!json) for (const l of lines) process.stdout.write(`${l}\n`);
      },
      warn: (m) => process.stderr.write(`tsbpf run: ${m}\n`),
      ...(effects ? {
        effects: (lines: string[], rec: Record<string, unknown>) => {
          if (json) records.push(rec);
          else for (const l of lines) process.stdout.write(`${l}\n`);
        },
      } : {}),
    });
  } catch (e) {
    process.stderr.write(`tsbpf run: ${(e as Error).message}\n`);
    status = 2;
  }
  for (const a of rt.asyncErrors) process.stderr.write(`tsbpf run: timer callback in ${a.prog}: ${(a.error as Error).message ?? a.error}\n`);
  for (const l of rt.traceLog) process.stderr.write(`trace: ${l}\n`);
  if (json) process.stdout.write(`${JSON.stringify(records)}\n`);
  obj.close();
  rt.unref();
  if (recorder && timeline) {
    recorder.stop();
    const { writeFileSync } = await import('node:fs');
    const title = `tsbpf run ${objPath}`;
    writeFileSync(timeline, timeline.endsWith('.svg') ? renderTimelineSvg(recorder.events, { title }) : renderTimelineHtml(recorder.events, { title }));
    process.stderr.write(`tsbpf run: timeline of ${recorder.events.length} events written to ${timeline}\n`);
  }
  return status;
}

/**
 * Lines for one instruction event: `insn: PROG ; C source @ file:line` when
 * the source line changes (BTF line_info), then `insn: PROG N: (code) text
 * ; R1=...` with the instruction as `prog dump xlated` prints it.
 */
function insnTraceWriter(obj: BpfObject): (e: InsnEvent) => string[] {
  interface ProgLines { at: Map<number, XlatedLine>; funcs: { start: number; name: string }[] }
  const byProg = new Map<string, ProgLines>();
  const lastSrc = new Map<string, string>();
  const linesOf = (name: string): ProgLines => {
    let m = byProg.get(name);
    if (m === undefined) {
      m = { at: new Map(), funcs: [] };
      const ps = obj.spec.programs.find((p) => p.name === name);
      for (const l of ps ? xlatedLines(obj, ps) : []) {
        m.at.set(l.index, l);
        // `int timer_cb(void * map, ...)`: the function's name, for subprograms
        const fn = l.proto !== undefined && l.index > 0 ? /([A-Za-z_][A-Za-z0-9_]*)\(/.exec(l.proto)?.[1] : undefined;
        if (fn !== undefined) m.funcs.push({ start: l.index, name: fn });
      }
      byProg.set(name, m);
    }
    return m;
  };
  return (e) => {
    const out: string[] = [];
    const pl = linesOf(e.prog);
    // a subprogram (bpf-to-bpf call or callback) is named prog/func
    let fn: string | undefined;
    for (const f of pl.funcs) if (f.start <= e.pc) fn = f.name;
    let who = fn === undefined ? e.prog : `${e.prog}/${fn}`;
    if (e.level > 0) who += ` [callback ${e.level}]`;
    const l = pl.at.get(e.pc);
    const key = `${e.prog}/${e.level}`;
    if (l?.src !== undefined) {
      // verbose_linfo: the file's base name
      const file = (l.file ?? '?').slice((l.file ?? '').lastIndexOf('/') + 1);
      const src = `${l.src} @ ${file}:${l.lineNum ?? 0}`;
      if (lastSrc.get(key) !== src) {
        lastSrc.set(key, src);
        out.push(`insn: ${who} ; ${src}`);
      }
    }
    out.push(`insn: ${who} ${formatInsnEvent(l ? { ...e, text: l.disasm } : e)}`);
    return out;
  };
}

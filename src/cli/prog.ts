// `tsbpf prog load|run|dump`: bpftool's prog verbs on an object file, loaded
// fresh each time (there is no kernel to keep it):
//   load OBJ [--log-level 0|1|2]        verify every program, one `prog show` entry each
//   run OBJ PROG [data_in FILE] [data_out FILE] [ctx_in FILE] [ctx_out FILE] [repeat N]
//   dump OBJ [PROG] [linum]             `prog dump xlated`, with BTF source lines
// All take --json (bpftool -j). A rejected program prints its verifier log
// and exits 3, as `tsbpf run` does.

import { writeFileSync } from 'node:fs';
import { readInputFile, DEFAULT_MAX_PACKET_BYTES } from '../runtime/input.js';
import { Runtime } from '../runtime/runtime.js';
import { cliRuntimeOptions } from './runtime_opts.js';
import { isGpl, type BpfObject } from '../runtime/loader.js';
import type { Program } from '../runtime/program.js';
import { VmError } from '../vm/errors.js';
import { BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_TRACING } from '../uapi/bpf.js';
import { EXIT_FAILED, EXIT_LOAD, EXIT_USAGE, Output, openObject, progLoadLog, type Verdicts } from './output.js';
import { hexPrint } from './hexdump.js';
import { progTag } from './prog_tag.js';
import { strerror } from './strerror.js';
import { formatXlated, xlatedJson, xlatedLines } from './xlated.js';

const USAGE = `usage: tsbpf prog load OBJ [--log-level 0|1|2] [--json]
       tsbpf prog run OBJ PROG [data_in FILE] [data_out FILE] [ctx_in FILE] [ctx_out FILE] [repeat N] [--json]
       tsbpf prog dump OBJ [PROG] [linum] [--json]
FILE '-' is stdin (data_in, ctx_in) or a hex dump on stdout (data_out, ctx_out).
Without data_in, packet programs get 64 zero bytes (the kernel would say EINVAL).
ctx_in: syscall programs' context bytes; raw_tp/tracing programs' u64 arguments;
tc/socket/XDP programs' struct __sk_buff / struct xdp_md (the fields the kernel accepts).
Exit status: 0 ok, 1 the run failed, 2 usage, 3 the object did not load (verifier log on stderr).
`;

function usageError(out: Output, message: string): number {
  out.error(message);
  process.stderr.write(USAGE);
  return EXIT_USAGE;
}

export async function main(argv: string[]): Promise<number> {
  const { out, args } = Output.fromArgv(argv);
  const [verb, ...rest] = args;
  switch (verb) {
    case 'load':
    case 'loadall':
      return load(rest, out);
    case 'run':
      return run(rest, out);
    case 'dump':
      return dump(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return verb === undefined ? EXIT_USAGE : 0;
    default:
      return usageError(out, `unknown verb '${verb}' (load, run, dump)`);
  }
}

/** A program's `bpftool prog show` record, plus what our verifier reports. */
function showRecord(obj: BpfObject, prog: Program, verdicts: Verdicts): Record<string, unknown> {
  const ps = obj.spec.programs.find((p) => p.name === prog.name)!;
  const v = verdicts.get(prog.name);
  const rec: Record<string, unknown> = {
    id: prog.object.id,
    type: prog.typeName,
    name: prog.name,
    tag: progTag(ps.insns),
    gpl_compatible: isGpl(obj.spec.license),
    bytes_xlated: prog.insns.length * 8,
    jited: false,
    insns: prog.insns.length,
  };
  if (v) rec['verified_insns'] = v.stats.processedInsns;
  if (prog.object.maps.length) {
    rec['map_ids'] = prog.object.maps.map((m) => m.map.id);
    rec['map_names'] = prog.object.maps.map((m) => m.name);
  }
  return rec;
}

/** print_prog_plain, without the fields only a kernel has (loaded_at, uid, jited, memlock, btf_id). */
function showPlain(rec: Record<string, unknown>): string {
  let s = `${rec['id']}: ${rec['type']}  name ${rec['name']}  tag ${rec['tag']}${rec['gpl_compatible'] ? '  gpl' : ''}\n`;
  s += `\txlated ${rec['bytes_xlated']}B  insns ${rec['insns']}  not jited`;
  if (rec['map_ids']) s += `  map_ids ${(rec['map_ids'] as number[]).join(',')}`;
  s += '\n';
  if (rec['verified_insns'] !== undefined) s += `\tverified_insns ${rec['verified_insns']}`;
  if (rec['map_names']) s += `  maps ${(rec['map_names'] as string[]).join(',')}`;
  return s + '\n';
}

async function load(args: string[], out: Output): Promise<number> {
  let logLevel: 0 | 1 | 2 | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--log-level(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const v = m[1] ?? args[++i];
    if (v !== '0' && v !== '1' && v !== '2') return usageError(out, `--log-level takes 0, 1 or 2, not '${v ?? ''}'`);
    logLevel = Number(v) as 0 | 1 | 2;
  }
  if (rest.length !== 1) return usageError(out, rest.length ? `unexpected '${rest[1]}'` : 'prog load needs OBJ');
  const rt = new Runtime(cliRuntimeOptions());
  const loaded = await openObject(rt, rest[0]!, out, logLevel);
  if (!loaded) return EXIT_LOAD;
  const { obj, verdicts } = loaded;
  // the log of an accepted program: on request only (level 1 is the default for failures)
  const showLog = logLevel !== undefined && logLevel > 0;
  const recs: Record<string, unknown>[] = [];
  for (const name of obj.programNames()) {
    const rec = showRecord(obj, obj.program(name), verdicts);
    const log = verdicts.get(name)?.log ?? '';
    if (out.json) {
      if (showLog) rec['log'] = log;
      recs.push(rec);
    } else {
      out.write(showPlain(rec));
      if (showLog) process.stderr.write(progLoadLog(name, log));
    }
  }
  if (out.json) out.emitJson(recs);
  obj.close();
  return 0;
}

function readInput(file: string, what: string): Uint8Array {
  return readInputFile(file, what, DEFAULT_MAX_PACKET_BYTES);
}

interface RunArgs {
  dataIn?: string;
  dataOut?: string;
  ctxIn?: string;
  ctxOut?: string;
  repeat: number;
  /** repeat was given (the kernel refuses it for syscall and raw_tp programs) */
  repeatSet?: boolean;
}

function parseRunArgs(args: readonly string[]): RunArgs | string {
  const r: RunArgs = { repeat: 1 };
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!;
    const v = args[i + 1];
    if (v === undefined) return `'${k}' needs an argument`;
    switch (k) {
      case 'data_in': r.dataIn = v; break;
      case 'data_out': r.dataOut = v; break;
      case 'ctx_in': r.ctxIn = v; break;
      case 'ctx_out': r.ctxOut = v; break;
      case 'data_size_out': case 'ctx_size_out': break; // output buffers are always large enough here
      case 'repeat':
        if (!/^\d+$/.test(v)) return `repeat takes a count, not '${v}'`;
        r.repeat = Number(v);
        r.repeatSet = true;
        break;
      default:
        return `unknown keyword '${k}' (data_in, data_out, ctx_in, ctx_out, repeat)`;
    }
  }
  return r;
}

/** print_run_output: '-' is a hex dump (or a JSON byte array), anything else a file. */
function runOutput(out: Output, data: Uint8Array, file: string | undefined, jsonKey: string, rec: Record<string, unknown>): void {
  if (file === undefined) return;
  if (file !== '-') writeFileSync(file, data);
  else if (out.json) rec[jsonKey] = Array.from(data);
  else out.write(hexPrint(data));
}

async function run(args: string[], out: Output): Promise<number> {
  const [objPath, progName, ...kw] = args;
  if (!objPath || !progName) return usageError(out, 'prog run needs OBJ and PROG');
  const ra = parseRunArgs(kw);
  if (typeof ra === 'string') return usageError(out, ra);
  let dataIn: Uint8Array | undefined;
  let ctxIn: Uint8Array | undefined;
  try {
    if (ra.dataIn !== undefined) dataIn = readInput(ra.dataIn, 'data_in');
    if (ra.ctxIn !== undefined) ctxIn = readInput(ra.ctxIn, 'ctx_in');
  } catch (e) {
    out.error(`failed to read input: ${(e as Error).message}`);
    return EXIT_FAILED;
  }
  const rt = new Runtime(cliRuntimeOptions());
  const loaded = await openObject(rt, objPath, out);
  if (!loaded) return EXIT_LOAD;
  const { obj } = loaded;
  try {
    let prog: Program;
    try {
      prog = obj.program(progName);
    } catch (e) {
      out.error((e as Error).message);
      return EXIT_USAGE;
    }
    const opts: Parameters<Program['run']>[0] = ra.repeatSet ? { repeat: ra.repeat } : {};
    if (ra.ctxOut !== undefined && prog.hasPacket) opts.ctxOut = true;
    if (dataIn) opts.data = dataIn;
    if (ctxIn) {
      // raw_tp/tracing contexts are the u64 arguments; syscall programs get the bytes
      if (prog.type === BPF_PROG_TYPE_RAW_TRACEPOINT || prog.type === BPF_PROG_TYPE_TRACING) {
        if (ctxIn.length % 8) {
          out.error(`ctx_in for ${prog.typeName} is u64 arguments: ${ctxIn.length} bytes is not a multiple of 8`);
          return EXIT_FAILED;
        }
        const dv = new DataView(ctxIn.buffer, ctxIn.byteOffset, ctxIn.byteLength);
        opts.args = Array.from({ length: ctxIn.length / 8 }, (_, i) => dv.getBigUint64(8 * i, true));
      } else if (prog.type === BPF_PROG_TYPE_SYSCALL || prog.hasPacket) {
        // syscall: the context bytes; packet programs: a struct __sk_buff / xdp_md
        opts.ctx = ctxIn;
      } else {
        out.error(`ctx_in is not supported for ${prog.typeName} programs: ${strerror(22)}`);
        return EXIT_FAILED;
      }
    }
    let r: ReturnType<Program['run']>;
    const t0 = process.hrtime.bigint();
    try {
      r = prog.run(opts);
    } catch (e) {
      const errno = (e as { errno?: number }).errno;
      if (typeof errno === 'number') out.error(`failed to run program: ${strerror(errno)}`, { errno: Math.abs(errno) });
      else if (e instanceof VmError) out.error(`program fault: ${e.message}`);
      else throw e;
      return EXIT_FAILED;
    }
    // wall time of all repetitions (arena setup included, as the kernel's is), averaged
    const duration = Number((process.hrtime.bigint() - t0) / BigInt(Math.max(1, ra.repeat)));
    const rec: Record<string, unknown> = {};
    if (r.data) runOutput(out, r.data, ra.dataOut, 'data_out', rec);
    if (r.ctx) runOutput(out, r.ctx, ra.ctxOut, 'ctx_out', rec);
    if (out.json) out.emitJson({ ...rec, retval: r.retval, duration });
    else out.write(`Return value: ${r.retval}, duration${ra.repeat > 1 ? ' (average)' : ''}: ${duration}ns\n`);
    for (const l of rt.traceLog) process.stderr.write(`trace: ${l}\n`);
    return 0;
  } finally {
    obj.close();
  }
}

async function dump(args: string[], out: Output): Promise<number> {
  const linum = args.includes('linum');
  const [objPath, progName, ...extra] = args.filter((a) => a !== 'linum' && a !== 'xlated');
  if (!objPath) return usageError(out, 'prog dump needs OBJ');
  if (extra.length) return usageError(out, `unexpected '${extra[0]}'`);
  const rt = new Runtime(cliRuntimeOptions());
  const loaded = await openObject(rt, objPath, out);
  if (!loaded) return EXIT_LOAD;
  const { obj, verdicts } = loaded;
  try {
    let names = obj.programNames();
    if (progName !== undefined) {
      if (!names.includes(progName)) {
        out.error(`no program '${progName}' in ${obj.name} (have: ${names.join(', ')})`);
        return EXIT_USAGE;
      }
      names = [progName];
    }
    const one = progName !== undefined;
    const docs: unknown[] = [];
    names.forEach((name, n) => {
      const ps = obj.spec.programs.find((p) => p.name === name)!;
      const lines = xlatedLines(obj, ps);
      if (out.json) {
        const insns = xlatedJson(lines, linum);
        // one program: bpftool's array; all of them: an array of {prog show record, insns}
        docs.push(one ? insns : { ...showRecord(obj, obj.program(name), verdicts), insns });
        return;
      }
      if (!one) out.write(`${n ? '\n' : ''}${showPlain(showRecord(obj, obj.program(name), verdicts))}`);
      out.write(formatXlated(lines, linum));
    });
    if (out.json) out.emitJson(one ? docs[0] : docs);
    return 0;
  } finally {
    obj.close();
  }
}

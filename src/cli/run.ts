// `tsbpf run OBJ [--no-hold] [--clock virtual|real] [--json] STEP...`: a
// scenario without TypeScript. The output contract is shared with the
// kernel-side runner in test/kernel/runner.c, so the two can be diffed.

import { Runtime } from '../runtime/runtime.js';
import type { BpfObject, GlobalInfo } from '../runtime/loader.js';
import { decodeGlobal } from '../runtime/loader.js';
import { VmError } from '../vm/errors.js';
import { errnoName } from '../uapi/errno.js';
import { parseSteps, StepError, type Step } from './steps.js';
import { describeLoadFailure } from './load_failure.js';

const USAGE = 'usage: tsbpf run OBJ [--no-hold] [--clock virtual|real] [--json] STEP...';

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** One dump line per variable, as the kernel runner prints them. */
export function dumpLines(obj: BpfObject): string[] {
  const lines: string[] = [];
  const isData = (s: string): boolean => s === '.data' || s === '.bss' || s.startsWith('.data.') || s.startsWith('.bss.');
  for (const g of obj.globals(isData)) {
    const bytes = obj.globalBytes(g.name);
    if (!bytes) {
      lines.push(`${g.name}=freed`);
      continue;
    }
    lines.push(...formatGlobal(g, bytes));
  }
  return lines;
}

function formatGlobal(g: GlobalInfo, bytes: Uint8Array): string[] {
  const v = decodeGlobal(g, bytes);
  if (g.shape.kind === 'int') return [`${g.name}=${v as number | bigint}`];
  if (g.shape.kind === 'int-array') return (v as (number | bigint)[]).map((x, i) => `${g.name}[${i}]=${x}`);
  return [`${g.name}=0x${hex(bytes)}`];
}

export async function main(argv: string[]): Promise<number> {
  let noHold = false;
  let json = false;
  let clock: 'virtual' | 'real' = 'virtual';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-hold') noHold = true;
    else if (a === '--json') json = true;
    else if (a === '--clock') {
      const c = argv[++i];
      if (c !== 'virtual' && c !== 'real') {
        process.stderr.write(`tsbpf run: --clock takes virtual or real\n${USAGE}\n`);
        return 2;
      }
      clock = c;
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

  const rt = new Runtime({ clock });
  let obj: BpfObject;
  try {
    obj = await rt.loadObject(objPath);
  } catch (e) {
    const f = describeLoadFailure(e);
    emit('load=failed', { load: 'failed', errno: f.errno, verifier_error: f.verifierError, message: f.message });
    if (!json) process.stdout.write(`errno=-${errnoName(f.errno)}\nverifier_error=${f.verifierError}\n`);
    if (f.message && !json) process.stderr.write(`tsbpf run: ${f.message}\n`);
    if (json) process.stdout.write(`${JSON.stringify(records)}\n`);
    return 3;
  }
  emit('load=ok', { load: 'ok' });
  if (noHold) for (const n of obj.mapNames()) obj.map(n).close();

  let packet: Uint8Array = new Uint8Array(64);
  let status = 0;
  try {
    for (const s of steps) {
      switch (s.kind) {
        case 'pkt':
          packet = s.bytes;
          emit(`pkt len=${packet.length}`, { pkt: packet.length });
          break;
        case 'run': {
          const verb = s.withPacket ? 'run-pkt' : 'run';
          const prog = obj.program(s.prog);
          try {
            const r = prog.run(prog.hasPacket ? { data: packet } : {});
            if (s.withPacket) {
              const d = r.data ?? new Uint8Array(0);
              emit(`${verb}:${s.prog} retval=${r.retval} size=${d.length} data=${hex(d)}`, { run: s.prog, retval: r.retval, size: d.length, data: hex(d) });
            } else {
              emit(`${verb}:${s.prog} retval=${r.retval}`, { run: s.prog, retval: r.retval });
            }
          } catch (e) {
            const errno = (e as { errno?: number }).errno;
            if (typeof errno === 'number') {
              emit(`${verb}:${s.prog} err=-${errnoName(errno)}`, { run: s.prog, err: errno });
            } else if (e instanceof VmError) {
              process.stderr.write(`tsbpf run: ${s.prog}: ${e.message}\n`);
              emit(`${verb}:${s.prog} err=-EFAULT`, { run: s.prog, err: -14, fault: e.message });
            } else throw e;
          }
          break;
        }
        case 'sleep':
          await passTime(rt, s.usec * 1000n);
          break;
        case 'advance':
          await passTime(rt, s.ns);
          break;
        case 'close-map':
          obj.map(s.map).close();
          break;
        case 'close-maps':
          for (const n of obj.mapNames()) obj.map(n).close();
          break;
        case 'dump': {
          const lines = dumpLines(obj);
          emit('dump', { dump: lines });
          if (!json) for (const l of lines) process.stdout.write(`${l}\n`);
          break;
        }
      }
    }
  } catch (e) {
    process.stderr.write(`tsbpf run: ${(e as Error).message}\n`);
    status = 2;
  }
  for (const a of rt.asyncErrors) process.stderr.write(`tsbpf run: timer callback in ${a.prog}: ${(a.error as Error).message ?? a.error}\n`);
  for (const l of rt.traceLog) process.stderr.write(`trace: ${l}\n`);
  if (json) process.stdout.write(`${JSON.stringify(records)}\n`);
  obj.close();
  rt.unref();
  return status;
}

/** Virtual clock: advance (firing due timers). Real clock: wait on the event loop. */
async function passTime(rt: Runtime, ns: bigint): Promise<void> {
  if (rt.clock.kind === 'virtual') {
    rt.virtualClock.advance(ns);
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Number(ns / 1_000_000n)));
}

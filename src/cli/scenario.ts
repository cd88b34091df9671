// Executing the steps of `tsbpf run` (see steps.ts) against a loaded object:
// shared by `tsbpf run` and the `tsbpf map` verbs, which run a scenario
// before they read or write a map (there is no daemon holding maps between
// invocations, so state is rebuilt each time).

import type { Runtime } from '../runtime/runtime.js';
import type { BpfObject, GlobalInfo } from '../runtime/loader.js';
import { decodeGlobal } from '../runtime/loader.js';
import { VmError } from '../vm/errors.js';
import { MapError } from '../maps/map.js';
import { errnoName } from '../uapi/errno.js';
import type { PerfBuffer } from '../runtime/perf_buffer.js';
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY } from '../uapi/bpf.js';
import { MAX_REAL_WAIT_NS, MAX_STEP_NS, StepError, type Step } from './steps.js';
import type { RunOptions } from '../runtime/program.js';
import { effectLines, effectsJson } from './effects.js';
import { ptRegIndex, type TriggerInput } from '../runtime/trigger.js';
import type { Task } from '../runtime/task.js';
import { KernelObjectError } from '../runtime/kernel_objects.js';
import type { TunnelInfo } from '../helpers/env.js';
import { parseAddr } from '../net/addr.js';

const num = (v: string, what: string): bigint => {
  try {
    return BigInt(v);
  } catch {
    throw new StepError(`bad number '${v}' for ${what}`);
  }
};

/** fire:PROG:di=0x1,ip=...,args=1;2,record=HEX,period=N,addr=N,cookie=N,cpu=N */
/** a kobj: field value: a number, &NAME (another kobj's address), else a string (char arrays, char pointers) */
function kobjValue(v: string, kobjs: ReadonlyMap<string, bigint>): bigint | string {
  if (v.startsWith('&')) return kobjAddr(v, kobjs);
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(v)) return num(v, 'kobj field');
  return v.replace(/^"(.*)"$/, '$1');
}

function kobjAddr(v: string, kobjs: ReadonlyMap<string, bigint>): bigint {
  const a = kobjs.get(v.slice(1));
  if (a === undefined) throw new StepError(`no kernel object '${v.slice(1)}' (create it first with kobj:${v.slice(1)}=STRUCT:...)`);
  return a;
}

function triggerInput(opts: Record<string, string>, kobjs: ReadonlyMap<string, bigint> = new Map()): TriggerInput {
  const input: TriggerInput = {};
  const regs: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (ptRegIndex(k) >= 0) regs[k] = num(v, k);
    else if (k === 'args') input.args = v === '' ? [] : v.split(';').map((x) => (x.startsWith('&') ? kobjAddr(x, kobjs) : num(x, 'args')));
    else if (k === 'record') {
      if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new StepError(`bad record '${v.slice(0, 40)}' (hex bytes)`);
      input.record = Uint8Array.from(v.match(/../g) ?? [], (h) => parseInt(h, 16));
    } else if (k === 'period') input.samplePeriod = num(v, k);
    else if (k === 'addr') input.addr = num(v, k);
    else if (k === 'cookie') input.cookie = num(v, k);
    else if (k === 'func_ip') input.funcIp = num(v, k);
    else if (k === 'cpu') input.cpu = Number(num(v, k));
    else throw new StepError(`unknown trigger option '${k}' (pt_regs names, args, record, period, addr, cookie, func_ip, cpu)`);
  }
  if (Object.keys(regs).length) input.regs = regs;
  return input;
}

function taskFields(f: Record<string, string>): Partial<Task> {
  const t: Partial<Task> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'pid' || k === 'tgid' || k === 'uid' || k === 'gid' || k === 'ppid') t[k] = Number(num(v, k));
    else if (k === 'comm') t.comm = v;
    else if (k === 'cgroup') t.cgroupId = num(v, k);
    else if (k === 'task') t.taskStruct = num(v, k);
    else if (k === 'exit') t.exitCode = Number(BigInt.asIntN(32, num(v, k)));
    else if (k === 'kstack' || k === 'ustack') t[k === 'kstack' ? 'kernelStack' : 'userStack'] = v === '' ? [] : v.split(';').map((x) => num(x, k));
    else throw new StepError(`unknown task field '${k}' (pid, tgid, ppid, uid, gid, comm, cgroup, task, exit, kstack, ustack)`);
  }
  return t;
}

export interface StepOutput {
  /** one result line, and the same result as a --json record */
  record(line: string, rec: Record<string, unknown>): void;
  /** the variable lines of a `dump` step (after its `dump` record) */
  dump(lines: string[]): void;
  /** a diagnostic (a program fault): stderr */
  warn(message: string): void;
  /** the side effects of a packet run (only with `tsbpf run --effects`) */
  effects?(lines: string[], rec: Record<string, unknown>): void;
}

// no Buffer: the playground runs scenarios in the browser
function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
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

/**
 * Runs `steps` in order. A program's errno (e.g. -ENOTSUPP from test-run) or
 * fault is a result line, not an error; an unknown program or map name throws.
 */
export async function executeSteps(rt: Runtime, obj: BpfObject, steps: readonly Step[], out: StepOutput): Promise<void> {
  // the packet run-pkt/run use until a pkt: step replaces it
  let packet: Uint8Array = new Uint8Array(64);
  // as the kernel runner: a one-page perf buffer on every perf event array, opened after load
  const perf = new Map<string, PerfBuffer>();
  for (const n of obj.mapNames()) {
    if (obj.map(n).type === BPF_MAP_TYPE_PERF_EVENT_ARRAY) perf.set(n, obj.perfBuffer(n, { pages: 1 }));
  }
  // ctx:, repeat:, flags:, size-out: apply to every later run
  let ctx: Uint8Array | 'none' | 'out' = 'none';
  const extra: Pick<RunOptions, 'repeat' | 'flags' | 'dataSizeOut' | 'tunnel'> = {};
  // kobj: kernel structs by name, for fire: args (&NAME)
  const kobjs = new Map<string, bigint>();
  for (const s of steps) {
    switch (s.kind) {
      case 'pkt':
        packet = s.bytes;
        out.record(`pkt len=${packet.length}`, { pkt: packet.length });
        break;
      case 'ctx':
        ctx = s.bytes;
        out.record(typeof ctx === 'string' ? `ctx ${ctx}` : `ctx len=${ctx.length}`, { ctx: typeof ctx === 'string' ? ctx : ctx.length });
        break;
      case 'update': {
        const m = obj.map(s.map);
        if (m.keySize !== s.key.length || m.valueSize !== s.value.length) {
          throw new Error(`update:${s.map}: key/value sizes do not match the map`);
        }
        try {
          m.update(s.key, s.value);
          out.record(`update:${s.map} ok`, { update: s.map });
        } catch (e) {
          const errno = (e as { errno?: number }).errno;
          if (typeof errno !== 'number') throw e;
          out.record(`update:${s.map} err=-${errnoName(errno)}`, { update: s.map, err: errno });
        }
        break;
      }
      case 'repeat':
      case 'flags':
      case 'size-out':
        extra[s.kind === 'size-out' ? 'dataSizeOut' : s.kind] = s.value;
        out.record(`${s.kind}=${s.value}`, { [s.kind]: s.value });
        break;
      case 'run': {
        const verb = s.withPacket ? 'run-pkt' : 'run';
        const prog = obj.program(s.prog);
        const opts: RunOptions = { ...extra };
        if (prog.hasPacket) opts.data = packet;
        if (ctx !== 'none') {
          if (ctx !== 'out') opts.ctx = ctx;
          if (prog.hasPacket) opts.ctxOut = true;
        }
        try {
          const r = prog.run(opts);
          let line = `${verb}:${s.prog} retval=${r.retval}`;
          const rec: Record<string, unknown> = { run: s.prog, retval: r.retval };
          if (s.withPacket) {
            const d = r.data ?? new Uint8Array(0);
            line += ` size=${d.length} data=${hex(d)}`;
            Object.assign(rec, { size: d.length, data: hex(d) });
          }
          if (ctx !== 'none') {
            // packet programs: ctx_out; syscall/raw_tp: the ctx_in buffer after the run
            const c = r.ctx ?? (prog.hasPacket || ctx === 'out' ? new Uint8Array(0) : ctx);
            line += ` ctx=${hex(c)}`;
            rec['ctx'] = hex(c);
          }
          out.record(line, rec);
          if (r.effects && out.effects) out.effects(effectLines(r.effects), { effects: effectsJson(r.effects) });
        } catch (e) {
          const errno = (e as { errno?: number }).errno;
          if (typeof errno === 'number') {
            out.record(`${verb}:${s.prog} err=-${errnoName(errno)}`, { run: s.prog, err: errno });
          } else if (e instanceof VmError) {
            out.warn(`${s.prog}: ${e.message}`);
            out.record(`${verb}:${s.prog} err=-EFAULT`, { run: s.prog, err: -14, fault: e.message });
          } else throw e;
        }
        break;
      }
      case 'fire': {
        const prog = obj.program(s.prog);
        try {
          const r = prog.trigger(triggerInput(s.opts, kobjs));
          out.record(`fire:${s.prog} retval=${r.retval}`, { fire: s.prog, retval: r.retval });
        } catch (e) {
          const errno = (e as { errno?: number }).errno;
          if (typeof errno === 'number') out.record(`fire:${s.prog} err=-${errnoName(errno)}`, { fire: s.prog, err: errno });
          else if (e instanceof VmError) {
            out.warn(`${s.prog}: ${e.message}`);
            out.record(`fire:${s.prog} err=-EFAULT`, { fire: s.prog, err: -14, fault: e.message });
          } else throw e;
        }
        break;
      }
      case 'kobj': {
        const fields = Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, kobjValue(v, kobjs)]));
        try {
          kobjs.set(s.name, rt.kernelObject(s.struct, fields));
        } catch (e) {
          if (e instanceof KernelObjectError) throw new StepError(`kobj:${s.name}: ${e.message}`);
          throw e;
        }
        break;
      }
      case 'task':
        rt.setTask(taskFields(s.fields));
        break;
      case 'tunnel':
        if (s.fields === 'none') delete extra.tunnel;
        else extra.tunnel = tunnelFields(s.fields);
        break;
      case 'mem':
        (s.space === 'kernel' ? rt.memory.kernel : rt.memory.user).map(s.addr, s.bytes);
        break;
      case 'sleep':
        await passTime(rt, s.usec * 1000n);
        break;
      case 'advance':
        await passTime(rt, s.ns);
        break;
      case 'slot': {
        // BPF_MAP_UPDATE_ELEM with a program fd (or delete for '-')
        const h = obj.map(s.map);
        try {
          if (s.prog === '-') h.delete(s.index);
          else h.update(s.index, obj.program(s.prog));
          out.record(`slot:${s.text} ok`, { slot: s.text, ok: true });
        } catch (e) {
          if (!(e instanceof MapError)) throw e;
          out.record(`slot:${s.text} err=-${errnoName(e.errno)}`, { slot: s.text, err: e.errno });
        }
        break;
      }
      case 'close-map':
        obj.map(s.map).close();
        break;
      case 'close-maps':
        for (const n of obj.mapNames()) obj.map(n).close();
        break;
      case 'rewrite':
      case 'freeze': {
        // update:MAP: key 0's current value written back (a frozen map: -EPERM); freeze: BPF_MAP_FREEZE
        const m = obj.map(s.map);
        const verb = s.kind === 'rewrite' ? 'update' : 'freeze';
        try {
          if (s.kind === 'rewrite') m.update(0, m.lookup(0) ?? new Uint8Array(m.valueSize));
          else m.freeze();
          out.record(`${verb}:${s.map} ok`, { [verb]: s.map, ok: true });
        } catch (e) {
          if (!(e instanceof MapError)) throw e;
          out.record(`${verb}:${s.map} err=-${errnoName(e.errno)}`, { [verb]: s.map, err: e.errno });
        }
        break;
      }
      case 'ringbuf': {
        // ring_buffer__consume: every committed record, in order
        const rb = obj.ringbuf(s.map);
        try {
          const recs = rb.consume();
          out.record(`ringbuf:${s.map} records=${recs.length}`, { ringbuf: s.map, records: recs.map((r) => hex(r.data)) });
          for (const r of recs) out.record(`record len=${r.data.length} data=${hex(r.data)}`, { record: hex(r.data), len: r.data.length });
        } finally {
          rb.close();
        }
        break;
      }
      case 'user-ringbuf': {
        // user_ring_buffer__reserve + submit/discard
        const verb = s.discard ? 'user-ringbuf-discard' : 'user-ringbuf';
        const urb = obj.userRingbuf(s.map);
        try {
          const smp = urb.reserve(s.bytes.length);
          smp.write(s.bytes);
          if (s.discard) smp.discard();
          else smp.submit();
          out.record(`${verb}:${s.map} ok`, { [verb]: s.map, ok: true });
        } catch (e) {
          if (!(e instanceof MapError)) throw e;
          out.record(`${verb}:${s.map} err=-${errnoName(e.errno)}`, { [verb]: s.map, err: e.errno });
        }
        break;
      }
      case 'perf': {
        // perf_buffer__consume: samples (padded raw size) and lost counts, CPU after CPU
        const pb = perf.get(s.map);
        if (!pb) throw new Error(`map '${s.map}' is not a perf event array`);
        const recs = pb.consume();
        out.record(`perf:${s.map} records=${recs.length}`, { perf: s.map, records: recs.length });
        for (const r of recs) {
          if (r.kind === 'sample') out.record(`sample cpu=${r.cpu} len=${r.data.length} data=${hex(r.data)}`, { cpu: r.cpu, sample: hex(r.data) });
          else out.record(`lost cpu=${r.cpu} count=${r.lost}`, { cpu: r.cpu, lost: r.lost });
        }
        break;
      }
      case 'dump': {
        const lines = dumpLines(obj);
        out.record('dump', { dump: lines });
        out.dump(lines);
        break;
      }
    }
  }
}

/** Virtual clock: advance (firing due timers). Real clock: wait on the event loop. */
async function passTime(rt: Runtime, ns: bigint): Promise<void> {
  if (ns > MAX_STEP_NS) throw new StepError(`cannot move time by ${ns} ns: over KTIME_MAX (2^63-1 ns)`);
  if (rt.clock.kind === 'virtual') {
    rt.virtualClock.advance(ns);
    return;
  }
  if (ns > MAX_REAL_WAIT_NS) {
    throw new StepError(`cannot wait ${ns} ns on the real clock: the limit is ${MAX_REAL_WAIT_NS / 1_000_000_000n} s`);
  }
  await new Promise((resolve) => setTimeout(resolve, Number(ns / 1_000_000n)));
}

/** the fields of a tunnel: step (addresses as text, numbers decimal or 0x hex) */
function tunnelFields(f: Record<string, string>): TunnelInfo {
  const known = new Set(['id', 'remote', 'local', 'tos', 'ttl', 'label', 'flags', 'opts']);
  for (const k of Object.keys(f)) if (!known.has(k)) throw new Error(`tunnel: unknown field '${k}' (id, remote, local, tos, ttl, label, flags, opts)`);
  if (f['remote'] === undefined || f['local'] === undefined) throw new Error('tunnel: needs remote= and local=');
  const r = parseAddr(f['remote']);
  const l = parseAddr(f['local']);
  if (r.family !== l.family) throw new Error('tunnel: remote and local are of different families');
  const num = (k: string): number => {
    const v = f[k];
    if (v === undefined) return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`tunnel: bad ${k} '${v}'`);
    return n;
  };
  // without flags=: a keyed tunnel (IP_TUNNEL_KEY_BIT), with GENEVE options present when opts= is given
  const flags = f['flags'] !== undefined ? num('flags') : 0x4 | (f['opts'] ? 0x800 : 0);
  const t: TunnelInfo = { id: num('id'), family: r.family, remote: r.addr, local: l.addr, tos: num('tos'), ttl: num('ttl'), label: num('label'), flags };
  if (f['opts'] !== undefined) {
    if (!/^([0-9a-fA-F]{2})*$/.test(f['opts'])) throw new Error(`tunnel: opts must be hex bytes`);
    t.options = Uint8Array.from(Buffer.from(f['opts'], 'hex'));
  }
  return t;
}

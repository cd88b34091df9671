// The steps of `tsbpf run OBJ STEP...`, parsed before anything runs so a typo
// fails fast with the step's position. The kernel-side runner in test/kernel
// accepts the same steps and prints the same lines.

import { parseDuration as parseClockDuration } from '../timers/ktime.js';

export type Step =
  | { kind: 'run'; prog: string; withPacket: boolean }
  | { kind: 'pkt'; bytes: Uint8Array }
  | { kind: 'ctx'; bytes: Uint8Array | 'none' | 'out' }
  | { kind: 'repeat' | 'flags' | 'size-out'; value: number }
  | { kind: 'update'; map: string; key: Uint8Array; value: Uint8Array }
  | { kind: 'sleep'; usec: bigint }
  | { kind: 'advance'; ns: bigint }
  | { kind: 'close-map'; map: string }
  | { kind: 'close-maps' }
  | { kind: 'slot'; text: string; map: string; index: number; prog: string }
  | { kind: 'rewrite' | 'freeze'; map: string }
  | { kind: 'ringbuf'; map: string }
  | { kind: 'user-ringbuf'; map: string; bytes: Uint8Array; discard: boolean }
  | { kind: 'perf'; map: string }
  | { kind: 'dump' }
  | { kind: 'fire'; prog: string; opts: Record<string, string> }
  | { kind: 'kobj'; name: string; struct: string; fields: Record<string, string> }
  | { kind: 'task'; fields: Record<string, string> }
  | { kind: 'tunnel'; fields: Record<string, string> | 'none' }
  | { kind: 'mem'; space: 'kernel' | 'user'; addr: bigint; bytes: Uint8Array };

export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}

/** KTIME_MAX: the longest a virtual `advance:`/`sleep:` may move time */
export const MAX_STEP_NS = (1n << 63n) - 1n;
/** the longest a `sleep:`/`advance:` waits on the real clock (one hour) */
export const MAX_REAL_WAIT_NS = 3600n * 1_000_000_000n;

/** '10ns', '50us', '1.5ms', '35s', '2m', '1h' (or a bare number of ns) -> ns: the library's syntax, at most KTIME_MAX. */
export function parseDuration(text: string): bigint {
  let ns: bigint;
  try {
    ns = parseClockDuration(text);
  } catch {
    throw new StepError(`bad duration '${text.slice(0, 40)}' (expected e.g. 10ns, 50us, 1.5ms, 35s, 2m, 1h)`);
  }
  if (ns > MAX_STEP_NS) throw new StepError(`bad duration '${text.slice(0, 40)}': over KTIME_MAX (2^63-1 ns)`);
  return ns;
}

/** the longest pkt:/ctx: a step takes (the kernel runner's MAX_PKT) */
export const MAX_STEP_BYTES = 16384;

function parsePacket(arg: string): Uint8Array {
  const iota = /^iota(?::(\d+))?$/.exec(arg);
  if (iota) {
    const n = iota[1] === undefined ? 64 : Number(iota[1]);
    if (n < 1 || n > MAX_STEP_BYTES) throw new StepError(`bad packet '${arg}' (iota:N, N 1-${MAX_STEP_BYTES})`);
    return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
  }
  return parseHex(arg, 'packet', "or 'iota[:N]'");
}

function parseHex(arg: string, what: string, alt: string): Uint8Array {
  if (arg.length < 2 || arg.length % 2 || arg.length / 2 > MAX_STEP_BYTES || !/^[0-9a-fA-F]+$/.test(arg)) {
    throw new StepError(`bad ${what} '${arg.slice(0, 40)}' (two hex digits a byte, 1-${MAX_STEP_BYTES} bytes, ${alt})`);
  }
  return Uint8Array.from(arg.match(/../g)!, (h) => parseInt(h, 16));
}

/** 'k=v,k=v' (values may not contain commas, except args=1;2;3 lists use ';') */
function parseKv(arg: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (arg === '') return out;
  for (const part of arg.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new StepError(`bad ${what} '${part}' (expected key=value)`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** ADDR:HEX or ADDR:str=TEXT (TEXT gets its NUL) */
function parseMem(space: 'kernel' | 'user', arg: string): Step {
  const colon = arg.indexOf(':');
  if (colon <= 0) throw new StepError(`bad memory '${arg}' (expected ADDR:HEX or ADDR:str=TEXT)`);
  let addr: bigint;
  try {
    addr = BigInt(arg.slice(0, colon));
  } catch {
    throw new StepError(`bad address '${arg.slice(0, colon)}'`);
  }
  const data = arg.slice(colon + 1);
  const bytes = data.startsWith('str=') ? new TextEncoder().encode(`${data.slice(4)}\0`)
    : /^([0-9a-fA-F]{2})+$/.test(data) ? Uint8Array.from(data.match(/../g)!, (h) => parseInt(h, 16)) : undefined;
  if (!bytes) throw new StepError(`bad memory bytes '${data.slice(0, 40)}' (hex, or str=TEXT)`);
  return { kind: 'mem', space, addr, bytes };
}

/** decimal or 0x hex, a u32 (strtoull base 0 in the kernel runner) */
function parseU32(arg: string): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(arg) || Number(arg) > 0xffffffff) throw new StepError(`bad number '${arg}'`);
  return Number(arg);
}

export function parseStep(text: string): Step {
  const colon = text.indexOf(':');
  const verb = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? '' : text.slice(colon + 1);
  const need = (what: string): string => {
    if (arg === '') throw new StepError(`step '${text}' needs ${what}`);
    return arg;
  };
  switch (verb) {
    case 'run':
      return { kind: 'run', prog: need('a program name'), withPacket: false };
    case 'run-pkt':
      return { kind: 'run', prog: need('a program name'), withPacket: true };
    case 'pkt':
      return { kind: 'pkt', bytes: parsePacket(need('packet bytes')) };
    case 'ctx': {
      const a = need("ctx bytes, 'out' or 'none'");
      return { kind: 'ctx', bytes: a === 'none' || a === 'out' ? a : parseHex(a, 'ctx', "'out' or 'none'") };
    }
    case 'update': {
      // update:MAP (no key/value): key 0's current value written back (the freeze check)
      if (arg !== '' && !arg.includes(':')) return { kind: 'rewrite', map: arg };
      const m = /^([^:]+):([0-9a-fA-F]+):([0-9a-fA-F]+)$/.exec(need('MAP:KEYHEX:VALHEX'));
      if (!m || m[2]!.length % 2 || m[3]!.length % 2 || m[2]!.length > 512 || m[3]!.length > 2048) {
        throw new StepError(`bad update '${arg.slice(0, 40)}' (MAP:KEYHEX:VALHEX)`);
      }
      return { kind: 'update', map: m[1]!, key: parseHex(m[2]!, 'key', ''), value: parseHex(m[3]!, 'value', '') };
    }
    case 'repeat':
    case 'flags':
    case 'size-out':
      return { kind: verb, value: parseU32(need('a number')) };
    case 'sleep': {
      const us = need('microseconds');
      if (!/^\d{1,17}$/.test(us)) throw new StepError(`bad sleep '${us.slice(0, 40)}' (microseconds, at most 17 digits)`);
      return { kind: 'sleep', usec: BigInt(us) };
    }
    case 'advance':
      return { kind: 'advance', ns: parseDuration(need('a duration')) };
    case 'close-map':
      return { kind: 'close-map', map: need('a map name') };
    case 'slot': {
      // slot:MAP:IDX:PROG (PROG '-' deletes): a prog array filled from user space
      const m = /^([^:]+):(\d{1,10}):(.+)$/.exec(need('MAP:IDX:PROG'));
      if (!m || Number(m[2]) > 0xffffffff) throw new StepError(`step '${text}' needs MAP:IDX:PROG (IDX a u32)`);
      return { kind: 'slot', text: arg, map: m[1]!, index: Number(m[2]), prog: m[3]! };
    }
    case 'freeze':
      return { kind: 'freeze', map: need('a map name') };
    case 'ringbuf':
      return { kind: 'ringbuf', map: need('a map name') };
    case 'perf':
      return { kind: 'perf', map: need('a map name') };
    case 'user-ringbuf':
    case 'user-ringbuf-discard': {
      // user-ringbuf:MAP:HEX: one sample reserved, written and submitted (or discarded) from user space
      const m = /^([^:]+):([0-9a-fA-F]*)$/.exec(need('MAP:HEX'));
      if (!m || m[2]!.length % 2 || m[2]!.length > 2 * 65536) throw new StepError(`bad ${verb} '${arg.slice(0, 40)}' (MAP:HEX)`);
      return { kind: 'user-ringbuf', map: m[1]!, bytes: parseHex(m[2]!, 'sample', ''), discard: verb === 'user-ringbuf-discard' };
    }
    case 'close-maps':
    case 'dump':
      if (arg !== '') throw new StepError(`step '${verb}' takes no argument`);
      return { kind: verb };
    case 'fire': {
      // fire:PROG or fire:PROG:key=value,... (tsbpf only: the kernel cannot test-run kprobes)
      const a = need('a program name');
      const c = a.indexOf(':');
      return { kind: 'fire', prog: c < 0 ? a : a.slice(0, c), opts: parseKv(c < 0 ? '' : a.slice(c + 1), 'trigger option') };
    }
    case 'kobj': {
      // kobj:NAME=STRUCT[:field=value,...] (tsbpf only): a kernel struct for fire:PROG:args=&NAME
      const m = /^([A-Za-z_]\w*)=([A-Za-z_]\w*)(?::(.*))?$/.exec(need('NAME=STRUCT[:field=value,...]'));
      if (!m) throw new StepError(`bad kobj '${arg.slice(0, 40)}' (NAME=STRUCT[:field=value,...])`);
      return { kind: 'kobj', name: m[1]!, struct: m[2]!, fields: parseKv(m[3] ?? '', 'kobj field') };
    }
    case 'task':
      return { kind: 'task', fields: parseKv(need('task fields'), 'task field') };
    case 'tunnel': {
      // tunnel:id=N,remote=ADDR,local=ADDR[,tos=,ttl=,label=,flags=,opts=HEX] | tunnel:none (tsbpf only: received tunnel metadata)
      const a = need('tunnel fields or none');
      return { kind: 'tunnel', fields: a === 'none' ? 'none' : parseKv(a, 'tunnel field') };
    }
    case 'kmem':
      return parseMem('kernel', need('ADDR:HEX'));
    case 'umem':
      return parseMem('user', need('ADDR:HEX'));
    default:
      throw new StepError(`unknown step '${text}' (run:, run-pkt:, pkt:, sleep:, advance:, slot:, close-map:, close-maps, dump, ctx:, repeat:, flags:, size-out:, update:, freeze:, fire:, kobj:, task:, tunnel:, kmem:, umem:, ringbuf:, user-ringbuf:, user-ringbuf-discard:, perf:)`);
  }
}

export function parseSteps(args: readonly string[]): Step[] {
  return args.map((a, i) => {
    try {
      return parseStep(a);
    } catch (e) {
      throw new StepError(`step ${i + 1}: ${(e as Error).message}`);
    }
  });
}

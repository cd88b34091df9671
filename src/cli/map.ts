// `tsbpf map dump|lookup|update|delete OBJ MAP ...`: bpftool's map verbs on
// an object loaded fresh each time. There is no daemon holding maps between
// invocations, so `tsbpf run`-style STEPs (run:PROG, pkt:HEX, advance:1ms,
// ...) build the state first:
//   tsbpf map dump examples/flowtable/flowtable.bpf.o flows pkt:... run:flow run:flow
// Keys and values are bpftool's: `key [hex] BYTE...`, exactly the map's size.

import { Runtime } from '../runtime/runtime.js';
import { cliRuntimeOptions } from './runtime_opts.js';
import type { BpfObject } from '../runtime/loader.js';
import type { Program } from '../runtime/program.js';
import type { MapHandle, MapObject } from '../runtime/map.js';
import { MapError } from '../maps/map.js';
import { formatMapDump, formatValue, toJson, type JsonValue } from '../btf/format.js';
import {
  BPF_ANY, BPF_EXIST, BPF_NOEXIST, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_MAP_TYPE_PERCPU_HASH,
} from '../uapi/bpf.js';
import { parseSteps, type Step } from './steps.js';
import { executeSteps } from './scenario.js';
import { fprintHex, hexJson } from './hexdump.js';
import { EXIT_FAILED, EXIT_LOAD, EXIT_USAGE, Output, openObject } from './output.js';
import { strerror } from './strerror.js';

const USAGE = `usage: tsbpf map dump OBJ MAP [STEP...] [--json]
       tsbpf map lookup OBJ MAP key [hex] BYTE... [STEP...] [--json]
       tsbpf map update OBJ MAP key [hex] BYTE... value [hex] BYTE... [any|noexist|exist] [STEP...] [--json]
       tsbpf map update OBJ PROG_ARRAY|MAP_IN_MAP key BYTE... value name NAME|id ID [any] [STEP...] [--json]
       tsbpf map delete OBJ MAP key [hex] BYTE... [STEP...] [--json]
MAP is a map name (or a global data section: .bss, .data). STEPs are tsbpf run's,
executed before the map operation; their results go to stderr.
BYTEs are C numbers (0x1f, 31, 037), or hex digits after 'hex'.
Exit status: 0 ok, 1 the operation failed (Not found, File exists, ...), 2 usage, 3 the object did not load.
`;

const PERCPU = new Set([BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE]);
const FLAGS: Record<string, number> = { any: BPF_ANY, noexist: BPF_NOEXIST, exist: BPF_EXIST };

class UsageError extends Error {}

/** One element as bpftool holds it: key bytes, and the value (per-CPU maps: one per CPU). */
interface Entry {
  key: Uint8Array;
  values: Uint8Array[];
}

/** How bpftool prints one map's elements: BTF-formatted when the map has value BTF, hex otherwise. */
class MapPrinter {
  readonly percpu: boolean;
  readonly mo: MapObject;

  constructor(readonly m: MapHandle, private readonly nCpus: number) {
    this.mo = m.object;
    this.percpu = PERCPU.has(m.type);
  }

  get hasBtf(): boolean {
    return !!this.mo.btf && this.mo.valueTypeId !== 0;
  }

  /** A user-space lookup's bytes split per CPU (round_up(value_size, 8) apart, as the kernel copies them). */
  entry(key: Uint8Array, raw: Uint8Array): Entry {
    if (!this.percpu) return { key, values: [raw] };
    const step = Math.ceil(this.m.valueSize / 8) * 8;
    return { key, values: Array.from({ length: this.nCpus }, (_, i) => raw.subarray(i * step, i * step + this.m.valueSize)) };
  }

  private keyTypeId(): number | undefined {
    return this.mo.keyTypeId || undefined;
  }

  /** do_dump_btf at json_writer depth `depth`: `{ "key": ..., "value": ... }` (per-CPU: "values": [{ "cpu", "value" }]) */
  private btfObject(e: Entry, depth: number): string {
    const btf = this.mo.btf!;
    const ind = (d: number): string => '\n' + '    '.repeat(d);
    let s = '{';
    const kt = this.keyTypeId();
    if (kt !== undefined) s += `${ind(depth + 1)}"key": ${formatValue(btf, kt, e.key, 0, { depth: depth + 1 })},`;
    if (!this.percpu) {
      s += `${ind(depth + 1)}"value": ${formatValue(btf, this.mo.valueTypeId, e.values[0]!, 0, { depth: depth + 1 })}`;
    } else {
      s += `${ind(depth + 1)}"values": [`;
      e.values.forEach((v, cpu) => {
        s += `${cpu ? ',' : ''}{${ind(depth + 3)}"cpu": ${cpu},${ind(depth + 3)}"value": ${formatValue(btf, this.mo.valueTypeId, v, 0, { depth: depth + 3 })}${ind(depth + 2)}}`;
      });
      s += `${ind(depth + 1)}]`;
    }
    return s + `${ind(depth)}}`;
  }

  /** print_entry_plain */
  private hexPlain(e: Entry): string {
    const { keySize, valueSize } = this.m;
    if (this.percpu) {
      let s = keySize ? `key:\n${fprintHex(e.key)}\n` : '';
      e.values.forEach((v, cpu) => {
        s += `value (CPU ${String(cpu).padStart(2, '0')}):${valueSize > 16 ? '\n' : ' '}${fprintHex(v)}\n`;
      });
      return s;
    }
    const breakNames = keySize > 16 || valueSize > 16;
    const singleLine = keySize + valueSize <= 24 && !breakNames;
    let s = '';
    if (keySize) s += `key:${breakNames ? '\n' : ' '}${fprintHex(e.key)}${singleLine ? '  ' : '\n'}`;
    if (valueSize) {
      const v = e.values[0]!;
      if (this.m.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || this.m.type === BPF_MAP_TYPE_HASH_OF_MAPS) {
        s += `inner_map_id:${breakNames ? '\n' : ' '}${new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true)} `;
      } else {
        s += `value:${breakNames ? '\n' : ' '}${fprintHex(v)}`;
      }
    }
    return s + '\n';
  }

  /** print_entry_json: hex arrays, plus "formatted" with BTF. */
  json(e: Entry): Record<string, JsonValue> {
    const r: Record<string, JsonValue> = { key: hexJson(e.key) };
    if (!this.percpu) r['value'] = hexJson(e.values[0]!);
    else r['values'] = e.values.map((v, cpu) => ({ cpu, value: hexJson(v) }));
    if (this.hasBtf) {
      const btf = this.mo.btf!;
      const f: Record<string, JsonValue> = {};
      const kt = this.keyTypeId();
      if (kt !== undefined) f['key'] = toJson(btf, kt, e.key);
      if (!this.percpu) f['value'] = toJson(btf, this.mo.valueTypeId, e.values[0]!);
      else f['values'] = e.values.map((v, cpu) => ({ cpu, value: toJson(btf, this.mo.valueTypeId, v) }));
      r['formatted'] = f;
    }
    return r;
  }

  /** `map dump`, plain. */
  dump(entries: Entry[]): string {
    if (!this.hasBtf) {
      return entries.map((e) => this.hexPlain(e)).join('') + `Found ${entries.length} element${entries.length === 1 ? '' : 's'}\n`;
    }
    if (entries.length === 0) return '[]\n';
    if (!this.percpu) {
      return formatMapDump(this.mo.btf!, this.keyTypeId(), this.mo.valueTypeId, entries.map((e) => ({ key: e.key, value: e.values[0]! }))) + '\n';
    }
    return '[' + entries.map((e) => this.btfObject(e, 1)).join(',') + '\n]\n';
  }

  /** `map lookup`, plain. */
  lookup(e: Entry): string {
    return this.hasBtf ? `${this.btfObject(e, 0)}\n` : this.hexPlain(e);
  }
}

/** bpftool's parse_bytes: `[hex] BYTE...`, exactly n of them. Returns the bytes and the rest of argv. */
function parseBytes(args: readonly string[], name: string, n: number): { bytes: Uint8Array; rest: string[] } {
  let i = 0;
  let hex = false;
  if (args[0] === 'hex') {
    hex = true;
    i++;
  }
  const bytes = new Uint8Array(n);
  let got = 0;
  for (; got < n && i < args.length; got++, i++) {
    const a = args[i]!;
    const ok = hex ? /^(0x)?[0-9a-f]{1,2}$/i.test(a) : /^(0x[0-9a-f]{1,2}|0[0-7]{0,3}|[1-9][0-9]{0,2})$/i.test(a);
    const v = !ok ? NaN : hex ? parseInt(a.replace(/^0x/i, ''), 16) : /^0x/i.test(a) ? parseInt(a, 16) : /^0./.test(a) ? parseInt(a, 8) : parseInt(a, 10);
    if (!(v >= 0 && v <= 255)) throw new UsageError(`error parsing byte: ${a}`);
    bytes[got] = v;
  }
  if (got !== n) throw new UsageError(`${name} expected ${n} bytes got ${got}`);
  return { bytes, rest: args.slice(i) };
}

function expectWord(args: readonly string[], word: string): string[] {
  if (args[0] !== word) throw new UsageError(`expected '${word}'${args[0] === undefined ? '' : `, got '${args[0]}'`}`);
  return args.slice(1);
}

/** Every element in get_next_key order. */
function readAll(m: MapHandle, p: MapPrinter): Entry[] {
  const out: Entry[] = [];
  for (const k of m.keys()) {
    const v = m.lookup(k);
    if (v) out.push(p.entry(k, v)); // deleted between get_next_key and lookup: skipped, as bpftool does
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const { out, args } = Output.fromArgv(argv);
  const [verb, objPath, mapName, ...rest] = args;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    process.stdout.write(USAGE);
    return verb === undefined ? EXIT_USAGE : 0;
  }
  if (!['dump', 'lookup', 'update', 'delete'].includes(verb)) {
    out.error(`unknown verb '${verb}' (dump, lookup, update, delete)`);
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  if (!objPath || !mapName) {
    out.error(`map ${verb} needs OBJ and MAP`);
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  const rt = new Runtime(cliRuntimeOptions());
  const loaded = await openObject(rt, objPath, out);
  if (!loaded) return EXIT_LOAD;
  const { obj } = loaded;
  try {
    return await mapVerb(rt, obj, verb, mapName, rest, out);
  } finally {
    for (const a of rt.asyncErrors) process.stderr.write(`tsbpf map: timer callback in ${a.prog}: ${(a.error as Error).message ?? a.error}\n`);
    for (const l of rt.traceLog) process.stderr.write(`trace: ${l}\n`);
    obj.close();
    rt.unref();
  }
}

function isFdMap(type: number): boolean {
  return type === BPF_MAP_TYPE_PROG_ARRAY || type === BPF_MAP_TYPE_ARRAY_OF_MAPS || type === BPF_MAP_TYPE_HASH_OF_MAPS;
}

/** `name NAME` / `id ID` of a program (prog array) or map (map-in-map), as bpftool's prog_parse_fd/map_parse_fd */
function resolveFdValue(obj: BpfObject, mapType: number, how: string, what: string | undefined): Program | MapHandle {
  if (what === undefined) throw new UsageError(`value ${how} needs an argument`);
  const progs = mapType === BPF_MAP_TYPE_PROG_ARRAY;
  if (how === 'name') {
    try {
      return progs ? obj.program(what) : obj.map(what);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (!/^\d{1,10}$/.test(what)) throw new UsageError(`bad id '${what}'`);
  const id = Number(what);
  if (progs) {
    const p = obj.programNames().map((n) => obj.program(n)).find((x) => x.object.id === id);
    if (!p) throw new UsageError(`no program with id ${id}`);
    return p;
  }
  const h = obj.mapNames().map((n) => obj.map(n)).find((x) => x.object.map.id === id);
  if (!h) throw new UsageError(`no map with id ${id}`);
  return h;
}

async function mapVerb(rt: Runtime, obj: BpfObject, verb: string, mapName: string, args: string[], out: Output): Promise<number> {
  let m: MapHandle;
  let key: Uint8Array | undefined;
  let value: Uint8Array | undefined;
  let fdValue: Program | MapHandle | undefined;
  let flags = BPF_ANY;
  let steps: Step[];
  try {
    try {
      m = obj.map(mapName);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let rest = args;
    if (verb !== 'dump') {
      ({ bytes: key, rest } = parseBytes(expectWord(rest, 'key'), 'key', m.keySize));
    }
    if (verb === 'update' && isFdMap(m.type) && (rest[1] === 'name' || rest[1] === 'id')) {
      // bpftool's PROG / MAP value of a prog array or map-in-map: `value name NAME` | `value id ID`
      expectWord(rest, 'value');
      fdValue = resolveFdValue(obj, m.type, rest[1], rest[2]);
      rest = rest.slice(3);
      if (rest[0] === 'flags') rest = rest.slice(1);
      const f = rest[0] === undefined ? undefined : FLAGS[rest[0]];
      if (f !== undefined) {
        flags = f;
        rest = rest.slice(1);
      }
    } else if (verb === 'update') {
      ({ bytes: value, rest } = parseBytes(expectWord(rest, 'value'), 'value', m.object.map.userValueSize));
      if (rest[0] === 'flags') rest = rest.slice(1);
      const f = rest[0] === undefined ? undefined : FLAGS[rest[0]];
      if (f !== undefined) {
        flags = f;
        rest = rest.slice(1);
      }
    }
    steps = parseSteps(rest);
  } catch (e) {
    out.error((e as Error).message);
    return EXIT_USAGE;
  }

  try {
    await executeSteps(rt, obj, steps, {
      record: (line) => process.stderr.write(`${line}\n`),
      dump: (lines) => process.stderr.write(lines.map((l) => `${l}\n`).join('')),
      warn: (msg) => process.stderr.write(`tsbpf map: ${msg}\n`),
    });
  } catch (e) {
    out.error((e as Error).message);
    return EXIT_USAGE;
  }

  const p = new MapPrinter(m, rt.cpus);
  try {
    switch (verb) {
      case 'dump': {
        const entries = readAll(m, p);
        if (out.json) out.emitJson(entries.map((e) => p.json(e)));
        else out.write(p.dump(entries));
        return 0;
      }
      case 'lookup': {
        const v = m.lookup(key!);
        if (!v) {
          if (out.json) out.emitJson(null);
          else out.write(`key:\n${fprintHex(key!)}\n\nNot found\n`);
          return EXIT_FAILED;
        }
        const e = p.entry(key!, v);
        if (out.json) out.emitJson(p.json(e));
        else out.write(p.lookup(e));
        return 0;
      }
      case 'update':
        if (fdValue) m.update(key!, fdValue, flags);
        else m.update(key!, value!, flags);
        break;
      case 'delete':
        m.delete(key!);
        break;
    }
  } catch (e) {
    if (!(e instanceof MapError)) throw e;
    out.error(`${verb} failed: ${strerror(e.errno)}`, { errno: Math.abs(e.errno) });
    return EXIT_FAILED;
  }
  // update and delete print nothing, or JSON null (bpftool's jsonw_null)
  if (out.json) out.emitJson(null);
  return 0;
}

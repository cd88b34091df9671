import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../kernel/kernel.js';
import { parseObject } from '../../src/object/index.js';
import { bpftool, bpftoolSkip, scratchFile, tsbpf, withKernelObject } from './cli.js';

const COUNTER = 'test/kernel/scenarios/counter.bpf.o';
const FLOWTABLE = 'examples/flowtable/flowtable.bpf.o';
const SIZES = 'test/object/fixtures/sizes.bpf.o';
const KITCHEN = 'test/object/fixtures/kitchen.bpf.o';
const MIM = 'test/timers-diff/mim.bpf.o';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A .bss datasec value ({ ".bss": [{ hits: 1 }, ...] }) as a plain object. */
function vars(value: Json): Record<string, Json> {
  const sec = Object.values(value as Record<string, Json[]>)[0]!;
  return Object.assign({}, ...(sec as Record<string, Json>[]));
}

function json(args: string[]): Json {
  const r = tsbpf(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Json;
}

test('map dump after steps: the global data reflects every run (BTF-formatted, like bpftool)', () => {
  const pkt = 'pkt:' + '00'.repeat(37);
  const r = tsbpf('map', 'dump', COUNTER, '.bss', pkt, 'run:count', 'run:count', 'run:count');
  assert.equal(r.status, 0, r.stderr);
  // the steps' own results go to stderr, as tsbpf run prints them
  assert.equal(r.stderr, 'pkt len=37\nrun:count retval=2\nrun:count retval=2\nrun:count retval=2\n');
  assert.match(r.stdout, /^\[\{\n {8}"value": \{\n {12}"\.bss": \[\{\n {20}"hits": 3\n/);
  const plain = JSON.parse(r.stdout) as { value: Json }[]; // bpftool's plain BTF output is JSON
  assert.equal(plain.length, 1);
  assert.deepEqual(vars(plain[0]!.value), { hits: 3, last_len: 37, seen: true, neg: -3 });
  // .bss by its libbpf name, too; no steps: all zero
  assert.deepEqual(vars((JSON.parse(tsbpf('map', 'dump', COUNTER, 'counter.bss').stdout) as { value: Json }[])[0]!.value), { hits: 0, last_len: 0, seen: false, neg: 0 });

  // --json: bpftool -j's hex arrays plus "formatted"
  const doc = json(['map', 'dump', COUNTER, '.bss', pkt, 'run:count', 'run:count']) as { key: string[]; value: string[]; formatted: { value: Json } }[];
  assert.deepEqual(doc[0]!.key, ['0x00', '0x00', '0x00', '0x00']);
  const bytes = Uint8Array.from(doc[0]!.value.map((h) => parseInt(h, 16)));
  assert.equal(Buffer.from(bytes).readUInt32LE(0), 2); // hits
  assert.equal(Buffer.from(bytes).readUInt32LE(4), 37); // last_len
  assert.deepEqual(vars(doc[0]!.formatted.value), { hits: 2, last_len: 37, seen: true, neg: -2 });
  assert.equal('key' in doc[0]!.formatted, false); // global data has no key BTF: bpftool prints none
});

/** The pkt: steps of a committed flowtable scenario, up to its first dump. */
function flowSteps(): string[] {
  const steps = readFileSync(join(repoRoot, 'examples/flowtable/flowtable.expire.steps'), 'utf8').trim().split(/\s+/);
  return steps.slice(0, steps.indexOf('dump'));
}

test('map dump of a hash map after packets: one entry per flow, with its packet and byte counts', () => {
  const steps = flowSteps();
  // what the program should have counted: IPv4 UDP/TCP frames by 5-tuple
  const want = new Map<string, { packets: number; bytes: number }>();
  let pkt = Buffer.alloc(64);
  for (const s of steps) {
    if (s.startsWith('pkt:')) pkt = s === 'pkt:iota' ? Buffer.from(Array.from({ length: 64 }, (_, i) => i)) : Buffer.from(s.slice(4), 'hex');
    if (s !== 'run:flow' || pkt.readUInt16BE(12) !== 0x0800 || ![6, 17].includes(pkt[23]!)) continue;
    const k = `${pkt.readUInt32LE(26)} ${pkt.readUInt32LE(30)} ${pkt.readUInt16BE(34)} ${pkt.readUInt16BE(36)} ${pkt[23]}`;
    const f = want.get(k) ?? { packets: 0, bytes: 0 };
    f.packets++;
    f.bytes += pkt.length;
    want.set(k, f);
  }
  assert.ok(want.size >= 2);
  const r = tsbpf('map', 'dump', FLOWTABLE, 'flows', ...steps);
  assert.equal(r.status, 0, r.stderr);
  type Flow = { key: { saddr: number; daddr: number; sport: number; dport: number; proto: number; pad: number[] }; value: { packets: number; bytes: number; idle: Json } };
  const got = JSON.parse(r.stdout) as Flow[];
  assert.deepEqual(
    new Map(got.map((e) => [`${e.key.saddr} ${e.key.daddr} ${e.key.sport} ${e.key.dport} ${e.key.proto}`, { packets: e.value.packets, bytes: e.value.bytes }])),
    want,
  );
  for (const e of got) assert.deepEqual(e.value.idle, {}); // struct bpf_timer: opaque to user space
  // the same entries in --json's "formatted"
  const doc = json(['map', 'dump', FLOWTABLE, 'flows', ...steps]) as { formatted: Flow }[];
  assert.deepEqual(doc.map((d) => d.formatted), got);
  // idle flows expire on the virtual clock: the callbacks delete their own entries
  const later = tsbpf('map', 'dump', FLOWTABLE, 'flows', ...steps, 'advance:100ms');
  assert.equal(later.stdout, '[]\n');
  assert.equal(tsbpf('map', 'dump', FLOWTABLE, 'flows', '--json').stdout, '[]\n');
});

test('map dump without BTF: bpftool\'s hex layout and "Found N elements"', () => {
  const spec = parseObject(new Uint8Array(readFileSync(join(repoRoot, SIZES))));
  const asz = spec.maps.find((m) => m.name === 'asz')!;
  assert.equal(asz.valueTypeId, 0);
  const r = tsbpf('map', 'dump', SIZES, 'asz');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`\\nFound ${asz.maxEntries} elements\\n$`));
  // value > 16 bytes: names on their own line, 16 bytes a row in two groups of 8
  assert.ok(r.stdout.startsWith('key:\n00 00 00 00\nvalue:\n00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00\n'));
  const keyLines = r.stdout.split('\n').filter((l, i, a) => a[i - 1] === 'key:');
  assert.deepEqual(keyLines.slice(0, 3), ['00 00 00 00', '01 00 00 00', '02 00 00 00']);
  assert.equal(tsbpf('map', 'dump', SIZES, 'hsz').stdout, 'Found 0 elements\n');
  // map-in-map: the inner map's id
  const outer = tsbpf('map', 'dump', MIM, 'outer');
  const innerId = (JSON.parse(tsbpf('prog', 'load', MIM, '--json').stdout) as { map_ids: number[]; map_names: string[] }[])
    .flatMap((p) => p.map_ids.map((id, i) => [p.map_names[i], id] as const)).find(([n]) => n === 'inner')?.[1];
  assert.match(outer.stdout, /^key: 00 00 00 00  inner_map_id: (\d+) \nFound 1 element\n$/);
  if (innerId !== undefined) assert.equal(Number(/inner_map_id: (\d+)/.exec(outer.stdout)![1]), innerId);
});

test('map dump of a per-CPU map: "values" per CPU', () => {
  const r = tsbpf('map', 'dump', KITCHEN, 'pcpu');
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { key: number; values: { cpu: number; value: Json }[] }[];
  assert.ok(got.length > 0);
  for (const e of got) assert.deepEqual(e.values.map((v) => v.cpu), [0]);
  const doc = json(['map', 'dump', KITCHEN, 'pcpu']) as { values: { cpu: number; value: string[] }[]; formatted: Json }[];
  assert.deepEqual(doc.map((d) => d.formatted), got);
});

test('map lookup: the element, or "Not found" with exit 1', () => {
  const r = tsbpf('map', 'lookup', COUNTER, '.bss', 'key', '0', '0', '0', '0', 'run:count');
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { value: Json };
  assert.equal(vars(e.value)['hits'], 1);
  assert.match(r.stdout, /^\{\n {4}"value": \{\n {8}"\.bss": \[\{/);
  // C-style and hex bytes
  assert.equal(tsbpf('map', 'lookup', COUNTER, '.bss', 'key', 'hex', '00', '0', '0x0', '00').status, 0);

  const [pktStep] = flowSteps();
  const p = Buffer.from(pktStep!.slice(4), 'hex');
  // struct flow_key: saddr, daddr (network order), sport, dport (host order), proto, pad[3]
  const key = Buffer.alloc(16);
  p.copy(key, 0, 26, 34);
  key.writeUInt16LE(p.readUInt16BE(34), 8);
  key.writeUInt16LE(p.readUInt16BE(36), 10);
  key[12] = p[23]!;
  const keyArgs = ['key', 'hex', ...[...key].map((b) => b.toString(16).padStart(2, '0'))];
  const hit = tsbpf('map', 'lookup', FLOWTABLE, 'flows', ...keyArgs, pktStep!, 'run:flow');
  assert.equal(hit.status, 0, hit.stderr);
  assert.equal((JSON.parse(hit.stdout) as { value: { packets: number } }).value.packets, 1);
  const miss = tsbpf('map', 'lookup', FLOWTABLE, 'flows', ...keyArgs);
  assert.equal(miss.status, 1);
  assert.equal(miss.stdout, `key:\n${[...key].map((b) => b.toString(16).padStart(2, '0')).join(' ').replace(/^((?:\S+ ){7}\S+) /, '$1  ')}\n\nNot found\n`);
  const missJ = tsbpf('map', 'lookup', FLOWTABLE, 'flows', ...keyArgs, '--json');
  assert.equal(missJ.status, 1);
  assert.equal(missJ.stdout, 'null\n');
});

test('map update and delete: flags and errors as the kernel reports them', () => {
  const [pktStep] = flowSteps();
  const p = Buffer.from(pktStep!.slice(4), 'hex');
  const key = Buffer.alloc(16);
  p.copy(key, 0, 26, 34);
  key.writeUInt16LE(p.readUInt16BE(34), 8);
  key.writeUInt16LE(p.readUInt16BE(36), 10);
  key[12] = p[23]!;
  const k = ['key', ...[...key].map(String)];
  const v = ['value', ...Array<string>(32).fill('0')];
  assert.deepEqual(tsbpf('map', 'update', FLOWTABLE, 'flows', ...k, ...v), { status: 0, stdout: '', stderr: '' });
  assert.equal(tsbpf('map', 'update', FLOWTABLE, 'flows', ...k, ...v, '--json').stdout, 'null\n');
  const exist = tsbpf('map', 'update', FLOWTABLE, 'flows', ...k, ...v, 'exist');
  assert.deepEqual([exist.status, exist.stderr], [1, 'Error: update failed: No such file or directory\n']);
  // once a packet created the flow, noexist fails and exist succeeds
  const noexist = tsbpf('map', 'update', FLOWTABLE, 'flows', ...k, ...v, 'noexist', pktStep!, 'run:flow');
  assert.equal(noexist.status, 1);
  assert.match(noexist.stderr, /^Error: update failed: File exists$/m);
  assert.equal(tsbpf('map', 'update', FLOWTABLE, 'flows', ...k, ...v, 'flags', 'exist', pktStep!, 'run:flow').status, 0);
  const delMiss = tsbpf('map', 'delete', FLOWTABLE, 'flows', ...k, '--json');
  assert.equal(delMiss.status, 1);
  assert.deepEqual(JSON.parse(delMiss.stdout), { error: 'delete failed: No such file or directory', errno: 2 });
  assert.equal(tsbpf('map', 'delete', FLOWTABLE, 'flows', ...k, pktStep!, 'run:flow').status, 0);
  // arrays: no delete, and no index past max_entries
  assert.equal(tsbpf('map', 'delete', COUNTER, '.bss', 'key', '0', '0', '0', '0').stderr, 'Error: delete failed: Invalid argument\n');
  const big = tsbpf('map', 'update', COUNTER, '.bss', 'key', '1', '0', '0', '0', 'value', ...Array<string>(24).fill('0'));
  assert.deepEqual([big.status, big.stderr], [1, 'Error: update failed: Argument list too long\n']);
});

test('map verbs: usage errors exit 2 with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [['map', 'dump', FLOWTABLE, 'nomap'], /^Error: no map 'nomap' in flowtable \(have: flows, flowtabl\.bss\)\n$/],
    [['map', 'lookup', FLOWTABLE, 'flows', 'key', '1', '2', '3'], /^Error: key expected 16 bytes got 3\n$/],
    [['map', 'lookup', COUNTER, '.bss', 'key', '1', 'zz', '0', '0'], /^Error: error parsing byte: zz\n$/],
    [['map', 'lookup', COUNTER, '.bss', 'key', '256', '0', '0', '0'], /^Error: error parsing byte: 256\n$/],
    [['map', 'lookup', COUNTER, '.bss', '0', '0', '0', '0'], /^Error: expected 'key', got '0'\n$/],
    [['map', 'update', COUNTER, '.bss', 'key', '0', '0', '0', '0', 'value', '1'], /^Error: value expected 24 bytes got 1\n$/],
    [['map', 'dump', COUNTER, '.bss', 'bogus'], /^Error: step 1: unknown step 'bogus'/],
    [['map', 'dump', COUNTER, '.bss', 'run:nope'], /no program 'nope' in counter/],
    [['map', 'frob', COUNTER, '.bss'], /^Error: unknown verb 'frob'/],
    [['map', 'dump', COUNTER], /^Error: map dump needs OBJ and MAP/],
  ];
  for (const [args, err] of cases) {
    const r = tsbpf(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr.replace(/^usage:[^]*$/m, ''), err, args.join(' '));
  }
  const load = tsbpf('map', 'dump', 'test/kernel/scenarios/reject.bpf.o', 'x');
  assert.equal(load.status, 3);
});

// ---- against the live kernel, through bpftool ----

const liveSkip = bpftoolSkip();
if (liveSkip) process.stderr.write(`# test/cli/map: live-kernel comparisons skipped: ${liveSkip}\n`);

test('live kernel: map dump after the same runs prints what bpftool prints', { skip: liveSkip }, () => {
  const pkt = scratchFile('zeros.bin', new Uint8Array(64));
  withKernelObject(join(repoRoot, COUNTER), (pin) => {
    for (let i = 0; i < 2; i++) assert.equal(bpftool('prog', 'run', 'pinned', `${pin}/count`, 'data_in', pkt).status, 0);
    for (const [map, pinName] of [['.bss', 'counter_bss'], ['.data', 'counter_data']]) {
      const ours = tsbpf('map', 'dump', COUNTER, map!, 'run:count', 'run:count');
      assert.equal(ours.stdout, bpftool('map', 'dump', 'pinned', `${pin}/maps/${pinName}`).stdout, map);
      const oursJ = tsbpf('map', 'dump', COUNTER, map!, 'run:count', 'run:count', '--json');
      const kJ = bpftool('-j', 'map', 'dump', 'pinned', `${pin}/maps/${pinName}`);
      // integers past 2^53 are decimal strings in ours (toJson), bare numbers in bpftool's
      const bigAsString = (s: string): string => s.replace(/(?<=[:[,])(-?\d{16,})(?=[,\]}])/g, '"$1"');
      assert.deepEqual(JSON.parse(oursJ.stdout), JSON.parse(bigAsString(kJ.stdout)), map);
    }
    // errors, byte for byte
    const ops: string[][] = [
      ['delete', 'key', '0', '0', '0', '0'],
      ['update', 'key', '1', '0', '0', '0', 'value', ...Array<string>(24).fill('0')],
      ['update', 'key', '0', '0', '0', '0', 'value', ...Array<string>(24).fill('0'), 'noexist'],
      ['lookup', 'key', '0', '0', '0'],
      ['lookup', 'key', '0', '0', 'x', '0'],
    ];
    for (const op of ops) {
      const k = bpftool('map', op[0]!, 'pinned', `${pin}/maps/counter_bss`, ...op.slice(1));
      const ours = tsbpf('map', op[0]!, COUNTER, '.bss', ...op.slice(1));
      assert.equal(ours.stderr.split('\n')[0], k.stderr.split('\n')[0], op.join(' '));
      assert.equal(ours.status === 0, k.status === 0, op.join(' '));
    }
  });
});

test('live kernel: map dump without BTF is byte-identical to bpftool\'s', { skip: liveSkip }, () => {
  withKernelObject(join(repoRoot, SIZES), (pin) => {
    for (const map of ['asz', 'hsz']) {
      assert.equal(tsbpf('map', 'dump', SIZES, map).stdout, bpftool('map', 'dump', 'pinned', `${pin}/maps/${map}`).stdout, map);
      assert.deepEqual(JSON.parse(tsbpf('map', 'dump', SIZES, map, '--json').stdout), JSON.parse(bpftool('-j', 'map', 'dump', 'pinned', `${pin}/maps/${map}`).stdout));
    }
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BtfError } from '../../src/btf/btf.js';
import { formatMapDump, formatValue, toJson } from '../../src/btf/format.js';
import { parseObject } from '../../src/object/object.js';

const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../../../test/${p}`, import.meta.url)));
const kitchen = parseObject(fixture('object/fixtures/kitchen.bpf.o'), { name: 'kitchen' });
const kinds = parseObject(fixture('btf/fixtures/kinds.bpf.o'), { name: 'kinds' });

// Captured from `bpftool map dump id N` (bpftool v7, plain mode) on this object
// after libbpf created the maps and user space stored bytes i*7+1 in the value.
const HMAP_DUMP = `[{
        "key": 1,
        "value": {
            "counter": 3615022833237690369,
            "timer": {},
            "il": {
                "pad": -1095257943,
                "lock": {
                    "val": 0
                }
            }
        }
    }
]`;

const DATA_DUMP = `[{
        "value": {
            ".data": [{
                    "data_int": 42
                },{
                    "data_u64": 1234605616436508552
                },{
                    "data_point": {
                        "x": -1,
                        "y": 7
                    }
                }
            ]
        }
    }
]`;

test('formats a map value exactly as bpftool map dump', () => {
  const hmap = kitchen.maps.find((m) => m.name === 'hmap')!;
  const value = new Uint8Array(32).map((_, i) => i * 7 + 1);
  value.fill(0, 8, 24); // the kernel never copies out special fields
  value.fill(0, 28, 32);
  const key = new Uint8Array([1, 0, 0, 0]);
  assert.equal(formatMapDump(kitchen.btf!, hmap.keyTypeId, hmap.valueTypeId, [{ key, value }]), HMAP_DUMP);
});

test('formats a global data section (DATASEC) as bpftool does', () => {
  const data = kitchen.maps.find((m) => m.section === '.data')!;
  assert.equal(formatMapDump(kitchen.btf!, undefined, data.valueTypeId, [{ value: data.globalData!.initial }]), DATA_DUMP);
});

test('every kind: bitfields and pointers in hex, enums by name, char arrays as strings', () => {
  const data = kinds.maps.find((m) => m.section === '.data')!;
  const json = toJson(kinds.btf!, data.valueTypeId, data.globalData!.initial) as { '.data': { g_kinds: Record<string, unknown> }[] };
  const g = json['.data'][0]!.g_kinds;
  assert.equal(g.vol, -5);
  assert.equal(g.cst, 7);
  assert.equal(g.fl, 1.5);
  assert.equal(g.db, -2.25);
  assert.equal(g.eb, 'BIG_B');
  assert.equal(g.es, 'S_NEG');
  assert.deepEqual(g.bf, { a: '0x5', b: '0x11', c: '0x77', d: 200, e: '0x123456789a' });
  assert.equal(g.name, 'hi');
  assert.equal(g.flag, true);
  assert.deepEqual(g.matrix, [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual((g.u as { bytes: unknown }).bytes, [68, 67, 66, 65], 'no NUL: not a string');
  const text = formatValue(kinds.btf!, data.valueTypeId, data.globalData!.initial);
  assert.match(text, /"tagged_ptr": \(nil\),/);
  assert.match(text, /"fl": 1\.500000,/);
  assert.match(text, /"matrix": \[\[1,2,3\n {20}\],\[4,5,6\n {20}\]\n {16}\],/);
});

test('u64 beyond 2^53 stays exact', () => {
  const arr = kitchen.maps.find((m) => m.name === 'arr')!;
  const v = new Uint8Array(8).fill(0xff);
  assert.equal(formatValue(kitchen.btf!, arr.valueTypeId, v), '18446744073709551615');
  assert.equal(toJson(kitchen.btf!, arr.valueTypeId, v), '18446744073709551615');
});

test('a buffer too short for the type is a BtfError', () => {
  const hmap = kitchen.maps.find((m) => m.name === 'hmap')!;
  assert.throws(() => formatValue(kitchen.btf!, hmap.valueTypeId, new Uint8Array(10)), (e: unknown) => e instanceof BtfError && /needs 32 bytes/.test(e.message));
});

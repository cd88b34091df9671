// Typed data: map keys/values and globals by BTF, both ways (src/btf/codec.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../src/index.js';
import { decodeValue, encodeValue } from '../../src/btf/codec.js';

const FLOW = fileURLToPath(new URL('../../../examples/flowtable/flowtable.bpf.o', import.meta.url));
// an IPv4/UDP packet 10.0.0.1:1234 -> 10.0.0.2:53 (the flowtable example's first packet)
const PKT = Uint8Array.from('02000000000202000000000108004500002000004000401126cb0a0000010a00000204d20035000c0000deadbeef'.match(/../g)!, (h) => parseInt(h, 16));

test('flowtable: a hash map of struct flow_key -> struct flow reads as objects, the bpf_timer as its state', async () => {
  const rt = new Runtime();
  const o = await rt.loadObject(FLOW);
  assert.equal(o.program('flow').run({ data: PKT }).retval, 2);
  const flows = o.map('flows');
  const entries = flows.entries();
  assert.equal(entries.length, 1);
  const [key, value] = entries[0]!;
  assert.deepEqual(key, { saddr: 0x0100000a, daddr: 0x0200000a, sport: 1234, dport: 53, proto: 17, pad: [0, 0, 0] });
  assert.deepEqual(value, { packets: 1n, bytes: 46n, idle: { bpf_timer: 'armed', expires: 1_000_050_000_000n } });
  // the same element by a typed key
  assert.deepEqual(flows.get(key), value);
  // a typed update: missing fields are zero; user space never writes the timer field
  flows.set(key, { packets: 7n, bytes: 700n });
  const after = flows.get(key) as { packets: bigint; idle: unknown };
  assert.equal(after.packets, 7n);
  // the update replaced the value, which frees its timer (as the kernel's update does)
  assert.deepEqual(after.idle, { bpf_timer: 'uninit' });
  assert.equal(flows.get({ saddr: 1, daddr: 2, sport: 3, dport: 4, proto: 6 }), undefined);
  assert.throws(() => flows.set(key, { packts: 1n }), /no member 'packts'/);
  assert.throws(() => flows.set(key, { packets: -1n }), /does not fit/);
  // globals: __u64 counters come back as bigint
  assert.equal(o.global('created'), 1n);
  assert.equal(o.global('active'), 1n);
  rt.virtualClock.advance('50ms');
  assert.equal(o.global('expired'), 0n); // the update above freed the timer: nothing expires
  o.close();
});

test('the ratelimit bucket: a spin lock and a timer field as markers; a map value by a plain index key', async () => {
  const rt = new Runtime();
  const o = await rt.loadObject(fileURLToPath(new URL('../../../examples/ratelimit/ratelimit.bpf.o', import.meta.url)));
  assert.deepEqual(o.map('bucket').get(0), { lock: { bpf_spin_lock: true }, tokens: 0, refill: { bpf_timer: 'uninit' } });
  o.program('setup').run({});
  assert.deepEqual(o.map('bucket').get(0), { lock: { bpf_spin_lock: true }, tokens: 3, refill: { bpf_timer: 'armed', expires: 1_000_050_000_000n } });
  assert.equal(o.map('bucket').get(1), undefined);
  // user space writes the plain fields; the kernel-owned ones are never written from the value
  // given, and an update frees the element's timer as array_map_update_elem does
  o.map('bucket').set(0, { tokens: 5, refill: { bpf_timer: 'armed' }, lock: { bpf_spin_lock: true } });
  assert.deepEqual(o.map('bucket').get(0), { lock: { bpf_spin_lock: true }, tokens: 5, refill: { bpf_timer: 'uninit' } });
  // a negative number for an unsigned field is refused, not wrapped; the element keeps its value
  assert.throws(() => o.map('bucket').set(0, { tokens: -1 }), /tokens: -1 does not fit in u32/);
  assert.equal((o.map('bucket').get(0) as { tokens: number }).tokens, 5);
  // the license is a char array: a string
  assert.equal(o.global('passed'), 0n);
  o.close();
});

test('codec rules: char arrays as strings both ways, size checks', async () => {
  const rt = new Runtime();
  const o = await rt.loadObject(fileURLToPath(new URL('../../../examples/ratelimit/ratelimit.bpf.o', import.meta.url)));
  const btf = o.spec.btf!;
  const lic = btf.types.find((t) => t.kind === 14 && t.name === 'LICENSE') as { type: number } | undefined;
  assert.ok(lic, 'LICENSE var');
  assert.equal(decodeValue(btf, lic.type, new TextEncoder().encode('GPL\0')), 'GPL');
  assert.deepEqual([...encodeValue(btf, lic.type, 'GP')], [0x47, 0x50, 0, 0]);
  assert.throws(() => encodeValue(btf, lic.type, 'GPLv2'), /string of 5 bytes does not fit in char\[4\]/);
  // as C's char s[4] = "GPL!": all N characters fit, without the NUL
  assert.deepEqual([...encodeValue(btf, lic.type, 'GPL!')], [0x47, 0x50, 0x4c, 0x21]);
  assert.equal(decodeValue(btf, lic.type, encodeValue(btf, lic.type, 'GPL!')), 'GPL!');
  assert.throws(() => decodeValue(btf, lic.type, new Uint8Array(2)), /needs 4 bytes/);
  o.close();
});

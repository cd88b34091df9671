// The side effects of the networking examples (the kernel cannot show them;
// their return codes and packets are compared with the kernel's goldens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Runtime } from '../../src/index.js';
import { readHostFile } from '../../src/net/host_file.js';
import { repoRoot } from '../kernel/kernel.js';

const ex = (p: string): string => join(repoRoot, 'examples', p);

/** the pkt: arguments of an example's steps file */
function packets(steps: string): Uint8Array[] {
  return readFileSync(steps, 'utf8').trim().split(/\s+/).filter((s) => s.startsWith('pkt:'))
    .map((s) => Uint8Array.from(Buffer.from(s.slice(4), 'hex')));
}

function ipv4Checksum(h: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (h[i]! << 8) | h[i + 1]!;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

test('tc_lb: VIP traffic is rewritten to a backend and redirected out of the route device', async () => {
  const rt = new Runtime({ host: readHostFile(ex('tc_lb/lb.host.json')) });
  const obj = await rt.loadObject(ex('tc_lb/tc_lb.bpf.o'));
  const ctx = new Uint8Array(192);
  new DataView(ctx.buffer).setUint32(40, 2, true); // ifindex: front
  const [a, b, other] = packets(ex('tc_lb/tc_lb.balance.steps'));
  const backends = new Set<string>();
  for (const pkt of [a!, b!]) {
    const r = obj.program('lb').run({ data: pkt, ctx });
    assert.equal(r.retval, 7); // TC_ACT_REDIRECT
    assert.deepEqual(r.effects?.redirect, { kind: 'ifindex', ifindex: 3, ingress: false, device: 'back' });
    const out = r.data!;
    assert.equal(Buffer.from(out.subarray(0, 6)).toString('hex'), '0200000002fe'); // the gateway
    assert.equal(ipv4Checksum(out.subarray(14, 34)), 0xffff); // a valid IP header checksum
    backends.add([...out.subarray(30, 34)].join('.'));
  }
  assert.deepEqual([...backends].sort(), ['10.3.0.11', '10.3.0.12']);
  const r = obj.program('lb').run({ data: other!, ctx });
  assert.equal(r.retval, 0);
  assert.equal(r.effects?.redirect, undefined);
  obj.close();
});

test('xdp_devmap: known MACs go through the devmap, unknown ones are flooded without the ingress port', async () => {
  const rt = new Runtime({ host: readHostFile(ex('xdp_devmap/switch.host.json')) });
  const obj = await rt.loadObject(ex('xdp_devmap/xdp_devmap.bpf.o'));
  const u32 = (n: number): Uint8Array => Uint8Array.from([n & 0xff, (n >> 8) & 0xff, 0, 0]);
  const tx = obj.map('tx_port');
  tx.update(u32(0), u32(2));
  tx.update(u32(1), u32(3));
  tx.update(u32(2), u32(4));
  assert.throws(() => tx.update(u32(3), u32(99)), /EINVAL|-22|update/); // no such device
  const mac = (m: string): Uint8Array => Uint8Array.from(Buffer.from(m + '0000', 'hex'));
  obj.map('mac_port').update(mac('0a0000000001'), u32(1));
  const md = new Uint8Array(24);
  new DataView(md.buffer).setUint32(4, 64, true);
  new DataView(md.buffer).setUint32(12, 2, true); // ingress p0
  const frame = (dst: string): Uint8Array => Uint8Array.from(Buffer.from(dst + '0200000000aa0800' + '45'.repeat(50), 'hex'));
  const known = obj.program('fwd').run({ data: frame('0a0000000001'), ctx: md });
  assert.equal(known.retval, 4);
  assert.deepEqual(known.effects?.redirect?.kind === 'map' && known.effects.redirect.targets, [3]);
  const flood = obj.program('fwd').run({ data: frame('ffffffffffff'), ctx: md });
  assert.equal(flood.retval, 4);
  assert.deepEqual(flood.effects?.redirect?.kind === 'map' && flood.effects.redirect.targets, [3, 4]);
  obj.close();
});

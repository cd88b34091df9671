// Tunnel metadata from the test (the receive side the kernel's test run cannot
// give) and as a run's side effect. The kernel comparison of the helpers is
// test/kernel/scenarios/tunnel.basic.kernel.out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { parseAddr } from '../../src/net/addr.js';
import { repoRoot } from '../kernel/kernel.js';

const obj = (rt: Runtime) => rt.loadObject(join(repoRoot, 'test/kernel/scenarios/tunnel.bpf.o'));

test('a received packet with tunnel metadata: get_tunnel_key/opt read it (remote is the sender)', async () => {
  const rt = new Runtime();
  const o = await obj(rt);
  const tunnel = {
    id: 99, family: 4 as const, remote: parseAddr('192.0.2.1').addr, local: parseAddr('192.0.2.2').addr, tos: 0, ttl: 9, label: 0,
    flags: (1 << 2) | (1 << 11), options: Uint8Array.of(9, 9, 9, 9),
  };
  o.program('tun').run({ data: new Uint8Array(64), tunnel });
  const rc = o.global('rc') as bigint[];
  assert.equal(rc[0], 0n); // the metadata was there
  assert.equal(rc[1], 4n); // its 4 bytes of options
  assert.equal(rc[2], -22n); // not a key this program set: set_tunnel_opt refuses
  o.close();
});

test('set_tunnel_key/opt are reported as the run side effect', async () => {
  const rt = new Runtime();
  const o = await obj(rt);
  const r = o.program('tun').run({ data: new Uint8Array(64) });
  const t = r.effects?.skb?.tunnel;
  assert.ok(t, 'a tunnel side effect');
  // the last key the program set: IPv6, BPF_F_NO_TUNNEL_KEY, label masked to 20 bits
  assert.equal(t.family, 6);
  assert.equal(t.id, 7);
  // IPv6 addresses are copied as the program's bytes (it stored host-order words, no bpf_htonl)
  assert.deepEqual([t.remote[3], t.remote[12], t.local[3], t.local[12]], [0xfd, 2, 0xfd, 1]);
  assert.equal(t.label, 0x12345);
  assert.equal(t.flags & (1 << 2), 0); // no KEY bit
  o.close();
});

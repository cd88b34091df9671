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

test('tsbpf run: a tunnel: step gives received metadata, --effects prints what the program set; bad input is refused', async () => {
  const { tsbpf } = await import('../cli/cli.js');
  const o = 'test/kernel/scenarios/tunnel.bpf.o';
  const r = tsbpf('run', '--effects', o, 'tunnel:id=5,remote=192.0.2.1,local=192.0.2.2,ttl=9,opts=01020304', 'run:tun', 'dump');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^rc\[0\]=0$/m);
  assert.match(r.stdout, /^rc\[1\]=4$/m);
  assert.match(r.stdout, /^ {2}tunnel id=7 remote=.* flags=0x2001$/m); // the last key the program set: NOCACHE and CSUM, no KEY (BPF_F_NO_TUNNEL_KEY)
  const bad = tsbpf('run', o, 'tunnel:id=5,remote=192.0.2.1,local=fd00::1', 'run:tun');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /different families/);
  const rt = new Runtime();
  const obj = await rt.loadObject(join(repoRoot, o));
  assert.throws(() => obj.program('tun').run({ data: new Uint8Array(64), tunnel: { id: 1, family: 4, remote: new Uint8Array(3), local: new Uint8Array(4), tos: 0, ttl: 0, label: 0, flags: 0 } }),
    (e: Error & { errno?: number }) => /remote must be 4 bytes/.test(e.message) && e.errno === -22);
  obj.close();
});

// Socket lookups over the simulated host (src/net/socket.ts, src/helpers/sock.ts).
// The kernel comparison is test/kernel/scenarios/sock.host.kernel.out (replayed
// by test/runtime/differential.test.ts); these check what a test can change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { Host, HostError, type HostSpec } from '../../src/net/host.js';
import { parseAddr } from '../../src/net/addr.js';
import { lookupSocket } from '../../src/net/socket.js';
import { repoRoot } from '../kernel/kernel.js';

const S = join(repoRoot, 'test/kernel/scenarios');
const hostSpec = (): HostSpec => JSON.parse(readFileSync(join(S, 'sock.host.json'), 'utf8')) as HostSpec;
const a = (t: string): Uint8Array => parseAddr(t).addr;

test('lookupSocket: established before listener, exact address before wildcard, AF_INET before dual-stack', () => {
  const h = new Host({
    sockets: [
      { proto: 'tcp', local: '[::]:80' },
      { proto: 'tcp', local: '0.0.0.0:80' },
      { proto: 'tcp', local: '10.0.0.1:80' },
      { proto: 'tcp', local: '10.0.0.1:80', remote: '10.0.0.9:5000', state: 'established' },
      { proto: 'udp', local: '0.0.0.0:53' },
      { proto: 'udp', local: '0.0.0.0:53', remote: '10.0.0.9:7' },
    ],
  });
  const tcp = (src: string, sport: number, dst: string) => lookupSocket(h, 'tcp', 4, a(src), sport, a(dst), 80);
  assert.equal(tcp('10.0.0.9', 5000, '10.0.0.1'), h.sockets[3]);
  assert.equal(tcp('10.0.0.9', 5001, '10.0.0.1'), h.sockets[2]);
  assert.equal(tcp('10.0.0.9', 5001, '10.0.0.2'), h.sockets[1]);
  assert.equal(lookupSocket(h, 'tcp', 6, a('fd00::9'), 1, a('fd00::1'), 80), h.sockets[0]);
  assert.equal(lookupSocket(h, 'udp', 4, a('10.0.0.9'), 7, a('10.0.0.1'), 53), h.sockets[5]);
  assert.equal(lookupSocket(h, 'udp', 4, a('10.0.0.9'), 8, a('10.0.0.1'), 53), h.sockets[4]);
  assert.equal(lookupSocket(h, 'udp', 6, a('fd00::9'), 8, a('fd00::1'), 53), undefined);
});

test('host sockets: bad descriptions are HostErrors', () => {
  assert.throws(() => new Host({ sockets: [{ proto: 'sctp' as 'tcp', local: '1.2.3.4:5' }] }), HostError);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', state: 'closed' as 'listen' }] }), /state must be/);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', state: 'established' }] }), /needs a remote/);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', mark: -1 }] }), /bad mark/);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', tcp: { snd_cwnd: 'x' as unknown as number } }] }), /bad tcp snd_cwnd/);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', tcp: { nope: 1 } as never }] }), /unknown tcp field 'nope'/);
  assert.throws(() => new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', tcp: { bytes_acked: 'zz' as unknown as bigint } }] }), HostError);
  // JSON has no bigint: a number or a decimal string becomes one
  assert.equal(new Host({ sockets: [{ proto: 'tcp', local: '1.2.3.4:5', tcp: { bytes_acked: 7 as unknown as bigint } }] }).sockets[0]!.tcp!.bytes_acked, 7n);
});

test('a program reads what the test set on the host: mark, priority, bound device, TCP metrics', async () => {
  const spec = hostSpec();
  const listener = spec.sockets![0]!;
  Object.assign(listener, { mark: 7, priority: 3, boundDevIf: 1, tcp: { snd_cwnd: 42, snd_ssthresh: 99 } });
  const rt = new Runtime({ host: new Host(spec) });
  const obj = await rt.loadObject(join(S, 'sock.bpf.o'));
  const r = obj.program('lookup_tc').run({ data: new Uint8Array(64) });
  assert.equal(r.retval, 0);
  const g = (name: string, i: number): unknown => (obj.global(name) as unknown[])[i];
  assert.equal(g('mark', 0), 7n);
  assert.equal(g('dev_if', 0), 1n | (3n << 16n));
  assert.equal(g('cwnd', 0), 42n);
  assert.equal(g('ssth', 0), 99n);
  // the host changes between runs: the next lookup sees it
  rt.host.sockets[0]!.mark = 8;
  rt.host.sockets.splice(7, 1); // the UDP socket on 5353
  obj.program('lookup_tc').run({ data: new Uint8Array(64) });
  assert.equal(g('mark', 0), 8n);
  assert.equal(g('found', 12), 0n);
  obj.close();
});

test('the test-run skb socket: cgroup and ancestors follow rt.task in the host cgroup tree, a fresh cookie per run', async () => {
  const rt = new Runtime({ host: new Host({ cgroups: [{ path: '/a', id: 10 }, { path: '/a/b', id: 11 }] }) });
  rt.setTask({ cgroupId: 11n });
  const obj = await rt.loadObject(join(S, 'skbsock.bpf.o'));
  const frame = Buffer.from('02000000000202000000000a08004500003600000000400666c00a0000010a0000029c40005000000001000000005018020093ce000068656c6c6f2c2074736270662121', 'hex');
  obj.program('info').run({ data: frame });
  const g = (n: string): unknown => obj.global(n);
  assert.equal(g('cg_is_current'), 1n);
  assert.equal(g('anc0_is_root'), 1n);
  assert.equal(g('depth_found'), 1n);
  assert.equal(g('past_depth'), 0n);
  assert.equal(g('cookie_same'), 1n);
  obj.close();
  assert.deepEqual(rt.host.cgroupPath(11n)?.map((c) => c.id), [1n, 10n, 11n]);
  assert.equal(rt.host.cgroupPath(99n), undefined);
});

test('SYN cookies: valid for two minutes of the clock, bound to the 4-tuple and the secret, MSS by table', async () => {
  const { makeCookie, checkCookie, mssIndex } = await import('../../src/net/syncookie.js');
  const t = { family: 4 as const, saddr: a('10.0.0.9'), daddr: a('10.0.0.1'), sport: 1234, dport: 80 };
  const min = 60_000_000_000n;
  const t0 = 1000n * 1_000_000_000n;
  const c = makeCookie(7, t, 5000, mssIndex(4, 1460).index, t0);
  assert.equal(checkCookie(7, t, c, 5000, t0), 1460);
  assert.equal(checkCookie(7, t, c, 5000, t0 + min), 1460);
  assert.equal(checkCookie(7, t, c, 5000, t0 + 2n * min + min), 0); // too old
  assert.equal(checkCookie(8, t, c, 5000, t0), 0); // another secret
  assert.equal(checkCookie(7, { ...t, sport: 1235 }, c, 5000, t0), 0);
  // the SYN's sequence number is added in, as the kernel's: another one shifts the MSS index
  assert.notEqual(checkCookie(7, t, c, 5001, t0), 1460);
  assert.deepEqual(mssIndex(6, 1500), { index: 2, mss: 1440 });
  assert.deepEqual(mssIndex(4, 100), { index: 0, mss: 536 });
});

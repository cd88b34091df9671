import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host, HostError, formatMac } from '../../src/net/host.js';
import { formatAddr, parseAddr } from '../../src/net/addr.js';

test('addresses parse and print as ip(8) does', () => {
  assert.equal(formatAddr(6, parseAddr('fd00::1').addr), 'fd00::1');
  assert.equal(formatAddr(6, parseAddr('2001:db8:0:0:1:0:0:1').addr), '2001:db8::1:0:0:1');
  assert.equal(formatAddr(4, parseAddr('10.0.0.1').addr), '10.0.0.1');
  assert.throws(() => parseAddr('10.0.0.256'), /bad IPv4/);
  assert.throws(() => parseAddr('1::2::3'), /bad IPv6/);
});

test('default host: lo and eth0; a spec adds interfaces, routes, neighbours, sockets', () => {
  const h = new Host({
    interfaces: [{ name: 'veth0', mac: '02:00:00:00:00:10', mtu: 9000 }],
    addresses: [{ dev: 'veth0', addr: '10.1.0.1/24' }],
    routes: [{ dst: '10.2.0.0/16', via: '10.1.0.2', dev: 'veth0' }],
    neighbours: [{ addr: '10.1.0.2', dev: 'veth0', mac: '02:00:00:00:00:20' }],
    sockets: [{ proto: 'tcp', local: '10.1.0.1:80' }],
  });
  assert.equal(h.dev(1)!.name, 'lo');
  // a spec with interfaces describes the whole host: no default eth0
  assert.equal(new Host().dev(2)!.name, 'eth0');
  assert.equal(h.byName('eth0'), undefined);
  const v = h.byName('veth0')!;
  assert.equal(v.ifindex, 2);
  assert.equal(formatMac(v.mac), '02:00:00:00:00:10');
  assert.equal(h.sockets[0]!.state, 'listen');
  assert.ok(h.neighbour(4, parseAddr('10.1.0.2').addr, 2));
  assert.throws(() => new Host({ routes: [{ dst: '10.0.0.0/8', dev: 'nope' }] }), HostError);
  assert.throws(() => new Host({ interfaces: [{ name: 'x', mac: 'zz' }] }), /bad MAC/);
});

test('redirect maps: creation and update checks, refused features named', async () => {
  const { Runtime } = await import('../../src/index.js');
  const rt = new Runtime({ cpus: 2 });
  const { createMap } = await import('../../src/maps/map.js');
  const { BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH } = await import('../../src/uapi/bpf.js');
  const spec = (type: number, valueSize = 4, maxEntries = 4) => ({ type, keySize: 4, valueSize, maxEntries, flags: 0, name: 'm' });
  const k = (n: number): Uint8Array => Uint8Array.from([n, 0, 0, 0]);
  assert.throws(() => createMap(rt.mapEnv, spec(BPF_MAP_TYPE_DEVMAP, 6)), /EINVAL|cannot create/);
  const dev = createMap(rt.mapEnv, spec(BPF_MAP_TYPE_DEVMAP));
  dev.update(k(0), k(2)); // eth0
  assert.throws(() => dev.update(k(1), k(9)), (e: unknown) => (e as { errno: number }).errno === -22);
  assert.throws(() => dev.update(k(4), k(2)), (e: unknown) => (e as { errno: number }).errno === -7);
  assert.throws(() => dev.update(k(0), k(2), 1), (e: unknown) => (e as { errno: number }).errno === -17);
  const dh = createMap(rt.mapEnv, spec(BPF_MAP_TYPE_DEVMAP_HASH));
  dh.update(k(7), k(1));
  assert.throws(() => dh.delete(k(8)), (e: unknown) => (e as { errno: number }).errno === -2);
  const withProg = createMap(rt.mapEnv, spec(BPF_MAP_TYPE_DEVMAP, 8));
  assert.throws(() => withProg.update(k(0), Uint8Array.from([2, 0, 0, 0, 5, 0, 0, 0])), /not supported by tsbpf/);
  const cpu = createMap(rt.mapEnv, spec(BPF_MAP_TYPE_CPUMAP, 4, 4));
  cpu.update(k(1), Uint8Array.from([0, 1, 0, 0]));
  assert.throws(() => cpu.update(k(2), Uint8Array.from([0, 1, 0, 0])), (e: unknown) => (e as { errno: number }).errno === -19); // CPU 2 of 2
  const xsk = createMap(rt.mapEnv, spec(BPF_MAP_TYPE_XSKMAP));
  assert.throws(() => xsk.update(k(0), k(3)), /AF_XDP sockets are not simulated/);
});

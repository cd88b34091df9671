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
  assert.equal(h.dev(2)!.name, 'eth0');
  const v = h.byName('veth0')!;
  assert.equal(v.ifindex, 3);
  assert.equal(formatMac(v.mac), '02:00:00:00:00:10');
  assert.equal(h.sockets[0]!.state, 'listen');
  assert.ok(h.neighbour(4, parseAddr('10.1.0.2').addr, 3));
  assert.throws(() => new Host({ routes: [{ dst: '10.0.0.0/8', dev: 'nope' }] }), HostError);
  assert.throws(() => new Host({ interfaces: [{ name: 'x', mac: 'zz' }] }), /bad MAC/);
});

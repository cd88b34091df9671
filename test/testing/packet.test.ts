// The packet builders: layouts, lengths and checksums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inetChecksum, packet, parseIpv6 } from '../../src/testing/index.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

test('eth/ipv4/udp: the flow table example packet, byte for byte (with the UDP checksum filled in)', () => {
  const p = packet().eth().ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).udp({ sport: 1234, dport: 53 }).payload(Uint8Array.of(0xde, 0xad, 0xbe, 0xef)).build();
  // the example's hand-written packet has UDP checksum 0 (none); everything else is equal
  const handWritten = '02000000000202000000000108004500002000004000401126cb0a0000010a00000204d20035000c0000deadbeef';
  assert.equal(hex(p).slice(0, 80), handWritten.slice(0, 80));
  assert.equal(hex(p).slice(84), handWritten.slice(84));
  // a valid checksum sums (with the pseudo-header) to zero
  const pseudo = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 12);
  assert.equal(inetChecksum(pseudo, p.subarray(34)), 0);
  assert.notEqual(hex(p).slice(80, 84), '0000');
  assert.equal(inetChecksum(p.subarray(14, 34)), 0, 'IPv4 header checksum');
});

test('tcp over ipv4 in a VLAN; ipv6/tcp; icmp echo; icmpv6 echo', () => {
  const v = packet().eth().vlan(100, 3).ipv4({ ttl: 7 }).tcp({ sport: 80, dport: 443, flags: 'SA', seq: 5 }).payload('hi').build();
  assert.equal(hex(v.subarray(12, 18)), '8100' + '6064' + '0800');
  assert.equal(v.length, 14 + 4 + 20 + 20 + 2);
  assert.equal(v[18 + 8], 7, 'ttl');
  assert.equal(v[18 + 9], 6, 'proto tcp');
  assert.equal(v[18 + 20 + 13], 0x12, 'SYN|ACK');
  const tcpPseudo = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 22);
  assert.equal(inetChecksum(tcpPseudo, v.subarray(38)), 0);

  const six = packet().eth().ipv6({ src: 'fd00::1', dst: 'fd00::2' }).tcp({ dport: 22 }).build();
  assert.equal(hex(six.subarray(12, 14)), '86dd');
  assert.equal(six[14 + 6], 6, 'next header');
  assert.equal((six[14 + 4]! << 8) | six[14 + 5]!, 20, 'payload length');
  const p6 = Uint8Array.from([...parseIpv6('fd00::1'), ...parseIpv6('fd00::2'), 0, 0, 0, 20, 0, 0, 0, 6]);
  assert.equal(inetChecksum(p6, six.subarray(54)), 0);

  const echo = packet().eth().ipv4().icmp({ id: 7, seq: 9 }).payload(8).build();
  assert.equal(echo[34], 8, 'echo request');
  assert.equal(inetChecksum(echo.subarray(34)), 0);
  const echo6 = packet().eth().ipv6().icmp().build();
  assert.equal(echo6[54], 128, 'ICMPv6 echo request');
  const p6i = Uint8Array.from([...parseIpv6('fd00::1'), ...parseIpv6('fd00::2'), 0, 0, 0, 8, 0, 0, 0, 58]);
  assert.equal(inetChecksum(p6i, echo6.subarray(54)), 0);
});

test('bad addresses and flags are TypeErrors naming them', () => {
  assert.throws(() => packet().ipv4({ src: '10.0.0.300' }).build(), /bad IPv4 address '10.0.0.300'/);
  assert.throws(() => packet().ipv6({ src: 'fd00:::1' }).build(), /bad IPv6 address/);
  assert.throws(() => packet().eth({ src: '02:00' }).build(), /bad MAC address/);
  assert.throws(() => packet().ipv4().tcp({ flags: 'SX' }).build(), /bad TCP flag 'X'/);
});

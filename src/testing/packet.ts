// Packet builders for tests: Ethernet, 802.1Q VLAN, IPv4, IPv6, TCP, UDP,
// ICMP/ICMPv6, with lengths, EtherTypes, protocol numbers and every checksum
// filled in (IPv4 header, TCP/UDP/ICMPv6 with the pseudo-header, ICMP).
//
//   packet().eth().ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).udp({ sport: 1234, dport: 53 }).payload('hi').build()

export interface EthOptions { src?: string; dst?: string; type?: number }
export interface Ipv4Options { src?: string; dst?: string; ttl?: number; tos?: number; id?: number; flags?: number; proto?: number }
export interface Ipv6Options { src?: string; dst?: string; hopLimit?: number; flowLabel?: number; trafficClass?: number; nextHeader?: number }
export interface TcpOptions { sport?: number; dport?: number; seq?: number; ack?: number; flags?: number | string; window?: number }
export interface UdpOptions { sport?: number; dport?: number }
export interface IcmpOptions { type?: number; code?: number; id?: number; seq?: number }

/** TCP flag bits by letter: F S R P A U E C */
const TCP_FLAGS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new TypeError(`bad MAC address '${s}'`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || +p > 255)) throw new TypeError(`bad IPv4 address '${s}'`);
  return Uint8Array.from(parts, Number);
}

export function parseIpv6(s: string): Uint8Array {
  const halves = s.split('::');
  if (halves.length > 2) throw new TypeError(`bad IPv6 address '${s}'`);
  const groups = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new TypeError(`bad IPv6 address '${s}'`);
    return parseInt(g, 16);
  }));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new TypeError(`bad IPv6 address '${s}'`);
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** The Internet checksum (RFC 1071) over `parts`, concatenated. */
export function inetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (const b of p) {
      if (odd < 0) odd = b;
      else { sum += (odd << 8) | b; odd = -1; }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

type Layer =
  | { kind: 'eth'; o: EthOptions }
  | { kind: 'vlan'; vid: number; pcp: number }
  | { kind: 'ipv4'; o: Ipv4Options }
  | { kind: 'ipv6'; o: Ipv6Options }
  | { kind: 'tcp'; o: TcpOptions }
  | { kind: 'udp'; o: UdpOptions }
  | { kind: 'icmp'; o: IcmpOptions }
  | { kind: 'payload'; bytes: Uint8Array };

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export class PacketBuilder {
  private readonly layers: Layer[] = [];

  eth(o: EthOptions = {}): this { this.layers.push({ kind: 'eth', o }); return this; }
  vlan(vid: number, pcp = 0): this { this.layers.push({ kind: 'vlan', vid, pcp }); return this; }
  ipv4(o: Ipv4Options = {}): this { this.layers.push({ kind: 'ipv4', o }); return this; }
  ipv6(o: Ipv6Options = {}): this { this.layers.push({ kind: 'ipv6', o }); return this; }
  tcp(o: TcpOptions = {}): this { this.layers.push({ kind: 'tcp', o }); return this; }
  udp(o: UdpOptions = {}): this { this.layers.push({ kind: 'udp', o }); return this; }
  /** ICMP over IPv4, ICMPv6 over IPv6 (echo request by default) */
  icmp(o: IcmpOptions = {}): this { this.layers.push({ kind: 'icmp', o }); return this; }
  payload(p: Uint8Array | string | number): this {
    const bytes = typeof p === 'string' ? new TextEncoder().encode(p) : typeof p === 'number' ? new Uint8Array(p) : p;
    this.layers.push({ kind: 'payload', bytes });
    return this;
  }

  /** The packet's bytes, built inside out so every length and checksum is right. */
  build(): Uint8Array {
    let inner = new Uint8Array(0);
    type Net = { kind: 'ipv4' | 'ipv6'; src: Uint8Array; dst: Uint8Array };
    // the network layer the transport checksums use: the nearest one outside
    const netFor = (i: number): Net | undefined => {
      for (let j = i - 1; j >= 0; j--) {
        const l = this.layers[j]!;
        if (l.kind === 'ipv4') return { kind: 'ipv4', src: parseIpv4(l.o.src ?? '10.0.0.1'), dst: parseIpv4(l.o.dst ?? '10.0.0.2') };
        if (l.kind === 'ipv6') return { kind: 'ipv6', src: parseIpv6(l.o.src ?? 'fd00::1'), dst: parseIpv6(l.o.dst ?? 'fd00::2') };
      }
      return undefined;
    };
    const pseudo = (net: Net | undefined, proto: number, len: number): Uint8Array => {
      if (!net) return new Uint8Array(0);
      if (net.kind === 'ipv4') return Uint8Array.from([...net.src, ...net.dst, 0, proto, ...be16(len)]);
      return Uint8Array.from([...net.src, ...net.dst, ...be32(len), 0, 0, 0, proto]);
    };
    let nextType = 0; // EtherType / IP protocol of what `inner` holds
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i]!;
      let hdr: Uint8Array;
      switch (l.kind) {
        case 'payload':
          hdr = l.bytes;
          nextType = 0;
          break;
        case 'udp': {
          const len = 8 + inner.length;
          hdr = Uint8Array.from([...be16(l.o.sport ?? 1234), ...be16(l.o.dport ?? 80), ...be16(len), 0, 0]);
          const net = netFor(i);
          let c = inetChecksum(pseudo(net, IPPROTO_UDP, len), hdr, inner);
          if (c === 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
          hdr[6] = c >> 8; hdr[7] = c & 0xff;
          nextType = IPPROTO_UDP;
          break;
        }
        case 'tcp': {
          const f = typeof l.o.flags === 'string' ? [...l.o.flags.toUpperCase()].reduce((a, ch) => {
            const bit = TCP_FLAGS[ch];
            if (bit === undefined) throw new TypeError(`bad TCP flag '${ch}' (F S R P A U E C)`);
            return a | bit;
          }, 0) : l.o.flags ?? TCP_FLAGS['S']!;
          hdr = Uint8Array.from([...be16(l.o.sport ?? 1234), ...be16(l.o.dport ?? 80), ...be32(l.o.seq ?? 1), ...be32(l.o.ack ?? 0),
            5 << 4, f, ...be16(l.o.window ?? 65535), 0, 0, 0, 0]);
          const c = inetChecksum(pseudo(netFor(i), IPPROTO_TCP, hdr.length + inner.length), hdr, inner);
          hdr[16] = c >> 8; hdr[17] = c & 0xff;
          nextType = IPPROTO_TCP;
          break;
        }
        case 'icmp': {
          const net = netFor(i);
          const v6 = net?.kind === 'ipv6';
          hdr = Uint8Array.from([l.o.type ?? (v6 ? 128 : 8), l.o.code ?? 0, 0, 0, ...be16(l.o.id ?? 1), ...be16(l.o.seq ?? 1)]);
          const c = v6 ? inetChecksum(pseudo(net, IPPROTO_ICMPV6, hdr.length + inner.length), hdr, inner) : inetChecksum(hdr, inner);
          hdr[2] = c >> 8; hdr[3] = c & 0xff;
          nextType = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
          break;
        }
        case 'ipv4': {
          const total = 20 + inner.length;
          const proto = l.o.proto ?? nextType;
          hdr = Uint8Array.from([0x45, l.o.tos ?? 0, ...be16(total), ...be16(l.o.id ?? 0), ...be16((l.o.flags ?? 0x2) << 13),
            l.o.ttl ?? 64, proto, 0, 0, ...parseIpv4(l.o.src ?? '10.0.0.1'), ...parseIpv4(l.o.dst ?? '10.0.0.2')]);
          const c = inetChecksum(hdr);
          hdr[10] = c >> 8; hdr[11] = c & 0xff;
          nextType = ETH_P_IP;
          break;
        }
        case 'ipv6': {
          const tc = l.o.trafficClass ?? 0;
          const fl = l.o.flowLabel ?? 0;
          hdr = Uint8Array.from([0x60 | (tc >> 4), ((tc & 0xf) << 4) | ((fl >> 16) & 0xf), (fl >> 8) & 0xff, fl & 0xff,
            ...be16(inner.length), l.o.nextHeader ?? nextType, l.o.hopLimit ?? 64,
            ...parseIpv6(l.o.src ?? 'fd00::1'), ...parseIpv6(l.o.dst ?? 'fd00::2')]);
          nextType = ETH_P_IPV6;
          break;
        }
        case 'vlan':
          hdr = Uint8Array.from([...be16(((l.pcp & 7) << 13) | (l.vid & 0xfff)), ...be16(nextType)]);
          nextType = ETH_P_8021Q;
          break;
        case 'eth': {
          const type = l.o.type ?? nextType;
          hdr = Uint8Array.from([...parseMac(l.o.dst ?? '02:00:00:00:00:02'), ...parseMac(l.o.src ?? '02:00:00:00:00:01'), ...be16(type)]);
          nextType = 0;
          break;
        }
      }
      const out = new Uint8Array(hdr.length + inner.length);
      out.set(hdr, 0);
      out.set(inner, hdr.length);
      inner = out;
    }
    return inner;
  }
}

/** A packet builder (see PacketBuilder). */
export function packet(): PacketBuilder {
  return new PacketBuilder();
}

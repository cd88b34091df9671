// The simulated host a program runs on: interfaces, addresses, routes,
// neighbours, sockets and cgroups. Plain data the test sets (from TypeScript
// or `tsbpf run --host FILE.json`); the networking helpers and the test run
// read it (dev_get_by_index, fib lookups, neighbour resolution, MTU checks).
// A new Host has a loopback (ifindex 1) and one Ethernet device (eth0,
// ifindex 2) unless the spec lists interfaces of its own.

import { AddrError, parseAddr, formatAddr, type Family } from './addr.js';
import { TCP_INFO_FIELDS, type TcpSockInfo } from './socket.js';

export interface NetInterface {
  ifindex: number;
  name: string;
  /** 6-byte MAC address */
  mac: Uint8Array;
  /** dev->broadcast: ff:ff:ff:ff:ff:ff for Ethernet; the loopback has none (all zero) */
  broadcast: Uint8Array;
  mtu: number;
  /** real_num_rx_queues: an XDP ctx_in rx_queue_index must be below it */
  rxQueues: number;
  /** veth peer (bpf_redirect_peer) */
  peer?: number;
}

export interface NetAddress {
  ifindex: number;
  family: Family;
  addr: Uint8Array;
  prefix: number;
}

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local';

export interface Route {
  family: Family;
  dst: Uint8Array;
  prefix: number;
  /** next hop; absent: the destination is on link */
  gateway?: Uint8Array;
  ifindex: number;
  type: RouteType;
  /** route MTU (ip route ... mtu N); 0: the device's */
  mtu: number;
  /** `mtu lock N`: only a locked route MTU limits bpf_fib_lookup (ip_mtu_from_fib_result) */
  mtuLock?: boolean;
  /** routing table id (main: 254) */
  table: number;
  /** preferred source address */
  src?: Uint8Array;
  metric: number;
}

export interface Neighbour {
  family: Family;
  addr: Uint8Array;
  ifindex: number;
  mac: Uint8Array;
}

export type SocketState = 'listen' | 'established';

export interface NetSocket {
  proto: 'tcp' | 'udp';
  family: Family;
  localAddr: Uint8Array;
  localPort: number;
  remoteAddr: Uint8Array;
  remotePort: number;
  state: SocketState;
  /** socket cookie (sock_gen_cookie) */
  cookie: bigint;
  /** cgroup v2 id of the owning cgroup */
  cgroupId: bigint;
  /** SO_BINDTODEVICE, SO_MARK, SO_PRIORITY (0 when unset) */
  boundDevIf?: number;
  mark?: number;
  priority?: number;
  /** sock_i_uid (bpf_get_socket_uid) */
  uid?: number;
  /** TCP metrics bpf_tcp_sock reports (a fresh socket's when unset) */
  tcp?: TcpSockInfo;
  /** a listener: when its SYN queue last overflowed (CLOCK_MONOTONIC ns; bpf_tcp_gen_syncookie sets it) */
  synqOverflowNs?: bigint;
}

/** A socket as the JSON form and addSocket() take it. */
export interface SocketSpec {
  proto: 'tcp' | 'udp';
  /** ADDR:PORT or [V6ADDR]:PORT */
  local: string;
  remote?: string;
  state?: SocketState;
  cookie?: number | string;
  cgroup?: string;
  mark?: number;
  priority?: number;
  boundDevIf?: number;
  uid?: number;
  tcp?: TcpSockInfo;
}

export interface Cgroup {
  id: bigint;
  path: string;
  /** net_cls classid (bpf_get_cgroup_classid) */
  classid: number;
}

/** The JSON form (`--host FILE.json`): addresses as text, MACs as aa:bb:cc:dd:ee:ff. */
export interface HostSpec {
  interfaces?: { ifindex?: number; name: string; mac?: string; mtu?: number; rxQueues?: number; peer?: number }[];
  addresses?: { dev: string; addr: string }[];
  routes?: { dst: string; via?: string; dev?: string; type?: RouteType; mtu?: number; mtuLock?: boolean; table?: number; src?: string; metric?: number }[];
  neighbours?: { addr: string; dev: string; mac: string }[];
  sockets?: SocketSpec[];
  cgroups?: { path: string; id?: number | string; classid?: number }[];
  /** net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue overflows (default), 2 always */
  syncookies?: 0 | 1 | 2;
  /** IP forwarding (net.ipv4.ip_forward, net.ipv6.conf.all.forwarding); default on */
  forwarding?: { ipv4?: boolean; ipv6?: boolean };
  /** replace the default lo + eth0 instead of adding to them */
  replaceDefaults?: boolean;
}

export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

export function parseMac(text: string): Uint8Array {
  const m = /^([0-9a-fA-F]{2})(:[0-9a-fA-F]{2}){5}$/.exec(text);
  if (!m) throw new HostError(`bad MAC address '${text}' (expected aa:bb:cc:dd:ee:ff)`);
  return Uint8Array.from(text.split(':'), (h) => parseInt(h, 16));
}

export const formatMac = (m: Uint8Array): string => [...m].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** "10.0.0.0/24" or "fd00::1" (a host route) -> address + prefix */
function parsePrefix(text: string): { family: Family; addr: Uint8Array; prefix: number } {
  if (text === 'default') throw new HostError('use 0.0.0.0/0 or ::/0 for a default route');
  const [a, p] = text.split('/');
  const { family, addr } = parseAddr(a!);
  const max = family === 4 ? 32 : 128;
  const prefix = p === undefined ? max : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new HostError(`bad prefix length in '${text}'`);
  return { family, addr, prefix };
}

/** true when the first `prefix` bits of a and b agree */
export function prefixMatch(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i]! ^ b[i]!) & mask) !== 0) return false;
  }
  return true;
}

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export class Host {
  readonly interfaces = new Map<number, NetInterface>();
  readonly addresses: NetAddress[] = [];
  readonly routes: Route[] = [];
  readonly neighbours: Neighbour[] = [];
  readonly sockets: NetSocket[] = [];
  readonly cgroups = new Map<string, Cgroup>();
  /** bpf_fib_lookup answers BPF_FIB_LKUP_RET_FWD_DISABLED when off */
  forwarding = { ipv4: true, ipv6: true };
  /** net.ipv4.tcp_syncookies */
  syncookies: 0 | 1 | 2 = 1;
  /**
   * The cookie of the host's one network namespace, init_net (bpf_get_netns_cookie):
   * Linux 6.18 gives init_net cookie 3 (test/kernel netns.basic).
   */
  netnsCookie = 3n;
  /** the secret SYN cookies are keyed with (the kernel's is random per boot) */
  syncookieKey = 0x5eed_c0de;
  private nextCookie = 0x1000n;
  private nextCgroupId = 2n;

  constructor(spec?: HostSpec) {
    if (!spec?.replaceDefaults) {
      this.addInterface({ ifindex: 1, name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536 });
      this.addAddress('lo', '127.0.0.1/8');
      this.addAddress('lo', '::1/128');
      // a spec that lists its own interfaces describes the whole host (a network namespace): no eth0
      if (!spec?.interfaces?.length) this.addInterface({ ifindex: 2, name: 'eth0', mac: '02:00:00:00:00:02', mtu: 1500 });
      this.addCgroup({ path: '/', id: 1 });
    }
    if (spec) this.apply(spec);
  }

  /** Adds what a HostSpec describes (interfaces first, so later entries can name them). */
  apply(spec: HostSpec): this {
    try {
      this.applyUnchecked(spec);
    } catch (e) {
      // a JSON spec of the wrong shape (a number where a name goes, ...) is bad input, not a crash
      if (e instanceof HostError || e instanceof AddrError) throw e;
      throw new HostError(`bad host description: ${(e as Error).message}`);
    }
    return this;
  }

  private applyUnchecked(spec: HostSpec): void {
    if (spec.forwarding?.ipv4 !== undefined) this.forwarding.ipv4 = spec.forwarding.ipv4;
    if (spec.forwarding?.ipv6 !== undefined) this.forwarding.ipv6 = spec.forwarding.ipv6;
    if (spec.syncookies !== undefined) {
      if (![0, 1, 2].includes(spec.syncookies)) throw new HostError(`syncookies must be 0, 1 or 2, got ${String(spec.syncookies)}`);
      this.syncookies = spec.syncookies;
    }
    for (const i of spec.interfaces ?? []) this.addInterface(i);
    for (const a of spec.addresses ?? []) this.addAddress(a.dev, a.addr);
    for (const r of spec.routes ?? []) this.addRoute(r);
    for (const n of spec.neighbours ?? []) this.addNeighbour(n.addr, n.dev, n.mac);
    for (const c of spec.cgroups ?? []) this.addCgroup(c);
    for (const s of spec.sockets ?? []) this.addSocket(s);
  }

  addInterface(i: { ifindex?: number; name: string; mac?: string; mtu?: number; rxQueues?: number; peer?: number }): NetInterface {
    const ifindex = i.ifindex ?? Math.max(0, ...this.interfaces.keys()) + 1;
    if (!Number.isInteger(ifindex) || ifindex < 1 || ifindex > 0x7fffffff) throw new HostError(`bad ifindex ${ifindex}`);
    if (this.interfaces.has(ifindex)) throw new HostError(`ifindex ${ifindex} already exists`);
    if (this.byName(i.name)) throw new HostError(`interface '${i.name}' already exists`);
    const mtu = i.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65536) throw new HostError(`bad MTU ${mtu} for '${i.name}'`);
    const dev: NetInterface = {
      ifindex, name: i.name, mac: i.mac ? parseMac(i.mac) : Uint8Array.of(0x02, 0, 0, 0, 0, ifindex & 0xff),
      mtu, rxQueues: i.rxQueues ?? 1,
      broadcast: ifindex === 1 ? new Uint8Array(6) : new Uint8Array(6).fill(0xff),
    };
    if (i.peer !== undefined) dev.peer = i.peer;
    this.interfaces.set(ifindex, dev);
    // the kernel adds a local route per address; per device a link-local fe80::/64 is left out
    return dev;
  }

  byName(name: string): NetInterface | undefined {
    for (const d of this.interfaces.values()) if (d.name === name) return d;
    return undefined;
  }

  /** dev_get_by_index */
  dev(ifindex: number): NetInterface | undefined {
    return this.interfaces.get(ifindex);
  }

  private devOf(name: string): NetInterface {
    const d = this.byName(name);
    if (!d) throw new HostError(`no interface '${name}'`);
    return d;
  }

  /** `ip addr add ADDR/PREFIX dev DEV`: also the local route and the connected prefix route */
  addAddress(dev: string, text: string): void {
    const d = this.devOf(dev);
    const p = parsePrefix(text);
    this.addresses.push({ ifindex: d.ifindex, ...p });
    this.routes.push({ family: p.family, dst: p.addr, prefix: p.family === 4 ? 32 : 128, ifindex: d.ifindex, type: 'local', mtu: 0, table: RT_TABLE_LOCAL, metric: 0 });
    const net = maskPrefix(p.addr, p.prefix);
    if (!(d.ifindex === 1 && p.family === 6)) {
      this.routes.push({ family: p.family, dst: net, prefix: p.prefix, ifindex: d.ifindex, type: d.ifindex === 1 && p.family === 4 ? 'local' : 'unicast', mtu: 0, table: d.ifindex === 1 && p.family === 4 ? RT_TABLE_LOCAL : RT_TABLE_MAIN, ...(p.family === 4 ? { src: p.addr } : {}), metric: p.family === 6 ? 256 : 0 });
    }
  }

  addRoute(r: { dst: string; via?: string; dev?: string; type?: RouteType; mtu?: number; mtuLock?: boolean; table?: number; src?: string; metric?: number }): Route {
    // blackhole/unreachable/prohibit routes need no device (the kernel puts them on lo)
    if (r.dev === undefined && (r.type ?? 'unicast') === 'unicast') throw new HostError(`route ${r.dst}: needs a dev`);
    const d = r.dev === undefined ? this.dev(1) ?? this.devOf('lo') : this.devOf(r.dev);
    const p = parsePrefix(r.dst);
    const route: Route = {
      family: p.family, dst: maskPrefix(p.addr, p.prefix), prefix: p.prefix, ifindex: d.ifindex,
      type: r.type ?? 'unicast', mtu: r.mtu ?? 0, table: r.table ?? RT_TABLE_MAIN, metric: r.metric ?? (p.family === 6 ? 1024 : 0),
    };
    if (r.mtuLock) route.mtuLock = true;
    if (r.via !== undefined) {
      const g = parseAddr(r.via);
      if (g.family !== p.family) throw new HostError(`route ${r.dst}: gateway ${r.via} is another family`);
      route.gateway = g.addr;
    }
    if (r.src !== undefined) route.src = parseAddr(r.src).addr;
    this.routes.push(route);
    return route;
  }

  addNeighbour(addr: string, dev: string, mac: string): Neighbour {
    const d = this.devOf(dev);
    const a = parseAddr(addr);
    const n: Neighbour = { family: a.family, addr: a.addr, ifindex: d.ifindex, mac: parseMac(mac) };
    this.neighbours.push(n);
    return n;
  }

  /** the neighbour entry of addr on ifindex (a resolved, NUD_VALID entry) */
  neighbour(family: Family, addr: Uint8Array, ifindex: number): Neighbour | undefined {
    return this.neighbours.find((n) => n.family === family && n.ifindex === ifindex && eqBytes(n.addr, addr));
  }

  addCgroup(c: { path: string; id?: number | string; classid?: number }): Cgroup {
    const id = c.id === undefined ? this.nextCgroupId++ : BigInt(c.id);
    const cg: Cgroup = { id, path: c.path, classid: c.classid ?? 0 };
    this.cgroups.set(c.path, cg);
    return cg;
  }

  /** "tcp 10.0.0.1:80 listen" style: local/remote are ADDR:PORT ([v6]:PORT) */
  addSocket(s: SocketSpec): NetSocket {
    if (s.proto !== 'tcp' && s.proto !== 'udp') throw new HostError(`socket ${s.local}: proto must be tcp or udp`);
    if (s.state !== undefined && s.state !== 'listen' && s.state !== 'established') throw new HostError(`socket ${s.local}: state must be listen or established`);
    if (s.proto === 'tcp' && s.state === 'established' && s.remote === undefined) throw new HostError(`socket ${s.local}: an established TCP socket needs a remote`);
    const l = parseEndpoint(s.local);
    const r = s.remote === undefined ? { family: l.family, addr: new Uint8Array(l.addr.length), port: 0 } : parseEndpoint(s.remote);
    if (r.family !== l.family) throw new HostError(`socket ${s.local}: remote ${s.remote} is another family`);
    const cg = s.cgroup === undefined ? this.cgroups.get('/') : this.cgroups.get(s.cgroup);
    if (s.cgroup !== undefined && !cg) throw new HostError(`socket ${s.local}: no cgroup '${s.cgroup}'`);
    const sock: NetSocket = {
      proto: s.proto, family: l.family, localAddr: l.addr, localPort: l.port, remoteAddr: r.addr, remotePort: r.port,
      state: s.state ?? (s.proto === 'tcp' && s.remote === undefined ? 'listen' : 'established'),
      cookie: s.cookie === undefined ? this.nextCookie++ : BigInt(s.cookie), cgroupId: cg?.id ?? 1n,
    };
    for (const k of ['mark', 'priority', 'boundDevIf', 'uid'] as const) {
      const v = s[k];
      if (v === undefined) continue;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new HostError(`socket ${s.local}: bad ${k} ${String(v)}`);
      sock[k] = v;
    }
    if (s.tcp !== undefined) sock.tcp = checkTcpInfo(s.local, s.tcp);
    this.sockets.push(sock);
    return sock;
  }

  /** sock_gen_cookie: a new socket cookie, never one a host socket has */
  genCookie(): bigint {
    let c = this.nextCookie++;
    while (this.sockets.some((s) => s.cookie === c)) c = this.nextCookie++;
    return c;
  }

  /** the cgroup with this id, and its ancestors from the root (cgroup_ancestor levels) */
  cgroupPath(id: bigint): Cgroup[] | undefined {
    const cg = [...this.cgroups.values()].find((c) => c.id === id);
    if (!cg) return undefined;
    const parts = cg.path.split('/').filter((p) => p !== '');
    const chain: Cgroup[] = [];
    for (let i = 0; i <= parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/');
      const c = this.cgroups.get(p);
      if (!c) return undefined;
      chain.push(c);
    }
    return chain;
  }

  /** A JSON description of the host (the same shape HostSpec reads). */
  describe(): Record<string, unknown> {
    return {
      interfaces: [...this.interfaces.values()].map((d) => ({ ifindex: d.ifindex, name: d.name, mac: formatMac(d.mac), mtu: d.mtu })),
      addresses: this.addresses.map((a) => ({ dev: this.dev(a.ifindex)?.name, addr: `${formatAddr(a.family, a.addr)}/${a.prefix}` })),
      routes: this.routes.filter((r) => r.table !== RT_TABLE_LOCAL).map((r) => ({
        dst: `${formatAddr(r.family, r.dst)}/${r.prefix}`, dev: this.dev(r.ifindex)?.name, type: r.type,
        ...(r.gateway ? { via: formatAddr(r.family, r.gateway) } : {}),
      })),
      neighbours: this.neighbours.map((n) => ({ addr: formatAddr(n.family, n.addr), dev: this.dev(n.ifindex)?.name, mac: formatMac(n.mac) })),
    };
  }
}

/** a socket's `tcp` metrics: known bpf_tcp_sock names, u32 values (u64 for the byte counters; JSON numbers or decimal strings) */
function checkTcpInfo(where: string, t: TcpSockInfo): TcpSockInfo {
  if (typeof t !== 'object' || t === null) throw new HostError(`socket ${where}: tcp must be an object`);
  const out: Record<string, number | bigint> = {};
  for (const [k, v] of Object.entries(t) as [string, unknown][]) {
    if (!TCP_INFO_FIELDS.has(k)) throw new HostError(`socket ${where}: unknown tcp field '${k}'`);
    if (k === 'bytes_received' || k === 'bytes_acked') {
      let b: bigint;
      try {
        b = BigInt(v as string | number | bigint);
      } catch {
        throw new HostError(`socket ${where}: bad tcp ${k} ${String(v)}`);
      }
      if (b < 0n || b > 0xffffffffffffffffn) throw new HostError(`socket ${where}: bad tcp ${k} ${String(v)}`);
      out[k] = b;
    } else {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffffffff) throw new HostError(`socket ${where}: bad tcp ${k} ${String(v)}`);
      out[k] = v as number;
    }
  }
  return out as TcpSockInfo;
}

function parseEndpoint(text: string): { family: Family; addr: Uint8Array; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) throw new HostError(`bad socket address '${text}' (expected ADDR:PORT or [V6ADDR]:PORT)`);
  const port = Number(m[2]);
  if (port > 65535) throw new HostError(`bad port in '${text}'`);
  return { ...parseAddr(m[1]!), port };
}

export function maskPrefix(addr: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(addr.length);
  for (let i = 0, bits = prefix; i < addr.length && bits > 0; i++, bits -= 8) {
    out[i] = addr[i]! & (bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
  }
  return out;
}

export function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

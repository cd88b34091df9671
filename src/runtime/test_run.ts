// BPF_PROG_TEST_RUN's contexts per program type (net/bpf/test_run.c): the
// arena blocks a run gets, the checks on ctx_in/flags/repeat the kernel
// makes, and what comes back out. Pointers inside contexts are arena
// addresses, which fit the u32 fields of xdp_md/__sk_buff directly.

import { Arena, ARENA_ACCESS_READ, ARENA_ACCESS_RW } from '../memory/arena.js';
import type { PacketRun, SkbBuff, XdpBuff } from '../helpers/env.js';
import type { Host } from '../net/host.js';
import { BPF_SOCK_SIZE, writeTestRunSock } from '../net/socket.js';
import {
  BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_SOCKET_FILTER,
  BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_KPROBE,
  BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SKB,
} from '../uapi/bpf.js';
import { BPF_TRACE_ITER } from '../object/prog_types.js';
import { E2BIG, EFAULT, EINVAL, ENODEV, ENOMEM, ENOSPC, ENOTSUPP, EOPNOTSUPP } from '../uapi/errno.js';

/** XDP_PACKET_HEADROOM */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct xdp_frame): metadata may not reach into it */
const XDP_FRAME_SIZE = 40;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64, kept free at the end of a frame */
const SKB_SHARED_INFO = 320;
const PAGE_SIZE = 4096;
const ETH_HLEN = 14;
/** NET_SKB_PAD + NET_IP_ALIGN on x86-64 */
const SKB_HEADROOM = 64;
/** MAX_SKB_FRAGS */
const MAX_SKB_FRAGS = 17;
/** GSO_LEGACY_MAX_SIZE, GSO_MAX_SEGS */
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
/** sizeof(struct __sk_buff) */
export const SK_BUFF_SIZE = 192;
/** sizeof(struct xdp_md) */
export const XDP_MD_SIZE = 24;
/** BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES, BPF_F_TEST_SKB_CHECKSUM_COMPLETE */
export const BPF_F_TEST_RUN_ON_CPU = 1 << 0;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
export const BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

/** struct __sk_buff field offsets */
export const SKB = {
  len: 0, pktType: 4, mark: 8, queueMapping: 12, protocol: 16, vlanPresent: 20, vlanTci: 24, vlanProto: 28,
  priority: 32, ingressIfindex: 36, ifindex: 40, tcIndex: 44, cb: 48, hash: 68, tcClassid: 72, data: 76,
  dataEnd: 80, napiId: 84, family: 88, dataMeta: 140, tstamp: 152, wireLen: 160, gsoSegs: 164, gsoSize: 176,
  tstampType: 180, hwtstamp: 184,
} as const;

/** struct xdp_md field offsets */
export const XDP_MD = { data: 0, dataEnd: 4, dataMeta: 8, ingressIfindex: 12, rxQueueIndex: 16, egressIfindex: 20 } as const;

export interface TestRunInput {
  /** packet for XDP/tc/socket programs (data_in) */
  data?: Uint8Array;
  /**
   * ctx_in: struct __sk_buff / struct xdp_md for packet programs (only the
   * fields the kernel accepts may be non-zero), the context buffer for
   * syscall programs, the u64 arguments for raw_tp programs
   */
  ctx?: Uint8Array;
  /** ask for ctx_out (packet programs); default: when ctx is given */
  ctxOut?: boolean;
  /** tracing/raw_tp programs: u64 arguments (ctx_in of 8 bytes each) */
  args?: readonly (bigint | number)[];
  /** test.flags */
  flags?: number;
  /** test.data_size_out: a smaller buffer makes the run fail with -ENOSPC after copying what fits */
  dataSizeOut?: number;
  /** test.repeat as the kernel takes it (0 = once); undefined = not set */
  repeat?: number;
  /**
   * tc: tunnel metadata the packet arrived with (as a collect_md tunnel device
   * sets it), read by bpf_skb_get_tunnel_key/opt. The kernel's test run has
   * no way to give it: without it (as there) the helpers answer -EINVAL/-ENOENT.
   */
  tunnel?: import('../helpers/env.js').TunnelInfo;
}

export class TestRunError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'TestRunError';
  }
}

/** A prepared run: r1, the blocks to free afterwards, and how to read results. */
export interface PreparedRun {
  r1: bigint;
  pkt?: PacketRun;
  /** the packet as the program left it, for packet programs */
  dataOut(): Uint8Array | undefined;
  /** ctx_out (or the syscall ctx as the program left it) */
  ctxOut(): Uint8Array | undefined;
  release(): void;
}

export function hasPacket(progType: number): boolean {
  return progType === BPF_PROG_TYPE_XDP || isSkb(progType);
}

function isSkb(progType: number): boolean {
  return progType === BPF_PROG_TYPE_SCHED_CLS || progType === BPF_PROG_TYPE_SCHED_ACT ||
    progType === BPF_PROG_TYPE_SOCKET_FILTER || progType === BPF_PROG_TYPE_CGROUP_SKB;
}

export interface ProgInfo {
  type: number;
  /** prog->aux->max_ctx_offset: the highest context byte the program reads or writes (+1) */
  maxCtxOffset: number;
  /** expected_attach_type */
  expectedAttachType?: number;
}

const fail = (msg: string, errno: number): never => {
  throw new TestRunError(msg, -errno);
};

export function prepareTestRun(arena: Arena, host: Host, prog: ProgInfo, input: TestRunInput): PreparedRun {
  const t = prog.type;
  if (t === BPF_PROG_TYPE_XDP) return prepareXdp(arena, host, prog, input);
  if (isSkb(t)) return prepareSkb(arena, host, t, input);
  if (t === BPF_PROG_TYPE_SYSCALL) return prepareSyscall(arena, prog, input);
  // bpf_prog_test_run_tracing: an iterator (BPF_TRACE_ITER) is not among the attach types it
  // runs, and its default case leaves err at -EFAULT
  if (t === BPF_PROG_TYPE_TRACING && prog.expectedAttachType === BPF_TRACE_ITER) return fail('a BPF iterator cannot be test-run', EFAULT);
  if (t === BPF_PROG_TYPE_RAW_TRACEPOINT || t === BPF_PROG_TYPE_TRACING) return prepareArgs(arena, prog, input);
  if (t === BPF_PROG_TYPE_KPROBE || t === BPF_PROG_TYPE_TRACEPOINT) {
    return fail('this program type cannot be test-run', ENOTSUPP);
  }
  return fail(`program type ${t} cannot be test-run`, ENOTSUPP);
}

/** bpf_ctx_init: ctx_in longer than the struct must be zero past it (bpf_check_uarg_tail_zero) */
function ctxInit(input: TestRunInput, size: number): Uint8Array | undefined {
  if (input.ctx === undefined && !input.ctxOut) return undefined;
  const ctx = new Uint8Array(size);
  if (input.ctx) {
    if (input.ctx.length > size && input.ctx.subarray(size).some((b) => b !== 0)) {
      fail(`ctx_in is ${input.ctx.length} bytes and not zero past the ${size} of the context`, E2BIG);
    }
    ctx.set(input.ctx.subarray(0, size));
  }
  return ctx;
}

const u32at = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

function nonZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return true;
  return false;
}

// ---------- XDP (bpf_prog_test_run_xdp) ----------

function prepareXdp(arena: Arena, host: Host, prog: ProgInfo, input: TestRunInput): PreparedRun {
  const flags = input.flags ?? 0;
  if (flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) fail(`test run flags 0x${flags.toString(16)} are not valid for XDP`, EINVAL);
  if (flags & BPF_F_TEST_XDP_LIVE_FRAMES) {
    fail('BPF_F_TEST_XDP_LIVE_FRAMES (sending the frames through the stack) is not supported by tsbpf', EOPNOTSUPP);
  }
  const data = input.data ?? new Uint8Array(64);
  const size = data.length;
  const ctxIn = ctxInit(input, XDP_MD_SIZE);
  let headroom = XDP_PACKET_HEADROOM;
  let metaLen = 0;
  // the linear part (metadata included); the rest of data_in goes to fragments
  let linearSize = size;
  let ingress = 1;
  let rxQueue = 0;
  if (ctxIn) {
    const md = (off: number): number => u32at(ctxIn, off);
    // no user data before the metadata; data_end (the linear part) within data_in
    if (md(XDP_MD.dataMeta) !== 0 || md(XDP_MD.dataEnd) > size || md(XDP_MD.data) > md(XDP_MD.dataEnd)) {
      fail('xdp_md ctx_in: data_meta must be 0, data <= data_end <= the packet size', EINVAL);
    }
    metaLen = md(XDP_MD.data);
    // 4-aligned, and room for the xdp_frame below it
    if ((metaLen & 3) !== 0 || metaLen > XDP_PACKET_HEADROOM - XDP_FRAME_SIZE) {
      fail(`xdp_md ctx_in: metadata length ${metaLen} must be 4-aligned and at most ${XDP_PACKET_HEADROOM - XDP_FRAME_SIZE}`, EINVAL);
    }
    headroom -= metaLen;
    linearSize = md(XDP_MD.dataEnd);
  }
  const maxLinear = PAGE_SIZE - headroom - SKB_SHARED_INFO;
  const linear = Math.min(linearSize, maxLinear);
  if (size - metaLen < ETH_HLEN) fail(`XDP test packet must be at least ${ETH_HLEN} bytes after the metadata, got ${size - metaLen}`, EINVAL);
  if (ctxIn) {
    if (u32at(ctxIn, XDP_MD.egressIfindex) !== 0) fail('xdp_md ctx_in: egress_ifindex must be 0', EINVAL);
    ingress = u32at(ctxIn, XDP_MD.ingressIfindex);
    rxQueue = u32at(ctxIn, XDP_MD.rxQueueIndex);
    if (!ingress && rxQueue) fail('xdp_md ctx_in: rx_queue_index needs ingress_ifindex', EINVAL);
    if (ingress) {
      const dev = host.dev(ingress);
      if (!dev) fail(`xdp_md ctx_in: no device with ifindex ${ingress}`, ENODEV);
      if (rxQueue >= dev!.rxQueues) fail(`xdp_md ctx_in: rx_queue_index ${rxQueue} >= the ${dev!.rxQueues} queues of ${dev!.name}`, EINVAL);
    } else {
      ingress = 1;
    }
  }
  const nFrags = Math.ceil((size - linear) / PAGE_SIZE);
  if (nFrags > MAX_SKB_FRAGS) fail(`XDP test packet of ${size} bytes needs ${nFrags} fragments (max ${MAX_SKB_FRAGS})`, ENOMEM);
  const frame = arena.alloc(PAGE_SIZE - SKB_SHARED_INFO, ARENA_ACCESS_RW);
  const ctx = arena.alloc(XDP_MD_SIZE, ARENA_ACCESS_READ);
  const meta = frame + headroom;
  const start = meta + metaLen;
  arena.u8.set(data.subarray(0, linear), meta);
  const frags: { addr: number; len: number; size: number }[] = [];
  for (let off = linear; off < size; off += PAGE_SIZE) {
    const len = Math.min(PAGE_SIZE, size - off);
    const addr = arena.alloc(PAGE_SIZE, ARENA_ACCESS_RW);
    arena.u8.set(data.subarray(off, off + len), addr);
    frags.push({ addr, len, size: PAGE_SIZE });
  }
  const dv = arena.dv;
  dv.setUint32(ctx + XDP_MD.data, start, true);
  dv.setUint32(ctx + XDP_MD.dataEnd, Math.max(start, meta + linear), true);
  dv.setUint32(ctx + XDP_MD.dataMeta, meta, true);
  dv.setUint32(ctx + XDP_MD.ingressIfindex, ingress, true);
  dv.setUint32(ctx + XDP_MD.rxQueueIndex, rxQueue, true);
  const xdp: XdpBuff = { ctx, hardStart: frame, frameEnd: frame + PAGE_SIZE - SKB_SHARED_INFO };
  if (frags.length) xdp.frags = frags;
  const pkt: PacketRun = { xdp, effects: { clones: [] } };
  return {
    r1: BigInt(ctx),
    pkt,
    // the frame from data_meta, then the fragments
    dataOut: () => {
      const m = arena.dv.getUint32(ctx + XDP_MD.dataMeta, true);
      const e = arena.dv.getUint32(ctx + XDP_MD.dataEnd, true);
      const parts = [arena.u8.slice(m, e), ...(xdp.frags ?? []).map((f) => arena.u8.slice(f.addr, f.addr + f.len))];
      return concat(parts);
    },
    ctxOut: () => {
      if (!ctxIn) return undefined;
      const out = ctxIn.slice();
      const o = new DataView(out.buffer);
      const m = arena.dv.getUint32(ctx + XDP_MD.dataMeta, true);
      o.setUint32(XDP_MD.data, arena.dv.getUint32(ctx + XDP_MD.data, true) - m, true);
      o.setUint32(XDP_MD.dataEnd, arena.dv.getUint32(ctx + XDP_MD.dataEnd, true) - m, true);
      return out;
    },
    release: () => {
      arena.free(ctx);
      arena.free(frame);
      for (const f of xdp.frags ?? []) arena.free(f.addr);
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------- skb (bpf_prog_test_run_skb) ----------

/** eth_type_trans: skb->protocol (network order) and pkt_type from the Ethernet header */
function ethTypeTrans(p: Uint8Array, dev: { mac: Uint8Array; broadcast: Uint8Array }): { protocol: number; pktType: number } {
  let pktType = 0; // PACKET_HOST
  if (p[0]! & 1) {
    // the loopback has no broadcast address: ff:ff:.. is multicast there
    pktType = p.subarray(0, 6).every((b, i) => b === dev.broadcast[i]) ? 1 : 2; // PACKET_BROADCAST : PACKET_MULTICAST
  } else if (!p.subarray(0, 6).every((b, i) => b === dev.mac[i])) {
    pktType = 3; // PACKET_OTHERHOST
  }
  const proto = (p[12]! << 8) | p[13]!;
  let host: number;
  if (proto >= 0x600) host = proto; // ETH_P_802_3_MIN
  else if (p.length >= ETH_HLEN + 2 && p[14] === 0xff && p[15] === 0xff) host = 0x0001; // ETH_P_802_3: raw IPX
  else host = 0x0004; // ETH_P_802_2
  return { protocol: host, pktType };
}

/** __sk_buff.protocol as a program loads it: the __be16 read as a little-endian u16 */
export const beProto = (hostOrder: number): number => ((hostOrder & 0xff) << 8) | (hostOrder >> 8);

/** the run input's tunnel metadata, checked (bad input is a TestRunError, not a crash in a helper) */
function checkTunnel(t: import('../helpers/env.js').TunnelInfo): import('../helpers/env.js').TunnelInfo {
  const alen = t.family === 4 ? 4 : t.family === 6 ? 16 : 0;
  if (!alen) fail(`tunnel: family must be 4 or 6`, EINVAL);
  for (const k of ['remote', 'local'] as const) {
    if (!(t[k] instanceof Uint8Array) || t[k].length !== alen) fail(`tunnel: ${k} must be ${alen} bytes for IPv${t.family}`, EINVAL);
  }
  const int = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!int(t.id, 0xffffffff) || !int(t.tos, 255) || !int(t.ttl, 255) || !int(t.label, 0xfffff) || !int(t.flags, 0x3ffff)) {
    fail('tunnel: id (u32), tos/ttl (u8), label (20 bits) and flags (IP_TUNNEL_*_BIT bits) must be integers in range', EINVAL);
  }
  if (t.options !== undefined && (!(t.options instanceof Uint8Array) || t.options.length > 255)) fail('tunnel: options must be at most 255 bytes', EINVAL);
  return { ...t, remote: t.remote.slice(), local: t.local.slice(), ...(t.options ? { options: t.options.slice() } : {}), tx: false };
}

/** offsetof(struct __sk_buff, sk) */
const SKB_SK = 168;

function prepareSkb(arena: Arena, host: Host, progType: number, input: TestRunInput): PreparedRun {
  const flags = input.flags ?? 0;
  if (flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE) fail(`test run flags 0x${flags.toString(16)} are not valid for skb programs`, EINVAL);
  if (flags) {
    fail('BPF_F_TEST_SKB_CHECKSUM_COMPLETE (checking skb->csum after the run) is not supported by tsbpf', EOPNOTSUPP);
  }
  const data = input.data ?? new Uint8Array(64);
  const size = data.length;
  const maxData = PAGE_SIZE - SKB_HEADROOM - SKB_SHARED_INFO;
  if (size < ETH_HLEN || size > maxData) fail(`packet must be ${ETH_HLEN}..${maxData} bytes, got ${size}`, EINVAL);
  const ctxIn = ctxInit(input, SK_BUFF_SIZE);
  let dev = host.dev(1);
  if (!dev) fail('the host has no loopback device (ifindex 1)', ENODEV);
  if (ctxIn && u32at(ctxIn, SKB.ifindex) > 1) {
    dev = host.dev(u32at(ctxIn, SKB.ifindex));
    if (!dev) fail(`__sk_buff ctx_in: no device with ifindex ${u32at(ctxIn, SKB.ifindex)}`, ENODEV);
  }
  const l2 = progType === BPF_PROG_TYPE_SCHED_CLS || progType === BPF_PROG_TYPE_SCHED_ACT;
  const { protocol, pktType } = ethTypeTrans(data, dev!);
  // the test run's socket takes its addresses from the IP header, which must be there
  if ((protocol === 0x0800 && size - ETH_HLEN < 20) || (protocol === 0x86dd && size - ETH_HLEN < 40)) {
    fail(`an ${protocol === 0x0800 ? 'IPv4' : 'IPv6'} packet shorter than its IP header (${size - ETH_HLEN} bytes after Ethernet)`, EINVAL);
  }
  // convert___skb_to_skb: only mark, priority, ingress_ifindex, ifindex, cb, tstamp,
  // wire_len, gso_segs, gso_size and hwtstamp may be set
  const len = l2 ? size : size - ETH_HLEN;
  if (ctxIn) {
    const allowed: [number, number][] = [[SKB.mark, 4], [SKB.priority, 12], [SKB.cb, 20], [SKB.tstamp, 16], [SKB.gsoSize, 4], [SKB.hwtstamp, 8]];
    let at = 0;
    for (const [off, n] of allowed) {
      if (nonZero(ctxIn, at, off)) fail(`__sk_buff ctx_in: a field at offset ${at}..${off} that the test run does not take is set`, EINVAL);
      at = off + n;
    }
    if (nonZero(ctxIn, at, SK_BUFF_SIZE)) fail('__sk_buff ctx_in: bytes past hwtstamp are set', EINVAL);
    const wire = u32at(ctxIn, SKB.wireLen);
    if (wire !== 0 && (wire < len || wire > GSO_LEGACY_MAX_SIZE)) fail(`__sk_buff ctx_in: wire_len ${wire} is below the packet length or above ${GSO_LEGACY_MAX_SIZE}`, EINVAL);
    if (u32at(ctxIn, SKB.gsoSegs) > GSO_MAX_SEGS) fail(`__sk_buff ctx_in: gso_segs above ${GSO_MAX_SEGS}`, EINVAL);
  }
  // the linear buffer: headroom as the kernel reserves it, tailroom for the shared info
  const alloc = SKB_HEADROOM + size + SKB_SHARED_INFO;
  const head = arena.alloc(alloc, ARENA_ACCESS_RW);
  const ctx = arena.alloc(SK_BUFF_SIZE, ARENA_ACCESS_RW);
  // skb->sk: the socket the test run makes for the packet, read-only to programs (__sk_buff->sk)
  const sk = arena.alloc(BPF_SOCK_SIZE, ARENA_ACCESS_READ);
  writeTestRunSock(arena.dv, sk, protocol, data.subarray(ETH_HLEN));
  arena.dv.setBigUint64(ctx + SKB_SK, BigInt(sk), true);
  arena.u8.set(data, head + SKB_HEADROOM);
  // socket filters see the packet from the network header (eth_type_trans pulled the Ethernet header)
  const start = head + SKB_HEADROOM + (l2 ? 0 : ETH_HLEN);
  const dv = arena.dv;
  dv.setUint32(ctx + SKB.len, len, true);
  dv.setUint32(ctx + SKB.pktType, pktType, true);
  dv.setUint32(ctx + SKB.protocol, beProto(protocol), true);
  dv.setUint32(ctx + SKB.ifindex, dev!.ifindex, true);
  dv.setUint32(ctx + SKB.data, start, true);
  dv.setUint32(ctx + SKB.dataEnd, start + len, true);
  dv.setUint32(ctx + SKB.dataMeta, start, true);
  dv.setUint32(ctx + SKB.wireLen, len, true);
  if (ctxIn) {
    for (const off of [SKB.mark, SKB.priority, SKB.ingressIfindex, SKB.gsoSize]) dv.setUint32(ctx + off, u32at(ctxIn, off), true);
    arena.u8.set(ctxIn.subarray(SKB.cb, SKB.cb + 20), ctx + SKB.cb);
    arena.u8.set(ctxIn.subarray(SKB.tstamp, SKB.tstamp + 8), ctx + SKB.tstamp);
    arena.u8.set(ctxIn.subarray(SKB.hwtstamp, SKB.hwtstamp + 8), ctx + SKB.hwtstamp);
    if (u32at(ctxIn, SKB.wireLen)) dv.setUint32(ctx + SKB.wireLen, u32at(ctxIn, SKB.wireLen), true);
    dv.setUint32(ctx + SKB.gsoSegs, u32at(ctxIn, SKB.gsoSegs), true);
  }
  const mac = head + SKB_HEADROOM;
  const skb: SkbBuff = {
    ctx, progType, head, end: head + alloc, mac, net: mac + ETH_HLEN,
    hashValid: false, csumUnnecessary: false, csumLevel: 0, encapsulation: false, sk,
  };
  if (input.tunnel) skb.tunnel = checkTunnel(input.tunnel);
  const pkt: PacketRun = { skb, effects: { clones: [] } };
  const cur = (): { d: number; e: number } => ({ d: arena.dv.getUint32(ctx + SKB.data, true), e: arena.dv.getUint32(ctx + SKB.dataEnd, true) });
  return {
    r1: BigInt(ctx),
    pkt,
    dataOut: () => {
      const { d, e } = cur();
      // not L2: the kernel pushes the Ethernet header back, zeroed
      if (!l2) return concat([new Uint8Array(ETH_HLEN), arena.u8.slice(d, e)]);
      return arena.u8.slice(d, e);
    },
    // convert_skb_to___skb: these fields are written back over ctx_in
    ctxOut: () => {
      if (!ctxIn) return undefined;
      const out = ctxIn.slice();
      for (const off of [SKB.mark, SKB.priority, SKB.ingressIfindex, SKB.ifindex, SKB.wireLen, SKB.gsoSegs]) {
        new DataView(out.buffer).setUint32(off, arena.dv.getUint32(ctx + off, true), true);
      }
      out.set(arena.u8.subarray(ctx + SKB.cb, ctx + SKB.cb + 20), SKB.cb);
      out.set(arena.u8.subarray(ctx + SKB.tstamp, ctx + SKB.tstamp + 8), SKB.tstamp);
      out.set(arena.u8.subarray(ctx + SKB.hwtstamp, ctx + SKB.hwtstamp + 8), SKB.hwtstamp);
      return out;
    },
    release: () => {
      arena.free(ctx);
      arena.free(sk);
      arena.free(skb.head);
    },
  };
}

// ---------- syscall and raw_tp ----------

function prepareSyscall(arena: Arena, prog: ProgInfo, input: TestRunInput): PreparedRun {
  // bpf_prog_test_run_syscall: no data, ctx_out, repeat or flags
  if (input.data || input.ctxOut || input.repeat || input.flags || input.dataSizeOut) {
    fail('a syscall program takes only ctx_in (no data, ctx_out, repeat or flags)', EINVAL);
  }
  const ctxIn = input.ctx ?? new Uint8Array(0);
  if (ctxIn.length < prog.maxCtxOffset) {
    fail(`ctx_size_in ${ctxIn.length} is below the ${prog.maxCtxOffset} bytes of context the program reads`, EINVAL);
  }
  if (ctxIn.length > 0xffff) fail('ctx_size_in above U16_MAX', EINVAL);
  if (ctxIn.length === 0) return { r1: 0n, dataOut: () => undefined, ctxOut: () => undefined, release: () => {} };
  const ctx = arena.alloc(ctxIn.length, ARENA_ACCESS_RW);
  arena.u8.set(ctxIn, ctx);
  return {
    r1: BigInt(ctx),
    dataOut: () => undefined,
    ctxOut: () => arena.u8.slice(ctx, ctx + ctxIn.length),
    release: () => arena.free(ctx),
  };
}

function prepareArgs(arena: Arena, prog: ProgInfo, input: TestRunInput): PreparedRun {
  let args = input.args ?? [];
  if (input.ctx) {
    if (input.args) fail('give args or ctx, not both', EINVAL);
    if (input.ctx.length % 8) fail('raw_tp ctx_in must be u64 arguments', EINVAL);
    const dv = new DataView(input.ctx.buffer, input.ctx.byteOffset, input.ctx.byteLength);
    args = Array.from({ length: input.ctx.length / 8 }, (_, i) => dv.getBigUint64(8 * i, true));
  }
  if (prog.type === BPF_PROG_TYPE_RAW_TRACEPOINT) {
    // bpf_prog_test_run_raw_tp: no data, ctx_out or repeat; ctx_size_in covers what the program reads
    if (input.data || input.ctxOut || input.repeat || input.dataSizeOut) {
      fail('a raw_tp program takes only ctx_in (no data, ctx_out or repeat)', EINVAL);
    }
    if (args.length * 8 < prog.maxCtxOffset || args.length > 12) {
      fail(`ctx_size_in ${args.length * 8} is below the ${prog.maxCtxOffset} bytes of context the program reads (or above 96)`, EINVAL);
    }
    if ((input.flags ?? 0) & ~BPF_F_TEST_RUN_ON_CPU) fail('bad test run flags', EINVAL);
  }
  const n = Math.max(args.length, 1);
  const ctx = arena.alloc(8 * n, ARENA_ACCESS_READ);
  args.forEach((a, i) => arena.dv.setBigUint64(ctx + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
  return { r1: BigInt(ctx), dataOut: () => undefined, ctxOut: () => undefined, release: () => arena.free(ctx) };
}

/** bpf_test_finish: the data_size_out clamp (-ENOSPC after copying what fits) */
export function checkDataSizeOut(input: TestRunInput, data: Uint8Array | undefined): void {
  if (data && input.dataSizeOut && data.length > input.dataSizeOut) {
    const e = new TestRunError(`data_size_out ${input.dataSizeOut} is below the ${data.length} bytes of output`, -ENOSPC);
    throw Object.assign(e, { dataSizeOut: data.length, data: data.slice(0, input.dataSizeOut) });
  }
}


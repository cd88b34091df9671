// BPF_PROG_TEST_RUN's contexts per program type (net/bpf/test_run.c): the
// arena blocks a run gets and what comes back out. Pointers inside contexts
// are arena addresses, which fit the u32 fields of xdp_md/__sk_buff directly.

import { Arena, ARENA_ACCESS_READ, ARENA_ACCESS_RW } from '../memory/arena.js';
import type { XdpBuff } from '../helpers/env.js';
import {
  BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_SOCKET_FILTER,
  BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_KPROBE,
  BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SKB,
} from '../uapi/bpf.js';
import { EINVAL, ENOTSUPP } from '../uapi/errno.js';

/** XDP_PACKET_HEADROOM */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct skb_shared_info) on x86-64, kept free at the end of an XDP frame */
const SKB_SHARED_INFO = 320;
const PAGE_SIZE = 4096;
const ETH_HLEN = 14;
/** sizeof(struct __sk_buff) */
export const SK_BUFF_SIZE = 192;
/** sizeof(struct xdp_md) */
export const XDP_MD_SIZE = 24;

export interface TestRunInput {
  /** packet for XDP/tc/socket programs */
  data?: Uint8Array;
  /** syscall programs: the context buffer */
  ctx?: Uint8Array;
  /** tracing/raw_tp programs: u64 arguments */
  args?: readonly (bigint | number)[];
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
  xdp?: XdpBuff;
  /** the packet as the program left it, for packet programs */
  dataOut(): Uint8Array | undefined;
  /** syscall programs: the context as the program left it */
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

export function prepareTestRun(arena: Arena, progType: number, input: TestRunInput): PreparedRun {
  if (progType === BPF_PROG_TYPE_XDP) return prepareXdp(arena, input.data ?? new Uint8Array(64));
  if (isSkb(progType)) return prepareSkb(arena, input.data ?? new Uint8Array(64));
  if (progType === BPF_PROG_TYPE_SYSCALL) return prepareSyscall(arena, input.ctx);
  if (progType === BPF_PROG_TYPE_RAW_TRACEPOINT || progType === BPF_PROG_TYPE_TRACING) {
    return prepareArgs(arena, input.args ?? []);
  }
  if (progType === BPF_PROG_TYPE_KPROBE || progType === BPF_PROG_TYPE_TRACEPOINT) {
    throw new TestRunError('this program type cannot be test-run (the kernel has no BPF_PROG_TEST_RUN for it): fire it with trigger()', -ENOTSUPP);
  }
  throw new TestRunError(`program type ${progType} cannot be test-run`, -ENOTSUPP);
}

function prepareXdp(arena: Arena, data: Uint8Array): PreparedRun {
  const maxData = PAGE_SIZE - XDP_PACKET_HEADROOM - SKB_SHARED_INFO;
  if (data.length < ETH_HLEN || data.length > maxData) {
    throw new TestRunError(`XDP test packet must be ${ETH_HLEN}..${maxData} bytes, got ${data.length}`, -EINVAL);
  }
  const frame = arena.alloc(PAGE_SIZE - SKB_SHARED_INFO, ARENA_ACCESS_RW);
  const ctx = arena.alloc(XDP_MD_SIZE, ARENA_ACCESS_READ);
  const start = frame + XDP_PACKET_HEADROOM;
  arena.u8.set(data, start);
  const dv = arena.dv;
  dv.setUint32(ctx, start, true); // data
  dv.setUint32(ctx + 4, start + data.length, true); // data_end
  dv.setUint32(ctx + 8, start, true); // data_meta
  dv.setUint32(ctx + 12, 1, true); // ingress_ifindex: loopback, as test_run uses
  const xdp: XdpBuff = { ctx, hardStart: frame, frameEnd: frame + PAGE_SIZE - SKB_SHARED_INFO };
  return {
    r1: BigInt(ctx),
    xdp,
    dataOut: () => {
      const d = arena.dv.getUint32(ctx, true);
      const e = arena.dv.getUint32(ctx + 4, true);
      return arena.u8.slice(d, e);
    },
    ctxOut: () => undefined,
    release: () => {
      arena.free(ctx);
      arena.free(frame);
    },
  };
}

function prepareSkb(arena: Arena, data: Uint8Array): PreparedRun {
  if (data.length < ETH_HLEN) throw new TestRunError(`packet must be at least ${ETH_HLEN} bytes`, -EINVAL);
  const buf = arena.alloc(data.length, ARENA_ACCESS_RW);
  const ctx = arena.alloc(SK_BUFF_SIZE, ARENA_ACCESS_RW);
  arena.u8.set(data, buf);
  const dv = arena.dv;
  dv.setUint32(ctx, data.length, true); // len
  dv.setUint32(ctx + 16, (data[12]! << 8) | data[13]!, true); // protocol (network order value as the kernel stores it)
  dv.setUint32(ctx + 40, 1, true); // ifindex
  dv.setUint32(ctx + 76, buf, true); // data
  dv.setUint32(ctx + 80, buf + data.length, true); // data_end
  return {
    r1: BigInt(ctx),
    dataOut: () => arena.u8.slice(buf, buf + data.length),
    ctxOut: () => undefined,
    release: () => {
      arena.free(ctx);
      arena.free(buf);
    },
  };
}

function prepareSyscall(arena: Arena, ctxIn: Uint8Array | undefined): PreparedRun {
  if (!ctxIn || ctxIn.length === 0) {
    return { r1: 0n, dataOut: () => undefined, ctxOut: () => undefined, release: () => {} };
  }
  const ctx = arena.alloc(ctxIn.length, ARENA_ACCESS_RW);
  arena.u8.set(ctxIn, ctx);
  return {
    r1: BigInt(ctx),
    dataOut: () => undefined,
    ctxOut: () => arena.u8.slice(ctx, ctx + ctxIn.length),
    release: () => arena.free(ctx),
  };
}

function prepareArgs(arena: Arena, args: readonly (bigint | number)[]): PreparedRun {
  const n = Math.max(args.length, 1);
  const ctx = arena.alloc(8 * n, ARENA_ACCESS_READ);
  args.forEach((a, i) => arena.dv.setBigUint64(ctx + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
  return { r1: BigInt(ctx), dataOut: () => undefined, ctxOut: () => undefined, release: () => arena.free(ctx) };
}

// The ring buffer helpers of kernel/bpf/ringbuf.c: bpf_ringbuf_output,
// bpf_ringbuf_reserve, bpf_ringbuf_submit, bpf_ringbuf_discard,
// bpf_ringbuf_query. The ring itself (record header, busy/discard bits,
// wake-ups) is the map layer's RingBufMap.

import type { HelperFn } from '../vm/env.js';
import { RingBufMap, ringbufOfSample } from '../maps/ringbuf.js';
import type { HelperEnv } from './env.js';
import { addrOf, checkMem, HelperFault, mapArg, u64 } from './misc.js';

function ringArg(env: HelperEnv, r1: bigint, what: string): RingBufMap {
  const m = mapArg(env, r1, what).map;
  if (!(m instanceof RingBufMap) || m.user) throw new HelperFault(`${what}: ${m.describe()} is not a ring buffer`);
  return m;
}

/** BPF_FUNC_ringbuf_output(map, data, size, flags): 0, -EINVAL (flags), -EAGAIN (full) */
export function bpf_ringbuf_output(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const rb = ringArg(env, r1, 'bpf_ringbuf_output');
    if (r3 > 0xffffffffn) return u64(rb.output(new Uint8Array(0), r4) || -11); // unreachable past the verifier's size bound
    const size = Number(r3);
    const src = size === 0 ? 0 : checkMem(env.arena, r2, size, false, 'bpf_ringbuf_output data');
    return u64(rb.output(env.arena.u8.slice(src, src + size), r4));
  };
}

/** BPF_FUNC_ringbuf_reserve(map, size, flags): the sample's address or NULL (also for any flags) */
export function bpf_ringbuf_reserve(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3) => {
    const rb = ringArg(env, r1, 'bpf_ringbuf_reserve');
    if (r3 !== 0n) return 0n;
    return u64(rb.reserve(r2));
  };
}

function commitFn(env: HelperEnv, discard: boolean, what: string): HelperFn {
  return (_vm, r1, r2) => {
    const a = addrOf(r1);
    const rb = a < 0 ? undefined : ringbufOfSample(envMaps(env), a);
    if (!rb) throw new HelperFault(`${what}: 0x${r1.toString(16)} is not a reserved ring buffer sample`);
    rb.commit(a, Number(r2 & 0xffffffffn), discard);
    return 0n;
  };
}

/** the MapEnv the runtime's maps live in (every map knows it) */
function envMaps(env: HelperEnv) {
  const e = env.mapEnv;
  if (!e) throw new HelperFault('ring buffer helpers need the runtime map table');
  return e;
}

/** BPF_FUNC_ringbuf_submit(sample, flags) */
export function bpf_ringbuf_submit(env: HelperEnv): HelperFn {
  return commitFn(env, false, 'bpf_ringbuf_submit');
}

/** BPF_FUNC_ringbuf_discard(sample, flags) */
export function bpf_ringbuf_discard(env: HelperEnv): HelperFn {
  return commitFn(env, true, 'bpf_ringbuf_discard');
}

/** BPF_FUNC_ringbuf_query(map, flags): avail data, ring size, consumer or producer position; 0 for other flags */
export function bpf_ringbuf_query(env: HelperEnv): HelperFn {
  return (_vm, r1, r2) => u64(ringArg(env, r1, 'bpf_ringbuf_query').query(r2));
}

/** struct bpf_dynptr_kern: data, size | type << 28, offset */
const DYNPTR_KERN_SIZE = 16;
const BPF_DYNPTR_TYPE_LOCAL = 1;

/**
 * BPF_FUNC_user_ringbuf_drain(map, callback, ctx, flags): each committed
 * sample of a user ring buffer is handed to callback(dynptr, ctx) as a local
 * dynptr over the sample (built in kernel memory, as the kernel builds it on
 * its stack); a callback returning 1 stops. The number of samples drained,
 * or -EINVAL (flags, a corrupt header), -EBUSY, -E2BIG.
 */
export function bpf_user_ringbuf_drain(env: HelperEnv): HelperFn {
  return (vm, r1, r2, r3, r4) => {
    const m = mapArg(env, r1, 'bpf_user_ringbuf_drain').map;
    if (!(m instanceof RingBufMap) || !m.user) throw new HelperFault(`bpf_user_ringbuf_drain: ${m.describe()} is not a user ring buffer`);
    const cb = r2 > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(r2);
    const dynptr = env.arena.alloc(DYNPTR_KERN_SIZE);
    try {
      return u64(m.drain(r4, (addr, size) => {
        const dv = env.arena.dv;
        dv.setBigUint64(dynptr, BigInt(addr), true);
        dv.setUint32(dynptr + 8, (size | (BPF_DYNPTR_TYPE_LOCAL << 28)) >>> 0, true);
        dv.setUint32(dynptr + 12, 0, true);
        return vm.callFunction(cb, [BigInt(dynptr), r3, 0n, 0n, 0n]);
      }));
    } finally {
      env.arena.free(dynptr);
    }
  };
}

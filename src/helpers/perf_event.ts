// bpf_perf_event_output (BPF_FUNC_perf_event_output, id 25): the tracing
// variant (kernel/trace/bpf_trace.c) takes only an index or
// BPF_F_CURRENT_CPU in flags; the XDP and skb variants (net/core/filter.c's
// bpf_xdp_event_output / bpf_skb_event_output) also take a length in
// BPF_F_CTXLEN_MASK: that many packet bytes are appended to the sample.
// The perf ring itself is the map layer's PerfEventArrayMap.

import type { HelperFn } from '../vm/env.js';
import { PerfEventArrayMap, BPF_F_INDEX_MASK, BPF_F_CTXLEN_MASK } from '../maps/perf_event_array.js';
import { EFAULT, EINVAL } from '../uapi/errno.js';
import { BPF_PROG_TYPE_XDP } from '../uapi/bpf.js';
import type { HelperEnv } from './env.js';
import { checkMem, HelperFault, mapArg, u64 } from './misc.js';

/** program types whose bpf_perf_event_output is the skb variant (ctx is a struct __sk_buff) */
const SKB_TYPES = new Set([1, 3, 4, 8, 10, 11, 12, 14, 19]);

export function bpf_perf_event_output(env: HelperEnv): HelperFn {
  return (vm, _r1, r2, r3, r4, r5) => {
    const m = mapArg(env, r2, 'bpf_perf_event_output').map;
    if (!(m instanceof PerfEventArrayMap)) throw new HelperFault(`bpf_perf_event_output: ${m.describe()} is not a perf event array`);
    const type = (env.currentProg() as { type?: number }).type;
    const flags = r3;
    let extra = new Uint8Array(0);
    if (type === BPF_PROG_TYPE_XDP || (type !== undefined && SKB_TYPES.has(type))) {
      if (flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)) return u64(-EINVAL);
      const ctxLen = Number((flags & BPF_F_CTXLEN_MASK) >> 32n);
      if (ctxLen > 0) {
        const xdp = env.currentXdp();
        if (type !== BPF_PROG_TYPE_XDP || !xdp) {
          throw new HelperFault('bpf_perf_event_output: appending skb data (BPF_F_CTXLEN_MASK) is not supported by tsbpf yet');
        }
        const dv = env.arena.dv;
        const data = dv.getUint32(xdp.ctx, true);
        const end = dv.getUint32(xdp.ctx + 4, true);
        if (ctxLen > end - data) return u64(-EFAULT);
        extra = env.arena.u8.slice(data, data + ctxLen);
      }
    } else if (flags & ~BPF_F_INDEX_MASK) {
      return u64(-EINVAL);
    }
    const size = Number(r5 & 0xffffffffn);
    const src = size === 0 ? 0 : checkMem(env.arena, r4, size, false, 'bpf_perf_event_output data');
    const raw = new Uint8Array(size + extra.length);
    raw.set(env.arena.u8.subarray(src, src + size));
    raw.set(extra, size);
    return u64(m.output(vm.cpu, flags, raw));
  };
}

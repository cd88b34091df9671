// Context access rules per program type (the is_valid_access callbacks of
// xdp, tc, socket filter, tracing and syscall programs).
import * as F from '../uapi/bpf_func.js';
import { RegType } from './reg_state.js';

export interface CtxAccess {
  /** what a load produces */
  loads: RegType;
}

// struct xdp_md: u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
const XDP_MD_SIZE = 24;

// struct __sk_buff (192 bytes); offsets of the fields with special rules.
const SKB = {
  size: 192, mark: 8, queueMapping: 12, priority: 32, tcIndex: 44, cb0: 48, cbEnd: 68,
  tcClassid: 72, data: 76, dataEnd: 80, family: 88, dataMeta: 140, flowKeys: 144, tstamp: 152,
  sk: 168, hwtstamp: 184,
};

/** u64 fields of __sk_buff (only full 8-byte loads) */
const SKB_U64 = new Set([SKB.flowKeys, SKB.tstamp, SKB.sk, SKB.hwtstamp]);

/** Returns the load type, or undefined when the access is invalid. */
export function checkCtxAccess(progType: number, off: number, size: number, write: boolean, ldsx = false): CtxAccess | undefined {
  if (off < 0 || size <= 0 || off % size !== 0) return undefined;
  const a = ctxAccess(progType, off, size, write);
  // a sign-extending load (info->is_ldsx) of a packet pointer field is refused
  if (a && ldsx && a.loads !== RegType.SCALAR_VALUE) return undefined;
  return a;
}

function ctxAccess(progType: number, off: number, size: number, write: boolean): CtxAccess | undefined {
  switch (progType) {
    case F.BPF_PROG_TYPE_XDP: {
      if (write || off + size > XDP_MD_SIZE || size !== 4) return undefined;
      if (off === 0) return { loads: RegType.PTR_TO_PACKET };
      if (off === 4) return { loads: RegType.PTR_TO_PACKET_END };
      if (off === 8) return { loads: RegType.PTR_TO_PACKET_META };
      // egress_ifindex only exists for devmap programs (expected_attach_type BPF_XDP_DEVMAP)
      if (off === 20) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    }
    case F.BPF_PROG_TYPE_SCHED_CLS:
    case F.BPF_PROG_TYPE_SOCKET_FILTER: {
      if (off + size > SKB.size) return undefined;
      const tc = progType === F.BPF_PROG_TYPE_SCHED_CLS;
      const field = off & ~3;
      // family .. local_port are socket fields, not reachable from an skb program
      if (field >= SKB.family && field < SKB.dataMeta) return undefined;
      if (SKB_U64.has(off & ~7)) {
        if (size !== 8) return undefined;
        if (!tc) return undefined;
        if (write) return tc && off === SKB.tstamp ? { loads: RegType.SCALAR_VALUE } : undefined;
        if (off === SKB.sk || off === SKB.flowKeys) return undefined; // typed pointers we do not model
        return { loads: RegType.SCALAR_VALUE };
      }
      if (size === 8) return undefined;
      const isCb = field >= SKB.cb0 && field < SKB.cbEnd;
      if (write) {
        if (isCb) return { loads: RegType.SCALAR_VALUE };
        if (!tc) return undefined;
        if ([SKB.mark, SKB.priority, SKB.tcIndex, SKB.tcClassid, SKB.queueMapping].includes(field) && size === 4) {
          return { loads: RegType.SCALAR_VALUE };
        }
        return undefined;
      }
      if (field === SKB.data || field === SKB.dataEnd || field === SKB.dataMeta) {
        if (!tc || size !== 4 || off !== field) return undefined;
        return {
          loads: field === SKB.data ? RegType.PTR_TO_PACKET
            : field === SKB.dataEnd ? RegType.PTR_TO_PACKET_END : RegType.PTR_TO_PACKET_META,
        };
      }
      if (!tc && field === SKB.tcClassid) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    }
    case F.BPF_PROG_TYPE_RAW_TRACEPOINT:
      if (write || size !== 8 || off + size > 8 * 12) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_KPROBE:
      // struct pt_regs on x86-64: 21 u64 registers
      if (write || off + size > 168) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_TRACEPOINT:
      // the first 8 bytes (common fields) are not readable
      if (write || off < 8 || off + size > 2048) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_TRACING:
      if (write || size !== 8 || off + size > 8 * 12) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_SYSCALL:
      if (off + size > 0xffff) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    default:
      return undefined;
  }
}

/** Program types that may write packet data directly. */
export function mayWritePacket(progType: number): boolean {
  return progType === F.BPF_PROG_TYPE_XDP || progType === F.BPF_PROG_TYPE_SCHED_CLS;
}

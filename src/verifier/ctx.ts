// Context access rules per program type (the is_valid_access callbacks of
// xdp, tc, socket filter, tracing and syscall programs).
import * as F from '../uapi/bpf_func.js';
import { BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_SCHED_ACT } from '../uapi/bpf.js';
import { RegType } from './reg_state.js';

export interface CtxAccess {
  /** what a load produces */
  loads: RegType;
}

// struct xdp_md: u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
const XDP_MD_SIZE = 24;

// struct __sk_buff (192 bytes): [first, last] byte of the fields with rules of their own
// (the kernel's bpf_ctx_range: a rule applies to an access starting anywhere in the field).
const SKB_SIZE = 192;
const R = {
  mark: [8, 11], queueMapping: [12, 15], priority: [32, 35], tcIndex: [44, 47], cb: [48, 67],
  tcClassid: [72, 75], data: [76, 79], dataEnd: [80, 83], socket: [88, 139] /* family .. local_port */,
  dataMeta: [140, 143], flowKeys: [144, 151], tstamp: [152, 159], wireLen: [160, 163],
  hwtstamp: [184, 191], pad: [181, 183], sk: [168, 175], ips: [92, 131] /* remote_ip4 .. local_ip6[3] */,
} as const;
const SKB_TSTAMP_TYPE = 180;
const inR = (off: number, r: readonly [number, number]): boolean => off >= r[0] && off <= r[1];
const scalar: CtxAccess = { loads: RegType.SCALAR_VALUE };

/**
 * The __sk_buff rules of socket filters (sk_filter_is_valid_access), tc
 * (tc_cls_act_is_valid_access) and cgroup skb programs (cg_skb_is_valid_access,
 * loaded with CAP_BPF and CAP_SYS_ADMIN), each ending in bpf_skb_is_valid_access.
 * Checked against the kernel over every offset and size (test/verifier/ctx_sweep.test.ts).
 */
function skbAccess(progType: number, off: number, size: number, write: boolean): CtxAccess | undefined {
  const tc = progType === F.BPF_PROG_TYPE_SCHED_CLS || progType === BPF_PROG_TYPE_SCHED_ACT;
  let loads = RegType.SCALAR_VALUE;
  if (progType === F.BPF_PROG_TYPE_SOCKET_FILTER) {
    for (const r of [R.tcClassid, R.data, R.dataMeta, R.dataEnd, R.socket, R.tstamp, R.wireLen, R.hwtstamp]) if (inR(off, r)) return undefined;
    if (write && !inR(off, R.cb)) return undefined;
  } else if (tc) {
    if (write && ![R.mark, R.tcIndex, R.priority, R.tcClassid, R.cb, R.tstamp, R.queueMapping].some((r) => inR(off, r))) return undefined;
    if (inR(off, R.data)) loads = RegType.PTR_TO_PACKET;
    else if (inR(off, R.dataMeta)) loads = RegType.PTR_TO_PACKET_META;
    else if (inR(off, R.dataEnd)) loads = RegType.PTR_TO_PACKET_END;
    else if (inR(off, R.socket)) return undefined;
    else if (off === SKB_TSTAMP_TYPE) return size === 1 ? scalar : undefined;
  } else {
    for (const r of [R.tcClassid, R.dataMeta, R.wireLen]) if (inR(off, r)) return undefined;
    if (write && ![R.mark, R.priority, R.cb, R.tstamp].some((r) => inR(off, r))) return undefined;
    if (inR(off, R.data)) loads = RegType.PTR_TO_PACKET;
    else if (inR(off, R.dataEnd)) loads = RegType.PTR_TO_PACKET_END;
  }
  // bpf_skb_is_valid_access
  if (off < 0 || off >= SKB_SIZE || off % size !== 0) return undefined;
  if (inR(off, R.cb)) return off + size > R.cb[1] + 1 ? undefined : scalar;
  if (inR(off, R.data) || inR(off, R.dataMeta) || inR(off, R.dataEnd)) return size === 4 ? { loads } : undefined;
  if (inR(off, R.flowKeys)) return undefined;
  if (inR(off, R.hwtstamp)) return write || size !== 8 ? undefined : scalar;
  if (inR(off, R.tstamp)) return size === 8 ? scalar : undefined;
  // sk: only a full 8-byte load, giving the skb's socket as a PTR_TO_SOCK_COMMON_OR_NULL
  if (inR(off, R.sk)) return !write && size === 8 ? { loads: RegType.PTR_TO_SOCK_COMMON_OR_NULL } : undefined;
  // addresses: whole words only
  if (inR(off, R.ips)) return size === 4 && !write ? scalar : undefined;
  if (off === SKB_TSTAMP_TYPE || inR(off, R.pad)) return undefined;
  // the other fields are u32: full-size writes, narrow (power-of-two) reads
  if (write) return size === 4 ? scalar : undefined;
  return size <= 4 ? scalar : undefined;
}

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
    case BPF_PROG_TYPE_SCHED_ACT:
    case F.BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_CGROUP_SKB:
      return skbAccess(progType, off, size, write);
    case F.BPF_PROG_TYPE_RAW_TRACEPOINT:
      if (write || size !== 8 || off + size > 8 * 12) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_KPROBE:
      // struct pt_regs on x86-64: 21 u64 registers
      if (write || off + size > 168) return undefined;
      return { loads: RegType.SCALAR_VALUE };
    case F.BPF_PROG_TYPE_PERF_EVENT: {
      // struct bpf_perf_event_data: pt_regs (168), u64 sample_period, u64 addr (pe_prog_is_valid_access)
      if (write || off + size > 184) return undefined;
      if (off >= 168) return size === 8 || size === 4 || size === 2 || size === 1 ? { loads: RegType.SCALAR_VALUE } : undefined;
      return size === 8 ? { loads: RegType.SCALAR_VALUE } : undefined;
    }
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

// The full prototype table of Linux 6.18's enum bpf_func_id, by kernel id:
// rows as the kernel spells them (protos_base.ts, protos_net.ts,
// protos_trace.ts), parsed once into what the verifier checks, and which
// program type may call which id (availability.ts). Every helper is verified
// by its prototype whether or not tsbpf implements it; the loader refuses an
// unimplemented one after verification (runtime/loader.ts).
import { ArgFlag, ArgType, RetType, type HelperProto, type ProtoRow } from './proto.js';
import { PROTOS_BASE } from './protos_base.js';
import { PROTOS_NET } from './protos_net.js';
import { PROTOS_TRACE } from './protos_trace.js';
import { HELPER_AVAILABILITY } from './availability.js';
import * as F from '../uapi/bpf_func.js';

export const PROTO_ROWS: readonly ProtoRow[] = [...PROTOS_BASE, ...PROTOS_NET, ...PROTOS_TRACE];

const FLAG: Readonly<Record<string, number>> = {
  PTR_MAYBE_NULL: ArgFlag.PTR_MAYBE_NULL, MEM_RDONLY: ArgFlag.MEM_RDONLY, MEM_UNINIT: ArgFlag.MEM_UNINIT,
  MEM_WRITE: ArgFlag.MEM_WRITE, MEM_ALIGNED: ArgFlag.MEM_ALIGNED, MEM_FIXED_SIZE: ArgFlag.MEM_FIXED_SIZE,
  OBJ_RELEASE: ArgFlag.OBJ_RELEASE, DYNPTR_TYPE_LOCAL: ArgFlag.DYNPTR_TYPE_LOCAL,
  DYNPTR_TYPE_RINGBUF: ArgFlag.DYNPTR_TYPE_RINGBUF, MEM_RINGBUF: ArgFlag.MEM_RINGBUF, PTR_TRUSTED: ArgFlag.PTR_TRUSTED,
};

/** the kernel's composite names (include/linux/bpf.h) as base + flags */
const ARG_ALIAS: Readonly<Record<string, [string, number]>> = {
  ARG_PTR_TO_MAP_VALUE_OR_NULL: ['ARG_PTR_TO_MAP_VALUE', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_MEM_OR_NULL: ['ARG_PTR_TO_MEM', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_CTX_OR_NULL: ['ARG_PTR_TO_CTX', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_SOCKET_OR_NULL: ['ARG_PTR_TO_SOCKET', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_STACK_OR_NULL: ['ARG_PTR_TO_STACK', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_BTF_ID_OR_NULL: ['ARG_PTR_TO_BTF_ID', ArgFlag.PTR_MAYBE_NULL],
  ARG_PTR_TO_UNINIT_MEM: ['ARG_PTR_TO_MEM', ArgFlag.MEM_UNINIT | ArgFlag.MEM_WRITE],
  ARG_PTR_TO_FIXED_SIZE_MEM: ['ARG_PTR_TO_MEM', ArgFlag.MEM_FIXED_SIZE],
};
const RET_ALIAS: Readonly<Record<string, [string, number]>> = {
  // the composites the verifier models stay whole (RetType has them)
  RET_PTR_TO_MAP_VALUE_OR_NULL: ['RET_PTR_TO_MAP_VALUE_OR_NULL', 0],
  RET_PTR_TO_SOCKET_OR_NULL: ['RET_PTR_TO_SOCKET_OR_NULL', 0],
  RET_PTR_TO_TCP_SOCK_OR_NULL: ['RET_PTR_TO_TCP_SOCK_OR_NULL', 0],
  RET_PTR_TO_SOCK_COMMON_OR_NULL: ['RET_PTR_TO_SOCK_COMMON_OR_NULL', 0],
  RET_PTR_TO_RINGBUF_MEM_OR_NULL: ['RET_PTR_TO_RINGBUF_MEM_OR_NULL', 0],
  RET_PTR_TO_DYNPTR_MEM_OR_NULL: ['RET_PTR_TO_DYNPTR_MEM_OR_NULL', 0],
  RET_PTR_TO_BTF_ID_OR_NULL: ['RET_PTR_TO_BTF_ID', ArgFlag.PTR_MAYBE_NULL],
  RET_PTR_TO_BTF_ID_TRUSTED: ['RET_PTR_TO_BTF_ID', ArgFlag.PTR_TRUSTED],
};

/** 'ARG_PTR_TO_MEM | MEM_RDONLY' -> [base, flags] */
function parseSpelling(s: string, alias: Readonly<Record<string, [string, number]>>): [string, number] {
  let base = '';
  let flags = 0;
  for (const part of s.split('|').map((p) => p.trim())) {
    const f = FLAG[part];
    if (f !== undefined) { flags |= f; continue; }
    const a = alias[part];
    if (a) { base = a[0]; flags |= a[1]; continue; }
    base = part;
  }
  return [base, flags];
}

/** callbacks the verifier follows into (the rest of the ARG_PTR_TO_FUNC helpers are refused as not modelled) */
const CALLBACK: Readonly<Record<number, 'loop' | 'timer' | 'user_ringbuf'>> = {
  [F.BPF_FUNC_loop]: 'loop', [F.BPF_FUNC_timer_set_callback]: 'timer', [F.BPF_FUNC_user_ringbuf_drain]: 'user_ringbuf',
};

/** is_acquire_function and is_ptr_cast_function (kernel/bpf/verifier.c), by helper name */
const ACQUIRE = new Set(['sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'ringbuf_reserve']);
const PTR_CAST = new Set(['tcp_sock', 'sk_fullsock', 'skc_to_tcp_sock', 'skc_to_tcp6_sock', 'skc_to_udp6_sock',
  'skc_to_mptcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock']);

/** the BTF ids prototypes name, as the struct they are (BTF_ID lists of the kernel sources) */
const BTF_ID_STRUCT: Readonly<Record<string, string>> = {
  '&btf_tracing_ids[BTF_TRACING_TYPE_TASK]': 'task_struct',
  '&bpf_inode_storage_btf_ids[0]': 'inode',
  '&bpf_cgroup_btf_id[0]': 'cgroup',
  '&btf_sock_ids[BTF_SOCK_TYPE_SOCK_COMMON]': 'sock_common',
};

export function protoFromRow(r: ProtoRow): HelperProto {
  const args: ArgType[] = [];
  const argFlags: number[] = [];
  for (const a of r.args) {
    const [base, flags] = parseSpelling(a, ARG_ALIAS);
    args.push(base as ArgType);
    argFlags.push(flags);
  }
  const [ret, retFlags] = parseSpelling(r.ret, RET_ALIAS);
  const p: HelperProto = {
    id: r.id, name: r.name, gplOnly: r.gplOnly, ret: ret as RetType, retFlags, args, argFlags,
    ...(r.argSize ? { argSize: r.argSize } : {}),
    ...(r.retBtfId ? { retBtfId: r.retBtfId } : {}),
    ...(r.pktAccess ? { pktAccess: true } : {}),
    ...(r.mightSleep ? { mightSleep: true } : {}),
    ...(r.allowed ? { allowed: r.allowed } : {}),
    ...(CALLBACK[r.id] ? { callback: CALLBACK[r.id] } : {}),
    ...(ACQUIRE.has(r.name) ? { acquire: true } : {}),
    ...(PTR_CAST.has(r.name) ? { ptrCast: true } : {}),
    ...(r.argBtfId?.some((b) => BTF_ID_STRUCT[b]) ? { argStruct: r.argBtfId.map((b) => BTF_ID_STRUCT[b]) } : {}),
    ...(r.retBtfId && BTF_ID_STRUCT[r.retBtfId] ? { retStruct: BTF_ID_STRUCT[r.retBtfId] } : {}),
  };
  return p;
}

/** the default prototype of each id, and the variants some program types get */
const DEFAULT = new Map<number, HelperProto>();
const VARIANT = new Map<string, HelperProto>();
for (const r of PROTO_ROWS) {
  const p = protoFromRow(r);
  if (!r.progTypes) DEFAULT.set(r.id, p);
  else for (const t of r.progTypes) VARIANT.set(`${t}:${r.id}`, p);
}

/** Every prototype by id (the default variant). */
export const HELPER_PROTOS: ReadonlyMap<number, HelperProto> = DEFAULT;

function parseRanges(s: string): Set<number> {
  const out = new Set<number>();
  for (const part of s.split(',').filter((x) => x.length > 0)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.add(i);
  }
  return out;
}
const AVAIL = new Map<number, Set<number>>(Object.entries(HELPER_AVAILABILITY).map(([t, s]) => [Number(t), parseRanges(s)]));

/**
 * May a program of this type call helper id (its get_func_proto returns
 * non-NULL)? Program types absent from the table (struct_ops, ext, lsm,
 * lirc_mode2) get every helper the table has, as no recording says otherwise.
 */
export function helperAvailable(id: number, progType: number): boolean {
  const set = AVAIL.get(progType);
  return set ? set.has(id) : DEFAULT.has(id);
}

/** The prototype of a helper id for a program type (its variant), or undefined for an unknown id. */
export function helperProto(id: number, progType?: number): HelperProto | undefined {
  if (progType !== undefined) {
    const v = VARIANT.get(`${progType}:${id}`);
    if (v) return v;
  }
  return DEFAULT.get(id);
}

// The context of BTF-attached programs (fentry/fexit/fmod_ret, tp_btf, lsm):
// an array of u64 slots typed by the target's FUNC_PROTO (btf_ctx_access).
// A pointer-to-struct argument loads as a PTR_TO_BTF_ID that
// check_ptr_to_btf_access walks; scalars load as scalars; fexit/lsm read the
// return value in the slot after the arguments.
import type { Btf } from '../btf/btf.js';
import {
  BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC_PROTO, BTF_KIND_INT, BTF_KIND_NAMES, BTF_KIND_PTR, BTF_KIND_TYPE_TAG,
  type BtfFuncProto, type BtfType, isComposite, isModifier,
} from '../btf/types.js';
import { BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_TRACING } from '../uapi/bpf.js';
import {
  BPF_LSM_CGROUP, BPF_LSM_MAC, BPF_MODIFY_RETURN, BPF_TRACE_FEXIT, BPF_TRACE_ITER, BPF_TRACE_RAW_TP,
} from '../object/prog_types.js';
import { btfRef } from './btf_access.js';
import { type BtfRef, RegType } from './reg_state.js';

/** What a BTF-attached program is attached to (prog->aux->attach_func_proto and friends). */
export interface AttachTarget {
  /** the BTF the target was found in (tsbpf's built-in kernel BTF or the user's vmlinux) */
  btf: Btf;
  /** attach_func_name: the function, hook or tracepoint name as the kernel logs it */
  name: string;
  /** the target's FUNC_PROTO */
  protoId: number;
  /** attach_btf_trace (tp_btf): the prototype's first `void *__data` is not an argument */
  btfTrace: boolean;
}

export type BtfCtxLoad =
  | { kind: 'scalar' }
  | { kind: 'ptr'; type: RegType; btf: BtfRef };

const MAX_BPF_FUNC_ARGS = 12;

function skipModifiers(btf: Btf, id: number): BtfType {
  let t = btf.type(id);
  for (let d = 0; isModifier(t) && d < 32; d++) t = btf.type(t.type);
  return t;
}

/** btf_type_str */
const kindStr = (t: BtfType): string => BTF_KIND_NAMES[t.kind] ?? 'UNKN';

/** prog_args_trusted: raw tracepoints, iterators and LSM hooks get trusted arguments */
function argsTrusted(progType: number, attachType: number): boolean {
  if (progType === BPF_PROG_TYPE_TRACING) return attachType === BPF_TRACE_RAW_TP || attachType === BPF_TRACE_ITER;
  return progType === BPF_PROG_TYPE_LSM;
}

/**
 * tracing_prog_is_valid_access + btf_ctx_access: the load a ctx read at
 * `off` of `size` bytes gives, or undefined (refused; the reason, as the
 * kernel logs it, went to `log` and the caller adds "invalid bpf_context access").
 */
export function btfCtxAccess(
  target: AttachTarget, progType: number, attachType: number, off: number, size: number, write: boolean,
  log: (line: string) => void, info: (line: string) => void,
): BtfCtxLoad | undefined {
  if (progType === BPF_PROG_TYPE_TRACING) {
    if (off < 0 || off >= 8 * MAX_BPF_FUNC_ARGS || write || off % size !== 0) return undefined;
  }
  const { btf, name } = target;
  if (off % 8) { log(`func '${name}' offset ${off} is not multiple of 8`); return undefined; }
  const proto = btf.type(target.protoId) as BtfFuncProto;
  let params = proto.params;
  if (target.btfTrace) params = params.slice(1);
  const nrArgs = params.length;
  const arg = off / 8;
  if (arg > nrArgs) { log(`func '${name}' doesn't have ${arg + 1}-th argument`); return undefined; }
  let t: BtfType;
  if (arg === nrArgs) {
    switch (attachType) {
      case BPF_LSM_MAC: case BPF_LSM_CGROUP: case BPF_TRACE_FEXIT:
        t = btf.type(proto.returnType);
        break;
      case BPF_MODIFY_RETURN: {
        t = skipModifiers(btf, proto.returnType);
        if (!(t.kind === BTF_KIND_INT && t.size <= 8)) { log(`ret type ${kindStr(t)} not allowed for fmod_ret`); return undefined; }
        break;
      }
      default:
        log(`func '${name}' doesn't have ${arg + 1}-th argument`);
        return undefined;
    }
  } else {
    t = btf.type(params[arg]!.type);
  }
  t = skipModifiers(btf, t.id);
  if ((t.kind === BTF_KIND_INT && t.size <= 8) || t.kind === BTF_KIND_ENUM || t.kind === BTF_KIND_ENUM64 || isComposite(t)) {
    return { kind: 'scalar' };
  }
  if (t.kind !== BTF_KIND_PTR) {
    log(`func '${name}' arg${arg} '${t.name}' has type ${kindStr(t)}. Only pointer access is allowed`);
    return undefined;
  }
  if (size !== 8) { log(`func '${name}' size ${size} must be 8`); return undefined; }
  // a pointer to anything but a struct (char *, u64 *, struct foo **) is a plain number to the verifier
  if (!isComposite(skipModifiers(btf, t.type))) return { kind: 'scalar' };
  let type = argsTrusted(progType, attachType) ? RegType.TRUSTED_PTR_TO_BTF_ID : RegType.PTR_TO_BTF_ID;
  const tag = btf.type(t.type);
  if (tag.kind === BTF_KIND_TYPE_TAG && tag.name === 'percpu') type = RegType.PERCPU_PTR_TO_BTF_ID;
  let id = t.type;
  let st = btf.type(id);
  for (let d = 0; isModifier(st) && d < 32; d++) { id = st.type; st = btf.type(id); }
  info(`func '${name}' arg${arg} has btf_id ${id} type ${kindStr(st)} '${st.name}'`);
  return { kind: 'ptr', type, btf: btfRef(btf, id) };
}

/**
 * The attach target of BTF type `typeId` (a FUNC, or a btf_trace_<tp>
 * TYPEDEF for tp_btf), as bpf_check_attach_target reads it: its prototype
 * and the name the kernel logs (the tracepoint without its prefix, else the
 * FUNC's name); undefined when it has no function prototype.
 */
export function attachTargetOf(btf: Btf, typeId: number, attachType: number): AttachTarget | undefined {
  const btfTrace = attachType === BPF_TRACE_RAW_TP;
  let t = btf.type(typeId);
  const name = btfTrace ? t.name.replace(/^btf_trace_/, '') : t.name;
  if (btfTrace) {
    // btf_trace_<name>: TYPEDEF -> PTR -> FUNC_PROTO
    if (!isModifier(t)) return undefined;
    t = btf.type(t.type);
    if (t.kind !== BTF_KIND_PTR) return undefined;
    t = btf.type(t.type);
  } else {
    if (!('type' in t)) return undefined;
    t = btf.type(t.type);
  }
  return t.kind === BTF_KIND_FUNC_PROTO ? { btf, name, protoId: t.id, btfTrace } : undefined;
}

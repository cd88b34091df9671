// check_kfunc_call: a BPF_PSEUDO_KFUNC_CALL checked against the kfunc table
// (src/kfuncs): program-type availability, arguments by kind (context,
// scalars and constants, memory with its size, kernel objects and their
// trust, NULL), the RCU read-side region, references (KF_ACQUIRE,
// KF_RELEASE, KF_RET_NULL) and the return value.
import { KF_ACQUIRE, KF_RCU, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS, type KfuncProto } from '../kfuncs/proto.js';
import { kfuncById } from '../kfuncs/table.js';
import * as T from '../uapi/bpf.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { Verifier } from './check.js';
import { checkPtrOffReg } from './helper_call.js';
import { targetStruct } from './btf_access.js';
import { acquireReference, releaseReference } from './refs.js';
import { type DynptrInfo, processDynptrArg } from './dynptr.js';
import {
  type RegState, RegType, isBtfIdType, isNullable, isSkPointer, notInit, ptrReg, scalarUnknown,
} from './reg_state.js';
import { tnumIsConst } from './tnum.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** The context struct each program type's kfunc arguments may name (btf_is_prog_ctx_type). */
function progCtx(progType: number): 'sk_buff' | 'xdp_md' | undefined {
  switch (progType) {
    case T.BPF_PROG_TYPE_XDP: return 'xdp_md';
    case T.BPF_PROG_TYPE_SCHED_CLS: case T.BPF_PROG_TYPE_SCHED_ACT: case T.BPF_PROG_TYPE_SOCKET_FILTER:
    case T.BPF_PROG_TYPE_CGROUP_SKB: case T.BPF_PROG_TYPE_SK_SKB: case T.BPF_PROG_TYPE_LWT_IN:
    case T.BPF_PROG_TYPE_LWT_OUT: case T.BPF_PROG_TYPE_LWT_XMIT: case T.BPF_PROG_TYPE_LWT_SEG6LOCAL:
      return 'sk_buff';
    default: return undefined;
  }
}

const isNullConst = (r: RegState): boolean => r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** is_trusted_reg */
function isTrustedReg(r: RegState): boolean {
  if (r.refObjId) return true;
  return isSkPointer(r.type) || r.type === RegType.TRUSTED_PTR_TO_BTF_ID || r.type === RegType.PTR_TO_BTF_ID;
}

interface KfuncMeta { refObjId: number; releaseRegno: number; r0Size: number; dynptr?: DynptrInfo }

export function checkKfuncCall(v: Verifier, btfId: number, idx: number): void {
  // libbpf leaves an unresolved __weak kfunc as imm 0: skipped here, an error at fixup if reachable
  if (btfId === 0) {
    v.unresolvedKfuncCall = true;
    v.insnIdx = idx + 1;
    return;
  }
  const lookup = v.input.kfunc ?? kfuncById;
  const k = lookup(btfId);
  if (!k) fail(`kernel btf_id ${btfId} is not a function`, EINVAL);
  const p = k!;
  if (!v.input.gpl) fail('cannot call kernel function from non-GPL compatible program', EINVAL);
  if (p.progTypes && !p.progTypes.includes(v.input.progType)) fail(`calling kernel function ${p.name} is not allowed`, EACCES);

  const meta: KfuncMeta = { refObjId: 0, releaseRegno: 0, r0Size: 0 };
  checkKfuncArgs(v, p, meta);

  // the RCU read-side region
  if (p.name === 'bpf_rcu_read_lock') {
    if (v.cur.rcuLock) fail(`nested rcu read lock (kernel function ${p.name})`, EINVAL);
    v.cur.rcuLock = true;
  } else if (p.name === 'bpf_rcu_read_unlock') {
    if (!v.cur.rcuLock) fail(`unmatched rcu read unlock (kernel function ${p.name})`, EINVAL);
    v.cur.rcuLock = false;
  }

  if (meta.releaseRegno) {
    if (!releaseReference(v, v.regs[meta.releaseRegno]!.refObjId)) {
      fail(`kfunc ${p.name}#${btfId} reference has not been acquired before`, EINVAL);
    }
  }

  const regs = v.regs;
  for (let r = 0; r <= 5; r++) regs[r] = notInit();
  const ret = p.ret;
  switch (ret.kind) {
    case 'void': break;
    case 'scalar': regs[0] = scalarUnknown(); break;
    case 'btf': {
      // typed by the kernel BTF when it describes the struct (nf_conn: fields readable), else by name only
      regs[0] = ptrReg(RegType.PTR_TO_BTF_ID, { btf: targetStruct(v.input, ret.struct) ?? kernelStruct(ret.struct) });
      break;
    }
    case 'slice':
      regs[0] = ptrReg(ret.rdonly ? RegType.PTR_TO_RDONLY_MEM : RegType.PTR_TO_MEM, { memSize: meta.r0Size, refObjId: meta.dynptr?.refObjId ?? 0 });
      break;
  }
  if (p.flags & KF_RET_NULL) {
    regs[0] = { ...regs[0]!, type: maybeNull(regs[0]!.type), id: ++v.idGen };
  }
  if (p.flags & KF_ACQUIRE) {
    const id = acquireReference(v, idx);
    if (p.flags & KF_RET_NULL) regs[0]!.id = id;
    regs[0]!.refObjId = id;
  }
  v.insnIdx = idx + 1;
}

function maybeNull(t: RegType): RegType {
  switch (t) {
    case RegType.PTR_TO_BTF_ID: return RegType.PTR_TO_BTF_ID_OR_NULL;
    case RegType.PTR_TO_RDONLY_MEM: return RegType.PTR_TO_RDONLY_MEM_OR_NULL;
    case RegType.PTR_TO_MEM: return RegType.PTR_TO_MEM_OR_NULL;
    default: return fail(`verifier internal error: no maybe-NULL form of ${t}`, EFAULT);
  }
}

/** The kernel structs kfuncs hand out, identified by name (tsbpf's minimal description of them). */
const STRUCTS = new Map<string, { id: number; name: string; size: number }>();
export function kernelStruct(name: string): { id: number; name: string; size: number } {
  let s = STRUCTS.get(name);
  if (!s) STRUCTS.set(name, s = { id: STRUCTS.size + 1, name, size: 0 });
  return s;
}

/** check_kfunc_args */
function checkKfuncArgs(v: Verifier, p: KfuncProto, meta: KfuncMeta): void {
  const regs = v.regs;
  const trusted = (p.flags & (KF_TRUSTED_ARGS | KF_RELEASE | KF_RCU)) !== 0;
  const release = (p.flags & KF_RELEASE) !== 0;
  for (let i = 0; i < p.args.length; i++) {
    const a = p.args[i]!;
    const regno = i + 1;
    const reg = regs[regno]!;
    v.markRegScratched(regno);
    if (a.kind === 'scalar' || a.kind === 'size') {
      if (reg.type !== RegType.SCALAR_VALUE) fail(`R${regno} is not a scalar`, EINVAL);
      if (a.konst) {
        if (!tnumIsConst(reg.varOff)) fail(`R${regno} must be a known constant`, EINVAL);
        v.markRegsPrecise(regno);
      }
      continue;
    }
    const ctxMismatch = a.kind === 'ctx' && progCtx(v.input.progType) !== a.ctx;
    if (trusted && (isNullConst(reg) || isNullable(reg.type)) && !(a.kind === 'mem' && a.optional)) {
      fail(`Possibly NULL pointer passed to trusted arg${i}`, EACCES);
    }
    if (reg.refObjId) {
      if (release && meta.refObjId) fail(`verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`, EFAULT);
      meta.refObjId = reg.refObjId;
      if (release) meta.releaseRegno = regno;
    }
    switch (a.kind) {
      case 'ctx':
        if (ctxMismatch) {
          // not this program's context: a kernel object, which the context register is not
          if (!isTrustedReg(reg)) fail(`R${regno} must be referenced or trusted`, EINVAL);
          fail(`arg#${i} expected pointer to ctx, but got ${reg.type}`, EINVAL);
        }
        if (reg.type !== RegType.PTR_TO_CTX) fail(`arg#${i} expected pointer to ctx, but got ${reg.type}`, EINVAL);
        checkPtrOffReg(reg, regno, false);
        break;
      case 'btf': {
        if (!isBtfIdType(reg.type) && !isSkPointer(reg.type)) {
          fail(`arg#${i} pointer type STRUCT ${a.struct} must point to scalar, or struct with scalar`, EINVAL);
        }
        if (trusted && !isTrustedReg(reg)) fail(`R${regno} must be referenced or trusted`, EINVAL);
        if (release && reg.refObjId && reg.off) {
          fail(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, EINVAL);
        }
        checkPtrOffReg(reg, regno, true);
        const got = reg.btf?.name ?? reg.type;
        if (got !== a.struct) {
          fail(`kernel function ${p.name} args#${i} expected pointer to STRUCT ${a.struct} but R${regno} has a pointer to STRUCT ${got}`, EINVAL);
        }
        if (release && !reg.refObjId) fail(`R${regno} must be referenced when passed to release function`, EINVAL);
        break;
      }
      case 'mem': {
        const size = p.args[i + 1];
        if (!size || size.kind !== 'size') fail(`verifier internal error: kfunc ${p.name} arg#${i} has no size argument`, EFAULT);
        const sreg = regs[regno + 1]!;
        v.markRegScratched(regno + 1);
        if (sreg.type !== RegType.SCALAR_VALUE) fail(`R${regno + 1} is not a scalar`, EINVAL);
        if (size!.kind === 'size' && size!.konst) {
          if (!tnumIsConst(sreg.varOff)) fail(`R${regno + 1} must be a known constant`, EINVAL);
          v.markRegsPrecise(regno + 1);
          meta.r0Size = Number(sreg.varOff.value);
        }
        // an optional buffer may be NULL; otherwise the pair is a helper-style memory access
        if (!(a.optional && isNullConst(reg))) {
          try {
            checkMemSizePair(v, regno, sreg);
          } catch (e) {
            if (e instanceof CheckError) {
              v.log.error(e.message);
              fail(`arg#${i} arg#${i + 1} memory, len pair leads to invalid memory access`, e.errno);
            }
            throw e;
          }
        }
        i++;
        break;
      }
      case 'dynptr': {
        if (!a.uninit) {
          meta.dynptr = processDynptrArg(v, regno, i, false, undefined);
          break;
        }
        // the new dynptr's type: the packet kind of the constructor, or the clone's source
        const type = p.name === 'bpf_dynptr_from_skb' ? 'skb' : p.name === 'bpf_dynptr_from_xdp' ? 'xdp' : meta.dynptr?.type;
        if (!type) fail(`verifier internal error: no dynptr type for ${p.name} arg#${i}`, EFAULT);
        processDynptrArg(v, regno, i, true, type);
        break;
      }
    }
  }
}

/** check_kfunc_mem_size_reg: the size register bounds a read of the memory before it. */
function checkMemSizePair(v: Verifier, regno: number, sreg: RegState): void {
  if (sreg.smin < 0n) fail(`R${regno + 1} min value is negative, either use unsigned or 'var &= const'`, EACCES);
  if (sreg.umax >= 1n << 29n) fail(`R${regno + 1} unbounded memory access, use 'var &= const' or 'if (var < const)'`, EACCES);
  v.markRegsPrecise(regno + 1);
  if (sreg.umin === 0n) fail(`R${regno + 1} invalid zero-sized read: u64=[${sreg.umin},${sreg.umax}]`, EACCES);
  v.checkHelperMem(regno, Number(sreg.umax), 'read', 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_');
}

// check_helper_call: arguments by prototype kind, the timer and spin-lock
// rules, callbacks (bpf_loop, bpf_timer_set_callback), and the return value.
import { ArgType, MEM_UNINIT, OBJ_RELEASE, PTR_MAYBE_NULL, RetType, type HelperProto } from '../helpers/proto.js';
import { helperProto as defaultProtos } from '../helpers/protos.js';
import { funcIdName } from '../isa/funcids.js';
import * as F from '../uapi/bpf_func.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { MapMeta } from './env.js';
import type { Verifier } from './check.js';
import {
  type RegState, RegType, copyReg, isBtfIdType, isMemType, isNullable, notInit, ptrReg, scalarUnknown,
} from './reg_state.js';
import { acquireReference, checkReferenceLeak, releaseReference } from './refs.js';
import { type DynptrInfo, processDynptrArg } from './dynptr.js';
import { tnumIsConst, tnumStr } from './tnum.js';
import { Stk, copyState } from './state.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

const BPF_MAX_VAR_SIZ = 1n << 29n;
/** helpers whose prototype sets pkt_access: they may take packet pointers as memory arguments */
const PKT_ACCESS = new Set([F.BPF_FUNC_map_lookup_elem, F.BPF_FUNC_map_update_elem, F.BPF_FUNC_map_delete_elem]);
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

interface CallMeta {
  map?: MapMeta;
  mapUid: number;
  /** the map came in through a timer argument (process_timer_func) */
  viaTimer: boolean;
  callback?: number;
  /** the map of the ARG_CONST_MAP_PTR argument */
  mapArg?: MapMeta;
  /** the key argument is a known constant on the stack (get_constant_map_key) */
  constKey?: bigint;
  /** the (single) referenced argument's ref_obj_id */
  refObjId: number;
  /** register of the OBJ_RELEASE argument */
  releaseRegno: number;
  /** ARG_CONST_ALLOC_SIZE_OR_ZERO's value: the size of returned memory */
  memSize: number;
  /** the initialized dynptr argument (bpf_dynptr_data's memory belongs to it) */
  dynptr?: DynptrInfo;
}

/** check_reg_type's compatible register types per argument kind (the kernel's *_types tables), in its print order */
const SOCK_COMMON_TYPES = [RegType.PTR_TO_SOCK_COMMON, RegType.PTR_TO_SOCKET, RegType.PTR_TO_TCP_SOCK, RegType.PTR_TO_XDP_SOCK];
const COMPATIBLE: Partial<Record<ArgType, readonly RegType[]>> = {
  [ArgType.PTR_TO_BTF_ID_SOCK_COMMON]: [...SOCK_COMMON_TYPES, RegType.PTR_TO_BTF_ID, RegType.TRUSTED_PTR_TO_BTF_ID],
  [ArgType.PTR_TO_SOCKET]: [RegType.PTR_TO_SOCKET],
  [ArgType.PTR_TO_SOCK_COMMON]: SOCK_COMMON_TYPES,
  [ArgType.PTR_TO_RINGBUF_MEM]: [RegType.PTR_TO_RINGBUF_MEM],
};

/** reg_type_str: a map-in-map lookup result is a map_value_or_null until checked */
const typeName = (r: RegState): string => (r.type === RegType.NOT_INIT ? 'NOT_INIT'
  : r.type === RegType.CONST_PTR_TO_MAP_OR_NULL ? 'map_value_or_null' : r.type);

const PERCPU_MAPS = [F.BPF_MAP_TYPE_PERCPU_ARRAY, F.BPF_MAP_TYPE_PERCPU_HASH, F.BPF_MAP_TYPE_LRU_PERCPU_HASH];
const QUEUE_MAPS = [F.BPF_MAP_TYPE_QUEUE, F.BPF_MAP_TYPE_STACK];
const MAP_IN_MAP = [F.BPF_MAP_TYPE_ARRAY_OF_MAPS, F.BPF_MAP_TYPE_HASH_OF_MAPS];

/** bpf_base_func_proto's helpers behind `if (!bpf_token_capable(prog->aux->token, CAP_BPF)) return NULL;` (those tsbpf knows). */
const CAP_BPF_HELPERS = new Set<number>([
  F.BPF_FUNC_spin_lock, F.BPF_FUNC_spin_unlock, F.BPF_FUNC_timer_init, F.BPF_FUNC_timer_set_callback,
  F.BPF_FUNC_timer_start, F.BPF_FUNC_timer_cancel, F.BPF_FUNC_loop,
]);

/** check_map_func_compatibility, for the helpers and map types tsbpf knows. */
function checkMapFuncCompat(map: MapMeta, proto: HelperProto): void {
  const id = proto.id;
  const bad = (): never => fail(`cannot pass map_type ${map.type} into func bpf_${proto.name}#${id}`, EINVAL);
  if (map.type === F.BPF_MAP_TYPE_PROG_ARRAY && id !== F.BPF_FUNC_tail_call) bad();
  if (QUEUE_MAPS.includes(map.type) && ![F.BPF_FUNC_map_push_elem, F.BPF_FUNC_map_pop_elem, F.BPF_FUNC_map_peek_elem].includes(id)) bad();
  // record_func_key runs before the compatibility table (the kernel's line has no newline)
  if (id === F.BPF_FUNC_tail_call && map.type !== F.BPF_MAP_TYPE_PROG_ARRAY) fail('expected prog array map for tail call', EINVAL);
  if (id === F.BPF_FUNC_map_pop_elem && !QUEUE_MAPS.includes(map.type)) bad();
  if (id === F.BPF_FUNC_map_lookup_percpu_elem && !PERCPU_MAPS.includes(map.type)) bad();
  if (MAP_IN_MAP.includes(map.type) && id !== F.BPF_FUNC_map_lookup_elem) bad();
  // the map types of `maps` (ring buffers, perf events, bloom filter, cgroup storage): both directions
  const only = MAP_ONLY_FUNCS.get(map.type);
  if (only && !only.includes(id)) bad();
  const needs = FUNC_NEEDS_MAP.get(id);
  if (needs && !needs.includes(map.type)) bad();
}

/** check_map_func_compatibility's first switch: the only helpers these map types may be passed to */
const MAP_ONLY_FUNCS = new Map<number, number[]>([
  [F.BPF_MAP_TYPE_RINGBUF, [F.BPF_FUNC_ringbuf_output, F.BPF_FUNC_ringbuf_reserve, F.BPF_FUNC_ringbuf_query,
    F.BPF_FUNC_ringbuf_reserve_dynptr, F.BPF_FUNC_ringbuf_submit_dynptr, F.BPF_FUNC_ringbuf_discard_dynptr]],
  [F.BPF_MAP_TYPE_USER_RINGBUF, [F.BPF_FUNC_user_ringbuf_drain]],
  [F.BPF_MAP_TYPE_PERF_EVENT_ARRAY, [F.BPF_FUNC_perf_event_read, F.BPF_FUNC_perf_event_output,
    F.BPF_FUNC_perf_event_read_value, F.BPF_FUNC_skb_output, F.BPF_FUNC_xdp_output]],
  [F.BPF_MAP_TYPE_BLOOM_FILTER, [F.BPF_FUNC_map_peek_elem, F.BPF_FUNC_map_push_elem]],
  [F.BPF_MAP_TYPE_CGROUP_STORAGE, [F.BPF_FUNC_get_local_storage]],
  [F.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, [F.BPF_FUNC_get_local_storage]],
]);

/** its second switch: the map types these helpers need */
const FUNC_NEEDS_MAP = new Map<number, number[]>([
  ...[F.BPF_FUNC_ringbuf_output, F.BPF_FUNC_ringbuf_reserve, F.BPF_FUNC_ringbuf_query, F.BPF_FUNC_ringbuf_reserve_dynptr,
    F.BPF_FUNC_ringbuf_submit_dynptr, F.BPF_FUNC_ringbuf_discard_dynptr].map((f): [number, number[]] => [f, [F.BPF_MAP_TYPE_RINGBUF]]),
  [F.BPF_FUNC_user_ringbuf_drain, [F.BPF_MAP_TYPE_USER_RINGBUF]],
  ...[F.BPF_FUNC_perf_event_read, F.BPF_FUNC_perf_event_output, F.BPF_FUNC_perf_event_read_value, F.BPF_FUNC_skb_output,
    F.BPF_FUNC_xdp_output].map((f): [number, number[]] => [f, [F.BPF_MAP_TYPE_PERF_EVENT_ARRAY]]),
  [F.BPF_FUNC_map_peek_elem, [...QUEUE_MAPS, F.BPF_MAP_TYPE_BLOOM_FILTER]],
  [F.BPF_FUNC_map_push_elem, [...QUEUE_MAPS, F.BPF_MAP_TYPE_BLOOM_FILTER]],
  [F.BPF_FUNC_get_local_storage, [F.BPF_MAP_TYPE_CGROUP_STORAGE, F.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE]],
]);

export function checkHelperCall(v: Verifier, funcId: number, idx: number): void {
  const lookup = v.input.helperProto ?? defaultProtos;
  const proto = lookup(funcId);
  if (!proto) {
    const name = funcIdName(funcId);
    if (!name || funcId === 0) fail(`invalid func unknown#${funcId}`, EINVAL);
    fail(`helper ${name}#${funcId} is not implemented by tsbpf`, EINVAL);
  }
  const p = proto!;
  if (p.progTypes && !p.progTypes.includes(v.input.progType)) {
    fail(`program of this type cannot use helper bpf_${p.name}#${funcId}`, EINVAL);
  }
  // bpf_base_func_proto returns NULL for its CAP_BPF helpers when !bpf_capable()
  if (v.input.capBpf === false && CAP_BPF_HELPERS.has(funcId)) {
    fail(`program of this type cannot use helper bpf_${p.name}#${funcId}`, EINVAL);
  }
  if (p.gplOnly && !v.input.gpl) fail('cannot call GPL-restricted function from non-GPL compatible program', EINVAL);

  const meta: CallMeta = { mapUid: 0, viaTimer: false, refObjId: 0, releaseRegno: 0, memSize: 0 };
  for (let i = 0; i < p.args.length; i++) checkFuncArg(v, p, i, meta);
  // record_func_key and check_map_func_compatibility run once every argument passed
  if (meta.mapArg) checkMapFuncCompat(meta.mapArg, p);

  // the OBJ_RELEASE argument's reference goes, with every pointer carrying it
  if (meta.releaseRegno) {
    const released = meta.refObjId ? releaseReference(v, meta.refObjId) : isNullConst(v.regs[meta.releaseRegno]!);
    if (!released) fail(`func ${funcIdName(funcId)}#${funcId} reference has not been acquired before`, EINVAL);
  }
  // a tail call never comes back: nothing may be held across it
  if (p.id === F.BPF_FUNC_tail_call) checkReferenceLeak(v, 'tail_call');
  if (p.id === F.BPF_FUNC_loop) updateLoopInlineState(v, idx, meta.callback!);

  if (p.id === F.BPF_FUNC_spin_lock || p.id === F.BPF_FUNC_spin_unlock) processSpinLock(v, p.id === F.BPF_FUNC_spin_lock);

  // a new packet layout invalidates every packet pointer (clear_all_pkt_pointers)
  if (p.id === F.BPF_FUNC_xdp_adjust_head || p.id === F.BPF_FUNC_xdp_adjust_tail) {
    for (const f of v.cur.frames) {
      f.regs = f.regs.map((r) => (isPkt(r) ? scalarUnknown() : r));
      f.spills = f.spills.map((sp) => (sp && isPkt(sp.reg) ? { reg: scalarUnknown(), size: sp.size } : sp));
    }
  }

  if (p.callback === 'timer') {
    const map = meta.map!;
    const uid = meta.mapUid;
    v.pushAsyncCallback(meta.callback!, (f) => {
      f.regs[1] = ptrReg(RegType.CONST_PTR_TO_MAP, { map, mapUid: uid });
      f.regs[2] = ptrReg(RegType.PTR_TO_MAP_KEY, { map, memSize: map.keySize });
      f.regs[3] = ptrReg(RegType.PTR_TO_MAP_VALUE, { map, mapUid: uid });
    }, `${meta.callback}:${v.input.maps.indexOf(map)}:${map.name}:${uid}`);
  }

  const regs = v.regs;
  const ctxArg = regs[3]!;
  // caller-saved registers are clobbered by any call
  for (let r = 1; r <= 5; r++) regs[r] = notInit();
  switch (p.ret) {
    case RetType.INTEGER: regs[0] = scalarUnknown(); break;
    case RetType.VOID: regs[0] = notInit(); break;
    case RetType.PTR_TO_MAP_VALUE_OR_NULL: {
      const map = meta.map!;
      const id = ++v.idGen;
      if (MAP_IN_MAP.includes(map.type)) {
        if (!map.inner) fail(`map '${map.name}' has no inner map template`, EINVAL);
        regs[0] = ptrReg(RegType.CONST_PTR_TO_MAP_OR_NULL, { map: map.inner!, id, mapUid: id });
      } else {
        regs[0] = ptrReg(RegType.PTR_TO_MAP_VALUE_OR_NULL, { map, id, mapUid: meta.mapUid });
        // an array lookup with a constant in-range key cannot fail (can_elide_value_nullness)
        if ((map.type === F.BPF_MAP_TYPE_ARRAY || map.type === F.BPF_MAP_TYPE_PERCPU_ARRAY)
          && p.id === F.BPF_FUNC_map_lookup_elem && meta.constKey !== undefined && meta.constKey < BigInt(map.maxEntries)) {
          // a value with a bpf_spin_lock keeps its id: the lock is identified by it
          regs[0] = ptrReg(RegType.PTR_TO_MAP_VALUE, { map, mapUid: meta.mapUid, id: map.spinLockOff >= 0 ? id : 0 });
        }
      }
      break;
    }
    case RetType.PTR_TO_SOCKET_OR_NULL:
      regs[0] = ptrReg(RegType.PTR_TO_SOCKET_OR_NULL, { id: ++v.idGen });
      break;
    case RetType.PTR_TO_SOCK_COMMON_OR_NULL:
      regs[0] = ptrReg(RegType.PTR_TO_SOCK_COMMON_OR_NULL, { id: ++v.idGen });
      break;
    case RetType.PTR_TO_TCP_SOCK_OR_NULL:
      regs[0] = ptrReg(RegType.PTR_TO_TCP_SOCK_OR_NULL, { id: ++v.idGen });
      break;
    case RetType.PTR_TO_RINGBUF_MEM_OR_NULL:
      regs[0] = ptrReg(RegType.PTR_TO_RINGBUF_MEM_OR_NULL, { id: ++v.idGen, memSize: meta.memSize });
      break;
    case RetType.PTR_TO_DYNPTR_MEM_OR_NULL:
      // the memory lives as long as the dynptr's reference (a ring buffer record)
      regs[0] = ptrReg(RegType.PTR_TO_MEM_OR_NULL, { id: ++v.idGen, memSize: meta.memSize, refObjId: meta.dynptr?.refObjId ?? 0 });
      break;
  }
  if (p.ptrCast) {
    // the cast pointer lives as long as the reference it came from
    regs[0]!.refObjId = meta.refObjId;
  } else if (p.acquire) {
    // mark_ptr_or_null_reg finds the reference by the register's id
    const ref = acquireReference(v, idx);
    regs[0]!.id = ref;
    regs[0]!.refObjId = ref;
  }

  if (p.callback === 'loop') {
    // the callback may run zero times: continue after the call too
    const skip = v.cur;
    const withCb = { ...skip, frames: skip.frames.map((f) => ({ ...f })) };
    void withCb;
    const sub = meta.callback!;
    v.subprogs[sub]!.isCb = true;
    const zeroIter = cloneForBranch(v);
    v.pushBranch(zeroIter, idx + 1);
    v.enterCallback(sub, idx, (f) => {
      f.regs[1] = scalarUnknown();
      f.regs[2] = copyReg(ctxArg);
    }, [0n, 1n]);
    return;
  }
  v.insnIdx = idx + 1;
}

/** bpf_loop_inline_state of each bpf_loop call site, per verifier run */
const loopInline = new WeakMap<Verifier, Map<number, { fit: boolean; callback: number }>>();

/**
 * update_loop_inline_state: a bpf_loop call is inlined (optimize_bpf_loop)
 * when, at every visit, flags (r4) is the known constant 0 and the callback
 * is the same subprogram.
 */
function updateLoopInlineState(v: Verifier, idx: number, callback: number): void {
  let sites = loopInline.get(v);
  if (!sites) loopInline.set(v, sites = new Map());
  const r4 = v.regs[4]!;
  const flagsZero = r4.type === RegType.SCALAR_VALUE && tnumIsConst(r4.varOff) && r4.varOff.value === 0n;
  const st = sites.get(idx);
  if (!st) { sites.set(idx, { fit: flagsZero, callback }); return; }
  if (st.fit) st.fit = flagsZero && st.callback === callback;
}

/** The bpf_loop call sites the kernel would inline, in instruction order. */
export function inlinedLoopCalls(v: Verifier): number[] {
  const sites = loopInline.get(v);
  if (!sites) return [];
  return [...sites].filter(([, st]) => st.fit).map(([i]) => i).sort((a, b) => a - b);
}

function cloneForBranch(v: Verifier) {
  return copyState(v.cur);
}

const isPkt = (r: RegState): boolean =>
  r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META || r.type === RegType.PTR_TO_PACKET_END;

/** check_func_arg for argument i (register R(i+1)). */
function checkFuncArg(v: Verifier, p: HelperProto, i: number, meta: CallMeta): void {
  const regno = i + 1;
  const kind = p.args[i]!;
  const reg = v.readReg(regno);
  const mismatch = (expected: string): never => fail(`R${regno} type=${typeName(reg)} expected=${expected}`, EACCES);
  const flags = p.argFlags?.[i] ?? 0;
  const compatible = COMPATIBLE[kind];
  if (compatible) {
    // check_func_arg: a NULL constant for a maybe-NULL argument skips the type check
    if (!(flags & PTR_MAYBE_NULL && isNullConst(reg))) {
      if (!compatible.includes(reg.type)) mismatch(compatible.join(', '));
      if (isBtfIdType(reg.type) && !reg.btf) fail(`R${regno} is a BTF pointer of unknown type`, EFAULT);
      checkFuncArgRegOff(reg, regno, flags);
    }
    checkArgRef(reg, regno, flags, meta);
    return;
  }
  if (flags & OBJ_RELEASE) fail(`verifier internal error: release flag on ${kind} is not supported by tsbpf`, EFAULT);
  if (reg.refObjId) noteRefObjId(reg, regno, meta);
  switch (kind) {
    case ArgType.ANYTHING:
    case ArgType.DONTCARE:
      return;
    case ArgType.CONST_MAP_PTR: {
      if (reg.type !== RegType.CONST_PTR_TO_MAP) mismatch('map_ptr');
      if (meta.viaTimer) {
        // bpf_timer_init(timer, map): the timer must live in that very map
        if (meta.map !== reg.map || meta.mapUid !== reg.mapUid) {
          fail(`timer pointer in R1 map_uid=${meta.mapUid} doesn't match map pointer in R2 map_uid=${reg.mapUid}`, EINVAL);
        }
      }
      meta.map = reg.map;
      meta.mapUid = reg.mapUid;
      meta.mapArg = reg.map;
      return;
    }
    case ArgType.PTR_TO_MAP_KEY:
      if (!meta.map) fail('invalid map_ptr to access map->key', EACCES);
      v.checkHelperMem(regno, meta.map!.keySize, 'read', MEM_TYPES, PKT_ACCESS.has(p.id));
      meta.constKey = constantStackKey(v, reg, meta.map!.keySize);
      if (meta.constKey !== undefined) {
        // the key's spilled constant decided the lookup (zero bytes compare exactly already)
        const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
        const frame = v.cur.frames[reg.frameno]!;
        if (frame.spills[(512 + off) >> 3] && (512 + off) % 8 === 0) v.markSlotPrecise(reg.frameno, (-off - 1) >> 3);
      }
      return;
    case ArgType.PTR_TO_MAP_VALUE:
    case ArgType.PTR_TO_UNINIT_MAP_VALUE:
      if (!meta.map) fail('invalid map_ptr to access map->value', EACCES);
      v.checkHelperMem(regno, meta.map!.valueSize, kind === ArgType.PTR_TO_MAP_VALUE ? 'read' : 'write', MEM_TYPES, PKT_ACCESS.has(p.id));
      return;
    case ArgType.PTR_TO_MEM:
    case ArgType.PTR_TO_UNINIT_MEM: {
      // checked together with the size argument that follows
      if (reg.type === RegType.SCALAR_VALUE || reg.type === RegType.PTR_TO_CTX || reg.type === RegType.CONST_PTR_TO_MAP) mismatch(MEM_TYPES);
      return;
    }
    case ArgType.CONST_SIZE:
    case ArgType.CONST_SIZE_OR_ZERO: {
      if (reg.type !== RegType.SCALAR_VALUE) mismatch('scalar');
      if (reg.smin < 0n) fail(`R${regno} min value is negative, either use unsigned or 'var &= const'`, EACCES);
      if (reg.umin === 0n && kind === ArgType.CONST_SIZE) {
        fail(`R${regno} invalid zero-sized read: u64=[${reg.umin},${reg.umax}]`, EACCES);
      }
      if (reg.umax >= BPF_MAX_VAR_SIZ) fail(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`, EACCES);
      v.markRegsPrecise(regno);
      const memKind = p.args[i - 1];
      if (reg.umax > 0n) v.checkHelperMem(regno - 1, Number(reg.umax), memKind === ArgType.PTR_TO_UNINIT_MEM ? 'write' : 'read', MEM_TYPES, PKT_ACCESS.has(p.id));
      return;
    }
    case ArgType.PTR_TO_CTX:
      if (reg.type !== RegType.PTR_TO_CTX) mismatch('ctx');
      if (reg.off !== 0 || !tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
        fail(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, EACCES);
      }
      return;
    case ArgType.PTR_TO_TIMER:
      if (reg.type !== RegType.PTR_TO_MAP_VALUE) mismatch('map_value');
      processTimerFunc(v, regno, reg, meta);
      return;
    case ArgType.PTR_TO_SPIN_LOCK:
      if (reg.type !== RegType.PTR_TO_MAP_VALUE) mismatch('map_value');
      return;
    case ArgType.PTR_TO_FUNC:
      if (reg.type !== RegType.PTR_TO_FUNC) mismatch('func');
      // check_func_arg_reg_off -> __check_ptr_off_reg
      if (reg.off !== 0) fail(`dereference of modified func ptr R${regno} off=${reg.off} disallowed`, EACCES);
      if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
        fail(`variable func access var_off=${tnumStr(reg.varOff)} disallowed`, EACCES);
      }
      meta.callback = reg.subprog;
      return;
    case ArgType.PTR_TO_STACK_OR_NULL:
      if (reg.type === RegType.SCALAR_VALUE && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) { v.markRegsPrecise(regno); return; }
      if (reg.type !== RegType.PTR_TO_STACK) mismatch('fp');
      return;
    case ArgType.PTR_TO_DYNPTR:
      if (flags & MEM_UNINIT) processDynptrArg(v, regno, i, true, 'local');
      else meta.dynptr = processDynptrArg(v, regno, i, false, undefined);
      return;
    case ArgType.CONST_ALLOC_SIZE_OR_ZERO:
      if (reg.type !== RegType.SCALAR_VALUE) mismatch('scalar');
      if (!tnumIsConst(reg.varOff)) fail(`R${regno} is not a known constant'`, EACCES);
      meta.memSize = Number(reg.varOff.value);
      v.markRegsPrecise(regno);
      return;
    default:
      return fail(`verifier internal error: argument kind ${kind} is not supported by tsbpf`, EFAULT);
  }
}

/** register_is_null: a known zero scalar */
function isNullConst(r: RegState): boolean {
  return r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;
}

/** check_func_arg_reg_off for the pointer kinds with a compatible-types table */
function checkFuncArgRegOff(reg: RegState, regno: number, flags: number): void {
  if (flags & OBJ_RELEASE) {
    if (reg.off) fail(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, EINVAL);
    checkPtrOffReg(reg, regno, false);
    return;
  }
  // PTR_TO_MEM (ringbuf too) may carry any offset; BTF pointers a fixed one
  if (isMemType(reg.type)) return;
  checkPtrOffReg(reg, regno, isBtfIdType(reg.type));
}

/** __check_ptr_off_reg */
export function checkPtrOffReg(reg: RegState, regno: number, fixedOffOk: boolean): void {
  if (!fixedOffOk && reg.off) fail(`dereference of modified ${reg.type} ptr R${regno} off=${reg.off} disallowed`, EACCES);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) fail(`variable ${reg.type} access var_off=${tnumStr(reg.varOff)} disallowed`, EACCES);
}

/** check_func_arg after the type check: the release argument and the single referenced argument */
function checkArgRef(reg: RegState, regno: number, flags: number, meta: CallMeta): void {
  if (flags & OBJ_RELEASE) {
    if (!reg.refObjId && !isNullConst(reg)) fail(`R${regno} must be referenced when passed to release function`, EINVAL);
    if (meta.releaseRegno) fail('verifier internal error: more than one release argument', EFAULT);
    meta.releaseRegno = regno;
  }
  if (reg.refObjId) noteRefObjId(reg, regno, meta);
}

function noteRefObjId(reg: RegState, regno: number, meta: CallMeta): void {
  if (meta.refObjId) fail(`more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`, EACCES);
  meta.refObjId = reg.refObjId;
}

/** get_constant_map_key: a key held in stack bytes known to be constant. */
function constantStackKey(v: Verifier, reg: RegState, keySize: number): bigint | undefined {
  if (reg.type !== RegType.PTR_TO_STACK || !tnumIsConst(reg.varOff) || keySize > 8) return undefined;
  const frame = v.cur.frames[reg.frameno]!;
  const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
  const i = 512 + off;
  const sp = frame.spills[i >> 3];
  if (i % 8 === 0 && sp && sp.size === keySize && sp.reg.type === RegType.SCALAR_VALUE && tnumIsConst(sp.reg.varOff)) {
    return sp.reg.varOff.value & ((1n << BigInt(keySize * 8)) - 1n);
  }
  for (let b = i; b < i + keySize; b++) if (frame.stype[b] !== Stk.ZERO) return undefined;
  return 0n;
}

/** process_timer_func: the argument must point exactly at the map value's bpf_timer. */
function processTimerFunc(v: Verifier, regno: number, reg: RegState, meta: CallMeta): void {
  const map = reg.map!;
  if (!tnumIsConst(reg.varOff)) {
    fail(`R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset`, EINVAL);
  }
  if (map.hasBtf === false) fail(`map '${map.name}' has to have BTF in order to use bpf_timer`, EINVAL);
  if (map.timerOff < 0) fail(`map '${map.name}' has no valid bpf_timer`, EINVAL);
  const off = BigInt.asIntN(64, reg.varOff.value) + BigInt(reg.off);
  if (off !== BigInt(map.timerOff)) fail(`off ${off} doesn't point to 'struct bpf_timer' that is at ${map.timerOff}`, EINVAL);
  meta.map = map;
  meta.mapUid = reg.mapUid;
  meta.viaTimer = true;
  void v;
}

/** process_spin_lock */
function processSpinLock(v: Verifier, isLock: boolean): void {
  const reg = v.regs[1]!;
  const map = reg.map!;
  if (!tnumIsConst(reg.varOff)) {
    fail(`R1 doesn't have constant offset. bpf_spin_lock has to be at the constant offset`, EINVAL);
  }
  if (map.hasBtf === false) fail(`map '${map.name}' has to have BTF in order to use bpf_spin_lock`, EINVAL);
  if (map.spinLockOff < 0) fail(`map '${map.name}' has no valid bpf_spin_lock`, EINVAL);
  const off = BigInt.asIntN(64, reg.varOff.value) + BigInt(reg.off);
  if (off !== BigInt(map.spinLockOff)) {
    fail(`off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${map.spinLockOff}`, EINVAL);
  }
  if (isLock) {
    if (v.cur.lock) fail('Locking two bpf_spin_locks are not allowed', EINVAL);
    v.cur.lock = { map, mapUid: reg.mapUid, id: reg.id };
    return;
  }
  if (!v.cur.lock) fail('bpf_spin_unlock without taking a lock', EINVAL);
  if (v.cur.lock!.map !== map || v.cur.lock!.id !== reg.id) fail('bpf_spin_unlock of different lock', EINVAL);
  v.cur.lock = null;
}

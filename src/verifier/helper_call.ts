// check_helper_call: arguments by prototype kind, the timer and spin-lock
// rules, callbacks (bpf_loop, bpf_timer_set_callback), and the return value.
import { ArgFlag, ArgType, MEM_UNINIT, OBJ_RELEASE, PTR_MAYBE_NULL, RetType, type HelperProto } from '../helpers/proto.js';
import { memOrBtfIdRet } from './btf_access.js';
import { helperAvailable, helperProto as defaultProtos } from '../helpers/protos.js';
import { funcIdName } from '../isa/funcids.js';
import * as F from '../uapi/bpf_func.js';
import * as T from '../uapi/bpf.js';
import { EACCES, EFAULT, EINVAL, ENOTSUPP } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { MapMeta } from './env.js';
import type { Verifier } from './check.js';
import {
  type BtfRef, type RegState, RegType, copyReg, isBtfIdType, isMemType, isNullable, nonNullType, notInit, ptrReg, scalarUnknown,
} from './reg_state.js';
import { acquireReference, checkReferenceLeak, releaseReference } from './refs.js';
import { type DynptrInfo, markDynptrReferenced, processDynptrArg, releasableDynptr, unmarkDynptr } from './dynptr.js';
import { kernelStruct } from './kfunc_call.js';
import { preparePrintk } from '../helpers/trace_printk.js';
import { tnumIsConst, tnumStr } from './tnum.js';
import { retBtfRef, targetStruct } from './btf_access.js';
import { Stk, copyState } from './state.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

const BPF_MAX_VAR_SIZ = 1n << 29n;
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
  /** the ring buffer dynptr an OBJ_RELEASE dynptr argument gives back (its slots are unmarked after the release) */
  releaseDynptr?: DynptrInfo;
  /** meta->ret_btf/ret_btf_id: the per-CPU variable's type (ARG_PTR_TO_PERCPU_BTF_ID) */
  retBtf?: BtfRef;
}

/** argument kinds whose registers carry references (sockets, ringbuf records): offset and release rules after the type check */
const REF_KINDS = new Set<string>([ArgType.PTR_TO_BTF_ID_SOCK_COMMON, ArgType.PTR_TO_SOCKET, ArgType.PTR_TO_SOCK_COMMON, ArgType.PTR_TO_RINGBUF_MEM]);

/** reg_type_str: a map-in-map lookup result is a map_value_or_null until checked */
const typeName = (r: RegState): string => (r.type === RegType.NOT_INIT ? 'NOT_INIT'
  : r.type === RegType.CONST_PTR_TO_MAP_OR_NULL ? 'map_value_or_null' : r.type);

const MAP_IN_MAP = [F.BPF_MAP_TYPE_ARRAY_OF_MAPS, F.BPF_MAP_TYPE_HASH_OF_MAPS];

/** bpf_base_func_proto's helpers behind `if (!bpf_token_capable(prog->aux->token, CAP_BPF)) return NULL;` (those tsbpf knows). */
const CAP_BPF_HELPERS = new Set<number>([
  F.BPF_FUNC_spin_lock, F.BPF_FUNC_spin_unlock, F.BPF_FUNC_timer_init, F.BPF_FUNC_timer_set_callback,
  F.BPF_FUNC_timer_start, F.BPF_FUNC_timer_cancel, F.BPF_FUNC_loop,
]);

/** check_map_func_compatibility, first direction: the helpers a map type may be passed to */
const MAP_FUNCS: ReadonlyMap<number, readonly string[]> = new Map([
  [T.BPF_MAP_TYPE_PROG_ARRAY, ['tail_call']],
  [T.BPF_MAP_TYPE_PERF_EVENT_ARRAY, ['perf_event_read', 'perf_event_output', 'skb_output', 'perf_event_read_value', 'xdp_output']],
  [T.BPF_MAP_TYPE_RINGBUF, ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr']],
  [T.BPF_MAP_TYPE_USER_RINGBUF, ['user_ringbuf_drain']],
  [T.BPF_MAP_TYPE_STACK_TRACE, ['get_stackid']],
  [T.BPF_MAP_TYPE_CGROUP_ARRAY, ['skb_under_cgroup', 'current_task_under_cgroup']],
  [T.BPF_MAP_TYPE_CGROUP_STORAGE, ['get_local_storage']],
  [T.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, ['get_local_storage']],
  [T.BPF_MAP_TYPE_DEVMAP, ['redirect_map', 'map_lookup_elem']],
  [T.BPF_MAP_TYPE_DEVMAP_HASH, ['redirect_map', 'map_lookup_elem']],
  [T.BPF_MAP_TYPE_CPUMAP, ['redirect_map']],
  [T.BPF_MAP_TYPE_XSKMAP, ['redirect_map', 'map_lookup_elem']],
  [T.BPF_MAP_TYPE_ARRAY_OF_MAPS, ['map_lookup_elem']],
  [T.BPF_MAP_TYPE_HASH_OF_MAPS, ['map_lookup_elem']],
  [T.BPF_MAP_TYPE_SOCKMAP, ['sk_redirect_map', 'sock_map_update', 'msg_redirect_map', 'sk_select_reuseport', 'map_lookup_elem']],
  [T.BPF_MAP_TYPE_SOCKHASH, ['sk_redirect_hash', 'sock_hash_update', 'msg_redirect_hash', 'sk_select_reuseport', 'map_lookup_elem']],
  [T.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, ['sk_select_reuseport']],
  [T.BPF_MAP_TYPE_QUEUE, ['map_peek_elem', 'map_pop_elem', 'map_push_elem']],
  [T.BPF_MAP_TYPE_STACK, ['map_peek_elem', 'map_pop_elem', 'map_push_elem']],
  [T.BPF_MAP_TYPE_SK_STORAGE, ['sk_storage_get', 'sk_storage_delete', 'kptr_xchg']],
  [T.BPF_MAP_TYPE_INODE_STORAGE, ['inode_storage_get', 'inode_storage_delete', 'kptr_xchg']],
  [T.BPF_MAP_TYPE_TASK_STORAGE, ['task_storage_get', 'task_storage_delete', 'kptr_xchg']],
  [T.BPF_MAP_TYPE_CGRP_STORAGE, ['cgrp_storage_get', 'cgrp_storage_delete', 'kptr_xchg']],
  [T.BPF_MAP_TYPE_BLOOM_FILTER, ['map_peek_elem', 'map_push_elem']],
]);

/** ... and the other direction: the map types a helper takes */
const FUNC_MAPS: ReadonlyMap<string, readonly number[]> = (() => {
  const m = new Map<string, number[]>();
  const add = (types: number[], ...names: string[]) => { for (const n of names) m.set(n, types); };
  add([T.BPF_MAP_TYPE_PERF_EVENT_ARRAY], 'perf_event_read', 'perf_event_output', 'perf_event_read_value', 'skb_output', 'xdp_output');
  add([T.BPF_MAP_TYPE_RINGBUF], 'ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr');
  add([T.BPF_MAP_TYPE_USER_RINGBUF], 'user_ringbuf_drain');
  add([T.BPF_MAP_TYPE_STACK_TRACE], 'get_stackid');
  add([T.BPF_MAP_TYPE_CGROUP_ARRAY], 'current_task_under_cgroup', 'skb_under_cgroup');
  add([T.BPF_MAP_TYPE_DEVMAP, T.BPF_MAP_TYPE_DEVMAP_HASH, T.BPF_MAP_TYPE_CPUMAP, T.BPF_MAP_TYPE_XSKMAP], 'redirect_map');
  add([T.BPF_MAP_TYPE_SOCKMAP], 'sk_redirect_map', 'msg_redirect_map', 'sock_map_update');
  add([T.BPF_MAP_TYPE_SOCKHASH], 'sk_redirect_hash', 'msg_redirect_hash', 'sock_hash_update');
  add([T.BPF_MAP_TYPE_CGROUP_STORAGE, T.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE], 'get_local_storage');
  add([T.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, T.BPF_MAP_TYPE_SOCKMAP, T.BPF_MAP_TYPE_SOCKHASH], 'sk_select_reuseport');
  add([T.BPF_MAP_TYPE_QUEUE, T.BPF_MAP_TYPE_STACK], 'map_pop_elem');
  add([T.BPF_MAP_TYPE_QUEUE, T.BPF_MAP_TYPE_STACK, T.BPF_MAP_TYPE_BLOOM_FILTER], 'map_peek_elem', 'map_push_elem');
  add([T.BPF_MAP_TYPE_PERCPU_ARRAY, T.BPF_MAP_TYPE_PERCPU_HASH, T.BPF_MAP_TYPE_LRU_PERCPU_HASH], 'map_lookup_percpu_elem');
  add([T.BPF_MAP_TYPE_SK_STORAGE], 'sk_storage_get', 'sk_storage_delete');
  add([T.BPF_MAP_TYPE_INODE_STORAGE], 'inode_storage_get', 'inode_storage_delete');
  add([T.BPF_MAP_TYPE_TASK_STORAGE], 'task_storage_get', 'task_storage_delete');
  add([T.BPF_MAP_TYPE_CGRP_STORAGE], 'cgrp_storage_get', 'cgrp_storage_delete');
  return m;
})();

/** may_update_sockmap: map_update/delete on a sockmap from the program types that cannot hold a locked socket */
function mayUpdateSockmap(progType: number, name: string): boolean {
  if (name !== 'map_update_elem' && name !== 'map_delete_elem') return false;
  if (progType === T.BPF_PROG_TYPE_SOCK_OPS) return name === 'map_delete_elem';
  return [T.BPF_PROG_TYPE_SOCKET_FILTER, T.BPF_PROG_TYPE_SCHED_CLS, T.BPF_PROG_TYPE_SCHED_ACT, T.BPF_PROG_TYPE_XDP,
    T.BPF_PROG_TYPE_SK_REUSEPORT, T.BPF_PROG_TYPE_FLOW_DISSECTOR, T.BPF_PROG_TYPE_SK_LOOKUP].includes(progType);
}

/** check_map_func_compatibility: both directions, as the kernel's two switches. */
function checkMapFuncCompat(map: MapMeta, proto: HelperProto, progType: number): void {
  const id = proto.id;
  const bad = (): never => fail(`cannot pass map_type ${map.type} into func bpf_${proto.name}#${id}`, EINVAL);
  const funcs = MAP_FUNCS.get(map.type);
  if (funcs && !funcs.includes(proto.name)) {
    const sock = map.type === T.BPF_MAP_TYPE_SOCKMAP || map.type === T.BPF_MAP_TYPE_SOCKHASH;
    if (!sock || !mayUpdateSockmap(progType, proto.name)) {
      if (sock && (proto.name === 'map_update_elem' || proto.name === 'map_delete_elem')) fail('cannot update sockmap in this context', EINVAL);
      bad();
    }
  }
  // record_func_key runs before the compatibility table (the kernel's line has no newline)
  if (id === F.BPF_FUNC_tail_call && map.type !== F.BPF_MAP_TYPE_PROG_ARRAY) fail('expected prog array map for tail call', EINVAL);
  const types = FUNC_MAPS.get(proto.name);
  if (types && !types.includes(map.type)) bad();
}

/** bpf_helper_changes_pkt_data: helpers after which every packet pointer is invalid */
const CHANGES_PKT_DATA = new Set([
  'clone_redirect', 'l3_csum_replace', 'l4_csum_replace', 'lwt_push_encap', 'lwt_seg6_action', 'lwt_seg6_adjust_srh',
  'lwt_seg6_store_bytes', 'msg_pop_data', 'msg_pull_data', 'msg_push_data', 'skb_adjust_room', 'skb_change_head',
  'skb_change_proto', 'skb_change_tail', 'skb_pull_data', 'skb_store_bytes', 'skb_vlan_pop', 'skb_vlan_push',
  'store_hdr_opt', 'xdp_adjust_head', 'xdp_adjust_meta', 'xdp_adjust_tail',
]);

/** the helper ids each verifier run reached a call to (the loader refuses unimplemented ones after verification) */
const calledHelpers = new WeakMap<Verifier, Set<number>>();

/** Helper ids the program calls on some verified path, in id order. */
export function helpersCalled(v: Verifier): number[] {
  return [...(calledHelpers.get(v) ?? [])].sort((a, b) => a - b);
}

/** ids of enum bpf_func_id (__BPF_FUNC_MAX_ID) */
const FUNC_MAX_ID = 212;

export function checkHelperCall(v: Verifier, funcId: number, idx: number): void {
  const progType = v.input.progType;
  const name = funcIdName(funcId);
  // get_helper_proto: an id outside the enum, then the program type's get_func_proto
  if (funcId < 0 || funcId >= FUNC_MAX_ID || !name) fail(`invalid func ${name ?? 'unknown'}#${funcId}`, EINVAL);
  const proto = v.input.helperProto ? v.input.helperProto(funcId) : (helperAvailable(funcId, progType) ? defaultProtos(funcId, progType) : undefined);
  if (!proto) fail(`program of this type cannot use helper ${name}#${funcId}`, EINVAL);
  const p = proto!;
  if (p.progTypes && !p.progTypes.includes(progType)) {
    fail(`program of this type cannot use helper bpf_${p.name}#${funcId}`, EINVAL);
  }
  // bpf_base_func_proto returns NULL for its CAP_BPF helpers when !bpf_capable()
  if (v.input.capBpf === false && CAP_BPF_HELPERS.has(funcId)) {
    fail(`program of this type cannot use helper bpf_${p.name}#${funcId}`, EINVAL);
  }
  if (p.gplOnly && !v.input.gpl) fail('cannot call GPL-restricted function from non-GPL compatible program', EINVAL);
  // the .allowed callbacks (d_path, sk_storage for tracing, ima) accept only attach targets tsbpf does not attach to
  if (p.allowed) fail('helper call is not allowed in probe', EINVAL);
  if (p.mightSleep && progType !== F.BPF_PROG_TYPE_SYSCALL) fail('helper call might sleep in a non-sleepable prog', EINVAL);
  let called = calledHelpers.get(v);
  if (!called) calledHelpers.set(v, called = new Set());
  called.add(funcId);

  const meta: CallMeta = { mapUid: 0, viaTimer: false, refObjId: 0, releaseRegno: 0, memSize: 0 };
  for (let i = 0; i < p.args.length; i++) checkFuncArg(v, p, i, meta);
  // record_func_key and check_map_func_compatibility run once every argument passed
  if (meta.mapArg) checkMapFuncCompat(meta.mapArg, p, progType);
  // socket maps are storage only in tsbpf: no helper acts on their sockets yet
  if (meta.mapArg && (meta.mapArg.type === T.BPF_MAP_TYPE_SOCKMAP || meta.mapArg.type === T.BPF_MAP_TYPE_SOCKHASH)) {
    fail(`map '${meta.mapArg.name}' (sockmap/sockhash) cannot be passed to bpf_${p.name}#${p.id}: socket maps are not implemented for programs by tsbpf`, EINVAL);
  }
  // get_local_storage() cannot return an error: its flags must be the constant 0
  if (p.id === F.BPF_FUNC_get_local_storage) {
    const r2 = v.regs[2]!;
    if (!(r2.type === RegType.SCALAR_VALUE && tnumIsConst(r2.varOff) && r2.varOff.value === 0n)) {
      fail("get_local_storage() doesn't support non-zero flags", EINVAL);
    }
  }
  // check_bpf_snprintf_call: the data array's length and the constant format string
  if (p.id === F.BPF_FUNC_snprintf) checkSnprintfCall(v);
  // check_get_func_ip: only kprobes and trampoline-attached tracing programs know their function
  if (p.id === F.BPF_FUNC_get_func_ip && progType !== F.BPF_PROG_TYPE_KPROBE && progType !== F.BPF_PROG_TYPE_TRACING) {
    fail(`func bpf_get_func_ip#${p.id} not supported for program type ${progType}`, ENOTSUPP);
  }

  // the OBJ_RELEASE argument's reference goes, with every pointer carrying it
  if (meta.releaseRegno) {
    const released = meta.refObjId ? releaseReference(v, meta.refObjId) : isNullConst(v.regs[meta.releaseRegno]!);
    if (!released) fail(`func ${funcIdName(funcId)}#${funcId} reference has not been acquired before`, EINVAL);
    // unmark_stack_slots_dynptr: the dynptr's slots become invalid stack
    if (meta.releaseDynptr) unmarkDynptr(v, meta.releaseRegno);
  }
  // a tail call never comes back: nothing may be held across it
  if (p.id === F.BPF_FUNC_tail_call) checkReferenceLeak(v, 'tail_call');
  if (p.id === F.BPF_FUNC_loop) {
    updateLoopInlineState(v, idx, meta.callback!);
    // the number of iterations decides when the callback stops being queued: it must be exact
    v.markRegsPrecise(1);
    const sub = meta.callback!;
    if (BigInt(v.frame.callbackDepth) < v.regs[1]!.umax) {
      // set_loop_callback_state: callback(u32 index, void *ctx) returning 0 (go on) or 1 (stop)
      const ctx = v.regs[3]!;
      v.pushCallbackCall(sub, idx, (f) => {
        f.regs[1] = scalarUnknown();
        f.regs[2] = copyReg(ctx);
      }, [0n, 1n]);
    } else {
      // the iteration limit reached: no further iteration is queued from this path
      v.frame.callbackDepth = 0;
      if (v.log.level >= 2) v.log.write(`frame${v.cur.frames.length - 1} bpf_loop iteration limit reached\n`);
    }
  }
  if (p.id === F.BPF_FUNC_user_ringbuf_drain) {
    // set_user_ringbuf_callback_state: callback(const struct bpf_dynptr *, ctx)
    // returning 0 (go on) or 1 (stop); each iteration gets a new dynptr
    const sub = meta.callback!;
    const ctx = v.regs[3]!;
    const id = ++v.idGen;
    v.pushCallbackCall(sub, idx, (f) => {
      f.regs[1] = ptrReg(RegType.CONST_PTR_TO_DYNPTR, { id });
      f.regs[1]!.dynptr = { type: 'local', first: true };
      f.regs[2] = copyReg(ctx);
    }, [0n, 1n]);
  }

  if (p.id === F.BPF_FUNC_spin_lock || p.id === F.BPF_FUNC_spin_unlock) processSpinLock(v, p.id === F.BPF_FUNC_spin_lock);

  // a new packet layout invalidates every packet pointer (clear_all_pkt_pointers)
  if (CHANGES_PKT_DATA.has(p.name)) clearAllPktPointers(v);

  if (p.callback === 'timer') {
    const map = meta.map!;
    const uid = meta.mapUid;
    v.pushAsyncCallback(meta.callback!, (f) => {
      f.regs[1] = ptrReg(RegType.CONST_PTR_TO_MAP, { map, mapUid: uid });
      f.regs[2] = ptrReg(RegType.PTR_TO_MAP_KEY, { map, memSize: map.keySize });
      f.regs[3] = ptrReg(RegType.PTR_TO_MAP_VALUE, { map, mapUid: uid });
    });
  }

  const regs = v.regs;
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
    case RetType.PTR_TO_MAP_VALUE:
      // never NULL (bpf_get_local_storage)
      regs[0] = ptrReg(RegType.PTR_TO_MAP_VALUE, { map: meta.map!, mapUid: meta.mapUid });
      break;
    case RetType.PTR_TO_BTF_ID: {
      if (p.retBtfId?.startsWith('&btf_sock_ids[') && (p.retFlags ?? 0) & ArgFlag.PTR_MAYBE_NULL) {
        // the bpf_skc_to_*() casts: a kernel struct of the built-in BTF, NULL for another kind of socket
        regs[0] = ptrReg(RegType.PTR_TO_BTF_ID_OR_NULL, { id: ++v.idGen, btf: retBtfRef(p.retBtfId, p.name) });
        break;
      }
      // bpf_get_current_task_btf: a trusted task_struct pointer, never NULL
      const trusted = (p.retFlags ?? 0) & ArgFlag.PTR_TRUSTED;
      if (!p.retStruct || !trusted || (p.retFlags ?? 0) & ArgFlag.PTR_MAYBE_NULL) {
        fail(`helper bpf_${p.name}#${p.id} returns ${p.ret} (with flags), which tsbpf's verifier does not model yet`, EINVAL);
      }
      regs[0] = ptrReg(RegType.TRUSTED_PTR_TO_BTF_ID, { btf: targetStruct(v.input, p.retStruct!) ?? kernelStruct(p.retStruct!) });
      break;
    }
    case RetType.PTR_TO_RINGBUF_MEM_OR_NULL:
      regs[0] = ptrReg(RegType.PTR_TO_RINGBUF_MEM_OR_NULL, { id: ++v.idGen, memSize: meta.memSize });
      break;
    case RetType.PTR_TO_DYNPTR_MEM_OR_NULL:
      // the memory lives as long as the dynptr's reference (a ring buffer record)
      regs[0] = ptrReg(RegType.PTR_TO_MEM_OR_NULL, { id: ++v.idGen, memSize: meta.memSize, refObjId: meta.dynptr?.refObjId ?? 0 });
      break;
    case RetType.PTR_TO_MEM_OR_BTF_ID:
      // bpf_per_cpu_ptr (maybe NULL) / bpf_this_cpu_ptr: typed by the variable
      regs[0] = memOrBtfIdRet(meta.retBtf!, ((p.retFlags ?? 0) & PTR_MAYBE_NULL) !== 0);
      if (isNullable(regs[0].type)) regs[0].id = ++v.idGen;
      break;
    default:
      fail(`helper bpf_${p.name}#${p.id} returns ${p.ret}${p.retFlags ? ' (with flags)' : ''}, which tsbpf's verifier does not model yet`, EINVAL);
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

  if (p.id === F.BPF_FUNC_tail_call && v.cur.frames.length > 1) {
    // a tail call from a subprogram: the failed call goes on after it (a queued
    // branch); a taken one never comes back, so the subprogram is left here with
    // R0 unknown and no packet pointer, as if it had exited
    v.pushBranch(copyState(v.cur), idx + 1);
    clearAllPktPointers(v);
    v.regs[0] = scalarUnknown();
    v.prepareFuncExit();
    v.doPrintState = false;
    return;
  }
  v.insnIdx = idx + 1;
}

/** clear_all_pkt_pointers: a new packet layout invalidates every packet pointer */
function clearAllPktPointers(v: Verifier): void {
  for (const f of v.cur.frames) {
    f.regs = f.regs.map((r) => (isPkt(r) ? scalarUnknown() : r));
    f.spills = f.spills.map((sp) => (sp && isPkt(sp.reg) ? { reg: scalarUnknown(), size: sp.size } : sp));
  }
}

/** check_bpf_snprintf_call: data_len a multiple of 8, the format valid for that many arguments */
function checkSnprintfCall(v: Verifier): void {
  const fmt = v.regs[3]!;
  const dataLen = v.regs[5]!.varOff.value;
  // no message: the kernel returns -EINVAL silently here
  if (dataLen % 8n) fail('', EINVAL);
  const off = fmt.off + Number(BigInt.asIntN(64, fmt.varOff.value));
  const bytes = fmt.map!.rdonlyValue!.subarray(off);
  const end = bytes.indexOf(0);
  const numArgs = Number(dataLen / 8n);
  if (typeof preparePrintk(undefined, bytes.subarray(0, end), new Array<bigint>(numArgs).fill(0n)) === 'number') {
    fail('Invalid format string', EINVAL);
  }
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

const isPkt = (r: RegState): boolean =>
  r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META || r.type === RegType.PTR_TO_PACKET_END;

/**
 * compatible_reg_types: what each argument base type accepts, as the kernel
 * prints the list. Types tsbpf's verifier never produces (sockets, BTF ids,
 * ringbuf memory, dynptrs) are listed too: no register can match them, so the
 * mismatch message is the kernel's.
 */
const COMPATIBLE: Readonly<Record<string, string>> = {
  [ArgType.PTR_TO_MAP_KEY]: MEM_TYPES, [ArgType.PTR_TO_MAP_VALUE]: MEM_TYPES, [ArgType.PTR_TO_MEM]: MEM_TYPES,
  [ArgType.CONST_SIZE]: 'scalar', [ArgType.CONST_SIZE_OR_ZERO]: 'scalar', [ArgType.CONST_ALLOC_SIZE_OR_ZERO]: 'scalar',
  [ArgType.SCALAR]: 'scalar', [ArgType.CONST_MAP_PTR]: 'map_ptr', [ArgType.PTR_TO_CTX]: 'ctx',
  [ArgType.PTR_TO_SOCK_COMMON]: 'sock_common, sock, tcp_sock, xdp_sock',
  [ArgType.PTR_TO_BTF_ID_SOCK_COMMON]: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
  [ArgType.PTR_TO_SOCKET]: 'sock', [ArgType.PTR_TO_BTF_ID]: 'ptr_, trusted_ptr_, rcu_ptr_',
  [ArgType.PTR_TO_SPIN_LOCK]: 'map_value, ptr_', [ArgType.PTR_TO_RINGBUF_MEM]: 'ringbuf_mem',
  [ArgType.PTR_TO_PERCPU_BTF_ID]: 'percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_', [ArgType.PTR_TO_FUNC]: 'func',
  [ArgType.PTR_TO_STACK]: 'fp', [ArgType.PTR_TO_CONST_STR]: 'map_value', [ArgType.PTR_TO_TIMER]: 'map_value',
  [ArgType.KPTR_XCHG_DEST]: 'map_value, ptr_', [ArgType.PTR_TO_DYNPTR]: 'fp, dynptr_ptr',
};
const compatibleSets = new Map(Object.entries(COMPATIBLE).map(([k, v]) => [k, new Set(v.split(', '))]));

const isNullScalar = (r: RegState): boolean => r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;

const notModelled = (p: HelperProto, regno: number, what: string): never =>
  fail(`helper bpf_${p.name}#${p.id} R${regno}: ${what} is not modelled by tsbpf's verifier yet`, EINVAL);

/** check_func_arg for argument i (register R(i+1)). */
function checkFuncArg(v: Verifier, p: HelperProto, i: number, meta: CallMeta): void {
  const regno = i + 1;
  const kind = p.args[i]!;
  const flags = p.argFlags?.[i] ?? 0;
  if (kind === ArgType.DONTCARE) return;
  const reg = v.readReg(regno);
  if (kind === ArgType.ANYTHING) return;
  const pktAccess = p.pktAccess === true;
  if (isPkt(reg) && !pktAccess && reg.type !== RegType.PTR_TO_PACKET_END && !directPktProgType(v.input.progType)) {
    fail('helper access to the packet is not allowed', EACCES);
  }
  const maybeNull = (flags & ArgFlag.PTR_MAYBE_NULL) !== 0;
  if (maybeNull && isNullScalar(reg)) {
    v.markRegsPrecise(regno);
    // a NULL may be "released" (bpf_sk_release(NULL) is fine for the type check)
    checkArgRef(reg, regno, flags, meta);
    return;
  }
  // check_reg_type: MAYBE_NULL arguments accept maybe-null pointers too
  const compat = compatibleSets.get(kind);
  if (!compat) notModelled(p, regno, `argument type ${kind}`);
  const rtype = maybeNull ? nonNullType(reg.type) : reg.type;
  if (!compat!.has(rtype)) fail(`R${regno} type=${typeName(reg)} expected=${COMPATIBLE[kind]}`, EACCES);
  if (REF_KINDS.has(kind)) {
    // the socket and ringbuf pointers: BTF type, offset and reference rules
    if (isBtfIdType(reg.type) && !reg.btf) fail(`R${regno} is a BTF pointer of unknown type`, EFAULT);
    checkFuncArgRegOff(reg, regno, flags);
    checkArgRef(reg, regno, flags, meta);
    return;
  }
  // only a dynptr on the stack is owned: a callback's const one cannot be released
  if (flags & OBJ_RELEASE && kind === ArgType.PTR_TO_DYNPTR && reg.type === RegType.CONST_PTR_TO_DYNPTR) {
    fail('cannot release unowned const bpf_dynptr', EINVAL);
  }
  if (kind === ArgType.PTR_TO_DYNPTR && (flags & OBJ_RELEASE)) {
    // a ring buffer dynptr's record goes back: it must be the stack dynptr holding the reference
    const d = releasableDynptr(v, regno);
    if (meta.releaseRegno) fail('verifier internal error: more than one release argument', EFAULT);
    meta.releaseRegno = regno;
    meta.refObjId = d.refObjId;
    meta.releaseDynptr = processDynptrArg(v, regno, i, false, undefined, 'ringbuf');
    return;
  }
  if (flags & OBJ_RELEASE) fail(`verifier internal error: release flag on ${kind} is not supported by tsbpf`, EFAULT);
  if (reg.refObjId) noteRefObjId(reg, regno, meta);
  switch (kind) {
    case ArgType.CONST_MAP_PTR: {
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
      v.checkHelperMem(regno, meta.map!.keySize, 'read', MEM_TYPES, pktAccess);
      meta.constKey = constantStackKey(v, reg, meta.map!.keySize);
      if (meta.constKey !== undefined) {
        // the key's spilled constant decided the lookup (zero bytes compare exactly already)
        const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
        const frame = v.cur.frames[reg.frameno]!;
        if (frame.spills[(512 + off) >> 3] && (512 + off) % 8 === 0) v.markSlotPrecise(reg.frameno, (-off - 1) >> 3);
      }
      return;
    case ArgType.PTR_TO_MAP_VALUE:
      if (!meta.map) fail('invalid map_ptr to access map->value', EACCES);
      v.checkHelperMem(regno, meta.map!.valueSize, flags & ArgFlag.MEM_WRITE ? 'write' : 'read', MEM_TYPES, pktAccess);
      return;
    case ArgType.PTR_TO_MEM:
      if (flags & ArgFlag.MEM_FIXED_SIZE) {
        const size = p.argSize?.[i] ?? 0;
        v.checkHelperMem(regno, size, flags & ArgFlag.MEM_WRITE ? 'write' : 'read', MEM_TYPES, pktAccess);
        if (flags & ArgFlag.MEM_ALIGNED) {
          const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
          if (!tnumIsConst(reg.varOff) || off % size !== 0) notModelled(p, regno, 'the alignment check of a MEM_ALIGNED argument');
        }
      }
      // otherwise checked together with the size argument that follows
      return;
    case ArgType.CONST_SIZE:
    case ArgType.CONST_SIZE_OR_ZERO: {
      if (reg.smin < 0n) fail(`R${regno} min value is negative, either use unsigned or 'var &= const'`, EACCES);
      if (reg.umin === 0n && kind === ArgType.CONST_SIZE) {
        fail(`R${regno} invalid zero-sized read: u64=[${reg.umin},${reg.umax}]`, EACCES);
      }
      if (reg.umax >= BPF_MAX_VAR_SIZ) fail(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`, EACCES);
      v.markRegsPrecise(regno);
      const prevFlags = p.argFlags?.[i - 1] ?? 0;
      // a NULL memory argument (PTR_MAYBE_NULL) is checked as any other: only a zero
      // size is allowed from NULL (check_helper_mem_access; found by the kernel campaign)
      if (reg.umax > 0n && (prevFlags & ArgFlag.PTR_MAYBE_NULL) && isNullScalar(v.regs[regno - 1]!)) {
        // (the type check was skipped for NULL; check_helper_mem_access's default case names the stack)
        fail(`R${regno - 1} type=scalar expected=fp`, EACCES);
      } else if (reg.umax > 0n) {
        v.checkHelperMem(regno - 1, Number(reg.umax), prevFlags & ArgFlag.MEM_WRITE ? 'write' : 'read', MEM_TYPES, pktAccess);
      } else if (reg.umax === 0n && v.regs[regno - 1]!.type === RegType.PTR_TO_STACK) {
        // check_stack_range_initialized checks the bounds of a zero-sized access too:
        // fp+0 is outside the stack (found by the kernel campaign)
        const prev = v.regs[regno - 1]!;
        v.stackBounds(regno - 1, prev, prev.off, 0, prevFlags & ArgFlag.MEM_WRITE ? ' write to' : ' read from');
      }
      return;
    }
    case ArgType.PTR_TO_CTX:
      if (reg.off !== 0 || !tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
        fail(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, EACCES);
      }
      return;
    case ArgType.PTR_TO_TIMER:
      processTimerFunc(v, regno, reg, meta);
      return;
    case ArgType.PTR_TO_SPIN_LOCK:
      return;
    case ArgType.PTR_TO_FUNC:
      // check_func_arg_reg_off -> __check_ptr_off_reg
      if (reg.off !== 0) fail(`dereference of modified func ptr R${regno} off=${reg.off} disallowed`, EACCES);
      if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
        fail(`variable func access var_off=${tnumStr(reg.varOff)} disallowed`, EACCES);
      }
      if (!p.callback) notModelled(p, regno, 'its callback');
      meta.callback = reg.subprog;
      return;
    case ArgType.PTR_TO_STACK:
      return;
    case ArgType.PTR_TO_CONST_STR: {
      // check_reg_const_str: a NUL-terminated string at a constant offset of a frozen read-only map
      const map = reg.map!;
      if (!map.rdonlyValue) fail(`R${regno} does not point to a readonly map'`, EACCES);
      if (!tnumIsConst(reg.varOff)) fail(`R${regno} is not a constant address'`, EACCES);
      v.checkHelperMem(regno, map.valueSize - reg.off, 'read', MEM_TYPES, pktAccess);
      const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
      if (map.rdonlyValue!.subarray(off).indexOf(0) < 0) fail('string is not zero-terminated', EINVAL);
      return;
    }
    case ArgType.SCALAR:
      return;
    case ArgType.PTR_TO_BTF_ID: {
      // check_reg_type: the pointer's struct must be the argument's (btf_struct_ids_match at offset 0)
      const want = p.argStruct?.[i];
      if (!want) notModelled(p, regno, 'a BTF pointer argument of this helper');
      if (isBtfIdType(reg.type) && !reg.btf) fail(`R${regno} is a BTF pointer of unknown type`, EFAULT);
      if (reg.btf!.name !== want || reg.off !== 0) fail(`R${regno} is of type ${reg.btf!.name} but ${want} is expected`, EACCES);
      checkPtrOffReg(reg, regno, true);
      return;
    }
    case ArgType.PTR_TO_DYNPTR:
      // check_func_arg_reg_off: a const dynptr pointer takes no offset
      if (reg.type === RegType.CONST_PTR_TO_DYNPTR) checkPtrOffReg(reg, regno, false);
      if (flags & MEM_UNINIT) {
        const ringbuf = (flags & ArgFlag.DYNPTR_TYPE_RINGBUF) !== 0;
        // mark_stack_slots_dynptr: a ring buffer dynptr holds a reference, reserved or not
        const d = processDynptrArg(v, regno, i, true, ringbuf ? 'ringbuf' : 'local');
        if (ringbuf) markDynptrReferenced(v, regno, d, acquireReference(v, v.insnIdx));
      } else meta.dynptr = processDynptrArg(v, regno, i, false, undefined, undefined, (flags & ArgFlag.MEM_RDONLY) !== 0);
      return;
    case ArgType.PTR_TO_PERCPU_BTF_ID:
      // check_func_arg_reg_off: a per-CPU pointer is passed as loaded, without offset
      checkPtrOffReg(reg, regno, false);
      if (!reg.btf?.btf) fail(`Helper has invalid btf_id in R${regno}`, EACCES);
      meta.retBtf = reg.btf;
      return;
    case ArgType.CONST_ALLOC_SIZE_OR_ZERO:
      if (!tnumIsConst(reg.varOff)) fail(`R${regno} is not a known constant'`, EACCES);
      meta.memSize = Number(reg.varOff.value);
      v.markRegsPrecise(regno);
      return;
    default:
      // a register of a type tsbpf produces matched a type it cannot check further
      // (ARG_PTR_TO_CONST_STR, ARG_PTR_TO_DYNPTR, ARG_KPTR_XCHG_DEST, ARG_CONST_ALLOC_SIZE_OR_ZERO)
      notModelled(p, regno, `argument type ${kind}`);
  }
}

/** may_access_direct_pkt_data for a read: program types whose helpers may take packet pointers anyway */
function directPktProgType(progType: number): boolean {
  void progType;
  return false;
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

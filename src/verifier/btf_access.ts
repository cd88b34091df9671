// Kernel objects typed by the target BTF: typed .ksyms variables
// (check_pseudo_btf_id), loads through PTR_TO_BTF_ID registers
// (check_ptr_to_btf_access + btf_struct_walk) and the per-CPU pointer helpers'
// return type (RET_PTR_TO_MEM_OR_BTF_ID).
import type { Btf } from '../btf/btf.js';
import { builtinKernelBtf } from '../btf/kernel/kernel_btf.js';
import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_TYPE_TAG, BTF_KIND_VAR, type BtfType,
  isComposite, isModifier,
} from '../btf/types.js';
import { EACCES, EFAULT, EINVAL, ENOENT } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { VerifierInput } from './env.js';
import { type BtfRef, type RegState, RegType, ptrReg, scalarUnknown } from './reg_state.js';
import { scalarUnknownBits } from './check.js';
import { tnumStr } from './tnum.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** One BtfRef per (btf, id): registers compare their types by identity when states are pruned. */
const refs = new WeakMap<Btf, Map<number, BtfRef>>();

/** The BtfRef of type `id` of `btf`, named as kernel_type_name prints it. */
export function btfRef(btf: Btf, id: number): BtfRef {
  let m = refs.get(btf);
  if (!m) refs.set(btf, m = new Map());
  let r = m.get(id);
  if (!r) {
    const t = btf.type(id);
    let size = 0;
    try { size = btf.sizeof(id); } catch { size = 0; }
    m.set(id, r = { id, name: t.name, size, btf });
  }
  return r;
}

/** btf_type_skip_modifiers */
function skipModifiers(btf: Btf, id: number): BtfType {
  let t = btf.type(id);
  for (let depth = 0; isModifier(t) && depth < 32; depth++) t = btf.type(t.type);
  return t;
}

/** find_btf_percpu_datasec + the VAR lookup in it */
function isPercpuVar(btf: Btf, varId: number): boolean {
  const ds = btf.typeByName('.data..percpu', BTF_KIND_DATASEC) as { vars: { type: number }[] } | undefined;
  return !!ds && ds.vars.some((v) => v.type === varId);
}

/**
 * check_pseudo_btf_id (resolve_pseudo_ldimm64): the VAR a BPF_PSEUDO_BTF_ID
 * ld_imm64 names must exist in the target BTF, be a VAR, and have an address
 * (the kernel's kallsyms; here the runtime's variables).
 */
export function checkPseudoBtfId(input: VerifierInput, id: number): void {
  const btf = input.targetBtf;
  if (!btf || id <= 0 || id >= btf.length) fail(`ldimm64 insn specifies invalid btf_id ${id}.`, ENOENT);
  const t = btf!.type(id);
  if (t.kind !== BTF_KIND_VAR) fail(`pseudo btf_id ${id} in ldimm64 isn't KIND_VAR.`, EINVAL);
  if (!input.ksymAddress?.(t.name)) fail(`ldimm64 failed to find the address for kernel symbol '${t.name}'.`, ENOENT);
  ksymRegState(input, id);
}

/**
 * The register a typed ksym's ld_imm64 loads: PTR_TO_BTF_ID | MEM_PERCPU for a
 * per-CPU variable, PTR_TO_MEM | MEM_RDONLY sized by the type for a
 * non-struct, PTR_TO_BTF_ID for a struct.
 */
export function ksymRegState(input: VerifierInput, id: number): RegState {
  const btf = input.targetBtf!;
  const v = btf.type(id) as { type: number; name: string };
  const type = v.type;
  if (isPercpuVar(btf, id)) return ptrReg(RegType.PERCPU_PTR_TO_BTF_ID, { btf: btfRef(btf, type) });
  const t = skipModifiers(btf, type);
  if (!isComposite(t)) return ptrReg(RegType.PTR_TO_RDONLY_MEM, { memSize: resolveSize(btf, t, 'ldimm64 unable to resolve the size of type') });
  return ptrReg(RegType.PTR_TO_BTF_ID, { btf: btfRef(btf, type) });
}

/** btf_resolve_size, failing with the kernel's "<prefix> '<name>': -22" */
function resolveSize(btf: Btf, t: BtfType, prefix: string): number {
  try {
    const n = btf.sizeof(t.id);
    if (n > 0) return n;
  } catch { /* falls through */ }
  return fail(`${prefix} '${t.name}': -${EINVAL}`, EINVAL);
}

/**
 * check_helper_call's RET_PTR_TO_MEM_OR_BTF_ID (bpf_per_cpu_ptr,
 * bpf_this_cpu_ptr): read-only memory of the variable's size, or a
 * PTR_TO_BTF_ID of its struct (MEM_RDONLY folded away).
 */
export function memOrBtfIdRet(ref: BtfRef, maybeNull: boolean): RegState {
  const btf = ref.btf!;
  const t = skipModifiers(btf, ref.id);
  if (!isComposite(t)) {
    const size = resolveSize(btf, t, 'unable to resolve the size of type');
    return ptrReg(maybeNull ? RegType.PTR_TO_RDONLY_MEM_OR_NULL : RegType.PTR_TO_RDONLY_MEM, { memSize: size });
  }
  return ptrReg(maybeNull ? RegType.PTR_TO_BTF_ID_OR_NULL : RegType.PTR_TO_BTF_ID, { btf: ref });
}

type Walk = { kind: 'scalar' } | { kind: 'ptr'; id: number; flag: RegType; field: string } | { kind: 'untrusted' } | { kind: 'struct'; id: number };

/** btf_struct_walk: what lies at [off, off+size) of struct `t`. */
function structWalk(log: (s: string) => void, btf: Btf, t0: BtfType, off0: number, size: number): Walk {
  let t = t0;
  let off = off0;
  for (;;) {
    if (isModifier(t)) t = skipModifiers(btf, t.type);
    const tname = t.name || '(anon)';
    if (!isComposite(t)) { log(`Type '${tname}' is not a struct`); return fail(`Type '${tname}' is not a struct`, EINVAL); }
    if (off + size > t.size) {
      // a flexible array at the end may be indexed past the struct's size
      const last = t.members[t.members.length - 1];
      const lt = last ? skipModifiers(btf, last.type) : undefined;
      const moff = last ? last.bitOffset / 8 : 0;
      if (last && lt?.kind === BTF_KIND_ARRAY && lt.nelems === 0 && off >= moff) {
        const et = skipModifiers(btf, lt.type);
        if (et.kind === BTF_KIND_INT) return { kind: 'scalar' };
        if (isComposite(et) && et.size > 0) { off = (off - moff) % et.size; t = et; continue; }
      }
      return fail(`access beyond struct ${tname} at off ${off} size ${size}`, EACCES);
    }
    let next: { t: BtfType; off: number } | undefined;
    for (const m of t.members) {
      const moff0 = m.bitOffset / 8;
      if (off + size <= moff0) break;
      if (m.bitfieldSize) {
        const endBit = m.bitOffset + m.bitfieldSize;
        if (off <= Math.floor(m.bitOffset / 8) && Math.ceil(endBit / 8) <= off + size) return { kind: 'scalar' };
        continue;
      }
      if (off < moff0) break;
      let msize: number;
      try { msize = btf.sizeof(m.type); } catch { return fail(`field ${m.name} doesn't have size`, EFAULT); }
      const trueEnd = moff0 + msize;
      if (off >= trueEnd) continue;
      let mtype = skipModifiers(btf, m.type);
      let mid = m.type;
      let moff = moff0;
      if (mtype.kind === BTF_KIND_ARRAY) {
        if (moff === trueEnd) continue;
        // linearize (multi-dimensional) arrays down to their element
        let n = 1;
        let et: BtfType = mtype;
        let eid = mid;
        while (et.kind === BTF_KIND_ARRAY) { n *= et.nelems; eid = et.type; et = skipModifiers(btf, et.type); }
        const esize = msize / n;
        moff += Math.floor((off - moff) / esize) * esize;
        mtype = et;
        mid = eid;
        msize = esize;
      }
      if (isComposite(mtype)) {
        if (off === moff) return { kind: 'struct', id: skipModifiersId(btf, mid) };
        next = { t: mtype, off: off - moff };
        break;
      }
      if (mtype.kind === BTF_KIND_PTR) {
        if (msize !== size || off !== moff) {
          return fail(`cannot access ptr member ${m.name} with moff ${moff} in struct ${tname} with off ${off} size ${size}`, EACCES);
        }
        const tag = btf.type(mtype.type);
        let flag = RegType.PTR_TO_BTF_ID;
        if (tag.kind === BTF_KIND_TYPE_TAG && tag.name === 'percpu') flag = RegType.PERCPU_PTR_TO_BTF_ID;
        else if (tag.kind === BTF_KIND_TYPE_TAG && tag.name === 'rcu') flag = RegType.RCU_PTR_TO_BTF_ID;
        else if (tag.kind === BTF_KIND_TYPE_TAG && tag.name === 'user') return { kind: 'untrusted' };
        const st = skipModifiers(btf, mtype.type);
        if (isComposite(st)) return { kind: 'ptr', id: st.id, flag, field: m.name };
        return { kind: 'untrusted' };
      }
      if (off + size > trueEnd) {
        return fail(`access beyond the end of member ${m.name} (mend:${trueEnd}) in struct ${tname} with off ${off} size ${size}`, EACCES);
      }
      return { kind: 'scalar' };
    }
    if (!next) return fail(`struct ${tname} doesn't have field at offset ${off}`, EINVAL);
    t = next.t;
    off = next.off;
  }
}

function skipModifiersId(btf: Btf, id: number): number {
  return skipModifiers(btf, id).id;
}

/**
 * check_ptr_to_btf_access: a load or store through a PTR_TO_BTF_ID register
 * at constant offset `off`. Loads of scalars give unknown scalars, of struct
 * pointers PTR_TO_BTF_ID of the pointee (untrusted when the base was), of
 * other pointers read-only untrusted memory. Stores: only where the program
 * type's btf_struct_access permits (`writable`), else "only read is supported".
 */
export function checkPtrToBtfAccess(
  input: VerifierInput, regno: number, reg: RegState, off0: number, size: number, write: boolean,
  writable?: (ref: BtfRef, off: number, size: number) => boolean, inRcuCs = !input.sleepable,
): RegState | undefined {
  const ref = reg.btf;
  if (!ref?.btf) return fail(`R${regno} invalid mem access '${reg.type}'`, EACCES);
  const tname = ref.name;
  if (!input.gpl) fail(`Cannot access kernel 'struct ${tname}' from non-GPL compatible program`, EINVAL);
  if (reg.varOff.mask !== 0n) fail(`R${regno} is ptr_${tname} invalid variable offset: off=${off0}, var_off=${tnumStr(reg.varOff)}`, EACCES);
  const off = off0 + Number(BigInt.asIntN(64, reg.varOff.value));
  if (off < 0) fail(`R${regno} is ptr_${tname} invalid negative access: off=${off}`, EACCES);
  if (reg.type === RegType.PERCPU_PTR_TO_BTF_ID) fail(`R${regno} is ptr_${tname} access percpu memory: off=${off}`, EACCES);
  if (write) {
    if (!writable?.(ref, off, size)) fail('only read is supported', EACCES);
    return undefined;
  }
  const btf = ref.btf;
  let t = btf.type(ref.id);
  let o = off;
  for (;;) {
    const w = structWalk(() => undefined, btf, t, o, size);
    switch (w.kind) {
      case 'scalar': return size === 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
      // btf_struct_access's WALK_PTR_UNTRUSTED: PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED of size 0
      case 'untrusted': return ptrReg(RegType.PTR_TO_RDONLY_UNTRUSTED_MEM, { memSize: 0 });
      case 'ptr':
        return ptrReg(walkedPtrType(reg, ref.name, w, inRcuCs), { btf: btfRef(btf, w.id) });
      case 'struct':
        t = btf.type(w.id);
        o = 0;
        break;
    }
  }
}

/** btf_sock_ids[] (BTF_SOCK_TYPE_*): the struct a bpf_skc_to_*() helper returns */
const SOCK_TYPE_STRUCT: Readonly<Record<string, string>> = {
  BTF_SOCK_TYPE_TCP6: 'tcp6_sock', BTF_SOCK_TYPE_TCP: 'tcp_sock', BTF_SOCK_TYPE_TCP_TW: 'tcp_timewait_sock',
  BTF_SOCK_TYPE_TCP_REQ: 'tcp_request_sock', BTF_SOCK_TYPE_UDP6: 'udp6_sock', BTF_SOCK_TYPE_UNIX: 'unix_sock',
  BTF_SOCK_TYPE_MPTCP: 'mptcp_sock', BTF_SOCK_TYPE_SOCK_COMMON: 'sock_common', BTF_SOCK_TYPE_SOCK: 'sock',
};

/** The built-in kernel BTF's struct `name` as a walkable register type. */
export function builtinStruct(name: string): BtfRef | undefined {
  const btf = builtinKernelBtf();
  const t = btf.typeByName(name, BTF_KIND_STRUCT);
  return t && t.kind === BTF_KIND_STRUCT ? btfRef(btf, t.id) : undefined;
}

/** A helper prototype's ret_btf_id (as spelled in the kernel source) as a BtfRef, or a clear error when tsbpf does not describe it. */
export function retBtfRef(retBtfId: string | undefined, helper: string): BtfRef {
  const m = /^&btf_sock_ids\[(\w+)\]$/.exec(retBtfId ?? '');
  const name = m ? SOCK_TYPE_STRUCT[m[1]!] : undefined;
  const ref = name ? builtinStruct(name) : undefined;
  if (!ref) fail(`helper bpf_${helper} returns a pointer to ${retBtfId ?? '(unknown)'}, which tsbpf's kernel BTF does not describe`, EINVAL);
  return ref!;
}

/**
 * BTF_TYPE_SAFE_RCU: pointer members that stay valid (and never NULL) while
 * their parent is trusted, inside an RCU read-side section.
 */
const SAFE_RCU: Readonly<Record<string, readonly string[]>> = {
  task_struct: ['cpus_ptr', 'cgroups', 'real_parent', 'group_leader'],
  cgroup: ['kn'],
  css_set: ['dfl_cgrp'],
  cgroup_subsys_state: ['cgroup'],
};
/** BTF_TYPE_SAFE_RCU_OR_NULL: the same, but the member may be NULL */
const SAFE_RCU_OR_NULL: Readonly<Record<string, readonly string[]>> = {
  mm_struct: ['exe_file'],
  sk_buff: ['sk'],
  request_sock: ['sk'],
};

/**
 * check_ptr_to_btf_access: the type of a pointer loaded from member `w.field`
 * of a `structName` object through `reg`. Walking an untrusted pointer gives
 * untrusted pointers; walking a trusted or RCU one inside an RCU section gives
 * MEM_RCU for the BTF_TYPE_SAFE_RCU members, MEM_RCU | PTR_MAYBE_NULL for
 * `__rcu`-tagged ones, else the old plain PTR_TO_BTF_ID. (The
 * BTF_TYPE_SAFE_TRUSTED(_OR_NULL) members, trusted outside RCU sections too,
 * are not listed: they walk as RCU or plain pointers here.)
 */
function walkedPtrType(reg: RegState, structName: string, w: { flag: RegType; field: string }, inRcuCs: boolean): RegType {
  if (w.flag === RegType.PERCPU_PTR_TO_BTF_ID) return w.flag;
  if (reg.type === RegType.UNTRUSTED_PTR_TO_BTF_ID) return RegType.UNTRUSTED_PTR_TO_BTF_ID;
  // is_trusted_reg (trusted, or holding a reference) || is_rcu_reg
  const trustedOrRcu = reg.type === RegType.TRUSTED_PTR_TO_BTF_ID || reg.type === RegType.RCU_PTR_TO_BTF_ID
    || (reg.type === RegType.PTR_TO_BTF_ID && reg.refObjId !== 0);
  if (!trustedOrRcu || !inRcuCs) return RegType.PTR_TO_BTF_ID;
  if (SAFE_RCU[structName]?.includes(w.field)) return RegType.RCU_PTR_TO_BTF_ID;
  if (w.flag === RegType.RCU_PTR_TO_BTF_ID || SAFE_RCU_OR_NULL[structName]?.includes(w.field)) return RegType.RCU_PTR_TO_BTF_ID_OR_NULL;
  return RegType.PTR_TO_BTF_ID;
}

/** The target BTF's (else the built-in BTF's) struct `name` as a walkable register type: what bpf_get_current_task_btf points to. */
export function targetStruct(input: VerifierInput, name: string): BtfRef | undefined {
  const btf = input.targetBtf ?? builtinKernelBtf();
  const t = btf.typeByName(name, BTF_KIND_STRUCT);
  return t && t.kind === BTF_KIND_STRUCT ? btfRef(btf, t.id) : undefined;
}

/**
 * nf_conntrack_btf_struct_access, the btf_struct_access of tc and XDP
 * programs (CONFIG_NF_CONNTRACK_MARK=y): of a kernel object only
 * nf_conn->mark (also through nf_conn___init, same layout) may be written.
 */
export function nfConnWritable(ref: BtfRef, off: number, size: number): boolean {
  if (!ref.btf || (ref.name !== 'nf_conn' && ref.name !== 'nf_conn___init')) return false;
  const ct = ref.btf.typesByName('nf_conn').find((x) => x.kind === BTF_KIND_STRUCT);
  const mark = ct && isComposite(ct) ? ct.members.find((m) => m.name === 'mark') : undefined;
  if (!mark || off !== mark.bitOffset / 8) return fail(`no write support to nf_conn at off ${off}`, EACCES);
  const end = off + ref.btf.sizeof(mark.type);
  if (off + size > end) return fail(`write access at off ${off} with size ${size} beyond the member of nf_conn ended at ${end}`, EACCES);
  return true;
}

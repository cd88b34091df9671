// Loads through a PTR_TO_BTF_ID register (check_ptr_to_btf_access +
// btf_struct_access / btf_struct_walk of kernel/bpf/btf.c), against tsbpf's
// built-in description of the kernel structs (src/btf/kernel/tsbpf_kernel.h).
// Read-only: the program types that get such pointers from helpers
// (bpf_skc_to_*) have no btf_struct_access of their own, so a store is
// "only read is supported". Pointer members are refused as not modelled
// (the kernel would hand out an untrusted pointer).

import { builtinKernelBtf } from '../btf/kernel/kernel_btf.js';
import {
  BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION, type BtfType,
} from '../btf/types.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import type { BtfRef, RegState } from './reg_state.js';
import { tnumIsConst, tnumStr } from './tnum.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** btf_sock_ids[] (BTF_SOCK_TYPE_*): the struct a bpf_skc_to_*() helper returns */
const SOCK_TYPE_STRUCT: Readonly<Record<string, string>> = {
  BTF_SOCK_TYPE_TCP6: 'tcp6_sock', BTF_SOCK_TYPE_TCP: 'tcp_sock', BTF_SOCK_TYPE_TCP_TW: 'tcp_timewait_sock',
  BTF_SOCK_TYPE_TCP_REQ: 'tcp_request_sock', BTF_SOCK_TYPE_UDP6: 'udp6_sock', BTF_SOCK_TYPE_UNIX: 'unix_sock',
  BTF_SOCK_TYPE_MPTCP: 'mptcp_sock', BTF_SOCK_TYPE_SOCK_COMMON: 'sock_common', BTF_SOCK_TYPE_SOCK: 'sock',
};

/** The built-in BTF's struct `name` as a register's btf reference. */
export function builtinStruct(name: string): BtfRef | undefined {
  const btf = builtinKernelBtf();
  const t = btf.typeByName(name, BTF_KIND_STRUCT);
  return t && t.kind === BTF_KIND_STRUCT ? { id: t.id, name, size: t.size } : undefined;
}

/** A helper prototype's ret_btf_id (as spelled in the kernel source) as a BtfRef, or a clear error when tsbpf does not describe it. */
export function retBtfRef(retBtfId: string | undefined, helper: string): BtfRef {
  const m = /^&btf_sock_ids\[(\w+)\]$/.exec(retBtfId ?? '');
  const name = m ? SOCK_TYPE_STRUCT[m[1]!] : undefined;
  const ref = name ? builtinStruct(name) : undefined;
  if (!ref) fail(`helper bpf_${helper} returns a pointer to ${retBtfId ?? '(unknown)'}, which tsbpf's kernel BTF does not describe`, EINVAL);
  return ref!;
}

/** check_ptr_to_btf_access for a load or store through `reg` (off = insn off + reg->off). */
export function checkPtrToBtfAccess(regno: number, reg: RegState, off: number, size: number, write: boolean, gpl: boolean): void {
  const ref = reg.btf;
  if (!ref) fail(`R${regno} is a BTF pointer of unknown type`, EFAULT);
  const tname = ref!.name;
  if (!gpl) fail(`Cannot access kernel 'struct ${tname}' from non-GPL compatible program`, EINVAL);
  if (off < 0) fail(`R${regno} is ptr_${tname} invalid negative access: off=${off}`, EACCES);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
    fail(`R${regno} is ptr_${tname} invalid variable offset: off=${off}, var_off=${tnumStr(reg.varOff)}`, EACCES);
  }
  if (write) fail('only read is supported', EACCES);
  structWalk(ref!.id, off, size);
}

const isScalar = (t: BtfType): boolean => t.kind === BTF_KIND_INT || t.kind === BTF_KIND_ENUM || t.kind === BTF_KIND_ENUM64;

/** btf_struct_walk for a read: succeeds when [off, off+size) lies inside one scalar (or scalar array) member */
function structWalk(id: number, off: number, size: number): void {
  const btf = builtinKernelBtf();
  let t = btf.resolve(id);
  for (let depth = 0; depth < 32; depth++) {
    if (t.kind !== BTF_KIND_STRUCT && t.kind !== BTF_KIND_UNION) return fail(`verifier internal error: ${btf.typeName(t.id)} is not a struct`, EFAULT);
    const tname = t.name || '(anon)';
    if (off + size > t.size) return fail(`access beyond struct ${tname} at off ${off} size ${size}`, EACCES);
    let next: { t: BtfType; off: number } | undefined;
    for (const m of t.members) {
      if (m.bitfieldSize) continue;
      const moff = m.bitOffset / 8;
      const msize = btf.sizeof(m.type);
      if (off < moff || off >= moff + msize) continue;
      let mt = btf.resolve(m.type);
      const mend = moff + msize;
      if (mt.kind === BTF_KIND_ARRAY) {
        // an access inside an array of scalars reads one element's worth or more of it
        const elem = btf.resolve(mt.type);
        if (isScalar(elem)) mt = elem;
        else return fail(`tsbpf: access to array member ${m.name} of struct ${tname} is not modelled`, EINVAL);
      }
      if (mt.kind === BTF_KIND_STRUCT || mt.kind === BTF_KIND_UNION) {
        next = { t: mt, off: off - moff };
        break;
      }
      if (mt.kind === BTF_KIND_PTR) {
        return fail(`tsbpf: pointer member ${m.name} of struct ${tname} (an untrusted kernel pointer) is not modelled`, EINVAL);
      }
      if (!isScalar(mt)) return fail(`tsbpf: member ${m.name} of struct ${tname} is not modelled`, EINVAL);
      if (off + size > mend) {
        return fail(`access beyond the end of member ${m.name} (mend:${mend}) in struct ${tname} with off ${off} size ${size}`, EACCES);
      }
      return;
    }
    if (!next) return fail(`struct ${tname} doesn't have field at offset ${off}`, EINVAL);
    t = next.t;
    off = next.off;
  }
  fail('verifier internal error: struct nesting too deep', EFAULT);
}

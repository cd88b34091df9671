// The built-in target BTF: the kernel types tsbpf emulates (UAPI contexts,
// packet headers, the simulated task), compiled from tsbpf_kernel.h. CO-RE
// relocations resolve against it unless a vmlinux BTF is given instead.

import { Btf } from '../btf.js';
import { isComposite } from '../types.js';
import { KERNEL_BTF_BASE64 } from './kernel_btf.generated.js';

let builtin: Btf | undefined;

/** The built-in target BTF (parsed once). */
export function builtinKernelBtf(): Btf {
  // atob, not Buffer: the core also runs in a browser
  builtin ??= new Btf(Uint8Array.from(atob(KERNEL_BTF_BASE64), (c) => c.charCodeAt(0)));
  return builtin;
}

/** Byte offset and size of each (non-bitfield) member of a struct in a target BTF, for laying out an emulated struct. */
export function structLayout(btf: Btf, name: string): Map<string, { offset: number; size: number }> | undefined {
  const t = btf.typesByName(name).find(isComposite);
  if (!t || !isComposite(t)) return undefined;
  const out = new Map<string, { offset: number; size: number }>();
  for (const m of t.members) {
    if (!m.name || m.bitfieldSize) continue;
    out.set(m.name, { offset: m.bitOffset / 8, size: btf.sizeof(m.type) });
  }
  return out;
}

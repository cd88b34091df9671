// The built-in target BTF: the kernel types tsbpf emulates (UAPI contexts,
// packet headers, the simulated task), compiled from tsbpf_kernel.h. CO-RE
// relocations resolve against it unless a vmlinux BTF is given instead.

import { Btf } from '../btf.js';
import { isComposite, isModifier } from '../types.js';
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
  // members of anonymous structs/unions count as the parent's (as CO-RE and C see them)
  const add = (ms: typeof t.members, base: number): void => {
    for (const m of ms) {
      if (m.bitfieldSize) continue;
      const off = base + m.bitOffset / 8;
      if (!m.name) {
        let mt = btf.type(m.type);
        for (let d = 0; isModifier(mt) && d < 32; d++) mt = btf.type(mt.type);
        if (isComposite(mt)) add(mt.members, off);
        continue;
      }
      if (!out.has(m.name)) out.set(m.name, { offset: off, size: btf.sizeof(m.type) });
    }
  };
  add(t.members, 0);
  return out;
}

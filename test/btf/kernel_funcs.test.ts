// The attach targets of the built-in kernel BTF (fentry/fexit functions, LSM
// hooks, tp_btf tracepoints) have the prototypes of Linux 6.18: each is
// compared with the same name in a copy of the recording kernel's
// /sys/kernel/btf/vmlinux (argument count, names, and what btf_ctx_access
// makes of each: scalar of a size, pointer to which struct, other pointer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Btf } from '../../src/btf/btf.js';
import { builtinKernelBtf } from '../../src/btf/kernel/kernel_btf.js';
import { BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_PTR, BTF_KIND_TYPEDEF, type BtfFuncProto, isComposite, isModifier } from '../../src/btf/types.js';
import { repoRoot } from '../kernel/kernel.js';

const vmlinux = new Btf(new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz')))));

/** what the verifier sees in a slot of this type */
function shape(btf: Btf, id: number): string {
  if (id === 0) return 'void';
  let t = btf.type(id);
  while (isModifier(t)) t = btf.type(t.type);
  if (t.kind === BTF_KIND_PTR) {
    let p = btf.type(t.type);
    while (isModifier(p)) p = btf.type(p.type);
    return isComposite(p) ? `ptr to ${p.name}` : 'ptr';
  }
  if (isComposite(t)) return `struct ${t.name}`;
  return `scalar ${btf.sizeof(t.id)}`;
}

function proto(btf: Btf, name: string, kind: number): BtfFuncProto {
  const t = btf.typeByName(name, kind);
  assert.ok(t, `${name} missing`);
  let p = btf.type((t as { type: number }).type);
  if (kind === BTF_KIND_TYPEDEF) p = btf.type((p as { type: number }).type);
  assert.equal(p.kind, BTF_KIND_FUNC_PROTO, name);
  return p as BtfFuncProto;
}

test('built-in attach targets: the prototypes of the recording kernel', () => {
  const ours = builtinKernelBtf();
  let funcs = 0;
  let tps = 0;
  for (let id = 1; id < ours.length; id++) {
    const t = ours.type(id);
    const isFunc = t.kind === BTF_KIND_FUNC && t.name !== 'tsbpf_kernel_types';
    const isTp = t.kind === BTF_KIND_TYPEDEF && t.name.startsWith('btf_trace_');
    if (!isFunc && !isTp) continue;
    const kind = isFunc ? BTF_KIND_FUNC : BTF_KIND_TYPEDEF;
    const a = proto(ours, t.name, kind);
    const b = proto(vmlinux, t.name, kind);
    assert.deepEqual(a.params.map((p) => shape(ours, p.type)), b.params.map((p) => shape(vmlinux, p.type)), t.name);
    if (isFunc) {
      assert.deepEqual(a.params.map((p) => p.name), b.params.map((p) => p.name), `${t.name} parameter names`);
      assert.equal(shape(ours, a.returnType), shape(vmlinux, b.returnType), `${t.name} return`);
      funcs++;
    } else tps++;
  }
  assert.ok(funcs >= 8 && tps >= 8, `${funcs} functions, ${tps} tracepoints`);
});

// `bpftool prog dump xlated` for a loaded object's program: the instructions
// as the runtime holds them, map references printed as bpftool does
// (`map[id:3]`, `map[id:3][0]+8`, `subprog[+22]`), with the function
// prototype from BTF func_info and `; source` lines from BTF line_info.

import type { BpfObject } from '../runtime/loader.js';
import type { ObjectSpec, ProgramSpec } from '../object/index.js';
import type { Btf } from '../btf/btf.js';
import { BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO } from '../btf/types.js';
import { formatInsn } from '../isa/disasm.js';
import { LD_IMM64, type Insn } from '../isa/insn.js';
import { BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../isa/opcodes.js';

export interface XlatedLine {
  /** `int count(struct xdp_md * ctx)` where a function starts */
  proto?: string;
  /** C source, leading whitespace stripped, where a line_info record starts */
  src?: string;
  file?: string;
  lineNum?: number;
  lineCol?: number;
  index: number;
  /** `(18) r3 = map[id:2][0]+0` */
  disasm: string;
}

/** btf_dumper_type_only for a FUNC: `int flow(struct xdp_md * ctx)`. */
export function funcProto(btf: Btf, funcTypeId: number): string | undefined {
  const fn = btf.type(funcTypeId);
  if (fn.kind !== BTF_KIND_FUNC) return undefined;
  const proto = btf.type(fn.type);
  if (proto.kind !== BTF_KIND_FUNC_PROTO) return undefined;
  const typeText = (id: number): string => (id === 0 ? 'void' : btf.typeName(id));
  const params = proto.params.map((p) => (p.type === 0 && !p.name ? '...' : `${typeText(p.type)} ${p.name}`.trimEnd()));
  return `${typeText(proto.returnType)} ${fn.name}(${params.join(', ')})`;
}

/** The program's lines, one per instruction (the second slot of ld_imm64 gets none). */
export function xlatedLines(obj: BpfObject, ps: ProgramSpec): XlatedLine[] {
  return specLines(obj.spec, ps, (idx) => {
    const ms = obj.spec.maps[idx];
    return `id:${ms ? obj.map(ms.name).object.map.id : `idx:${idx}`}`;
  });
}

/**
 * The same lines for a program not loaded (`tsbpf disasm OBJ`): a map is
 * named by `mapRef(index)`, e.g. `map[flows]` instead of `map[id:3]`.
 */
export function specLines(spec: ObjectSpec, ps: ProgramSpec, mapRef: (mapIndex: number) => string): XlatedLine[] {
  const insns: readonly Insn[] = ps.insns;
  let at = 0; // the instruction being printed
  // bpftool's print_imm()
  const immName = (x: Insn): string | undefined => {
    if (x.src === BPF_PSEUDO_MAP_FD) return `map[${mapRef(x.imm)}]`;
    if (x.src === BPF_PSEUDO_MAP_VALUE) return `map[${mapRef(x.imm)}][0]+${(insns[at + 1]?.imm ?? 0) >>> 0}`;
    if (x.src === BPF_PSEUDO_FUNC) return `subprog[${x.imm >= 0 ? '+' : ''}${x.imm}]`;
    return undefined;
  };
  const btf = spec.btf;
  const protos = new Map<number, string>();
  if (btf) {
    for (const f of ps.funcInfo) {
      const p = funcProto(btf, f.typeId);
      if (p !== undefined) protos.set(f.insnIndex, p);
    }
  }
  // one line_info record per instruction, the first at that offset (bpf_prog_linfo__lfind)
  const lines = new Map<number, ProgramSpec['lineInfo'][number]>();
  for (const l of ps.lineInfo) if (!lines.has(l.insnIndex)) lines.set(l.insnIndex, l);

  const out: XlatedLine[] = [];
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    at = i;
    const line: XlatedLine = { index: i, disasm: `(${x.code.toString(16).padStart(2, '0')}) ${formatInsn(insns, i, { immName })}` };
    const proto = protos.get(i);
    if (proto !== undefined) line.proto = proto;
    const li = lines.get(i);
    const src = li?.line.trimStart();
    if (li && src) {
      line.src = src;
      line.file = li.fileName;
      line.lineNum = li.lineNum;
      line.lineCol = li.lineCol;
    }
    out.push(line);
    if (x.code === LD_IMM64) i++;
  }
  return out;
}

/** dump_xlated_plain: `int f(...):`, `; src`, then `%4d: (code) text`. */
export function formatXlated(lines: readonly XlatedLine[], linum = false): string {
  let s = '';
  for (const l of lines) {
    if (l.proto !== undefined) s += `${l.proto}:\n`;
    if (l.src !== undefined) {
      s += `; ${l.src}`;
      if (linum) s += ` [file:${l.file} line_num:${l.lineNum} line_col:${l.lineCol}]`;
      s += '\n';
    }
    s += `${String(l.index).padStart(4)}: ${l.disasm}\n`;
  }
  return s;
}

/** dump_xlated_json: [{"proto"?, "src"?, "disasm"}] (with linum: file, line_num, line_col). */
export function xlatedJson(lines: readonly XlatedLine[], linum = false): Record<string, unknown>[] {
  return lines.map((l) => {
    const r: Record<string, unknown> = {};
    if (l.proto !== undefined) r['proto'] = l.proto;
    if (l.src !== undefined) {
      r['src'] = l.src;
      if (linum) Object.assign(r, { file: l.file, line_num: l.lineNum, line_col: l.lineCol });
    }
    r['disasm'] = l.disasm;
    return r;
  });
}

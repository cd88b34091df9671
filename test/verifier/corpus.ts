// Loads the recorded kernel verdicts of the verifier corpus as VerifierInput.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Insn } from '../../src/isa/insn.js';
import type { MapMeta, VerifierInput } from '../../src/verifier/index.js';
import { isGpl } from '../../src/runtime/loader.js';
import { kfuncByName } from '../../src/kfuncs/table.js';
import { gunzipSync } from 'node:zlib';
import { Btf } from '../../src/btf/btf.js';
import { type AttachTarget, attachTargetOf } from '../../src/verifier/btf_ctx.js';
import { BPF_TRACE_ITER } from '../../src/object/prog_types.js';

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../test/verifier/corpus');

export interface KernelRecord {
  file: string;
  name: string;
  progType: number;
  /** iterators: the target after the section's '/' */
  attachTo?: string;
  license: string;
  errno: number;
  insns: [number, number, number, number, number][];
  maps: MapMeta[];
  funcInfo: { insnOff: number; name: string; linkage: 'static' | 'global' }[];
  lineInfo: { insnOff: number; line: string; lineNum: number }[];
  /** BTF-attached programs: BPF_PROG_LOAD's expected_attach_type and the name of attach_btf_id in the kernel's BTF */
  expectedAttachType?: number;
  attachBtfName?: string;
  /** the kernel's BTF id -> name of each kfunc the program calls */
  kfuncs?: Record<string, string>;
  log: string;
}

export function loadRecords(): KernelRecord[] {
  const out: KernelRecord[] = [];
  for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.kernel.json')).sort()) {
    const recs = JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as Omit<KernelRecord, 'file'>[];
    for (const r of recs) out.push({ ...r, file: f });
  }
  return out;
}

let vmlinux: Btf | undefined;
/** The recording kernel's BTF (Linux 6.18, test/btf/core/vmlinux.btf.gz), parsed once. */
function vmlinuxBtf(): Btf {
  vmlinux ??= new Btf(new Uint8Array(gunzipSync(readFileSync(join(CORPUS_DIR, '../../btf/core/vmlinux.btf.gz')))));
  return vmlinux;
}
/** corpus files whose programs use raw offsets of the kernel's own structs: verified against its BTF */
const KERNEL_BTF_FILES = /^task_btf\./;

export function toInput(r: KernelRecord, logLevel: 0 | 1 | 2 = 1): VerifierInput {
  const insns: Insn[] = r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm }));
  // JSON carries a read-only map's value as a number array; libbpf froze those maps (.rodata,
  // .kconfig) before loading, so the kernel read them as constants (bpf_map_direct_read)
  const maps = r.maps.map((m) => {
    if (!m.rdonlyValue) return m;
    const value = Uint8Array.from(m.rdonlyValue as unknown as number[]);
    return { ...m, rdonlyValue: value, frozenValue: value };
  });
  return {
    insns, progType: r.progType, gpl: isGpl(r.license), maps,
    ...(r.expectedAttachType !== undefined ? { expectedAttachType: r.expectedAttachType, attachTo: r.attachTo } : {}),
    // (an iterator's context is typed by its target's struct, not by a recorded prototype)
    ...(r.attachBtfName && r.expectedAttachType !== BPF_TRACE_ITER ? { attachTarget: recordedTarget(r.attachBtfName, r.expectedAttachType ?? 0) } : {}),
    // raw offsets of the kernel's own structs, and kernel objects kfuncs return (struct nf_conn):
    // walked in the recording kernel's BTF, at its offsets
    ...(KERNEL_BTF_FILES.test(r.file) || (r.kfuncs && Object.keys(r.kfuncs).length) ? { targetBtf: vmlinuxBtf() } : {}),
    funcInfo: r.funcInfo, lineInfo: r.lineInfo, logLevel,
    // kfunc calls carry the recording kernel's BTF ids: resolve them by name in tsbpf's table
    ...(r.kfuncs ? { kfunc: (id: number) => { const n = r.kfuncs![String(id)]; return n === undefined ? undefined : kfuncByName(n)?.proto; } } : {}),
  };
}

function recordedTarget(name: string, attachType: number): AttachTarget {
  const btf = vmlinuxBtf();
  const t = btf.typesByName(name)[0];
  const target = t && attachTargetOf(btf, t.id, attachType);
  if (!target) throw new Error(`corpus: the recording kernel's BTF has no attach target ${name}`);
  return target;
}

/** The kernel log's error line: the last line before the "processed N insns" summary. */
export function kernelErrorLine(log: string): string | undefined {
  // the infinite-loop report is followed by the two states it compared
  // a few kernel messages lack their newline ("expected prog array map for tail call"),
  // running into the summary line
  const lines = log.replace(/(?<=[^\n])(?=processed \d+ insns \(limit)/g, '\n').split('\n').filter((l) => l.length > 0 && !/^(cur|old) state: /.test(l));
  const i = lines.findIndex((l) => l.startsWith('processed '));
  return i > 0 ? lines[i - 1] : undefined;
}

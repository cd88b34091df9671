// CO-RE against libbpf and the live kernel. The same objects, the same target
// (the kernel's own vmlinux BTF, a gzipped copy committed beside them): tsbpf
// must print libbpf's CO-RE lines, hand the verifier libbpf's instructions,
// and the programs must compute what the kernel computes.
// - test/btf/core/NAME.libbpf.out: libbpf 1.x's debug lines and the
//   instructions it loaded (core_libbpf.c, recorded by record.sh as root).
// - test/btf/core/NAME.SCENARIO.kernel.out: the kernel runner's answer
//   (test/kernel/kernel.ts; re-recorded with TSBPF_UPDATE_GOLDEN=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Btf } from '../../src/btf/btf.js';
import { builtinKernelBtf, structLayout } from '../../src/btf/kernel/kernel_btf.js';
import { parseObject } from '../../src/object/object.js';
import { applyCoreRelos, resolveCoreRelos, CoreReloError } from '../../src/object/core_relo.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { LD_IMM64 } from '../../src/isa/insn.js';
import { kernelAvailable, kernelGolden, repoRoot } from '../kernel/kernel.js';
import { spawnSync } from 'node:child_process';
import { release as osRelease, tmpdir } from 'node:os';

const DIR = 'test/btf/core';
const abs = (p: string): string => join(repoRoot, p);
const vmlinux = new Uint8Array(gunzipSync(readFileSync(abs(`${DIR}/vmlinux.btf.gz`))));
const release = readFileSync(abs(`${DIR}/vmlinux.btf.release`), 'utf8').trim();
let vmlinuxBtf: Btf | undefined;
const target = (): Btf => (vmlinuxBtf ??= new Btf(vmlinux));

interface LibbpfOut {
  core: string[];
  loaded: boolean;
  errno: number;
  /** the verifier log libbpf printed for a rejected program (between BEGIN/END) */
  verifierLog: string[];
  progs: Map<string, string[]>;
}

function readLibbpf(name: string): LibbpfOut {
  const lines = readFileSync(abs(`${DIR}/${name}.libbpf.out`), 'utf8').split('\n');
  const out: LibbpfOut = { core: [], loaded: false, errno: 0, verifierLog: [], progs: new Map() };
  let inLog = false;
  let prog: string[] | undefined;
  for (const l of lines) {
    if (l.includes('-- BEGIN PROG LOAD LOG --')) { inLog = true; continue; }
    if (l.includes('-- END PROG LOAD LOG --')) { inLog = false; continue; }
    if (inLog) { out.verifierLog.push(l); continue; }
    if (l.startsWith('core: ')) out.core.push(l.slice(6));
    else if (l === 'load=ok') out.loaded = true;
    else if (l.startsWith('load=failed')) out.errno = Number(l.split('errno=')[1]);
    else if (l.startsWith('prog ')) out.progs.set(l.slice(5), prog = []);
    else if (l.startsWith('insn ')) prog!.push(l);
  }
  return out;
}

/** libbpf's lines tsbpf reproduces: everything about CO-RE except the load's own outcome lines */
const coreLines = (lines: string[]): string[] => lines.filter((l) => !/BPF program load failed|failed to load|-- (BEGIN|END)/.test(l));

// core_unused: relocations of a .text function no program calls are still resolved and patched (libbpf's lines)
for (const name of ['core_pkt', 'core_const', 'core_sub', 'core_bad', 'core_badsz', 'core_unused']) {
  test(`${name}: libbpf's CO-RE log and loaded instructions, same object, same target (vmlinux ${release})`, () => {
    const lb = readLibbpf(name);
    const spec = parseObject(readFileSync(abs(`${DIR}/${name}.bpf.o`)), { name });
    const res = resolveCoreRelos(spec, target());
    // libbpf also logs the patch of every record, then the program load (the verifier log is compared below)
    assert.deepEqual(res.log, coreLines(lb.core));
    for (const ps of spec.programs) {
      const insns = applyCoreRelos(spec, ps, res);
      const want = lb.progs.get(ps.name);
      assert.ok(want, `libbpf has program ${ps.name}`);
      const got: string[] = [];
      for (let i = 0; i < insns.length; i++) {
        const x = insns[i]!;
        const map = want[i]?.endsWith(' map');
        got.push(map ? `insn ${i} ${x.code} ${x.dst} 1 ${x.off} map`.replace(` ${x.dst} 1 `, ` ${x.dst} ${want[i]!.split(' ')[4]} `) : `insn ${i} ${x.code} ${x.dst} ${x.src} ${x.off} ${x.imm}`);
        if (map && x.code === LD_IMM64) { i++; got.push(want[i]!); }
      }
      assert.deepEqual(got, want);
    }
  });
}

test('core_pkt: the program reads the packet as the kernel does (target vmlinux and the built-in BTF)', async () => {
  const pkt = '000000000000000000000000080045000034abcd40003f06000001020304c0a80103c3500050000000010000000050120100000000000000000000000000';
  const g = await kernelGolden(`${DIR}/core_pkt.bpf.o`, 'pkt', [`pkt:${pkt}`, 'run:fields', 'dump']);
  assert.equal(g.status, 0);
  const want = g.stdout.trimEnd().split('\n').slice(g.stdout.trimEnd().split('\n').indexOf('dump') + 1);
  for (const rt of [new Runtime({ btf: vmlinux }), new Runtime()]) {
    const obj = rt.loadObjectBytes(readFileSync(abs(`${DIR}/core_pkt.bpf.o`)));
    const r = obj.program('fields').run({ data: Buffer.from(pkt, 'hex') });
    assert.equal(r.retval, 2);
    const out = obj.global('out') as bigint[];
    assert.deepEqual(out.map((v, i) => `out[${i}]=${v}`), want);
    obj.close();
  }
});

test('core_sub: a subprogram\'s relocations patched in each program\'s copy; nested union and array element', async () => {
  // ethernet + ipv6 header: hop limit 0x40, saddr 2001:db8::1:2:3:4 words, daddr ...:5:6:7:8
  const pkt = '00000000000000000000000086dd6000000000000640' + '20010db8000000000001000200030004' + '20010db8000000000005000600070008' + '00'.repeat(8);
  const g = await kernelGolden(`${DIR}/core_sub.bpf.o`, 'run', [`pkt:${pkt}`, 'run:first', 'run:second', 'dump']);
  assert.equal(g.status, 0);
  const lines = g.stdout.trimEnd().split('\n');
  const want = lines.slice(lines.indexOf('dump') + 1);
  for (const rt of [new Runtime({ btf: vmlinux }), new Runtime()]) {
    const obj = rt.loadObjectBytes(readFileSync(abs(`${DIR}/core_sub.bpf.o`)));
    assert.equal(obj.program('first').run({ data: Buffer.from(pkt, 'hex') }).retval, 2);
    assert.equal(obj.program('second').run({ data: Buffer.from(pkt, 'hex') }).retval, 2);
    assert.deepEqual((obj.global('out') as number[]).map((v, i) => `out[${i}]=${v | 0}`), want);
    obj.close();
  }
});

test('core_const: constants from the target BTF, as the kernel computes them', async () => {
  const g = await kernelGolden(`${DIR}/core_const.bpf.o`, 'run', ['run:consts', 'dump']);
  assert.equal(g.status, 0);
  const lines = g.stdout.trimEnd().split('\n');
  const want = lines.slice(lines.indexOf('dump') + 1);
  const rt = new Runtime({ btf: vmlinux });
  const obj = rt.loadObjectBytes(readFileSync(abs(`${DIR}/core_const.bpf.o`)));
  assert.equal(obj.program('consts').run({}).retval, 0);
  assert.deepEqual((obj.global('out') as bigint[]).map((v, i) => `out[${i}]=${v}`), want);
  obj.close();

  // the built-in BTF describes tsbpf's simulated task: its own layout
  const b = builtinKernelBtf();
  const task = structLayout(b, 'task_struct')!;
  const obj2 = new Runtime().loadObjectBytes(readFileSync(abs(`${DIR}/core_const.bpf.o`)));
  obj2.program('consts').run({});
  const out = (obj2.global('out') as bigint[]).map(Number);
  assert.equal(out[0], task.get('pid')!.offset);
  assert.equal(out[1], 16);
  assert.equal(out[2], 0); // no 'state' in task_struct
  assert.equal(out[3], 1);
  assert.equal(out[6], b.sizeof(b.typesByName('task_struct').find((t) => t.kind === 4)!.id));
  assert.equal(out[15], task.get('comm')!.offset + 3);
  assert.equal(out[16], task.get('real_parent')!.offset);
  assert.equal(out[19], task.get('__state')!.offset);
  obj2.close();
});

for (const name of ['core_bad', 'core_badsz']) {
  test(`${name}: a reachable poisoned instruction is refused with libbpf's fixed-up verifier log`, async () => {
    const g = await kernelGolden(`${DIR}/${name}.bpf.o`, 'load', []);
    assert.equal(g.status, 3);
    const kErr = /verifier_error=(.*)/.exec(g.stdout)![1]!;
    const lb = readLibbpf(name);
    assert.equal(lb.loaded, false);
    for (const btf of [vmlinux, undefined]) {
      const rt = new Runtime(btf ? { btf } : {});
      assert.throws(() => rt.loadObjectBytes(readFileSync(abs(`${DIR}/${name}.bpf.o`))), (e: Error & { errno: number; log: string }) => {
        assert.equal(e.message, kErr);
        assert.equal(e.errno, lb.errno);
        // the two lines libbpf substitutes, at the same instruction
        const at = lb.verifierLog.findIndex((l) => l.endsWith('<invalid CO-RE relocation>'));
        const mine = e.log.split('\n');
        const i = mine.indexOf(lb.verifierLog[at]!);
        assert.ok(i >= 0, `tsbpf's log has '${lb.verifierLog[at]}':\n${e.log}`);
        assert.equal(mine[i + 1], lb.verifierLog[at + 1]);
        return true;
      });
      assert.equal(rt.stats().maps, 0);
    }
  });
}

test('an ambiguous or unpatchable relocation fails the whole load with libbpf\'s lines', () => {
  const spec = parseObject(readFileSync(abs(`${DIR}/core_pkt.bpf.o`)), { name: 'core_pkt' });
  // break the expected value of the first LDX: libbpf validates it before patching
  const ps = spec.programs[0]!;
  const site = ps.coreSites[0]!;
  ps.insns[site.insnIndex] = { ...ps.insns[site.insnIndex]!, off: 99 };
  assert.throws(() => resolveCoreRelos(spec, target()), (e: CoreReloError) => {
    assert.equal(e.errno, 22);
    assert.match(e.log, /prog 'fields': relo #0: unexpected insn #8 \(LDX\/ST\/STX\) value: got 99, exp 4 -> 8\nprog 'fields': relo #0: failed to patch insn #8: -22$/);
    return true;
  });
});

test('live: libbpf on this kernel still says what the committed .libbpf.out files say', async (t) => {
  const avail = kernelAvailable();
  if (!avail.ok) { t.skip(`live kernel not available: ${avail.why ?? '?'}`); return; }
  if (release !== osRelease()) { t.skip(`recorded on ${release}, this kernel is ${osRelease()} (re-record with ${DIR}/record.sh)`); return; }
  // built outside the tree: a fresh clone has no build/ directory (and must not get a binary)
  const bin = join(mkdtempSync(join(tmpdir(), 'tsbpf-core-')), 'core-libbpf');
  const cc = spawnSync('gcc', ['-O2', '-o', bin, abs(`${DIR}/core_libbpf.c`), '-lbpf', '-lelf', '-lz']);
  assert.equal(cc.status, 0, cc.stderr?.toString());
  // core_unused: relocations of a .text function no program calls are still resolved and patched (libbpf's lines)
for (const name of ['core_pkt', 'core_const', 'core_sub', 'core_bad', 'core_badsz', 'core_unused']) {
    const r = spawnSync(bin, [abs(`${DIR}/${name}.bpf.o`)]);
    assert.equal(r.stdout.toString(), readFileSync(abs(`${DIR}/${name}.libbpf.out`), 'utf8'), name);
  }
});

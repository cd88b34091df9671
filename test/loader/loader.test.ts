// The loader's libbpf behaviour (issue #9 parts 2-4, #14's .rodata freeze):
// section names -> program type (against this machine's libbpf), program
// type/autoload options and per-program results, .kconfig externs, global
// data set before load, the .rodata freeze and the verifier's view of frozen
// read-only maps. The kernel scenarios (scenarios.ts) are replayed by
// test/runtime/differential.test.ts and checked live here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { release } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { Runtime } from '../../src/runtime/runtime.js';
import { LoadError } from '../../src/runtime/loader.js';
import { parseObject } from '../../src/object/object.js';
import { SECTION_DEFS, findSectionDef } from '../../src/object/section_defs.js';
import { MapError } from '../../src/maps/map.js';
import { VerifierError } from '../../src/verifier/env.js';
import { DEFAULT_KCONFIG, kernelVersion } from '../../src/runtime/kconfig.js';
import { kernelAvailable, kernelGolden, repoRoot, runKernelScenario } from '../kernel/kernel.js';
import { LOADER_SCENARIOS } from './scenarios.js';
import {
  BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_XDP,
} from '../../src/uapi/bpf.js';
import { BPF_TRACE_FENTRY, BPF_XDP, BPF_XDP_DEVMAP } from '../../src/object/prog_types.js';

const D = join(repoRoot, 'test', 'loader');
const obj = (name: string): Uint8Array => new Uint8Array(readFileSync(join(D, `${name}.bpf.o`)));
const avail = kernelAvailable();
const liveSkip = avail.ok ? false : `live kernel not available: ${avail.why ?? '?'}`;
if (!avail.ok) console.log(`# test/loader: SKIPPING live kernel comparisons: ${avail.why ?? '?'}`);

function loadErr(f: () => unknown, re: RegExp, errno: number): LoadError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LoadError, `expected LoadError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.match(e.message, re);
    assert.equal(e.errno, errno, e.message);
    return e;
  }
  assert.fail(`expected a LoadError matching ${re}`);
}

function zeroStats(rt: Runtime): void {
  const s = rt.stats();
  assert.deepEqual({ maps: s.maps, programs: s.programs, arenaBytes: s.arenaBytes }, { maps: 0, programs: 0, arenaBytes: 0 });
}

// ---- section names, against libbpf ----

// Section names added to libbpf after 1.1 (this machine's libbpf-dev): libbpf
// 1.1 leaves them untyped; tsbpf follows current libbpf's section_defs[].
const AFTER_LIBBPF_1_1 = new Set([
  'kprobe.session+', 'uprobe.multi+', 'uretprobe.multi+', 'uprobe.session+', 'uprobe.multi.s+', 'uretprobe.multi.s+',
  'uprobe.session.s+', 'usdt.s+', 'tc/ingress', 'tc/egress', 'tcx/ingress', 'tcx/egress', 'netkit/primary', 'netkit/peer',
  'sk_skb/verdict', 'cgroup/connect_unix', 'cgroup/sendmsg_unix', 'cgroup/recvmsg_unix', 'cgroup/getpeername_unix',
  'cgroup/getsockname_unix', 'struct_ops.s+', 'netfilter',
]);

test('every SEC() name types as libbpf types it (golden: sections_probe with libbpf, sections.libbpf.out)', () => {
  const golden = readFileSync(join(D, 'sections.libbpf.out'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const spec = parseObject(obj('sections'));
  assert.equal(spec.programs.length, golden.length);
  let same = 0;
  let newer = 0;
  golden.forEach((line, i) => {
    const p = spec.programs[i]!;
    const mine = `${p.name} ${p.section} type=${p.type} expected_attach_type=${p.expectedAttachType} autoload=${p.autoload ? 1 : 0}`;
    if (mine === line) {
      same++;
      return;
    }
    const def = findSectionDef(p.section);
    assert.ok(def && AFTER_LIBBPF_1_1.has(def.sec), `libbpf: ${line}\n tsbpf: ${mine}`);
    assert.match(line, / type=0 expected_attach_type=0 /, 'libbpf 1.1 does not know it');
    newer++;
  });
  assert.ok(same >= 120, `${same} identical`);
  assert.ok(newer <= 40);
  // every entry of the table is exercised by the object
  for (const d of SECTION_DEFS) assert.ok(spec.programs.some((p) => findSectionDef(p.section) === d), d.sec);
});

test('section flags: sleepable, attach-BTF, XDP frags, SEC("?...")', () => {
  assert.deepEqual(
    ['fentry.s+', 'lsm.s+', 'iter.s+', 'syscall', 'uprobe.s+'].map((s) => SECTION_DEFS.find((d) => d.sec === s)!.sleepable), [true, true, true, true, true]);
  assert.equal(findSectionDef('fentry/x')!.attachBtf, true);
  assert.equal(findSectionDef('kprobe/x')!.attachBtf, undefined);
  assert.equal(findSectionDef('xdp.frags/devmap')!.xdpFrags, true);
  assert.equal(findSectionDef('xdp/devmap')!.expectedAttachType, BPF_XDP_DEVMAP);
  const spec = parseObject(obj('autoload'));
  const later = spec.programs.find((p) => p.name === 'later')!;
  assert.deepEqual([later.section, later.autoload, later.type], ['xdp', false, BPF_PROG_TYPE_XDP]);
  const fentry = spec.programs.find((p) => p.name === 'trace_entry')!;
  assert.deepEqual([fentry.type, fentry.expectedAttachType, fentry.attachBtf], [BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true]);
});

// ---- program types and autoload ----

test('fentry + XDP: with the fentry program\'s autoload off the object loads and the XDP program runs', () => {
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('autoload'), { programs: { trace_entry: { autoload: false } } });
  assert.deepEqual(o.programNames(), ['pass']);
  assert.equal(o.program('pass').run({ data: new Uint8Array(64) }).retval, 2);
  assert.equal(o.global('packets'), 1);
  loadErr(() => o.program('trace_entry'), /program 'trace_entry' of obj was not loaded \(autoload is off\)/, -2);
  loadErr(() => o.program('later'), /not loaded \(autoload is off\)/, -2);
  assert.deepEqual(o.programResults.map((r) => [r.name, r.loaded, r.autoload]), [['trace_entry', false, false], ['pass', true, true], ['later', false, false]]);
  o.close();
  zeroStats(rt);
});

test('SEC("?xdp") loads when autoload is turned on', () => {
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('autoload'), { programs: { trace_entry: { autoload: false }, later: { autoload: true } } });
  assert.equal(o.program('later').run({ data: new Uint8Array(64) }).retval, 1);
  o.close();
});

test('a section libbpf cannot type loads after `type` is set (by name or number); with autoload on it fails the whole object', () => {
  const rt = new Runtime();
  loadErr(() => rt.loadObjectBytes(obj('settype')), /prog 'balancer': missing BPF prog type, check ELF section name 'l4lb-demo'/, -22);
  zeroStats(rt);
  const o = rt.loadObjectBytes(obj('settype'), { programs: { balancer: { type: 'xdp' }, tx: { type: BPF_PROG_TYPE_XDP, expectedAttachType: 'xdp' } } });
  assert.equal(o.program('balancer').run({ data: new Uint8Array(60) }).retval, 3);
  assert.equal(o.global('balanced'), 60);
  assert.equal(o.program('legacy').type, BPF_PROG_TYPE_SCHED_CLS);
  const tx = o.programResults.find((r) => r.name === 'tx')!;
  assert.deepEqual([tx.type, tx.expectedAttachType], [BPF_PROG_TYPE_XDP, BPF_XDP]);
  o.close();
  zeroStats(rt);
});

test('legacy SEC("action") is sched_act and runs like a classifier', () => {
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('settype'), { programs: { balancer: { autoload: false }, tx: { autoload: false }, legacy: { type: 'sched_act' } } });
  assert.equal(o.program('legacy').typeName, 'sched_act');
  assert.equal(o.program('legacy').run({ data: new Uint8Array(70) }).retval, 0);
  assert.equal(o.global('classified'), 70);
  o.close();
});

test('bad program options and program types tsbpf cannot run are clear errors naming the program', () => {
  const rt = new Runtime();
  const b = obj('settype');
  loadErr(() => rt.loadObjectBytes(b, { programs: { nope: { autoload: false } } }), /programs: no program 'nope' in obj/, -2);
  loadErr(() => rt.loadObjectBytes(b, { programs: { balancer: { type: 'xdpp' } } }), /prog 'balancer': unknown program type "xdpp"/, -22);
  loadErr(() => rt.loadObjectBytes(b, { programs: { balancer: { type: 'xdp', expectedAttachType: 'nope' } } }), /unknown expected attach type "nope"/, -22);
  // types without a context/test run in tsbpf: -EOPNOTSUPP for that program
  loadErr(() => rt.loadObjectBytes(b, { programs: { balancer: { type: 'lsm' }, tx: { type: 'xdp' } } }),
    /prog 'balancer': program type lsm \(SEC\("l4lb-demo"\)\) is not supported by tsbpf/, -95);
  loadErr(() => rt.loadObjectBytes(b, { programs: { balancer: { type: 'struct_ops' }, tx: { type: 'xdp' } } }),
    /prog 'balancer': struct_ops programs \(SEC\("l4lb-demo"\)\) are not supported by tsbpf/, -95);
  // ... which autoload off avoids, as for the fentry program above
  const o = rt.loadObjectBytes(b, { programs: { balancer: { type: 'lsm', autoload: false }, tx: { type: 'xdp' } } });
  assert.deepEqual(o.programNames(), ['tx', 'legacy']);
  o.close();
  zeroStats(rt);
});

test('sections.bpf.o: which programs load, the refusals as libbpf or tsbpf words them', () => {
  const spec = parseObject(obj('sections'));
  const rt = new Runtime();
  const only = (name: string) => Object.fromEntries(spec.programs.map((p) => [p.name, { autoload: p.name === name }]));
  const section = (s: string) => spec.programs.find((p) => p.section === s)!.name;
  const attempt = (s: string): string => {
    try {
      rt.loadObjectBytes(obj('sections'), { programs: only(section(s)) }).close();
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  for (const s of ['socket', 'kprobe/target_fn', 'tc', 'classifier', 'action', 'tcx/ingress', 'netkit/peer', 'xdp', 'xdp.frags', 'xdp/devmap', 'syscall', 'raw_tp/target_fn', 'tp/target_fn', 'cgroup_skb/ingress']) {
    assert.equal(attempt(s), 'ok', s);
  }
  assert.match(attempt('fentry'), /no BTF-based attach target is specified, use bpf_program__set_attach_target\(\)/);
  // the target is looked up in the kernel's BTF (here the built-in one), as libbpf's find_kernel_btf_id
  assert.match(attempt('fentry/target_fn'), /^prog '\w+': failed to find kernel BTF type ID of 'target_fn': -3$/);
  assert.match(attempt('iter/target_fn'), /BPF iterator target 'target_fn' \(SEC\("iter\/target_fn"\)\) is not supported by tsbpf \(supported: task, bpf_map\)/);
  assert.match(attempt('struct_ops/target_fn'), /struct_ops programs .* are not supported by tsbpf/);
  assert.match(attempt('lsm/target_fn'), /program type lsm .* is not supported/);
  assert.match(attempt('xdp_tx'), /missing BPF prog type, check ELF section name 'xdp_tx'/);
  zeroStats(rt);
});

// ---- .kconfig ----

test('.kconfig: the emulated 6.18 kernel\'s values by default, libbpf\'s kinds and layout', () => {
  const spec = parseObject(obj('kconfig'), { name: 'kconfig' });
  const kc = Object.fromEntries(spec.kconfig.map((e) => [e.name, e]));
  assert.deepEqual([kc['CONFIG_HZ']!.type, kc['CONFIG_BPF_JIT']!.type, kc['CONFIG_BPF_SYSCALL']!.type, kc['CONFIG_TSBPF_CHAR']!.type, kc['CONFIG_TSBPF_STR']!.type],
    ['int', 'tristate', 'bool', 'char', 'char-array']);
  assert.equal(kc['CONFIG_TSBPF_S64']!.dataOff, 0, 'the 8-byte-aligned extern comes first');
  assert.equal(kc['CONFIG_BPF_SYSCALL']!.weak, false);
  const m = spec.maps.find((x) => x.section === '.kconfig')!;
  assert.equal(m.name, 'kconfig.kconfig');
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('kconfig'));
  o.program('read_kconfig').run();
  assert.equal(o.global('kernel_version'), kernelVersion(6, 18, 0));
  assert.deepEqual(['has_cookie', 'has_wrapper', 'hz', 'jit', 'bpf_syscall', 'mod', 'ch', 'not_set', 'hz_branch'].map((n) => o.global(n)), [1, 1, 250, 1, 1, 0, 0, 0, 1]);
  assert.equal(o.map('.kconfig').frozen, true);
  assert.throws(() => o.map('.kconfig').update(0, new Uint8Array(o.map('.kconfig').valueSize)), (e: unknown) => e instanceof MapError && e.errno === -1);
  o.close();
  assert.equal(DEFAULT_KCONFIG['CONFIG_HZ'], 250);
});

test('.kconfig: user values (load and runtime options), libbpf\'s checks and messages', () => {
  const rt = new Runtime({ kconfig: { CONFIG_HZ: 1000 } });
  const warnings: string[] = [];
  const o = rt.loadObjectBytes(obj('kconfig'), {
    kconfig: { CONFIG_TSBPF_MOD: 'm', CONFIG_TSBPF_U16: 65535, CONFIG_TSBPF_S64: -5n, CONFIG_TSBPF_U8: '0x7f', CONFIG_TSBPF_STR: 'abcdefghij', CONFIG_TSBPF_CHAR: 'y', LINUX_KERNEL_VERSION: kernelVersion(6, 1, 300) },
    onWarning: (w) => warnings.push(w),
  });
  o.program('read_kconfig').run();
  assert.deepEqual(['hz', 'mod', 'u16v', 's64v', 'u8v', 'ch', 'kernel_version', 'hz_branch'].map((n) => o.global(n)),
    [1000, 2, 65535, -5n, 127, 121, kernelVersion(6, 1, 255), 1]);
  assert.deepEqual([...o.globalBytes('str')!], [...'abcdefg'].map((c) => c.charCodeAt(0)).concat([0]));
  assert.deepEqual(warnings, [`extern (kcfg) 'CONFIG_TSBPF_STR': long string '"abcdefghij"' of (10 bytes) truncated to 7 bytes`]);
  o.close();
  // a constant .kconfig value decides the branch
  const o2 = rt.loadObjectBytes(obj('kconfig'), { kconfig: { CONFIG_HZ: 100 } });
  o2.program('read_kconfig').run();
  assert.equal(o2.global('hz_branch'), 2);
  o2.close();
  const k = (kconfig: Record<string, string | number | bigint | boolean>) => () => rt.loadObjectBytes(obj('kconfig'), { kconfig });
  loadErr(k({ CONFIG_HZ: 'y' }), /extern \(kcfg\) 'CONFIG_HZ': value 'y' implies bool, tristate, or char type/, -22);
  loadErr(k({ CONFIG_BPF_SYSCALL: 'm' }), /'CONFIG_BPF_SYSCALL': value 'm' implies tristate or char type/, -22);
  loadErr(k({ CONFIG_BPF_SYSCALL: 1 }), /'CONFIG_BPF_SYSCALL': value '1' implies integer type/, -22);
  loadErr(k({ CONFIG_TSBPF_U8: 256 }), /'CONFIG_TSBPF_U8': value '256' doesn't fit in 1 bytes/, -34);
  loadErr(k({ CONFIG_HZ: '12x' }), /'CONFIG_HZ': value '12x' isn't a valid integer/, -22);
  loadErr(k({ CONFIG_HZ: '"250"' }), /'CONFIG_HZ': value '"250"' implies char array type/, -22);
  loadErr(k({ CONFIG_BPF_JIT: 3 }), /'CONFIG_BPF_JIT': value '3' implies integer type/, -22);
  loadErr(() => rt.loadObjectBytes(obj('kconfig_strong')), /extern 'CONFIG_TSBPF_ABSENT' \(strong\): not resolved/, -3);
  const o3 = rt.loadObjectBytes(obj('kconfig_strong'), { kconfig: { CONFIG_TSBPF_ABSENT: 42 } });
  o3.program('read_absent').run();
  assert.equal(o3.global('seen'), 42);
  o3.close();
  zeroStats(rt);
});

// ---- global data before load, the .rodata freeze ----

test('rodata/data/bss by variable name, typed by BTF (numbers, bigint, arrays, bytes, strings, nested struct with bitfields)', () => {
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('rodata'), {
    rodata: {
      cfg_port: 53, cfg_limit: 1, cfg_offset: -9n, cfg_mac: [0xaa, 0xbb],
      cfg_backend: { port: 443, weight: 15, flags: 2, name: 'db', addrs: [1, 0xffffffff] },
    },
    data: { tweak: -1 },
    bss: { debug_word: 5 },
  });
  o.program('copy').run();
  assert.deepEqual(['port', 'limit', 'offset', 'tweak', 'debug_word'].map((n) => o.global(n)), [53, 1, -9n, -1, 5]);
  assert.deepEqual([...o.globalBytes('mac')!], [0xaa, 0xbb, 0, 0, 0, 1]);
  const b = o.globalBytes('backend')!;
  assert.deepEqual([...b.subarray(0, 4)], [0xbb, 0x01, 6, 0x2f]); // port 443, proto kept (6), weight 15 | flags 2 << 4
  assert.equal(new TextDecoder().decode(b.subarray(4, 6)), 'db');
  assert.equal(b[6], 0);
  assert.deepEqual([...b.subarray(12, 20)], [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  assert.equal(o.program('filter').run({ data: new Uint8Array(64) }).retval, 2);
  assert.equal(o.program('filter').run({ data: new Uint8Array(64) }).retval, 1, 'cfg_limit 1');
  o.close();
  const bad = (opts: Parameters<Runtime['loadObjectBytes']>[1]) => () => rt.loadObjectBytes(obj('rodata'), opts);
  loadErr(bad({ rodata: { nope: 1 } }), /rodata: no variable 'nope' in obj's \.rodata \(have: cfg_port, /, -2);
  loadErr(bad({ data: { cfg_port: 1 } }), /data: no variable 'cfg_port'/, -2);
  loadErr(bad({ rodata: { cfg_port: 65536 } }), /rodata: cfg_port: 65536 does not fit in u16/, -22);
  loadErr(bad({ rodata: { cfg_port: 1.5 } }), /cfg_port: 1.5 is not an integer/, -22);
  loadErr(bad({ rodata: { cfg_debug: 2 } }), /cfg_debug: expected a boolean/, -22);
  loadErr(bad({ rodata: { cfg_backend: { nope: 1 } } }), /cfg_backend: struct backend has no member 'nope'/, -22);
  loadErr(bad({ rodata: { cfg_backend: { name: 'too long!' } } }), /cfg_backend\.name: string of 9 bytes does not fit in char\[8\]/, -22);
  loadErr(bad({ rodata: { cfg_mac: [1, 2, 3, 4, 5, 6, 7] } }), /cfg_mac: 7 elements given, the array has 6/, -22);
  loadErr(bad({ rodata: { cfg_backend: { weight: 16 } } }), /cfg_backend\.weight: 16 does not fit in u4/, -22);
  zeroStats(rt);
});

test('frozen .rodata: the verifier drops the branch a constant rules out, and loads it when the constant allows it', () => {
  const rt = new Runtime();
  rt.loadObjectBytes(obj('rodata')).close();
  assert.throws(() => rt.loadObjectBytes(obj('rodata'), { rodata: { cfg_debug: true } }),
    (e: unknown) => e instanceof VerifierError && /R1 offset is outside of the packet/.test(e.message));
  assert.throws(() => rt.loadObjectBytes(obj('rodata_write')),
    (e: unknown) => e instanceof VerifierError && /write into map forbidden, value_size=4 off=0 size=4/.test(e.message));
  zeroStats(rt);
});

test('after load .rodata is frozen (-EPERM for user writes); map.freeze() freezes any map; -EPERM twice; -ENOTSUPP with a bpf_timer', () => {
  const rt = new Runtime();
  const o = rt.loadObjectBytes(obj('rodata'));
  const ro = o.map('.rodata');
  assert.equal(ro.frozen, true);
  const val = ro.lookup(0)!;
  assert.throws(() => ro.update(0, val), (e: unknown) => e instanceof MapError && e.errno === -1);
  assert.throws(() => ro.freeze(), (e: unknown) => e instanceof MapError && e.errno === -1);
  const data = o.map('.data');
  assert.equal(data.frozen, false);
  data.update(0, data.lookup(0)!);
  data.freeze();
  assert.throws(() => data.update(0, data.lookup(0)!), (e: unknown) => e instanceof MapError && e.errno === -1);
  assert.throws(() => data.delete(0), (e: unknown) => e instanceof MapError && e.errno === -1);
  // programs still write a frozen (but not BPF_F_RDONLY_PROG) map
  o.program('filter').run({ data: new Uint8Array(64) });
  assert.equal(o.global('seen'), 1);
  o.close();
  const t = rt.loadObjectBytes(new Uint8Array(readFileSync(join(repoRoot, 'test/kernel/scenarios/timer.bpf.o'))));
  const withTimer = t.mapNames().map((n) => t.map(n)).find((m) => m.object.map.hasSpecial)!;
  assert.throws(() => withTimer.freeze(), (e: unknown) => e instanceof MapError && e.errno === -524);
  t.close();
  zeroStats(rt);
});

// ---- CLI ----

function tsbpf(args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'tsbpf'), ...args], { cwd: repoRoot }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, status: err ? Number((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

test('CLI: prog load/run and map take the load options; bad ones are usage errors', async () => {
  const ld = await tsbpf(['prog', 'load', 'test/loader/settype.bpf.o', '--type', 'balancer=xdp', '--no-autoload', 'tx', '--json']);
  assert.equal(ld.status, 0, ld.stderr);
  assert.deepEqual((JSON.parse(ld.stdout) as { name: string; type: string }[]).map((p) => [p.name, p.type]), [['balancer', 'xdp'], ['legacy', 'sched_cls']]);
  const run = await tsbpf(['prog', 'run', 'test/loader/rodata.bpf.o', 'copy', '--set', 'cfg_port=99']);
  assert.equal(run.status, 0, run.stderr);
  const dump = await tsbpf(['map', 'dump', 'test/loader/kconfig.bpf.o', '.bss', 'run:read_kconfig', '--kconfig', 'CONFIG_HZ=300', '--json']);
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /"hz":300/);
  const bad = await tsbpf(['run', 'test/loader/settype.bpf.o', '--type', 'balancer']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--type takes NAME=VALUE/);
  const bad2 = await tsbpf(['prog', 'load', 'test/loader/settype.bpf.o', '--kconfig', 'CONFIG_HZ']);
  assert.equal(bad2.status, 2);
});

// ---- the live kernel ----

test('loader scenario goldens exist, recorded with their arguments', async () => {
  for (const s of LOADER_SCENARIOS) await kernelGolden(s.obj, s.name, s.args);
});

for (const s of LOADER_SCENARIOS) {
  test(`live kernel still answers as recorded: ${s.obj} ${s.name}`, { skip: liveSkip }, async () => {
    const g = await kernelGolden(s.obj, s.name, s.args);
    const k = await runKernelScenario(s.obj, s.args);
    assert.equal(k.stdout, g.stdout);
    assert.equal(k.status, g.status);
  });
}

/** CONFIG_X=... lines of this machine's Kconfig, as libbpf finds it. */
function systemKconfig(): Record<string, string> | undefined {
  const boot = `/boot/config-${release()}`;
  let text: string;
  if (existsSync(boot)) text = readFileSync(boot, 'utf8');
  else if (existsSync('/proc/config.gz')) text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  else return undefined;
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(l);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

test('kernel differential: libbpf reading this machine\'s Kconfig vs tsbpf given the same values', { skip: liveSkip }, async () => {
  const sys = systemKconfig();
  assert.ok(sys, 'no /boot/config-* or /proc/config.gz');
  const k = await runKernelScenario('test/loader/kconfig.bpf.o', ['run:read_kconfig', 'dump']);
  assert.equal(k.status, 0, k.stdout);
  const [maj, min, patch] = release().split(/[.-]/).map(Number);
  const kconfig: Record<string, string | number> = { LINUX_KERNEL_VERSION: kernelVersion(maj!, min!, patch!) };
  const spec = parseObject(obj('kconfig'));
  for (const e of spec.kconfig) if (e.name.startsWith('CONFIG_') && sys[e.name] !== undefined) kconfig[e.name] = sys[e.name]!;
  // LINUX_HAS_SYSCALL_WRAPPER is libbpf's feature probe, not Kconfig: take what it found
  const wrapper = /^has_wrapper=(\d)$/m.exec(k.stdout)![1]!;
  kconfig['LINUX_HAS_SYSCALL_WRAPPER'] = Number(wrapper);
  const args = Object.entries(kconfig).flatMap(([n, v]) => ['--kconfig', `${n}=${v}`]);
  const t = await tsbpf(['run', 'test/loader/kconfig.bpf.o', ...args, 'run:read_kconfig', 'dump']);
  assert.equal(t.stdout, k.stdout);
});

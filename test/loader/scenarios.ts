// Kernel scenarios of the loader (program types and autoload, .kconfig
// externs, global data set before load, the .rodata freeze), recorded by the
// libbpf runner (test/kernel/runner.c, with its load options) as goldens
// beside the objects. test/runtime/differential.test.ts replays each through
// `tsbpf run` with the same arguments; loader.test.ts checks them live.
import type { KernelScenario } from '../kernel/scenarios.js';

const D = 'test/loader/';

/** The Kconfig lines both loaders get: libbpf then needs nothing from /proc/config.gz but weak misses. */
export const KCONFIG_ARGS: readonly string[] = [
  'CONFIG_HZ=250', 'CONFIG_BPF_JIT=y', 'CONFIG_TSBPF_MOD=m', 'CONFIG_BPF_SYSCALL=y', 'CONFIG_TSBPF_CHAR=y',
  'CONFIG_TSBPF_U16=65535', 'CONFIG_TSBPF_S64=-5', 'CONFIG_TSBPF_U8=0x7f', 'CONFIG_TSBPF_STR="abcdefghij"',
  // libbpf computes these itself (uname, feature probes) and ignores lines without CONFIG_:
  // tsbpf is told what libbpf found on the recording machine (Linux 6.18.44, libbpf 1.1's probe)
  'LINUX_KERNEL_VERSION=397868', 'LINUX_HAS_SYSCALL_WRAPPER=0',
].flatMap((l) => ['--kconfig', l]);

const RODATA_STEPS = [
  'run:filter', 'run:filter', 'run:filter', 'run:filter', 'run:copy', 'dump',
  'update:.rodata', 'update:.data', 'update:.bss', 'freeze:.rodata', 'freeze:.data', 'update:.data', 'freeze:.data',
  'run:filter', 'dump',
];

export const LOADER_SCENARIOS: readonly KernelScenario[] = [
  {
    obj: `${D}attach_btf.bpf.o`, name: 'tp-ok', args: ['--no-autoload', 'missing_tp', '--no-autoload', 'missing_fn', 'dump'],
    about: 'tp_btf/sched_switch: the target is found in the kernel BTF (btf_trace_sched_switch) and the program loads',
  },
  {
    obj: `${D}attach_btf.bpf.o`, name: 'missing-tp', args: ['--no-autoload', 'missing_fn', 'dump'],
    about: 'tp_btf/ of a tracepoint the kernel BTF lacks: libbpf\'s "failed to find kernel BTF type ID", -ESRCH',
  },
  {
    obj: `${D}attach_btf.bpf.o`, name: 'missing-fn', args: ['--no-autoload', 'missing_tp', 'dump'],
    about: 'fentry/ of a function the kernel BTF lacks: -ESRCH before the kernel is asked (so not its fentry -EPERM)',
  },
  {
    obj: 'test/tracing/fentry.bpf.o', name: 'tp-btf', args: ['--no-autoload', 'unlink_entry', '--no-autoload', 'unlink_exit', 'dump'],
    about: 'the tp_btf programs of the fentry example load in both (their typed reads of prev/next/bprm pass the verifier)',
  },
  {
    obj: `${D}autoload.bpf.o`, name: 'fentry-off', args: ['--no-autoload', 'trace_entry', 'run:pass', 'run:pass', 'dump'],
    about: 'an fentry program this host cannot load, autoload off: the object loads and the XDP program runs',
  },
  {
    obj: `${D}settype.bpf.o`, name: 'untyped', args: ['run:legacy'],
    about: 'SEC("l4lb-demo") has no type: libbpf fails the whole object, "missing BPF prog type" (-EINVAL)',
  },
  {
    obj: `${D}settype.bpf.o`, name: 'set-type', args: ['--type', 'balancer=xdp', '--type', 'tx=xdp', 'run:balancer', 'run:tx', 'run:legacy', 'dump'],
    about: 'bpf_program__set_type(xdp) before load: the untyped programs load and run; SEC("classifier") is sched_cls',
  },
  {
    obj: `${D}settype.bpf.o`, name: 'set-type-skip', args: ['--type', 'balancer=xdp', '--no-autoload', 'tx', 'run:balancer', 'dump'],
    about: 'an untyped program with autoload off is never typed-checked: the rest loads',
  },
  {
    obj: `${D}kconfig.bpf.o`, name: 'values', args: [...KCONFIG_ARGS, 'run:read_kconfig', 'dump'],
    about: 'every kcfg kind (bool, tristate y/m, char, u8/u16/int/s64, string truncated to 7 + NUL, weak unknown 0) and the LINUX_ externs',
  },
  {
    obj: `${D}kconfig_strong.bpf.o`, name: 'load', args: [],
    about: 'a strong CONFIG_ extern nobody sets: "extern \'CONFIG_TSBPF_ABSENT\' (strong): not resolved", -ESRCH',
  },
  {
    obj: `${D}rodata.bpf.o`, name: 'freeze', args: RODATA_STEPS,
    about: '.rodata is frozen after load: update -EPERM, freeze again -EPERM; .data freezes on request, then -EPERM; programs keep writing .bss',
  },
  {
    obj: `${D}rodata.bpf.o`, name: 'set', args: ['--set', 'cfg_port=53', '--set', 'cfg_limit=1', '--set', 'cfg_offset=-9', '--set', 'tweak=8', 'run:filter', 'run:filter', 'run:copy', 'dump'],
    about: 'global data set before load, skeleton style (.rodata and .data)',
  },
  {
    obj: `${D}rodata.bpf.o`, name: 'debug-on', args: ['--set', 'cfg_debug=1'],
    about: 'with cfg_debug = 1 the unchecked packet read is live: the verifier rejects it (it was dead code at 0)',
  },
  {
    obj: `${D}rodata_write.bpf.o`, name: 'load', args: [],
    about: 'a program store into .rodata (BPF_F_RDONLY_PROG): "write into map forbidden"',
  },
  {
    obj: `${D}btf_reject.bpf.o`, name: 'arm', args: ['run:arm', 'dump'],
    about: 'a bpf_timer in an array map with valid BTF: loads and arms',
  },
  // the same object with one BTF fault the kernel's BTF checker refuses (make_btf_reject.mjs): libbpf
  // goes on without BTF, so the map has none and the verifier refuses the timer
  ...['vlen', 'linkage', 'info', 'bits_offset', 'name'].map((v) => ({
    obj: `${D}btf_reject_${v}.o`, name: 'load', args: ['run:arm', 'dump'],
    about: `BTF refused by the kernel (${v}): "map 'arr' has to have BTF in order to use bpf_timer"`,
  })),
];

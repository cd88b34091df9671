// Tests of the kernel-side scenario runner and its golden files.
// - Always: every scenario's golden exists, was recorded with the scenario's
//   arguments, and shows the kernel behaviour the scenario is about.
// - Where the kernel is available (root, bpf(), gcc + libbpf): the live
//   runner's output equals the golden, and the runner rejects bad scenarios.
// TSBPF_UPDATE_GOLDEN=1 re-records the goldens first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  formatGolden,
  goldenPath,
  kernelAvailable,
  kernelGolden,
  listGoldens,
  parseGolden,
  repoRoot,
  runKernelScenario,
  type Golden,
} from './kernel.js';
import { KERNEL_SCENARIOS } from './scenarios.js';

const avail = kernelAvailable();
const liveSkip = avail.ok ? false : `live kernel not available: ${avail.why ?? '?'} (using recorded goldens only)`;
if (!avail.ok) console.log(`# test/kernel: SKIPPING live kernel runs: ${avail.why ?? '?'}`);

const goldens = new Map<string, Golden>();
async function golden(obj: string, name: string): Promise<Golden> {
  const key = `${obj}#${name}`;
  let g = goldens.get(key);
  if (!g) {
    const s = KERNEL_SCENARIOS.find((x) => x.obj === obj && x.name === name);
    assert.ok(s, `no scenario ${key}`);
    g = await kernelGolden(s.obj, s.name, s.args);
    goldens.set(key, g);
  }
  return g;
}

/** name=value lines after the last `dump` line */
function lastDump(stdout: string): Map<string, string> {
  const lines = stdout.split('\n');
  const at = lines.lastIndexOf('dump');
  assert.ok(at >= 0, 'no dump in output');
  const vars = new Map<string, string>();
  for (const l of lines.slice(at + 1)) {
    const eq = l.indexOf('=');
    if (eq > 0 && !l.includes(':')) vars.set(l.slice(0, eq), l.slice(eq + 1));
  }
  return vars;
}

test('golden file format round-trips', () => {
  const g = { obj: 'x.bpf.o', args: ['run:a', 'dump'], status: 3, stdout: 'load=failed\nerrno=-EACCES\nverifier_error=x\n' };
  const back = parseGolden('p', formatGolden(g));
  assert.deepEqual(back, { path: 'p', ...g });
  assert.throws(() => parseGolden('p', 'load=ok\n'), /bad header/);
  assert.equal(goldenPath('test/kernel/scenarios/timer.bpf.o', 'close-maps'),
    join(repoRoot, 'test/kernel/scenarios/timer.close-maps.kernel.out'));
  assert.throws(() => goldenPath('a.bpf.o', '../x'), /bad golden name/);
});

test('every scenario object is committed and every golden belongs to a scenario', () => {
  for (const s of KERNEL_SCENARIOS) {
    assert.ok(existsSync(resolve(repoRoot, s.obj)), `${s.obj} missing (scripts/build-bpf.sh)`);
    assert.ok(existsSync(resolve(repoRoot, s.obj.replace(/\.o$/, '.c'))), `${s.obj} has no .c source`);
  }
  const known = new Set(KERNEL_SCENARIOS.map((s) => goldenPath(s.obj, s.name)));
  for (const p of listGoldens(join(repoRoot, 'test/kernel/scenarios'))) {
    assert.ok(known.has(p), `${relative(repoRoot, p)} is not in scenarios.ts`);
  }
});

for (const s of KERNEL_SCENARIOS) {
  test(`golden ${s.obj.replace(/^.*\//, '')} ${s.name}: recorded with these args`, async () => {
    const g = await golden(s.obj, s.name);
    assert.equal(g.obj, s.obj);
    assert.ok(g.stdout.endsWith('\n'), 'stdout ends with a newline');
    if (g.status === 0) assert.ok(g.stdout.startsWith('load=ok\n'));
  });
}

// What the goldens must show: the kernel facts the scenarios exist for. These
// fail if a golden is re-recorded from a runner or kernel that behaves otherwise.
test('golden counter.basic: dump formats, u32 retval, raw_tp, -ENOTSUPP', async () => {
  const g = await golden('test/kernel/scenarios/counter.bpf.o', 'basic');
  assert.equal(g.status, 0);
  assert.match(g.stdout, /^run:count retval=2$/m);
  assert.match(g.stdout, /^run:minus1 retval=4294967295$/m);
  assert.match(g.stdout, /^run:rawtp retval=7$/m);
  assert.match(g.stdout, /^run:kp err=-ENOTSUPP$/m);
  assert.match(g.stdout, /^run:tp err=-ENOTSUPP$/m);
  const v = lastDump(g.stdout);
  assert.equal(v.get('base'), '107');
  assert.equal(v.get('small'), '-3');
  assert.equal(v.get('big'), '-1');
  assert.equal(v.get('arr[1]'), '-3');
  assert.equal(v.get('name[0]'), '116');
  assert.equal(v.get('pr'), '0x0403020105000000');
  assert.equal(v.get('hits'), '11');
  assert.equal(v.get('last_len'), '64');
  assert.equal(v.get('seen'), '1');
  assert.equal(v.get('neg'), '-1');
  // .data before .bss, each in declaration (offset) order
  const names = [...v.keys()];
  assert.deepEqual(names.slice(0, 4), ['base', 'small', 'big', 'arr[0]']);
  assert.deepEqual(names.slice(-4), ['hits', 'last_len', 'seen', 'neg']);
});

test('golden counter.close-maps / no-hold: global data still works without urefs', async () => {
  for (const name of ['close-maps', 'no-hold']) {
    const g = await golden('test/kernel/scenarios/counter.bpf.o', name);
    assert.equal(g.status, 0);
    assert.equal(lastDump(g.stdout).get('hits'), '2', name);
  }
});

test('golden pktmod: output packets', async () => {
  const g = await golden('test/kernel/scenarios/pktmod.bpf.o', 'rewrite');
  const iota = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0')).join('');
  const swapped = '060708090a0b' + '000102030405' + '0d' + iota.slice(26);
  assert.equal(g.stdout, [
    'load=ok',
    `run-pkt:swap retval=3 size=64 data=${'00'.repeat(12)}01${'00'.repeat(51)}`,
    'pkt len=64',
    `run-pkt:swap retval=3 size=64 data=${swapped}`,
    `run-pkt:swap retval=3 size=64 data=${swapped}`,
    'run:swap retval=3',
    `run-pkt:trim retval=2 size=60 data=${iota.slice(8)}`,
    `run-pkt:sum retval=28 size=64 data=${iota}`,
    '',
  ].join('\n'));
  const s = await golden('test/kernel/scenarios/pktmod.bpf.o', 'short');
  assert.match(s.stdout, /^run-pkt:swap err=-EINVAL$/m);
  assert.match(s.stdout, /^run:sum err=-EINVAL$/m);
  assert.match(s.stdout, /^run-pkt:sum retval=36 size=15 data=0102030405060708090a0b0c0d0e0f$/m);
});

test('golden timer: fires when held, cancelled by the last uref drop, -EPERM without urefs', async () => {
  const T = 'test/kernel/scenarios/timer.bpf.o';
  for (const name of ['hold', 'advance', 'close-bss']) {
    const v = lastDump((await golden(T, name)).stdout);
    assert.equal(v.get('fired'), '1', name);
    assert.equal(v.get('fired_key'), '0', name);
    assert.equal(v.get('start_err'), '0', name);
  }
  for (const name of ['close-maps', 'close-map']) {
    const v = lastDump((await golden(T, name)).stdout);
    assert.equal(v.get('start_err'), '0', name);
    assert.equal(v.get('fired'), '0', `${name}: the uref drop must cancel the timer`);
    assert.equal(v.get('fired_key'), '-1', name);
  }
  const v = lastDump((await golden(T, 'no-hold')).stdout);
  assert.equal(v.get('init_err'), '-1'); // -EPERM
  assert.equal(v.get('cb_err'), '-22'); // -EINVAL: timer never initialised
  assert.equal(v.get('start_err'), '-22');
  assert.equal(v.get('fired'), '0');
});

test('golden reject.load: verifier verdict', async () => {
  const g = await golden('test/kernel/scenarios/reject.bpf.o', 'load');
  assert.equal(g.status, 3);
  assert.equal(g.stdout, 'load=failed\nerrno=-EACCES\nverifier_error=R1 offset is outside of the packet\n');
});

// ---- live kernel ----

for (const s of KERNEL_SCENARIOS) {
  test(`live kernel ${s.obj.replace(/^.*\//, '')} ${s.name} equals its golden`, { skip: liveSkip }, async () => {
    const g = await golden(s.obj, s.name);
    // the kernel's sleeps are real time: on a loaded host a timer can be late, so a
    // mismatch is asked again (up to 3 runs); the answer must still be the golden's
    let r = await runKernelScenario(s.obj, s.args);
    for (let i = 1; i < 3 && (r.stdout !== g.stdout || r.status !== g.status); i++) r = await runKernelScenario(s.obj, s.args);
    assert.equal(r.stdout, g.stdout);
    assert.equal(r.status, g.status);
  });
}

test('live kernel: bad scenarios exit 2 (before loading when the steps do not parse)', { skip: liveSkip }, async () => {
  const obj = 'test/kernel/scenarios/counter.bpf.o';
  for (const bad of [['bogus'], ['sleep:1ms'], ['advance:5m'], ['pkt:abc'], ['pkt:zz'], ['dump:x'], ['run:']]) {
    const r = await runKernelScenario(obj, bad);
    assert.deepEqual(r, { stdout: '', status: 2 }, bad.join(' '));
  }
  assert.deepEqual(await runKernelScenario(obj, ['run:count', 'run:nosuch']), { stdout: 'load=ok\nrun:count retval=2\n', status: 2 });
  assert.deepEqual(await runKernelScenario(obj, ['close-map:nosuch']), { stdout: 'load=ok\n', status: 2 });
  const missing = await runKernelScenario('test/kernel/scenarios/does-not-exist.bpf.o', []);
  assert.deepEqual(missing, { stdout: 'load=failed\nerrno=-ENOENT\nverifier_error=\n', status: 3 });
});

test('live kernel: --log FILE holds the whole verifier log, ending in the reported line', { skip: liveSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-kernel-'));
  try {
    const log = join(dir, 'verifier.log');
    const r = await runKernelScenario('test/kernel/scenarios/reject.bpf.o', ['--log', log]);
    assert.equal(r.status, 3);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^1: \(71\) r0 = \*\(u8 \*\)\(r1 \+0\)$/m);
    assert.match(text, /invalid access to packet, off=0 size=1, R1\(id=0,off=0,r=0\)\nR1 offset is outside of the packet\nprocessed 2 insns/);
    // a successful load with --log writes every program's level-1 log
    const ok = await runKernelScenario('test/kernel/scenarios/pktmod.bpf.o', ['--log', log]);
    assert.equal(ok.status, 0);
    const all = readFileSync(log, 'utf8');
    for (const p of ['swap', 'trim', 'sum']) assert.match(all, new RegExp(`^=== ${p} ===$`, 'm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('golden testrun: the kernel\'s test-run semantics tsbpf follows', async () => {
  const T = 'test/kernel/scenarios/testrun.bpf.o';
  const skb = (await golden(T, 'skb')).stdout;
  // a socket filter sees the packet from the network header and gets the L2 bytes back zeroed
  assert.match(skb, /^run-pkt:sf_len retval=50 size=64 data=0{28}0e0f/m);
  assert.match(skb, /^run:tc_proto retval=8$/m); // IPv4: skb->protocol is __be16 0x0800
  const ctx = (await golden(T, 'ctx')).stdout;
  assert.match(ctx, /^run:tc_info err=-ENODEV$/m);
  assert.match(ctx, /^run:tc_info err=-E2BIG$/m);
  const xdp = (await golden(T, 'xdp')).stdout;
  assert.match(xdp, /^run:xdp_len retval=327683520$/m); // 5000 bytes: 3520 linear + fragments
  const rep = (await golden(T, 'repeat')).stdout;
  assert.match(rep, /^run-pkt:tc_bump retval=17 /m); // repeat:3 on one skb
  assert.match(rep, /^run:sys_read err=-EINVAL$/m); // reads its ctx, none given
  assert.match(rep, /^run:sys_read retval=6 ctx=5500000005000000$/m);
  assert.match(rep, /^run-pkt:tc_bump err=-ENOSPC$/m);
});

test('golden helpers_skb / fib / helpers_xdpnet: what the kernel answered', async () => {
  const S = 'test/kernel/scenarios/';
  const skb = (await golden(`${S}helpers_skb.bpf.o`, 'basic')).stdout;
  assert.match(skb, /^rdiff\[5\]=7964$/m); // csum_diff: no 4-byte rule on 6.18, folded to 16 bits
  assert.match(skb, /^rroom\[13\]=-114$/m); // a second encap: -EALREADY
  const fib = (await golden(`${S}fib.bpf.o`, 'host')).stdout;
  assert.match(fib, /^rc\[0\]=0$/m);
  assert.match(fib, /^rc\[3\]=1$/m); // blackhole
  assert.match(fib, /^rc\[14\]=8$/m); // locked route MTU: FRAG_NEEDED
  const x = (await golden(`${S}helpers_xdpnet.bpf.o`, 'maps')).stdout;
  assert.match(x, /^update:cpus err=-EOVERFLOW$/m);
  assert.match(x, /^rm\[2\]=1$/m); // a miss returns the flags' action bits
});

test('golden sock: what the kernel answered', async () => {
  const S = 'test/kernel/scenarios/';
  const out = (await golden(`${S}sock.bpf.o`, 'host')).stdout;
  assert.match(out, /^state\[0\]=10$/m); // the 127.0.0.1:8080 listener
  assert.match(out, /^dport_o\[1\]=40000$/m); // the accepted end of 40000 -> 8080
  assert.match(out, /^family\[3\]=10$/m); // an IPv4 lookup finds the dual-stack [::]:8081 listener
  assert.match(out, /^state\[12\]=7$/m); // an unconnected UDP socket is TCP_CLOSE
  assert.match(out, /^found\[15\]=0$/m); // a connected UDP socket only takes its peer
  assert.match(out, /^found\[8\]=0$/m); // netns id 0: no such namespace
  assert.match(out, /^found\[19\]=1$/m); // netns 0xffffffff: (s32) < 0, the caller's
  assert.match(out, /^ip4\[24\]=9151314470717358086$/m); // accepted IPv6: LOOPBACK4_IPV6 both ways
  assert.match(out, /^ip6\[1\]=9151314449242521601$/m); // connected IPv4 TCP: v4-mapped v6 fields
  assert.match(out, /^ssth\[1\]=2147483647$/m);
});

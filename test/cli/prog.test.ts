import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, readGolden, goldenPath } from '../kernel/kernel.js';
import { bpftool, bpftoolSkip, scratch, scratchFile, tsbpf, withKernelObject } from './cli.js';

const COUNTER = 'test/kernel/scenarios/counter.bpf.o';
const PKTMOD = 'test/kernel/scenarios/pktmod.bpf.o';
const REJECT = 'test/kernel/scenarios/reject.bpf.o';
const FLOWTABLE = 'examples/flowtable/flowtable.bpf.o';

/** A 40-byte frame: two distinct MACs, an ethertype, ASCII and non-printable bytes. */
const PACKET = Uint8Array.from([
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
  ...Buffer.from('Hello, world! tsbpf'), 0x00, 0x7f, 0x80, 0xff, 0x01, 0x02, 0x03,
]);
const packetFile = scratchFile('pkt.bin', PACKET);

interface ShowRecord {
  id: number; type: string; name: string; tag: string; insns: number; verified_insns: number;
  bytes_xlated: number; map_ids?: number[]; map_names?: string[]; log?: string;
}

function loadJson(obj: string, ...extra: string[]): ShowRecord[] {
  const r = tsbpf('prog', 'load', obj, '--json', ...extra);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ShowRecord[];
}

test('prog load: one bpftool-style entry per program, with verifier stats and maps', () => {
  const r = tsbpf('prog', 'load', COUNTER);
  assert.equal(r.status, 0, r.stderr);
  const recs = loadJson(COUNTER);
  assert.deepEqual(recs.map((p) => `${p.type} ${p.name}`), ['xdp count', 'syscall minus1', 'raw_tracepoint rawtp', 'kprobe kp', 'tracepoint tp']);
  for (const p of recs) {
    assert.match(r.stdout, new RegExp(`^${p.id}: ${p.type}  name ${p.name}  tag ${p.tag}  gpl$`, 'm'));
    assert.equal(p.bytes_xlated, p.insns * 8);
    assert.ok(p.verified_insns > 0 && p.verified_insns <= 1_000_000, `${p.name}: verified_insns ${p.verified_insns}`);
    assert.match(p.tag, /^[0-9a-f]{16}$/);
  }
  // count touches .bss and .data; kp and tp use no map and are the same two instructions
  const byName = new Map(recs.map((p) => [p.name, p]));
  assert.deepEqual(byName.get('count')!.map_names, ['counter.bss', 'counter.data']);
  assert.equal(byName.get('kp')!.map_ids, undefined);
  assert.equal(byName.get('kp')!.tag, byName.get('tp')!.tag);
  assert.notEqual(byName.get('kp')!.tag, byName.get('count')!.tag);
  assert.match(r.stdout, /^\tverified_insns \d+  maps counter\.bss,counter\.data$/m);
});

test('prog load --log-level 2 prints each accepted program\'s full log; the default prints none', () => {
  const quiet = tsbpf('prog', 'load', PKTMOD);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  const r = tsbpf('prog', 'load', PKTMOD, '--log-level', '2');
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['swap', 'trim', 'sum']) {
    assert.match(r.stderr, new RegExp(`prog '${name}': -- BEGIN PROG LOAD LOG --\\n[^]*?-- END PROG LOAD LOG --`));
  }
  // level 2: per-instruction lines and the kernel's statistics line
  assert.match(r.stderr, /^\d+: \(bf\) /m);
  assert.match(r.stderr, /^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+$/m);
  const recs = loadJson(PKTMOD, '--log-level=2');
  for (const p of recs) {
    const processed = /processed (\d+) insns/.exec(p.log ?? '');
    assert.ok(processed, `${p.name}: log has the stats line`);
    assert.equal(Number(processed[1]), p.verified_insns);
  }
  assert.equal(tsbpf('prog', 'load', PKTMOD, '--log-level', '3').status, 2);
});

test('prog load of a rejected program: verifier log, the kernel\'s final error line, exit 3', () => {
  // the recorded kernel verdict for this object (test/kernel/scenarios/reject.load.kernel.out)
  const golden = readGolden(goldenPath(REJECT, 'load'));
  const kernelLine = /^verifier_error=(.*)$/m.exec(golden.stdout)![1]!;
  const r = tsbpf('prog', 'load', REJECT);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^tsbpf: prog 'bad': BPF program load failed: Permission denied$/m);
  const log = /-- BEGIN PROG LOAD LOG --\n([^]*?)-- END PROG LOAD LOG --/.exec(r.stderr);
  assert.ok(log, r.stderr);
  const lines = log[1]!.trimEnd().split('\n');
  assert.match(lines.at(-1)!, /^processed \d+ insns/);
  assert.equal(lines.at(-2), kernelLine);
  assert.match(r.stderr, /failed to load: -13\n/);
  assert.match(r.stderr, /^Error: failed to load object file$/m);
  const j = tsbpf('prog', 'load', REJECT, '--json');
  assert.equal(j.status, 3);
  const doc = JSON.parse(j.stdout) as { error: string; prog: string; errno: number; verifier_error: string; log: string };
  assert.equal(doc.error, 'failed to load object file');
  assert.equal(doc.prog, 'bad');
  assert.equal(doc.errno, 13);
  assert.equal(doc.verifier_error, kernelLine);
  assert.ok(doc.log.includes(kernelLine));
});

test('prog load of a missing file or a non-object: exit 3 with the reason', () => {
  const r = tsbpf('prog', 'load', join(scratch, 'nope.o'));
  assert.equal(r.status, 3);
  assert.match(r.stderr, /ENOENT|no such file/i);
  const notElf = tsbpf('prog', 'load', packetFile);
  assert.equal(notElf.status, 3);
  assert.match(notElf.stderr, /^Error: failed to load object file$/m);
});

test('prog run: retval is what the program computes; data_out - is bpftool\'s hex dump', () => {
  // swap exchanges the MACs, increments byte 12 and returns XDP_TX
  const want = Uint8Array.from(PACKET);
  want.set(PACKET.subarray(6, 12), 0);
  want.set(PACKET.subarray(0, 6), 6);
  want[12] = PACKET[12]! + 1;
  const outFile = join(scratch, 'swap.out');
  const r = tsbpf('prog', 'run', PKTMOD, 'swap', 'data_in', packetFile, 'data_out', outFile);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Return value: 3, duration: \d+ns\n$/);
  assert.deepEqual(new Uint8Array(readFileSync(outFile)), want);

  const j = tsbpf('prog', 'run', PKTMOD, 'swap', 'data_in', packetFile, 'data_out', '-', '--json');
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { data_out: number[]; retval: number; duration: number };
  assert.deepEqual(doc.data_out, [...want]);
  assert.equal(doc.retval, 3);
  assert.ok(Number.isInteger(doc.duration) && doc.duration >= 0);

  const h = tsbpf('prog', 'run', PKTMOD, 'swap', 'data_in', packetFile, 'data_out', '-');
  const rows = h.stdout.split('\n').slice(0, 3);
  assert.equal(rows[0], '0000000\t0200 0000 0002 0200 0000 0001 0900 4865 | ........ ......He');
  assert.equal(rows[1], '0000010\t6c6c 6f2c 2077 6f72 6c64 2120 7473 6270 | llo, wor ld! tsbp');
  assert.equal(rows[2], '0000020\t6600 7f80 ff01 0203                     | f....... ');

  // sum (tc) returns the sum of the first 8 bytes
  const s = tsbpf('prog', 'run', PKTMOD, 'sum', 'data_in', packetFile);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(Number(/Return value: (\d+)/.exec(s.stdout)![1]), PACKET.subarray(0, 8).reduce((a, b) => a + b, 0));
});

test('prog run: syscall retval as a u32, raw_tp ctx_in arguments, repeat averages', () => {
  assert.match(tsbpf('prog', 'run', COUNTER, 'minus1').stdout, /^Return value: 4294967295, duration: \d+ns$/m);
  const args = scratchFile('args.bin', new Uint8Array(16));
  const raw = tsbpf('prog', 'run', COUNTER, 'rawtp', 'ctx_in', args);
  assert.equal(raw.status, 0, raw.stderr);
  assert.match(raw.stdout, /^Return value: 7, duration: \d+ns$/m);
  // the kernel's raw_tp test run takes no repeat (-EINVAL); a tc program averages it
  const rawRepeat = tsbpf('prog', 'run', COUNTER, 'rawtp', 'ctx_in', args, 'repeat', '5');
  assert.equal(rawRepeat.status, 1);
  assert.match(rawRepeat.stderr, /Invalid argument/);
  const tc = tsbpf('prog', 'run', PKTMOD, 'sum', 'data_in', packetFile, 'repeat', '5');
  assert.equal(tc.status, 0, tc.stderr);
  assert.match(tc.stdout, /^Return value: \d+, duration \(average\): \d+ns$/m);
  const odd = tsbpf('prog', 'run', COUNTER, 'rawtp', 'ctx_in', scratchFile('odd.bin', new Uint8Array(13)));
  assert.equal(odd.status, 1);
  assert.match(odd.stderr, /multiple of 8/);
});

test('prog run: errors — unsupported type (errno), unknown program, bad keyword', () => {
  const kp = tsbpf('prog', 'run', COUNTER, 'kp');
  assert.equal(kp.status, 1);
  assert.equal(kp.stderr, 'Error: failed to run program: Unknown error 524\n'); // -ENOTSUPP, as bpftool says it
  const kpj = tsbpf('prog', 'run', COUNTER, 'kp', '--json');
  assert.equal((JSON.parse(kpj.stdout) as { errno: number }).errno, 524);
  const none = tsbpf('prog', 'run', COUNTER, 'nope');
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no program 'nope' in counter \(have: count, minus1, rawtp, kp, tp\)/);
  assert.equal(tsbpf('prog', 'run', COUNTER, 'count', 'data_inn', packetFile).status, 2);
  assert.equal(tsbpf('prog', 'run', COUNTER, 'count', 'repeat', 'x').status, 2);
  assert.equal(tsbpf('prog', 'frob').status, 2);
});

test('prog dump: xlated instructions with BTF prototypes, source lines and map ids', () => {
  const [count] = loadJson(COUNTER);
  const r = tsbpf('prog', 'dump', COUNTER, 'count');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'int count(struct xdp_md * ctx):');
  assert.equal(lines[1], '; hits++;');
  // instruction numbers advance by one, or two after an ld_imm64, up to the program's length
  const insns = lines.filter((l) => /^ *\d+: /.test(l));
  let next = 0;
  for (const l of insns) {
    const m = /^ *(\d+): \((\w\w)\) /.exec(l)!;
    assert.equal(Number(m[1]), next, l);
    next += m[2] === '18' ? 2 : 1;
  }
  assert.equal(next, count!.insns);
  const ids = new Set([...r.stdout.matchAll(/map\[id:(\d+)\]/g)].map((m) => Number(m[1])));
  assert.deepEqual([...ids].sort(), [...count!.map_ids!].sort());
  assert.match(r.stdout, /^ *26: \(b7\) r0 = 2\n *27: \(95\) exit$/m);

  const j = tsbpf('prog', 'dump', COUNTER, 'count', '--json');
  const doc = JSON.parse(j.stdout) as { proto?: string; src?: string; disasm: string }[];
  assert.equal(doc.length, insns.length);
  assert.equal(doc[0]!.proto, 'int count(struct xdp_md * ctx)');
  assert.deepEqual(doc.map((d) => d.disasm), insns.map((l) => l.replace(/^ *\d+: /, '')));

  // a timer callback is a second function: its prototype, and the subprog reference to it
  const f = tsbpf('prog', 'dump', FLOWTABLE, 'flow', 'linum');
  assert.match(f.stdout, /^int flow_idle\(void \* map, struct flow_key \* key, struct flow \* f\):$/m);
  assert.match(f.stdout, /r2 = subprog\[[+-]\d+\]/);
  assert.match(f.stdout, /; bpf_timer_start\(&f->idle, IDLE_NS, 0\); \[file:\S*flowtable\.bpf\.c line_num:\d+ line_col:\d+\]/);

  // every program, each introduced by its `prog show` entry
  const all = tsbpf('prog', 'dump', PKTMOD);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual([...all.stdout.matchAll(/^\d+: (\w+)  name (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`), ['xdp swap', 'xdp trim', 'sched_cls sum']);
});

// ---- against the live kernel, through bpftool ----

const liveSkip = bpftoolSkip();
if (liveSkip) process.stderr.write(`# test/cli/prog: live-kernel comparisons skipped: ${liveSkip}\n`);

test('live kernel: bpftool prog show has the same tag, type and name for every program', { skip: liveSkip }, () => {
  for (const obj of [COUNTER, PKTMOD, FLOWTABLE]) {
    const ours = loadJson(obj);
    withKernelObject(join(repoRoot, obj), (pin) => {
      for (const p of ours) {
        const k = bpftool('-j', 'prog', 'show', 'pinned', `${pin}/${p.name}`);
        assert.equal(k.status, 0, k.stderr);
        const kr = JSON.parse(k.stdout) as { type: string; name: string; tag: string; map_ids?: number[] };
        assert.deepEqual({ type: p.type, name: p.name, tag: p.tag }, { type: kr.type, name: kr.name, tag: kr.tag }, `${obj} ${p.name}`);
        assert.equal(p.map_ids?.length, kr.map_ids?.length, `${obj} ${p.name}: maps used`);
      }
    });
  }
});

test('live kernel: prog run prints the same return value and data_out dump as bpftool', { skip: liveSkip }, () => {
  const strip = (s: string): string => s.replace(/duration(?: \(average\))?: \d+ns/, 'duration: Nns');
  withKernelObject(join(repoRoot, PKTMOD), (pin) => {
    for (const prog of ['swap', 'trim', 'sum']) {
      const k = bpftool('prog', 'run', 'pinned', `${pin}/${prog}`, 'data_in', packetFile, 'data_out', '-');
      assert.equal(k.status, 0, k.stderr);
      const ours = tsbpf('prog', 'run', PKTMOD, prog, 'data_in', packetFile, 'data_out', '-');
      assert.equal(strip(ours.stdout), strip(k.stdout), prog);
    }
  });
});

test('live kernel: a rejected program fails the same way, with the same final log line', { skip: liveSkip }, () => {
  const pin = `/sys/fs/bpf/tsbpf-cli-${process.pid}-reject`;
  const k = bpftool('prog', 'loadall', join(repoRoot, REJECT), pin);
  assert.notEqual(k.status, 0);
  const ours = tsbpf('prog', 'load', REJECT);
  const finalLine = (stderr: string): string => {
    const log = /-- BEGIN PROG LOAD LOG --\n([^]*?)-- END PROG LOAD LOG --/.exec(stderr)![1]!;
    return log.trimEnd().split('\n').filter((l) => !/^(processed \d+ insns|verification time|stack depth)/.test(l)).at(-1)!;
  };
  assert.equal(finalLine(ours.stderr), finalLine(k.stderr));
  const failed = (s: string): string => /prog 'bad': BPF program load failed: .*/.exec(s)![0];
  assert.equal(failed(ours.stderr), failed(k.stderr));
  assert.match(k.stderr, /^Error: failed to load object file$/m);
  assert.match(ours.stderr, /^Error: failed to load object file$/m);
});

test('live kernel: prog dump xlated has the same prototypes and source lines, in order', { skip: liveSkip }, () => {
  const notInsn = (s: string): string[] => s.split('\n').filter((l) => l !== '' && !/^ *\d+: /.test(l));
  for (const [obj, prog] of [[COUNTER, 'count'], [FLOWTABLE, 'flow']] as const) {
    withKernelObject(join(repoRoot, obj), (pin) => {
      const k = bpftool('prog', 'dump', 'xlated', 'pinned', `${pin}/${prog}`);
      assert.equal(k.status, 0, k.stderr);
      const ours = tsbpf('prog', 'dump', obj, prog);
      assert.deepEqual(notInsn(ours.stdout), notInsn(k.stdout), `${obj} ${prog}`);
    });
  }
});

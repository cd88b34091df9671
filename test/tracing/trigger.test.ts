// Tracing programs fired as their hooks would, with the context the test
// supplies: kprobe (pt_regs), tracepoint (raw record), raw_tp and fentry
// (u64 arguments), perf_event (bpf_perf_event_data); from TypeScript and from
// `tsbpf run ... fire:PROG:...`. The kernel cannot BPF_PROG_TEST_RUN kprobes,
// tracepoints or perf_event programs (-ENOTSUPP, recorded in
// test/kernel/scenarios/counter.basic) and fentry does not load on the
// recording kernel (EPERM): these follow the source semantics (ctx layouts of
// the uapi / kernel/trace/bpf_trace.c), not a kernel recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime, TestRunError } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';
import { tsbpf } from '../cli/cli.js';

const OBJ = join(repoRoot, 'test', 'tracing', 'triggers.bpf.o');

function forkRecord(parent: number, child: number): Uint8Array {
  const b = new Uint8Array(8 + 16 + 4 + 16 + 4);
  const dv = new DataView(b.buffer);
  b.set(new TextEncoder().encode('bash'), 8);
  dv.setInt32(24, parent, true);
  b.set(new TextEncoder().encode('ls'), 28);
  dv.setInt32(44, child, true);
  return b;
}

test('kprobe: pt_regs from the test, a user string through probe_read_user_str, func ip and cookie', async () => {
  const rt = new Runtime();
  rt.setTask({ pid: 42, tgid: 40 });
  rt.memory.user.map(0x7f0000001000n, new TextEncoder().encode('/etc/passwd\0'));
  const obj = await rt.loadObject(OBJ);
  const r = obj.program('kp').trigger({ regs: { si: 0x7f0000001000n, ip: 0xffffffff81234568n }, funcIp: 0xffffffff81234567n, cookie: 7 });
  assert.equal(r.retval, 0);
  assert.equal(obj.global('fname_ret'), 12n);
  assert.equal(new TextDecoder().decode(obj.globalBytes('filename')!.subarray(0, 11)), '/etc/passwd');
  assert.equal(obj.global('func_ip'), 0xffffffff81234567n); // __u64: typed globals are unsigned
  assert.equal(obj.global('cookie'), 7n);
  assert.equal(obj.global('pid_tgid'), (40n << 32n) | 42n);
  // without func_ip, a kprobe's function is its ip; an unmapped string faults
  obj.program('kp').trigger({ regs: { rsi: 0x7f0000002000n, rip: 0xffffffff81000010n } });
  assert.equal(obj.global('fname_ret'), -14n);
  assert.equal(obj.global('func_ip'), 0xffffffff81000010n);
  assert.deepEqual([...obj.globalBytes('filename')!], new Array(32).fill(0));
});

test('tracepoint: the raw record, raw_tp and fentry: u64 args, perf_event: sample data', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  obj.program('tp').trigger({ record: forkRecord(100, 101) });
  assert.equal(obj.global('parent_pid'), 100);
  assert.equal(obj.global('child_pid'), 101);
  rt.memory.kernel.map(0xffff888000001000n, Uint8Array.from({ length: 16 }, (_, i) => i));
  assert.equal(obj.program('rawtp').trigger({ args: [0xffff888000001000n] }).retval, 1);
  assert.equal(obj.global('task_ret'), 0n);
  assert.equal(obj.global('task_word'), 0x0f0e0d0c0b0a0908n);
  obj.program('fent').trigger({ args: [-100, 0x7f0000001000n] });
  assert.equal(obj.global('fent_dfd'), BigInt.asUintN(64, -100n));
  assert.equal(obj.global('fent_name'), 0x7f0000001000n);
  obj.program('pe').trigger({ samplePeriod: 1000, addr: 0x1234, regs: { ip: 0xffffffff81000000n } });
  assert.equal(obj.global('pe_period'), 1000n);
  assert.equal(obj.global('pe_addr'), 0x1234n);
  assert.equal(obj.global('pe_ip'), 0xffffffff81000000n);
});

test('kprobe and tracepoint programs cannot be test-run (-ENOTSUPP as the kernel); bad trigger input is a typed error', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  assert.throws(() => obj.program('kp').run(), (e) => e instanceof TestRunError && e.errno === -524);
  assert.throws(() => obj.program('kp').trigger({ regs: { xyz: 1 } as never }), (e) => e instanceof TestRunError && e.errno === -22);
  assert.throws(() => obj.program('tp').trigger({ record: new Uint8Array(4096) }), (e) => e instanceof TestRunError && e.errno === -22);
});

test('tsbpf run: task:, umem:, kmem: and fire: steps', () => {
  const rec = Buffer.from(forkRecord(7, 8)).toString('hex');
  const r = tsbpf('run', OBJ, 'task:pid=42,tgid=40', 'umem:0x7f0000001000:str=/bin/sh', 'fire:kp:rsi=0x7f0000001000,func_ip=0xffffffff81000000,cookie=3',
    `fire:tp:record=${rec}`, 'kmem:0xffff888000001000:0001020304050607ffffffffffffffff', 'fire:rawtp:args=0xffff888000001000', 'dump');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  for (const l of ['load=ok', 'fire:kp retval=0', 'fire:tp retval=0', 'fire:rawtp retval=1', 'fname_ret=8', 'cookie=3',
    `pid_tgid=${(40n << 32n) | 42n}`, 'parent_pid=7', 'child_pid=8', 'task_word=-1', 'task_ret=0']) {
    assert.ok(lines.includes(l), `missing '${l}' in\n${r.stdout}`);
  }
  const bad = tsbpf('run', OBJ, 'fire:kp:nosuchreg=1');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown trigger option 'nosuchreg'/);
});

// examples/exec-events: exec/exit events through a ring buffer. The kernel's
// answer (exec_events.kernel.txt) is recorded by examples/exec-events/record.c
// with both tracepoints attached in Linux 6.18 and a real exec of /bin/false;
// tsbpf fires the same two tracepoints with the same task, record, elapsed
// time and exit status (task->exit_code, read by the program with CO-RE),
// and its ring buffer must hold the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';
import { tsbpf } from '../cli/cli.js';

const DIR = join(repoRoot, 'examples', 'exec-events');
const OBJ = join(DIR, 'exec_events.bpf.o');

/** struct trace_event_raw_sched_process_exec with its __data_loc filename */
export function execRecord(pid: number, oldPid: number, filename: string): Uint8Array {
  const name = new TextEncoder().encode(`${filename}\0`);
  const rec = new Uint8Array(20 + name.length);
  const dv = new DataView(rec.buffer);
  dv.setUint32(8, (name.length << 16) | 20, true);
  dv.setInt32(12, pid, true);
  dv.setInt32(16, oldPid, true);
  rec.set(name, 20);
  return rec;
}

const cstr = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));

/** the record.c line of one ring buffer record (struct event) */
function line(d: Uint8Array): string {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const [kind, pid, tgid, uid] = [0, 4, 8, 12].map((o) => dv.getUint32(o, true));
  const comm = cstr(d.subarray(24, 40));
  if (kind === 1) return `exec pid=${pid} tgid=${tgid} uid=${uid} comm=${comm} filename=${cstr(d.subarray(40, 104))}`;
  return `exit pid=${pid} tgid=${tgid} uid=${uid} comm=${comm} duration_ns=${dv.getBigUint64(16, true)} exit_code=${dv.getUint32(104, true)}`;
}

test('exec-events example: tsbpf reports the exec and exit of the recorded run as Linux 6.18 did', async () => {
  const golden = readFileSync(join(DIR, 'exec_events.kernel.txt'), 'utf8').trim().split('\n');
  const child = /^child tgid=(\d+) uid=(\d+)$/.exec(golden[0]!);
  assert.ok(child, golden[0]);
  const status = /^status=(\d+)$/.exec(golden[1]!);
  const exec = /^exec pid=(\d+) tgid=\d+ uid=\d+ comm=(\S+) filename=(\S+)$/.exec(golden[2]!);
  const exit = /^exit .* duration_ns=(\d+) exit_code=\d+$/.exec(golden[3]!);
  assert.ok(status && exec && exit, golden.join('\n'));
  const tgid = Number(child![1]);

  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  obj.map('target_tgid').update(new Uint8Array(4), new Uint8Array(new Uint32Array([tgid]).buffer));
  // another process execs first: filtered out
  rt.setTask({ pid: 77, tgid: 77, uid: 0, comm: 'sh' });
  obj.program('handle_exec').trigger({ record: execRecord(77, 77, '/bin/sh') });
  // the child: after exec its comm is the new program's
  rt.setTask({ pid: tgid, tgid, uid: Number(child![2]), comm: exec![2]! });
  obj.program('handle_exec').trigger({ record: execRecord(Number(exec![1]), tgid, exec![3]!) });
  rt.virtualClock.advance(BigInt(exit![1]!));
  // do_exit sets task->exit_code (the wait status) before the exit tracepoint
  rt.setTask({ exitCode: Number(status![1]) });
  obj.program('handle_exit').trigger({});
  const got = obj.ringbuf('events').consume().map((s) => line(s.data));
  assert.deepEqual(got, golden.slice(2));
});

test('exec-events example from tsbpf run: task:, fire: and the ringbuf: step', () => {
  const rec = Buffer.from(execRecord(4242, 4242, '/usr/bin/env')).toString('hex');
  const r = tsbpf('run', OBJ, 'task:pid=4242,tgid=4242,comm=env', `fire:handle_exec:record=${rec}`, 'advance:1ms', 'task:exit=0x200',
    'fire:handle_exit', 'ringbuf:events');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fire:handle_exec retval=0\nfire:handle_exit retval=0\n/);
  assert.match(r.stdout, /ringbuf:events records=2/);
  // the exit record: duration 1 ms, exit_code (0x200 >> 8) & 0xff = 2 at offset 104
  const exitRec = /record len=112 data=(02000000[0-9a-f]+)/.exec(r.stdout);
  assert.ok(exitRec, r.stdout);
  const d = Buffer.from(exitRec![1]!, 'hex');
  assert.equal(d.readBigUInt64LE(16), 1_000_000n);
  assert.equal(d.readUInt32LE(104), 2);
});

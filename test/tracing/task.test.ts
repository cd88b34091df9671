// The current-task and probe-read helpers against Linux 6.18: task.bpf.c's
// raw_tp program run with BPF_PROG_TEST_RUN by task_runner.c (current = the
// runner process) and fired in tsbpf with the runner's pid/tgid/uid/gid/comm/
// cgroup as rt.task. The recorded answer is task.kernel.txt; as root with
// libbpf the live kernel is asked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime, builtinKernelBtf, structLayout } from '../../src/index.js';
import { gunzipSync } from 'node:zlib';
import { kernelAvailable, repoRoot } from '../kernel/kernel.js';

const DIR = join(repoRoot, 'test', 'tracing');
const OBJ = join(DIR, 'task.bpf.o');

interface KernelRun { self: { pid: number; tgid: number; uid: number; gid: number; comm: string; cgroup: bigint }; out: bigint[] }

function parse(text: string): KernelRun {
  const m = /^self pid=(\d+) tgid=(\d+) uid=(\d+) gid=(\d+) comm=(\S*) cgroup=(\d+)$/m.exec(text);
  assert.ok(m, `no self line in:\n${text}`);
  const out: bigint[] = [];
  for (const [, i, v] of text.matchAll(/^out\[(\d+)\]=(\d+)$/gm)) out[Number(i)] = BigInt(v!);
  return { self: { pid: +m![1]!, tgid: +m![2]!, uid: +m![3]!, gid: +m![4]!, comm: m![5]!, cgroup: BigInt(m![6]!) }, out };
}

async function tsbpf(self: KernelRun['self']): Promise<bigint[]> {
  const rt = new Runtime();
  rt.setTask({ pid: self.pid, tgid: self.tgid, uid: self.uid, gid: self.gid, comm: self.comm, cgroupId: self.cgroup });
  const obj = await rt.loadObject(OBJ);
  obj.program('task').trigger({ args: [] });
  const m = obj.map('out');
  const out: bigint[] = [];
  for (let i = 0; i < 37; i++) {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, i, true);
    out.push(new DataView(m.lookup(key)!.buffer).getBigUint64(0, true));
  }
  return out;
}

test('task helpers and probe reads: tsbpf given the runner as its task answers as Linux 6.18 (recorded)', async () => {
  const k = parse(readFileSync(join(DIR, 'task.kernel.txt'), 'utf8'));
  assert.deepEqual(await tsbpf(k.self), k.out);
});

test('task helpers and probe reads: the live kernel, now', async (t) => {
  const live = kernelAvailable();
  if (!live.ok) { t.skip(`no live kernel: ${live.why}`); return; }
  const bin = '/tmp/tsbpf-task-runner';
  try {
    execFileSync('gcc', ['-O1', '-o', bin, join(DIR, 'task_runner.c'), '-lbpf']);
  } catch (e) {
    t.skip(`cannot build task_runner.c: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const k = parse(execFileSync(bin, [OBJ], { encoding: 'utf8' }));
  assert.deepEqual(await tsbpf(k.self), k.out);
});

// The simulated task_struct at bpf_get_current_task()'s address, laid out as
// the target BTF says: read CO-RE style (task_struct.bpf.c) with the live
// kernel's vmlinux BTF as target it answers as Linux 6.18 (task_struct.kernel.txt,
// same runner), and with the built-in BTF (its own layout) the same values.
const TS_OBJ = join(DIR, 'task_struct.bpf.o');

async function tsbpfTaskStruct(self: KernelRun['self'], btf?: Uint8Array): Promise<bigint[]> {
  const rt = new Runtime(btf ? { btf } : {});
  rt.setTask({ pid: self.pid, tgid: self.tgid, uid: self.uid, gid: self.gid, comm: self.comm, cgroupId: self.cgroup });
  const obj = await rt.loadObject(TS_OBJ);
  obj.program('task').trigger({ args: [] });
  const m = obj.map('out');
  const out: bigint[] = [];
  for (let i = 0; i < 8; i++) {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, i, true);
    out.push(new DataView(m.lookup(key)!.buffer).getBigUint64(0, true));
  }
  return out;
}

test('the simulated task_struct is laid out by the target BTF: CO-RE reads of pid/tgid/comm answer as Linux 6.18', async () => {
  const k = parse(readFileSync(join(DIR, 'task_struct.kernel.txt'), 'utf8'));
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  assert.deepEqual(await tsbpfTaskStruct(k.self, vmlinux), k.out, 'vmlinux target');
  assert.deepEqual(await tsbpfTaskStruct(k.self), k.out, 'built-in target');
  // the vmlinux layout really differs from the built-in one
  const rt = new Runtime({ btf: vmlinux });
  const at = rt.task.taskStruct;
  const pidOff = structLayout(rt.coreTarget.btf, 'task_struct')!.get('pid')!.offset;
  assert.ok(pidOff > 1000, `pid at ${pidOff} in the live kernel's task_struct`);
  assert.equal(new DataView(rt.memory.kernel.read(at + BigInt(pidOff), 4)!.buffer).getInt32(0, true), rt.task.pid);
  assert.notEqual(pidOff, structLayout(builtinKernelBtf(), 'task_struct')!.get('pid')!.offset);
});

test('the simulated task_struct: the live kernel, now', async (t) => {
  const live = kernelAvailable();
  if (!live.ok) { t.skip(`no live kernel: ${live.why}`); return; }
  const bin = '/tmp/tsbpf-task-runner';
  try {
    execFileSync('gcc', ['-O1', '-o', bin, join(DIR, 'task_runner.c'), '-lbpf']);
  } catch (e) {
    t.skip(`cannot build task_runner.c: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const k = parse(execFileSync(bin, [TS_OBJ], { encoding: 'utf8' }));
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  assert.deepEqual(await tsbpfTaskStruct(k.self, vmlinux), k.out);
});

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

interface KernelRun { self: { pid: number; tgid: number; uid: number; gid: number; comm: string; cgroup: bigint; ppid?: number }; out: bigint[] }

function parse(text: string): KernelRun {
  // ppid: printed by the runner since task_btf (older recordings lack it)
  const m = /^self pid=(\d+) tgid=(\d+) uid=(\d+) gid=(\d+) comm=(\S*) cgroup=(\d+)(?: ppid=(\d+))?$/m.exec(text);
  assert.ok(m, `no self line in:\n${text}`);
  const out: bigint[] = [];
  for (const [, i, v] of text.matchAll(/^out\[(\d+)\]=(\d+)$/gm)) out[Number(i)] = BigInt(v!);
  const self = { pid: +m![1]!, tgid: +m![2]!, uid: +m![3]!, gid: +m![4]!, comm: m![5]!, cgroup: BigInt(m![6]!) };
  return { self: m![7] === undefined ? self : { ...self, ppid: +m![7] }, out };
}

/** task_runner.c's run of `obj` in the live kernel now (real uid:gid `ids`, else root's), or undefined after skipping `t` (no kernel, no compiler). */
function liveRun(t: { skip(why: string): void }, obj: string, ids?: string): KernelRun | undefined {
  const live = kernelAvailable();
  if (!live.ok) { t.skip(`no live kernel: ${live.why}`); return undefined; }
  const bin = '/tmp/tsbpf-task-runner';
  try {
    execFileSync('gcc', ['-O1', '-o', bin, join(DIR, 'task_runner.c'), '-lbpf']);
  } catch (e) {
    t.skip(`cannot build task_runner.c: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
  return parse(execFileSync(bin, [obj], { encoding: 'utf8', env: { ...process.env, ...(ids ? { TSBPF_RUNNER_IDS: ids } : {}) } }));
}

/** Runs `obj`'s raw_tp program "task" once in tsbpf with the runner as rt.task; its "out" array's first n values. */
async function runAsRunner(obj: string, self: KernelRun['self'], n: number, opts: { btf?: Uint8Array; engine?: 'interp' | 'jit' } = {}): Promise<bigint[]> {
  const rt = new Runtime({ ...(opts.btf ? { btf: opts.btf } : {}), ...(opts.engine ? { engine: opts.engine } : {}) });
  rt.setTask({ pid: self.pid, tgid: self.tgid, uid: self.uid, gid: self.gid, comm: self.comm, cgroupId: self.cgroup, ...(self.ppid === undefined ? {} : { ppid: self.ppid }) });
  const o = await rt.loadObject(obj);
  o.program('task').trigger({ args: [] });
  const m = o.map('out');
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, i, true);
    out.push(new DataView(m.lookup(key)!.buffer).getBigUint64(0, true));
  }
  return out;
}

const tsbpf = (self: KernelRun['self']): Promise<bigint[]> => runAsRunner(OBJ, self, 37);

test('task helpers and probe reads: tsbpf given the runner as its task answers as Linux 6.18 (recorded)', async () => {
  const k = parse(readFileSync(join(DIR, 'task.kernel.txt'), 'utf8'));
  assert.deepEqual(await tsbpf(k.self), k.out);
});

test('task helpers and probe reads: the live kernel, now', async (t) => {
  const k = liveRun(t, OBJ);
  if (!k) return;
  assert.deepEqual(await tsbpf(k.self), k.out);
});

// The simulated task_struct at bpf_get_current_task()'s address, laid out as
// the target BTF says: read CO-RE style (task_struct.bpf.c) with the live
// kernel's vmlinux BTF as target it answers as Linux 6.18 (task_struct.kernel.txt,
// same runner), and with the built-in BTF (its own layout) the same values.
const TS_OBJ = join(DIR, 'task_struct.bpf.o');

const tsbpfTaskStruct = (self: KernelRun['self'], btf?: Uint8Array): Promise<bigint[]> => runAsRunner(TS_OBJ, self, 8, btf ? { btf } : {});

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
  const k = liveRun(t, TS_OBJ);
  if (!k) return;
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  assert.deepEqual(await tsbpfTaskStruct(k.self, vmlinux), k.out);
});

// bpf_get_current_task_btf: plain loads through the trusted task pointer and
// the pointers walked from it (real_parent, group_leader), run as
// BPF_PROBE_MEM over the same simulated task_struct; task_btf.kernel.txt is
// the same runner's answer (runner pid/tgid/comm/ppid as rt.task).
const TB_OBJ = join(DIR, 'task_btf.bpf.o');

const tsbpfTaskBtf = (self: KernelRun['self'], engine: 'interp' | 'jit', btf?: Uint8Array): Promise<bigint[]> =>
  runAsRunner(TB_OBJ, self, 14, { engine, ...(btf ? { btf } : {}) });

test('bpf_get_current_task_btf: field reads and real_parent/group_leader walks answer as Linux 6.18 (recorded), both engines, both target BTFs', async () => {
  const k = parse(readFileSync(join(DIR, 'task_btf.kernel.txt'), 'utf8'));
  assert.ok(k.self.ppid !== undefined && k.self.ppid !== k.self.pid, 'the recording has the parent');
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  for (const engine of ['interp', 'jit'] as const) {
    assert.deepEqual(await tsbpfTaskBtf(k.self, engine, vmlinux), k.out, `${engine}, vmlinux target`);
    assert.deepEqual(await tsbpfTaskBtf(k.self, engine), k.out, `${engine}, built-in target`);
  }
});

test('bpf_get_current_task_btf: the live kernel, now', async (t) => {
  const k = liveRun(t, TB_OBJ, '1000:2000');
  if (!k) return;
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  assert.deepEqual(await tsbpfTaskBtf(k.self, 'interp', vmlinux), k.out);
});

test('bpf_get_current_task_btf: a NULL walked pointer reads 0 (BPF_PROBE_MEM), a task_struct field tsbpf does not fill is an error', async () => {
  for (const engine of ['interp', 'jit'] as const) {
    const rt = new Runtime({ engine });
    rt.setTask({ pid: 7, tgid: 7, ppid: 5 });
    const obj = await rt.loadObject(TB_OBJ);
    const out = (i: number): bigint => {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i, true);
      return new DataView(obj.map('out').lookup(key)!.buffer).getBigUint64(0, true);
    };
    obj.program('parent_pid').trigger({ args: [] });
    assert.equal(out(9), 5n, `${engine}: parent->pid is rt.task.ppid`);
    // the test maps a NULL over task->parent: the walk faults, the load reads 0 as in the kernel
    const off = structLayout(rt.coreTarget.btf, 'task_struct')!.get('parent')!.offset;
    rt.memory.kernel.map(rt.task.taskStruct + BigInt(off), new Uint8Array(8));
    obj.program('parent_pid').trigger({ args: [] });
    assert.equal(out(9), 0n, `${engine}: NULL->pid`);
    // flags is in the target BTF but tsbpf does not simulate it: a clear error, never a made-up 0
    assert.throws(() => obj.program('task_flags').trigger({ args: [] }), /offset \d+ \(flags\) of the simulated task_struct, which tsbpf does not fill in/);
  }
});

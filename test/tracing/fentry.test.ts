// BTF-attached tracing programs (fentry/fexit/fmod_ret, tp_btf): the target
// is found in the kernel BTF at load (libbpf's find_kernel_btf_id; built-in
// or the user's vmlinux), the context is typed by its prototype
// (btf_ctx_access: pointer-to-struct arguments are PTR_TO_BTF_ID, read
// directly), and the trigger passes kernel objects the runtime lays out
// (rt.kernelObject / tsbpf run kobj:). Kernel proof: the tp_btf rules in
// test/verifier/corpus/btf_ctx (recorded verdicts and error lines), the
// target lookups in test/loader/attach_btf.*.kernel.out and
// test/tracing/fentry.tp-btf.kernel.out; fentry itself does not load on the
// recording kernel (-EPERM before verification: no trampolines there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LoadError, Runtime } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';
import { tsbpf } from '../cli/cli.js';

const OBJ = join(repoRoot, 'test', 'tracing', 'fentry.bpf.o');
const RULES = join(repoRoot, 'test', 'tracing', 'fentry_rules.bpf.o');
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b!).replace(/\0.*$/s, '');

test('fentry/fexit do_unlinkat, libbpf-bootstrap style: name->name read directly and printed', async () => {
  const rt = new Runtime();
  rt.setTask({ pid: 4242, tgid: 4242 });
  const obj = await rt.loadObject(OBJ);
  const name = rt.kernelObject('filename', { name: '/tmp/victim.txt' });
  assert.equal(obj.program('unlink_entry').trigger({ args: [-100, name] }).retval, 0);
  assert.deepEqual(rt.traceLog.slice(-1), ['fentry: pid = 4242, filename = /tmp/victim.txt']);
  assert.equal(text(obj.globalBytes('unlinked')), '/tmp/victim.txt');
  assert.equal(obj.global('unlink_dfd'), -100n);
  // fexit: the return value is the slot after the arguments
  obj.program('unlink_exit').trigger({ args: [-100, name, -2] });
  assert.equal(obj.global('unlink_ret'), -2n);
  assert.deepEqual([obj.global('entries'), obj.global('exits')], [1, 1]);
});

test('tp_btf: sched_switch tasks and sched_process_exec\'s linux_binprm as kernel objects', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const prev = rt.kernelObject('task_struct', { pid: 11, tgid: 11, comm: 'bash' });
  const next = rt.kernelObject('task_struct', { pid: 22, tgid: 20, comm: 'sleep' });
  obj.program('on_switch').trigger({ args: [0, prev, next, 0] });
  assert.deepEqual([obj.global('prev_pid'), obj.global('next_pid')], [11, 22]);
  assert.equal(text(obj.globalBytes('next_comm')), 'sleep');
  // a pointer member given as an object: the pointee is laid out too
  const bprm = rt.kernelObject('linux_binprm', { filename: '/usr/bin/true', file: { f_flags: 0o100000 } });
  obj.program('on_exec').trigger({ args: [next, 19, bprm] });
  assert.deepEqual([obj.global('exec_pid'), obj.global('exec_old_pid')], [20, 19]);
  assert.equal(text(obj.globalBytes('exec_file')), '/usr/bin/true');
  // bad kernel objects are typed errors
  assert.throws(() => rt.kernelObject('no_such_struct'), /the kernel BTF has no struct no_such_struct/);
  assert.throws(() => rt.kernelObject('filename', { nme: 'x' }), /struct filename has no member 'nme'/);
  assert.throws(() => rt.kernelObject('filename', { name: true }), /a pointer takes an address, a string, bytes or an object/);
});

test('attach targets are looked up in the target BTF: libbpf\'s message, -ESRCH', async () => {
  const rt = new Runtime();
  const only = (p: string) => Object.fromEntries(['missing_tp', 'missing_fn', 'on_switch'].map((n) => [n, { autoload: n === p }]));
  const bytes = readFileSync(join(repoRoot, 'test', 'loader', 'attach_btf.bpf.o'));
  const err = (p: string): LoadError => {
    try {
      rt.loadObjectBytes(bytes, { programs: only(p) });
    } catch (e) {
      return e as LoadError;
    }
    assert.fail(`${p} loaded`);
  };
  assert.equal(err('missing_tp').message, "prog 'missing_tp': failed to find kernel BTF type ID of 'tsbpf_no_such_tp': -3");
  assert.equal(err('missing_fn').errno, -3);
  rt.loadObjectBytes(bytes, { programs: only('on_switch') }).close();
});

test('fentry/fexit/fmod_ret context rules (the kernel sources: fentry does not load on the recording kernel)', () => {
  const rt = new Runtime();
  const bytes = readFileSync(RULES);
  const names = ['entry_past_args', 'exit_ret_ok', 'exit_past_ret', 'modret_ok', 'modret_unlink', 'entry_name_write'];
  const load = (p: string): string => {
    try {
      rt.loadObjectBytes(bytes, { programs: Object.fromEntries(names.map((n) => [n, { autoload: n === p }])) }).close();
      return 'ok';
    } catch (e) {
      const log = ((e as LoadError).log ?? '').split('\n').filter((l) => l && !l.startsWith('processed '));
      return `${(e as LoadError).errno} ${log.slice(-2).join(' | ')}`;
    }
  };
  assert.equal(load('entry_past_args'), "-13 func 'do_unlinkat' doesn't have 3-th argument | invalid bpf_context access off=16 size=8");
  assert.equal(load('exit_ret_ok'), 'ok');
  assert.equal(load('exit_past_ret'), "-13 func 'do_unlinkat' doesn't have 4-th argument | invalid bpf_context access off=24 size=8");
  assert.equal(load('modret_ok'), 'ok');
  assert.match(load('modret_unlink'), /^-22 .*do_unlinkat\(\) is not modifiable/);
  assert.match(load('entry_name_write'), /^-13 .*only read is supported$/);
});

test('with a vmlinux BTF (Runtime({ btf })) targets and kernel objects follow it', async () => {
  const btf = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  const rt = new Runtime({ btf });
  const obj = await rt.loadObject(OBJ);
  // task_struct laid out at the real kernel's offsets, read through CO-RE relocated to them
  const prev = rt.kernelObject('task_struct', { pid: 5, tgid: 5 });
  const next = rt.kernelObject('task_struct', { pid: 6, tgid: 6, comm: 'kworker' });
  obj.program('on_switch').trigger({ args: [1, prev, next, 0] });
  assert.deepEqual([obj.global('prev_pid'), obj.global('next_pid')], [5, 6]);
  assert.equal(text(obj.globalBytes('next_comm')), 'kworker');
});

test('tsbpf run: kobj: kernel objects passed to fire:PROG:args=&NAME', () => {
  const r = tsbpf('run', OBJ, 'task:pid=7,tgid=7', 'kobj:f=filename:name=/tmp/a b', 'fire:unlink_entry:args=-100;&f', 'fire:unlink_exit:args=-100;&f;0',
    'kobj:t=task_struct:pid=3,comm=init', 'kobj:bp=linux_binprm:filename=/sbin/init', 'fire:on_exec:args=&t;1;&bp', 'dump');
  assert.equal(r.status, 0, r.stderr);
  for (const l of ['fire:unlink_entry retval=0', 'unlink_dfd=-100', 'unlink_ret=0', 'entries=1', 'exec_old_pid=1']) assert.ok(r.stdout.split('\n').includes(l), `${l} in\n${r.stdout}`);
  assert.match(r.stderr + r.stdout, /fentry: pid = 7, filename = \/tmp\/a b/);
  const bad = tsbpf('run', OBJ, 'fire:unlink_entry:args=-100;&nope');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /no kernel object 'nope'/);
});

test('loads through BTF pointers are probe loads: a bad address reads 0 instead of faulting', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const task = rt.kernelObject('task_struct', { tgid: 9 });
  obj.program('on_exec').trigger({ args: [task, 9, rt.kernelObject('linux_binprm', { filename: '/bin/ls' })] });
  assert.equal(obj.global('exec_first'), 47);
  // a linux_binprm whose filename points nowhere: the direct read gives 0, bpf_probe_read_kernel_str fails
  const bprm = rt.kernelObject('linux_binprm', { filename: 0xffff888012345000n });
  assert.equal(obj.program('on_exec').trigger({ args: [task, 9, bprm] }).retval, 0);
  assert.equal(obj.global('exec_first'), 0);
  assert.equal(text(obj.globalBytes('exec_file')), '');
});

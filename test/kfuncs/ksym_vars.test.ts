// Typed .ksyms variables (`extern const struct rq runqueues __ksym;`): resolved
// as VARs of the target BTF, typed by the verifier as the kernel types them
// (per-CPU: PTR_TO_BTF_ID | MEM_PERCPU; bpf_per_cpu_ptr/bpf_this_cpu_ptr return
// read-only memory or PTR_TO_BTF_ID of the variable's type), and backed by
// memory the runtime owns, one copy per simulated CPU.
//
// The recording kernel (6.18, CONFIG_KALLSYMS_ALL unset) has no address for
// any BTF variable: it refuses every typed ksym with -ENOENT (golden
// ksym_percpu.basic). tsbpf gives that same answer when told it has no such
// variables (ksymVars: []); the verdicts of an accepted program (types, NULL
// rules, the refusals below) follow kernel/bpf/verifier.c and btf.c and cannot
// be checked against this kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Runtime } from '../../src/index.js';
import { readGolden, repoRoot } from '../kernel/kernel.js';

const D = join(repoRoot, 'test', 'kfuncs');
const PERCPU = join(D, 'ksym_percpu.bpf.o');
const BAD = join(D, 'ksym_bad.bpf.o');
const vmlinux = (): Uint8Array => new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));

const globals = (obj: { global(n: string): unknown }, names: string[]): Record<string, unknown> =>
  Object.fromEntries(names.map((n) => [n, obj.global(n)]));
const NAMES = ['rq0_cpu', 'this_rq_is_this_cpu', 'far_cpu_null', 'active_size_ok', 'active_here', 'preempt_ptr_ok', 'rq_far_null'];

test('per-CPU ksyms: bpf_per_cpu_ptr / bpf_this_cpu_ptr reach the copy of each CPU; a CPU the runtime lacks is NULL', async () => {
  const rt = new Runtime({ cpus: 4 });
  const obj = await rt.loadObject(PERCPU);
  // bpf_prog_active of CPU 2, as a test sets kernel state
  new DataView(rt.ksymVars.bytes('bpf_prog_active', 2).buffer).setInt32(rt.ksymVars.bytes('bpf_prog_active', 2).byteOffset, 7, true);
  assert.equal(obj.program('percpu').run({ cpu: 2 }).retval, 0);
  assert.deepEqual(globals(obj, NAMES), {
    rq0_cpu: 0, this_rq_is_this_cpu: 1, far_cpu_null: 1, active_size_ok: 1, active_here: 7, preempt_ptr_ok: 1, rq_far_null: 1,
  });
  obj.program('percpu').run({ cpu: 1 });
  assert.equal(obj.global('active_here'), 0, 'CPU 1 has its own copy');
  assert.equal(obj.global('this_rq_is_this_cpu'), 1);
});

test('per-CPU ksyms: cpu == number of CPUs gives NULL, cpu - 1 does not', async () => {
  for (const [far, isNull] of [[3, 0], [4, 1]] as const) {
    const rt = new Runtime({ cpus: 4 });
    const obj = await rt.loadObject(PERCPU, { data: { far_cpu: far } });
    obj.program('percpu').run({});
    assert.equal(obj.global('far_cpu_null'), isNull, `bpf_per_cpu_ptr(&bpf_prog_active, ${far}) on 4 CPUs`);
  }
});

test('per-CPU ksyms with a user vmlinux BTF: struct rq laid out as that BTF says (rq->cpu at its offset)', async () => {
  const rt = new Runtime({ cpus: 2, btf: vmlinux() });
  const obj = await rt.loadObject(PERCPU);
  obj.program('percpu').run({ cpu: 1 });
  assert.deepEqual(globals(obj, NAMES), {
    rq0_cpu: 0, this_rq_is_this_cpu: 1, far_cpu_null: 1, active_size_ok: 1, active_here: 0, preempt_ptr_ok: 1, rq_far_null: 1,
  });
  // the live kernel's struct rq: 3584 bytes, cpu at byte 2984
  const rq1 = rt.ksymVars.bytes('runqueues', 1);
  assert.equal(rq1.length, 3584);
  assert.equal(new DataView(rq1.buffer, rq1.byteOffset, rq1.length).getInt32(2984, true), 1);
});

test('a kernel without the variables answers as the recording kernel does (-ENOENT at ldimm64, its log line)', async () => {
  const g = readGolden(join(D, 'ksym_percpu.basic.kernel.out'));
  const line = /verifier_error=(.*)/.exec(g.stdout)![1]!;
  assert.match(g.stdout, /errno=-ENOENT/);
  for (const btf of [undefined, vmlinux()]) {
    const rt = new Runtime({ ksymVars: [], ...(btf ? { btf } : {}) });
    await assert.rejects(rt.loadObject(PERCPU), (e: Error & { errno?: number }) => e.message === line && e.errno === -2);
  }
});

test('typed ksyms refused by the verifier with the kernel log lines', async () => {
  const cases: [string, string][] = [
    ['deref_percpu', 'R1 is ptr_int access percpu memory: off=0'],
    ['no_null_check', "R0 invalid mem access 'rdonly_mem_or_null'"],
    ['write_var', 'R0 cannot write into rdonly_mem'],
    ['not_percpu', 'R1 type=fp expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_'],
    ['past_end', 'R0 min value is outside of the allowed memory range'],
    ['write_rq', 'only read is supported'],
  ];
  for (const [prog, msg] of cases) {
    const rt = new Runtime();
    await assert.rejects(rt.loadObject(BAD, { programs: { [prog]: { autoload: true } } }),
      (e: Error & { errno?: number; log?: string }) => e.message === msg && e.errno === -13, prog);
  }
  // the past_end log names the access as check_mem_region_access does
  const rt = new Runtime();
  await assert.rejects(rt.loadObject(BAD, { programs: { past_end: { autoload: true } } }),
    (e: Error & { log?: string }) => (e.log ?? '').includes('invalid access to memory, mem_size=4 off=4 size=4'));
});

test("libbpf's type check of a typed ksym against the kernel's (same line as libbpf with the live vmlinux BTF)", async () => {
  const rt = new Runtime({ btf: vmlinux() });
  await assert.rejects(rt.loadObject(join(repoRoot, 'test', 'kernel', 'scenarios', 'ksym_incompat.bpf.o')),
    (e: Error & { errno?: number }) => e.message === "extern (var ksym) 'bpf_prog_active': incompatible types, expected [6] struct tsbpf_counter, but kernel has [21] int int"
      && e.errno === -22);
});

test('ksymVars names only variables tsbpf provides', () => {
  assert.throws(() => new Runtime({ ksymVars: ['jiffies'] }).ksymVars.has('runqueues'), /does not provide a kernel variable 'jiffies'/);
  const rt = new Runtime();
  assert.throws(() => rt.ksymVars.bytes('jiffies'), /not provided/);
  assert.equal(rt.ksymVars.bytes('runqueues', 0).length, 4, 'the built-in struct rq is the runtime\'s subset');
});

// tsbpf against the real kernel: every recorded kernel golden (*.kernel.out,
// written by test/kernel's libbpf runner on Linux 6.18) is replayed through
// `bin/tsbpf run` with the same steps, and the output must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listGoldens, readGolden, repoRoot } from '../kernel/kernel.js';

const TSBPF = join(repoRoot, 'bin', 'tsbpf');
const DIRS = ['test/kernel', 'test/timers-diff', 'test/timers-selftest', 'examples'];

function runTsbpf(args: string[]): Promise<{ stdout: string; status: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSBPF, 'run', ...args], { cwd: repoRoot, timeout: 60_000 }, (err, stdout) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout, status });
    });
  });
}

// Known differences, each with its reason. They run as `todo`: reported, never hidden.
const KNOWN: Record<string, string> = {
  'test/timers-diff/percpu_reject.load.kernel.out': 'libbpf retries map creation without BTF; the loader does not (issue 5)',
  'test/timers-diff/reject_tracing.load.kernel.out': 'verifier rule "tracing progs cannot use bpf_timer yet" not implemented (issue 5)',
  'test/timers-diff/zero_delay.basic.kernel.out':
    'the kernel runs softirqs (a 0 ns timer) inside a SEC("syscall") program; virtual time stands still during a run by design',
  'test/timers-diff/mim.inner-closed-first.kernel.out': 'inner-map user references: not yet modelled',
};

const goldens = DIRS.map((d) => join(repoRoot, d)).filter(existsSync).flatMap((d) => listGoldens(d));

test('kernel goldens exist', () => {
  assert.ok(goldens.length >= 10, `expected recorded kernel goldens, found ${goldens.length}`);
});

for (const path of goldens) {
  const g = readGolden(path);
  const rel = relative(repoRoot, path);
  const todo = KNOWN[rel];
  test(`same as the kernel: ${rel}`, todo ? { todo } : {}, async () => {
    const r = await runTsbpf([g.obj, ...g.args]);
    assert.equal(r.stdout, g.stdout, `tsbpf run ${g.obj} ${g.args.join(' ')}`);
    assert.equal(r.status, g.status);
  });
}

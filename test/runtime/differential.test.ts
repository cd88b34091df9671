// tsbpf against the real kernel: every recorded kernel golden (*.kernel.out,
// written by test/kernel's libbpf runner on Linux 6.18) is replayed through
// `bin/tsbpf run` with the same steps, and the output must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { kernelAvailable, listGoldens, readGolden, repoRoot, runKernelScenario } from '../kernel/kernel.js';

const TSBPF = join(repoRoot, 'bin', 'tsbpf');
const DIRS = ['test/kernel', 'test/timers-diff', 'test/timers-selftest', 'test/isolation', 'test/maps', 'test/vm/budget', 'test/tailcall', 'test/loader', 'examples'];

function runTsbpf(args: string[]): Promise<{ stdout: string; status: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSBPF, 'run', ...args], { cwd: repoRoot, timeout: 60_000 }, (err, stdout) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout, status });
    });
  });
}

// Known differences, each with its reason. They run as `todo`: reported, never hidden.
const KNOWN: Record<string, string> = {};

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

// Live: where the kernel is available, tsbpf is also compared with a fresh
// kernel run (not only the recorded golden) for the scenarios that once were
// known differences; TSBPF_LIVE=all does it for every golden above
// (test/kernel/runner.test.ts already checks each test/kernel scenario live).
const LIVE = new Set([
  'test/timers-diff/percpu_reject.load.kernel.out',
  'test/timers-diff/reject_tracing.load.kernel.out',
  'test/timers-diff/zero_delay.basic.kernel.out',
  'test/timers-diff/mim.inner-closed-first.kernel.out',
  'test/timers-diff/mim.close-inner.kernel.out',
  'test/isolation/stale_ptr.basic.kernel.out',
  'test/isolation/hash_update.basic.kernel.out',
  'test/isolation/lru_update.basic.kernel.out',
  'test/tailcall/dispatch.basic.kernel.out',
  'test/tailcall/mixed.load.kernel.out',
]);
const avail = kernelAvailable();
const liveSkip = avail.ok ? false : `live kernel not available: ${avail.why ?? '?'}`;
for (const path of goldens) {
  const rel = relative(repoRoot, path);
  if (KNOWN[rel] || !(process.env['TSBPF_LIVE'] === 'all' || LIVE.has(rel))) continue;
  test(`same as the live kernel: ${rel}`, { skip: liveSkip }, async () => {
    const g = readGolden(path);
    const t = await runTsbpf([g.obj, ...g.args]);
    // the kernel sleeps in real time; on a loaded host ask it again (up to 3 runs)
    let k = await runKernelScenario(g.obj, g.args);
    for (let i = 1; i < 3 && (k.stdout !== t.stdout || k.status !== t.status); i++) k = await runKernelScenario(g.obj, g.args);
    assert.equal(t.stdout, k.stdout, `tsbpf run ${g.obj} ${g.args.join(' ')} vs the kernel now`);
    assert.equal(t.status, k.status);
  });
}

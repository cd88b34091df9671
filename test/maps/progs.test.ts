// The program-side map scenarios (scenarios.ts): every golden exists and
// was recorded with the scenario's arguments; the kernel facts each is about;
// where the kernel is available, the live runner still gives the golden and
// tsbpf gives the same. TSBPF_UPDATE_GOLDEN=1 re-records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { kernelAvailable, kernelGolden, repoRoot, runKernelScenario, type Golden } from '../kernel/kernel.js';
import { MAP_SCENARIOS } from './scenarios.js';

const avail = kernelAvailable();
const liveSkip = avail.ok ? false : `live kernel not available: ${avail.why ?? '?'} (compared with the recorded goldens only)`;

function golden(name: string): Promise<Golden> {
  const s = MAP_SCENARIOS.find((x) => `${x.obj.replace(/^.*\//, '').replace(/\.bpf\.o$/, '')}.${x.name}` === name);
  assert.ok(s, `no scenario ${name}`);
  return kernelGolden(s.obj, s.name, s.args);
}

function runTsbpf(args: string[]): Promise<{ stdout: string; status: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'tsbpf'), 'run', ...args], { cwd: repoRoot, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout, status });
    });
  });
}

/** name=value lines after the last `dump` line */
function lastDump(stdout: string): Map<string, string> {
  const lines = stdout.split('\n');
  const vars = new Map<string, string>();
  for (const l of lines.slice(lines.lastIndexOf('dump') + 1)) {
    const eq = l.indexOf('=');
    if (eq > 0) vars.set(l.slice(0, eq), l.slice(eq + 1));
  }
  return vars;
}

for (const s of MAP_SCENARIOS) {
  const label = `${s.obj.replace(/^.*\//, '')} ${s.name}`;
  test(`golden ${label}: tsbpf run gives the kernel's answer`, async () => {
    const g = await kernelGolden(s.obj, s.name, s.args);
    const r = await runTsbpf([s.obj, ...s.args]);
    assert.equal(r.stdout, g.stdout);
    assert.equal(r.status, g.status);
  });
  test(`live kernel ${label} equals its golden`, { skip: liveSkip }, async () => {
    const g = await kernelGolden(s.obj, s.name, s.args);
    const r = await runKernelScenario(s.obj, s.args);
    assert.equal(r.stdout, g.stdout);
    assert.equal(r.status, g.status);
  });
}

test('golden ringbuf.output: what the kernel did', async () => {
  const g = await golden('ringbuf.output');
  assert.match(g.stdout, /^ringbuf:events records=6\nrecord len=0 data=\nrecord len=1 data=a0\n/m);
  const v = lastDump(g.stdout);
  assert.equal(v.get('r_out[5]'), '-22', 'a flag beyond NO_WAKEUP|FORCE_WAKEUP');
  assert.equal(v.get('q_out[1]'), '96', '6 records: 8-byte headers, samples rounded up to 8');
  assert.equal(v.get('q_out[2]'), '8192');
  assert.equal(v.get('q_out[5]'), '0', 'unknown query flag');
  assert.equal(v.get('fill_n'), '4', 'a 4096-byte ring takes four 1008-byte records');
  assert.equal(v.get('fill_err'), '-11', '-EAGAIN when full');
  assert.equal(v.get('q_fill[1]'), '8064', 'consumer position after two consumes');
  assert.equal(v.get('q_fill[2]'), '12096');
});

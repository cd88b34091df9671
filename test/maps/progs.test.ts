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

test('golden cgroup_storage.repeat: what the kernel did', async () => {
  const v = lastDump((await golden('cgroup_storage.repeat')).stdout);
  // repeat 3: each repetition finds what the one before left (hits += 3, per-CPU += 1)
  assert.deepEqual([0, 1, 2].map((i) => v.get(`seen_hits[${i}]`)), ['0', '3', '6']);
  assert.deepEqual([0, 1, 2].map((i) => v.get(`seen_pcpu[${i}]`)), ['0', '1', '2']);
  // the next test run: fresh, zeroed storage
  assert.equal(v.get('seen_hits[3]'), '0');
  assert.equal(v.get('after_hits[3]'), '10');
});

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

test('golden perf.output: what the kernel did', async () => {
  const g = await golden('perf.output');
  assert.match(g.stdout, /^perf:events records=7\nsample cpu=0 len=4 data=00000000\n/m);
  assert.match(g.stdout, /^sample cpu=0 len=20 data=b0b1b2000102030405060708090a0b0c0d0e0f00$/m, '16 packet bytes after 3 bytes of data, padded');
  assert.match(g.stdout, /^perf:events records=5\nlost cpu=0 count=2\n/m, 'lost samples announced before the next sample');
  const v = lastDump(g.stdout);
  assert.equal(v.get('r_out[6]'), '-2', 'empty slot');
  assert.equal(v.get('r_out[7]'), '-7', 'index past max_entries');
  assert.equal(v.get('r_out[8]'), '-22', 'flag bits past BPF_F_CTXLEN_MASK');
  assert.equal(v.get('r_out[10]'), '-14', 'ctx length past the packet');
  assert.equal(v.get('flood_err'), '-28', '-ENOSPC when the ring is full');
});

test('golden ringbuf.reserve: what the kernel did', async () => {
  const g = await golden('ringbuf.reserve');
  assert.match(g.stdout, /^ringbuf:events records=3\nrecord len=16 data=c0c1c2c3c4c5c6c7c8c9cacbcccdcecf\nrecord len=4 data=aaaaaaaa\nrecord len=4 data=bbbbbbbb\n/m,
    'the discarded record is skipped; a and b come in ring order although b was submitted first');
  const v = lastDump(g.stdout);
  assert.equal(v.get('rsv_res[0]'), '1', 'non-zero flags: NULL');
  assert.equal(v.get('rsv_res[1]'), '1', 'larger than the ring: NULL');
  assert.equal(v.get('rsv_q[0]'), '72', 'reserved (busy) and discarded records count as available data: 24 + 16 + 16 + 16');
});

test('golden lpm_bloom.helpers: what the kernel did', async () => {
  const v = lastDump((await golden('lpm_bloom.helpers')).stdout);
  assert.equal(v.get('upd[3]'), '-17', 'BPF_NOEXIST on an existing prefix');
  assert.equal(v.get('upd[5]'), '-2', 'BPF_EXIST on a new prefix');
  assert.equal(v.get('upd[6]'), '-22', 'prefix longer than the key');
  assert.equal(v.get('found[0]'), '300', '/24 beats /16 and /8');
  assert.equal(v.get('found[3]'), '1', 'the /0 default route');
  assert.equal(v.get('found[5]'), '202', 'after deleting the /24');
  assert.equal(v.get('bloom_push[0]'), '-22', 'a bloom filter push takes only BPF_ANY');
  assert.equal(v.get('bloom_peek[3]'), '0', 'a false positive of the kernel, reproduced');
});

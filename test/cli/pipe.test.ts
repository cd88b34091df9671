// A reader that closes the pipe early (`tsbpf ... | head -1`) ends tsbpf
// quietly with status 0, not with an unhandled EPIPE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../kernel/kernel.js';

test('tsbpf exits 0 and prints no error when stdout is closed early', async () => {
  const steps = Array.from({ length: 2000 }, () => 'dump');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'tsbpf'), 'run', 'test/kernel/scenarios/timer.bpf.o', ...steps], { cwd: repoRoot });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.once('data', () => child.stdout.destroy());
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.equal(stderr, '');
  assert.equal(status, 0);
});

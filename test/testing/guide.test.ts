// docs/testing.md's code, run exactly as written: the block is extracted,
// its `tsbpf` / `tsbpf/testing` imports pointed at this build, and run with
// node --test from the repository root. Its tests must all pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../kernel/kernel.js';

test('docs/testing.md: the guide\'s code runs and its tests pass', () => {
  const md = readFileSync(join(repoRoot, 'docs/testing.md'), 'utf8');
  const blocks = [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 1, 'one js block');
  const dist = (p: string): string => pathToFileURL(join(repoRoot, 'dist/src', p)).href;
  const code = blocks[0]!
    .replace(/from 'tsbpf\/testing'/g, `from '${dist('testing/index.js')}'`)
    .replace(/from 'tsbpf'/g, `from '${dist('index.js')}'`);
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-guide-'));
  try {
    const file = join(dir, 'guide.test.mjs');
    writeFileSync(file, code);
    // a child of a test file must not talk node's test-runner protocol to us
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const r = spawnSync(process.execPath, ['--test', file], { cwd: repoRoot, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^# pass 2$/m);
    assert.match(r.stdout, /^# fail 0$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

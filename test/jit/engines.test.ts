// Every engine runs the tests that run programs: the default engine runs the
// whole suite; this file runs the program-running test files again, in a
// child `node --test` with TSBPF_ENGINE set to the other engine (Runtime, the
// vm fixtures and the CLI all take their engine from it). One list, no copies
// of the tests: the vm tests, the kernel goldens and differential scenarios
// (kernel runner scenarios, timers-diff, isolation, tail calls), the timer
// selftest rewrites, the helper tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ENGINE, resolveEngine } from '../../src/jit/index.js';

const DIST_TEST = fileURLToPath(new URL('../', import.meta.url)); // dist/test
const FILES = [
  'vm', 'kernel', 'timers-selftest', 'tailcall', 'helpers',
  'runtime/differential.test.js', 'timers/trace.test.js', 'timers/due.test.js',
].map((f) => DIST_TEST + f);

const other = resolveEngine(undefined) === 'jit' ? 'interp' : 'jit';

test(`the program-running tests pass on the ${other} engine too (default here: ${resolveEngine(undefined)}, built-in default: ${DEFAULT_ENGINE})`, () => {
  const files = FILES.filter((f) => existsSync(f));
  assert.equal(files.length, FILES.length, `missing: ${FILES.filter((f) => !existsSync(f)).join(', ')}`);
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    // (without NODE_TEST_CONTEXT the child is a test run of its own, not a subtest stream)
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), TSBPF_ENGINE: other },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const count = (k: string): number => Number(out.split('\n').filter((l) => l.startsWith(`ℹ ${k} `)).at(-1)?.slice(k.length + 3) ?? NaN);
  const pass = count('pass');
  const fail = count('fail');
  console.log(`${other}: ${pass} passed, ${fail} failed, ${count('skipped')} skipped`);
  assert.equal(r.status, 0, out.split('\n').filter((l) => /✖|not ok|Error/.test(l)).slice(0, 40).join('\n'));
  assert.equal(fail, 0);
  assert.ok(pass >= 100, `only ${pass} tests ran on ${other}`);
});

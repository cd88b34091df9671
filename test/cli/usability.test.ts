// The command line as a new user meets it: --version, --help on every verb,
// the library's duration syntax, a clear failure when there is nothing to run,
// and disasm of the ELF objects clang writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../kernel/kernel.js';
import { scratch, tsbpf } from './cli.js';

test('tsbpf --version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const r = tsbpf('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `tsbpf ${pkg.version}\n`);
});

test('--help on every verb prints its usage and opens no file', () => {
  for (const verb of ['run', 'prog', 'map', 'asm', 'disasm', 'conformance']) {
    const r = tsbpf(verb, '--help');
    assert.equal(r.status, 0, `${verb}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: tsbpf ${verb}`), verb);
    assert.equal(r.stderr, '', verb);
  }
  const r = tsbpf('run', 'examples/ratelimit/ratelimit.bpf.o', '--help');
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stdout, /load=/);
});

test('tsbpf run takes the library duration syntax: 1.5ms, 2m, 1h', () => {
  const r = tsbpf('run', 'examples/ratelimit/ratelimit.bpf.o', 'run:setup', 'advance:1.5ms', 'advance:2m', 'advance:1h', 'dump');
  assert.equal(r.status, 0, r.stderr);
  // the 50 ms refill timer is periodic: 1.5 ms fires none, 2 min fires 2400 more, 1 h 72000 more
  assert.match(r.stdout, /^refills=74400$/m);
  const bad = tsbpf('run', 'examples/ratelimit/ratelimit.bpf.o', 'advance:-1ms');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad duration '-1ms'/);
});

test('tsbpf conformance DIR with no .data files fails with a message', () => {
  const dir = join(scratch, 'empty-conformance');
  mkdirSync(dir, { recursive: true });
  const r = tsbpf('conformance', dir);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no \.data test files/);
});

test('tsbpf disasm OBJ prints every program of an ELF object with prototypes and source lines', () => {
  const r = tsbpf('disasm', 'examples/ratelimit/ratelimit.bpf.o');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^syscall\/setup:\nint setup\(void \* ctx\):\n; int setup\(void \*ctx\)\n   0: \(b7\) r1 = 0\n/);
  assert.match(r.stdout, /^xdp\/limit:$/m);
  assert.match(r.stdout, /r1 = map\[bucket\]/);
  const l = tsbpf('disasm', '--linum', 'examples/ratelimit/ratelimit.bpf.o');
  assert.match(l.stdout, /\[file:\S*ratelimit\.bpf\.c line_num:\d+ line_col:\d+\]/);
});

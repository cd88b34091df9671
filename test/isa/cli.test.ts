import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFORMANCE_DIR, conformanceFiles } from './conformance-files.js';

const BIN = fileURLToPath(new URL('../../../bin/tsbpf', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'tsbpf-cli-'));

test('tsbpf asm prints one slot per line; --out writes bytecode; disasm reads it back', () => {
  const src = join(dir, 'p.s');
  writeFileSync(src, 'mov %r0, 1\nlddw %r1, 0x1122334455667788\nexit\n');
  const r = run('asm', src);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'b7 00 00 00 01 00 00 00\n18 01 00 00 88 77 66 55\n00 00 00 00 44 33 22 11\n95 00 00 00 00 00 00 00\n');
  const out = join(dir, 'p.bin');
  assert.equal(run('asm', src, '--out', out).status, 0);
  assert.equal(readFileSync(out).length, 32);
  const d = run('disasm', out);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(d.stdout, '0: (b7) r0 = 1\n1: (18) r1 = 0x1122334455667788\n3: (95) exit\n');
});

test('tsbpf asm reads the -- asm section of a conformance .data file', (t) => {
  if (!conformanceFiles()) { t.skip('conformance suite not found'); return; }
  const r = run('asm', join(CONFORMANCE_DIR, 'lddw.data'));
  assert.equal(r.status, 0, r.stderr);
  // lddw.data's own -- raw section: 0x5566778800000018 0x1122334400000000 0x95
  assert.equal(r.stdout, '18 00 00 00 88 77 66 55\n00 00 00 00 44 33 22 11\n95 00 00 00 00 00 00 00\n');
});

test('errors go to stderr with exit status 1', () => {
  const bad = join(dir, 'bad.s');
  writeFileSync(bad, 'mov %r0, 1\nfrob %r1\n');
  let r = run('asm', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /line 2: unknown mnemonic 'frob'/);
  assert.equal(r.stdout, '');
  r = run('asm');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /usage/);
  r = run('asm', join(dir, 'missing.s'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ENOENT/);
  const odd = join(dir, 'odd.bin');
  writeFileSync(odd, new Uint8Array(5));
  r = run('disasm', odd);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a multiple of 8/);
  const trunc = join(dir, 'trunc.bin');
  writeFileSync(trunc, new Uint8Array([0x18, 1, 0, 0, 0, 0, 0, 0]));
  r = run('disasm', trunc);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /second slot/);
});

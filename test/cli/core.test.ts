// The CLI's CO-RE options: `--btf FILE` (target BTF, e.g. a copy of
// /sys/kernel/btf/vmlinux) and `-d` (libbpf's CO-RE debug lines on stderr).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../kernel/kernel.js';
import { tsbpf } from './cli.js';

const DIR = 'test/btf/core';

test('tsbpf --btf FILE run: CO-RE against a vmlinux BTF gives the kernel\'s answer', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-btf-'));
  try {
    const vmlinux = join(tmp, 'vmlinux');
    writeFileSync(vmlinux, gunzipSync(readFileSync(join(repoRoot, DIR, 'vmlinux.btf.gz'))));
    const golden = readFileSync(join(repoRoot, DIR, 'core_const.run.kernel.out'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    const r = tsbpf('--btf', vmlinux, 'run', `${DIR}/core_const.bpf.o`, 'run:consts', 'dump');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, golden);
    // the same option after the command
    assert.equal(tsbpf('run', `${DIR}/core_const.bpf.o`, '--btf', vmlinux, 'run:consts', 'dump').stdout, golden);
    const missing = tsbpf('--btf', join(tmp, 'nope'), 'run', `${DIR}/core_const.bpf.o`);
    assert.notEqual(missing.status, 0);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^tsbpf: --btf .*nope: ENOENT/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.equal(tsbpf('--btf').status, 2);
});

test('tsbpf -d prog load: libbpf\'s CO-RE lines; a reachable poisoned instruction is refused as libbpf shows it', () => {
  const r = tsbpf('-d', 'prog', 'load', `${DIR}/core_pkt.bpf.o`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^libbpf: sec 'xdp': found 37 CO-RE relocations$/m);
  assert.match(r.stderr, /^libbpf: prog 'fields': relo #0: patched insn #8 \(LDX\/ST\/STX\) off 4 -> 8$/m);
  const bad = tsbpf('prog', 'load', `${DIR}/core_bad.bpf.o`);
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /^6: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation <byte_off> \[8\] struct iphdr___bad\.tsbpf_no_such_field \(0:1 @ offset 4\)$/m);
});

// Bounded inputs (issue 12.5): files are checked before they are read whole,
// non-regular files are refused with a clear error, repeat and time steps are
// bounded. Before, `tsbpf prog load /dev/zero` grew to 7-8 GB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { tsbpf, scratch } from './cli.js';
import { readInputFile, InputError, Runtime, TestRunError } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = 'test/isolation/stale_ptr.bpf.o';

test('non-regular files are refused before anything is read', () => {
  const cases: [string[], RegExp][] = [
    [['prog', 'load', '/dev/zero'], /object file '\/dev\/zero' is a character device, not a regular file/],
    [['disasm', '/dev/zero'], /'\/dev\/zero' is a character device/],
    [['asm', scratch], /is a directory, not a regular file/],
    [['prog', 'run', OBJ, 'del', 'data_in', '/dev/zero'], /data_in '\/dev\/zero' is a character device/],
    [['run', '/dev/urandom', 'dump'], /character device/],
  ];
  for (const [args, re] of cases) {
    const r = tsbpf(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('a file over the limit is refused by its size, without reading it (a 1 GiB sparse file)', () => {
  const big = join(scratch, 'sparse.o');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 1 << 30);
  closeSync(fd);
  const t0 = performance.now();
  const r = tsbpf('prog', 'load', big);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /is 1024 MiB, over the limit of 256 MiB/);
  assert.ok(performance.now() - t0 < 20_000);
  assert.throws(() => readInputFile(big, 'x', 1 << 20), (e: unknown) => e instanceof InputError && e.errno === -7);
  assert.equal(readInputFile(join(repoRoot, OBJ), 'object', 1 << 20).length > 0, true);
});

test('a BTF given by path is bounded like an object file (Runtime({ btf }) and --btf)', () => {
  assert.throws(() => new Runtime({ btf: '/dev/zero' }), (e: unknown) => e instanceof InputError && /BTF file '\/dev\/zero' is a character device/.test(e.message));
  const big = join(scratch, 'sparse.btf');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 1 << 30);
  closeSync(fd);
  assert.throws(() => new Runtime({ btf: big }), (e: unknown) => e instanceof InputError && e.errno === -7 && /over the limit of 256 MiB/.test(e.message));
  assert.throws(() => new Runtime({ btf: join(repoRoot, OBJ), maxObjectBytes: 100 }), /over the limit of 100 bytes/);
  const r = tsbpf('--btf', '/dev/zero', 'run', OBJ, 'dump');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /character device/);
});

test('repeat and time steps are bounded', async () => {
  const r = tsbpf('run', OBJ, '--clock', 'real', 'sleep:99999999999999');
  assert.match(r.stderr, /limit is 3600 s/);
  assert.equal(r.status, 2);
  assert.match(tsbpf('run', OBJ, 'advance:99999999999999999999999s').stderr, /bad duration/);
  assert.match(tsbpf('run', OBJ, 'advance:9999999999999999999s').stderr, /over KTIME_MAX/);
  const rt = new Runtime({ maxRepeat: 10 });
  const obj = await rt.loadObject(join(repoRoot, 'test/tailcall/dispatch.bpf.o'));
  try {
    const p = obj.program('stage_drop');
    const data = new Uint8Array(64);
    assert.equal(p.run({ data, repeat: 10 }).retval, 1);
    assert.throws(() => p.run({ data, repeat: 11 }), (e: unknown) => e instanceof TestRunError && e.errno === -22);
    assert.throws(() => p.run({ data, repeat: 2 ** 32 }), (e: unknown) => e instanceof TestRunError && e.errno === -22);
  } finally {
    obj.close();
  }
});

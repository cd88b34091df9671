import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EINVAL, ENOSPC } from '../../src/uapi/errno.js';
import { call, errno, fixture, type Fixture } from './fixture.js';

const enc = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

function printk(f: Fixture, fmt: string, args: (number | bigint)[] = [], size?: number): bigint {
  const p = f.place(enc(fmt));
  return call(f, 6, [p, size ?? fmt.length, ...args]);
}

test('trace_printk formats integers, chars and %% and returns the length', () => {
  const f = fixture();
  const cases: [string, (number | bigint)[], string][] = [
    ['hello\n\0', [], 'hello\n'],
    ['%d %i %u\0', [-5, 0xffffffff, -1], '-5 -1 4294967295'],
    ['%ld %lld\0', [-5, 1n << 40n], '-5 1099511627776'],
    ['%lu %llu\0', [-1, 7], '18446744073709551615 7'],
    ['%x %X %lx\0', [0xdeadbeefcafen, 0xab, -1], 'beefcafe AB ffffffffffffffff'],
    ['%llx %08x\0', [0x10, 0xabc], '10 00000abc'],
    ['[%5d|%-5d|%05d]\0', [42, 42, -42], '[   42|42   |-0042]'],
    ['%+d % d %c%%\0', [3, 4, 0x41], '+3  4 A%'],
  ];
  for (const [fmt, args, want] of cases) {
    f.lines.length = 0;
    assert.equal(printk(f, fmt, args), BigInt(want.length), fmt);
    assert.deepEqual(f.lines, [want], fmt);
  }
});

test('trace_printk %s reads the arena, %p prints the address, %pI4/%pi6 format IPs', () => {
  const f = fixture();
  const s = f.place(enc('world\0'));
  assert.equal(printk(f, 'hi %s!\0', [s]), 9n);
  assert.deepEqual(f.lines, ['hi world!']);
  f.lines.length = 0;
  printk(f, '[%8s]\0', [s]);
  printk(f, '<%s>\0', [0]); // a bad pointer prints as ""
  printk(f, '%p %px\0', [0x1234, 0x10]);
  const ip = f.place([10, 0, 0, 1]);
  printk(f, '%pI4 %pi4\0', [ip, ip]);
  const ip6 = f.place([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  printk(f, '%pI6\0', [ip6]);
  assert.deepEqual(f.lines, [
    '[   world]', '<>', '0000000000001234 0000000000000010', '10.0.0.1 010.000.000.001',
    '2001:0db8:0000:0000:0000:0000:0000:0001',
  ]);
});

test('trace_printk -EINVAL: no NUL within size, bad conversions, >3 args, non-printable', () => {
  const f = fixture();
  const bad = [
    'abc',            // no NUL
    '%d %d %d %d\0',  // 4 conversions, 3 args
    '%f\0', '%hd\0', '%5.2d\0', '%*d\0', '%lc\0', '%ls\0', '%lp\0', '%pa\0', '%pI5\0',
    '%\0',            // lone % at the end
    '%sabc\0',        // %s must be followed by space, punctuation or the end
    'bell\x07\0',     // not printable
    'caf\xe9\0',      // not ascii
  ];
  for (const fmt of bad) {
    f.lines.length = 0;
    assert.equal(printk(f, fmt, [1, 2, 3]), errno(EINVAL), JSON.stringify(fmt));
    assert.deepEqual(f.lines, [], JSON.stringify(fmt));
  }
  // the NUL must be within fmt_size: the same bytes with size one short fail
  assert.equal(printk(f, 'ok\0', [], 2), errno(EINVAL));
  assert.equal(printk(f, 'ok\0', [], 3), 2n);
  // text after the NUL is ignored
  assert.equal(printk(f, 'a\0%f', [], 4), 1n);
});

test('trace_printk: %s shares the 512-byte bin_args buffer (-ENOSPC when it is full); the line stops at 1023 bytes', () => {
  const f = fixture();
  const long = f.place(enc('x'.repeat(400) + '\0'));
  // the second string gets the 111 bytes left: 110 chars and its NUL
  assert.equal(printk(f, '%s%s\0', [long, long]), 510n);
  assert.equal(f.lines[0], 'x'.repeat(510));
  assert.equal(printk(f, '%s%s%s\0', [long, long, long]), errno(ENOSPC));
  f.lines.length = 0;
  // bstr_printf returns the untruncated length
  assert.equal(printk(f, '%1000d%100d\0', [1, 2]), 1100n);
  assert.equal(f.lines[0]!.length, 1023);
  assert.equal(f.lines[0], ' '.repeat(999) + '1' + ' '.repeat(23));
});

test('trace_printk through the interpreter with a stack format string', () => {
  const f = fixture();
  const vm = f.load(`
    stdw [%r10-8], 0x0a6425      ; "%d\\n\\0"
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    mov %r3, -7
    call 6
    exit`.replace(/ *;.*$/m, ''));
  assert.equal(vm.run(0), 3n);
  assert.deepEqual(f.lines, ['-7\n']);
});

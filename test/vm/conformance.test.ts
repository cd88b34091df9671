import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/conformance.js';
import { ENGINE_KINDS } from '../../src/jit/index.js';
import { ConformanceParseError, parseConformance, runConformanceDir, runConformanceTest } from '../../src/vm/conformance.js';

// dist/test/vm -> repo root -> ../shared/conformance/tests
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUITE = process.env['TSBPF_CONFORMANCE_DIR'] ?? join(ROOT, '..', 'shared', 'conformance', 'tests');

for (const engine of ENGINE_KINDS) {
  test(`bpf_conformance suite on the ${engine} engine: 313 passed, 0 failed`, { skip: existsSync(SUITE) ? false : `suite not found at ${SUITE}` }, () => {
    const out = runConformanceDir(SUITE, { engine });
    const failed = out.filter((o) => !o.passed);
    assert.deepEqual(failed.map((f) => `${f.name}: ${f.reason}`), []);
    assert.equal(out.length, 313);
  });
}

test('parser: raw wins over asm, mem bytes, result, ignored sections', () => {
  const t = parseConformance(`# comment
-- asm
mov %r0, 1
exit
-- raw
0x00000002000000b7
0x0000000000000095
-- mem
00 01 ff
-- c
int main() { return 0; }
-- no register offset
call instruction
-- result
0x2
`, 'x.data');
  assert.equal(t.raw?.length, 2);
  assert.deepEqual(t.raw![0], { code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 });
  assert.deepEqual([...t.mem], [0, 1, 0xff]);
  assert.equal(t.result, 2n);
  assert.equal(runConformanceTest(t).passed, true);
});

test('parser: errors are ConformanceParseError', () => {
  assert.throws(() => parseConformance('-- asm\nexit\n'), ConformanceParseError); // no result
  assert.throws(() => parseConformance('-- asm\nexit\n-- result\nzz\n'), ConformanceParseError);
  assert.throws(() => parseConformance('-- asm\nexit\n-- mem\n1g\n-- result\n0\n'), ConformanceParseError);
  assert.throws(() => parseConformance('-- bogus\n-- result\n0\n'), ConformanceParseError);
});

test('runner: r1 = memory, r2 = its length; wrong results and crashes fail with a reason', () => {
  const ok = runConformanceTest(parseConformance('-- asm\nldxb %r0, [%r1+2]\nadd %r0, %r2\nexit\n-- mem\n00 00 05\n-- result\n8\n'));
  assert.equal(ok.passed, true);
  const wrong = runConformanceTest(parseConformance('-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n'));
  assert.equal(wrong.passed, false);
  assert.match(wrong.reason!, /r0 = 0x1, expected 0x2/);
  const crash = runConformanceTest(parseConformance('-- asm\nldxb %r0, [%r1]\nexit\n-- result\n0\n'));
  assert.equal(crash.passed, false);
  assert.match(crash.reason!, /VmError: insn 0: invalid read/);
  const badAsm = runConformanceTest(parseConformance('-- asm\nfrob %r0\nexit\n-- result\n0\n'));
  assert.equal(badAsm.passed, false);
  assert.match(badAsm.reason!, /AsmError/);
});

test('runner: an -- error test passes only when the program fails', () => {
  assert.equal(runConformanceTest(parseConformance('-- asm\nmov %r0, 0\nja -2\n-- error\nloop\n')).passed, true);
  assert.equal(runConformanceTest(parseConformance('-- asm\nmov %r0, 0\nexit\n-- error\nx\n')).passed, false);
  // malformed raw bytecode is caught by validation
  assert.equal(runConformanceTest(parseConformance('-- raw\n0x00000000000000ff\n-- error\nbad\n')).passed, true);
});

test('cli: one line per failure and the N passed, M failed summary; exit 1 on failure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-conf-'));
  writeFileSync(join(dir, 'good.data'), '-- asm\nmov %r0, 3\nexit\n-- result\n3\n');
  writeFileSync(join(dir, 'bad.data'), '-- asm\nmov %r0, 3\nexit\n-- result\n4\n');
  const lines: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { lines.push(s); return true; }) as typeof process.stdout.write;
  let rc: number;
  try { rc = await main([dir]); } finally { process.stdout.write = orig; }
  const text = lines.join('');
  assert.equal(rc, 1);
  assert.match(text, /^FAIL bad\.data: r0 = 0x3, expected 0x4$/m);
  assert.match(text, /^1 passed, 1 failed$/m);
  assert.doesNotMatch(text, /good\.data/);
  assert.equal(await main([join(dir, 'nope')]), 2);
});

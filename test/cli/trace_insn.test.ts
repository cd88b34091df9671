// tsbpf run --trace-insn: each executed instruction, in the kernel's log
// notation, with the registers it changed and the C source from line_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tsbpf } from './cli.js';

const OBJ = 'test/kernel/scenarios/timer.bpf.o';

test('--trace-insn prints each instruction with its changed registers and source lines', () => {
  const r = tsbpf('run', '--trace-insn', OBJ, 'run:arm', 'advance:1ms', 'dump');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const runAt = lines.indexOf('run:arm retval=2');
  assert.ok(runAt > 0, r.stdout);
  // the program's instructions come before its result line
  const prog = lines.slice(0, runAt).filter((l) => l.startsWith('insn: arm '));
  assert.ok(prog.includes('insn: arm ; int key = 0; @ timer.bpf.c:41'), prog.join('\n'));
  assert.ok(prog.some((l) => /^insn: arm \d+: \(b7\) r2 = 1000000 +; R2=0xf4240$/.test(l)), prog.join('\n'));
  assert.ok(prog.some((l) => /^insn: arm \d+: \(85\) call bpf_timer_start#171$/.test(l)));
  assert.ok(prog.some((l) => /^insn: arm \d+: \(18\) r1 = map\[id:\d+\] +; R1=0x[0-9a-f]+$/.test(l)));
  assert.equal(prog.at(-1)?.replace(/^insn: arm \d+: /, ''), '(95) exit');
  // the timer callback fires during advance:1ms, named as the subprogram it is
  const after = lines.slice(runAt + 1, lines.indexOf('dump'));
  assert.ok(after.length > 0 && after.every((l) => l.startsWith('insn: arm/timer_cb ')), after.join('\n'));
  assert.ok(after.includes('insn: arm/timer_cb ; fired++; @ timer.bpf.c:33'));
  assert.ok(lines.includes('fired=1'));
});

test('--trace-insn with --json gives one record per instruction', () => {
  const r = tsbpf('run', '--json', '--trace-insn', OBJ, 'run:arm');
  assert.equal(r.status, 0, r.stderr);
  const recs = JSON.parse(r.stdout) as Record<string, unknown>[];
  const insns = recs.filter((x) => 'insn' in x).map((x) => x.insn as { prog: string; pc: number; text: string; changed: Record<string, string> });
  assert.ok(insns.length > 20);
  const set = insns.find((i) => i.text === '(b7) r2 = 1000000')!;
  assert.deepEqual(set.changed, { r2: '0xf4240' });
  assert.equal(insns.at(-1)!.text, '(95) exit');
});

test('without --trace-insn nothing is traced', () => {
  const r = tsbpf('run', OBJ, 'run:arm');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes('insn:'));
  assert.match(tsbpf('run', '--help').stdout + tsbpf('run', '--help').stderr, /--trace-insn/);
});

test('--trace-insn picks the interpreter, and refuses an explicit --engine jit before loading', () => {
  const r = tsbpf('--engine', 'jit', 'run', '--trace-insn', OBJ, 'run:arm');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--trace-insn needs the interpreter \(--engine interp\), not --engine jit/);
});

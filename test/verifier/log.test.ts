// tsbpf's verifier log against the kernel's (6.18), at levels 1 and 2, for
// the programs recorded by record_logs.sh (logs/*.levelN.log). Only the map
// addresses of ld_imm64 lines are normalised (the kernel prints its pointers).
//
// What is identical, and what is not (see the NOT_IDENTICAL table):
// - level 1: every line of every recorded program (bpf_loop callbacks too:
//   both verify an iteration as a branch queued at the call);
// - level 2: the func#/Live regs tables, instruction lines, state lines,
//   "from N to M" and "safe" lines, C source lines and stats, except that
//   tsbpf prints no precision backtracking ("mark_precise: ...": tsbpf marks
//   precision conservatively, without the backtracking walk) and no stack
//   liveness lines ("(0) frame 0 insn 9 +live -8", kernel/bpf/liveness.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { VerifierError } from '../../src/verifier/index.js';
import { LOGS_DIR, finalLines, insnLines, normalize, ourLog, recordedLogs, sameFraction } from './log_fixtures.js';
import { loadRecords } from './corpus.js';

const cases = recordedLogs();

/** Logs not identical to the kernel's: the smallest fraction of the kernel's lines tsbpf has (measured, rounded down). */
const NOT_IDENTICAL: Record<string, number> = {
  // callbacks: mark_precise lines, stack liveness lines, and the id the kernel gives
  // a scalar the callback spills to the caller's stack ("fp-8=scalar(id=1,...)")
  'general.bpf_loop_callback_bad_ret.2': 0.65,
  'general.bpf_loop_ok.2': 0.6,
  // mark_precise lines (precision backtracking) and the state line they push down
  'general.cfg_dead_branch_ok.2': 0.75,
  'general.cfg_infinite_loop.2': 0.85,
  'general.map_value_var_ok.2': 0.65,
  'general.map_value_var_unbounded.2': 0.7,
  // stack liveness lines ("(0) frame 0 insn 4 +live -8", "live stack update done")
  'general.map_count_ok.2': 0.8,
  'general.spin_lock_ok.2': 0.9,
  'general.stack_uninit_read_ok.2': 0.8,
  'simple.spill_fill.2': 0.65,
};

/** Programs the kernel rejects: the corpus records, and the one rejected fixture. */
const rejected = new Set([
  ...loadRecords().filter((r) => r.file === 'general.kernel.json' && r.errno !== 0).map((r) => `general.${r.name}`),
  'simple.pkt_oob',
]);

test('recorded kernel logs are present for both levels', () => {
  assert.ok(cases.length >= 80, `only ${cases.length} recorded logs`);
  for (const c of cases.filter((x) => x.level === 1)) {
    assert.ok(cases.some((x) => x.obj === c.obj && x.prog === c.prog && x.level === 2), `${c.obj}.${c.prog} has no level-2 log`);
  }
});

let identical = 0;
for (const c of cases) {
  const key = `${c.obj}.${c.prog}.${c.level}`;
  test(`log level ${c.level}: ${c.obj}.${c.prog}`, () => {
    const kernel = normalize(c.kernel);
    const ours = normalize(ourLog(c.obj, c.prog, c.level));
    const min = NOT_IDENTICAL[key];
    if (min === undefined) {
      assert.deepEqual(ours, kernel);
      identical++;
      return;
    }
    const f = sameFraction(kernel, ours);
    assert.ok(f >= min, `${key}: ${f.toFixed(3)} of the kernel's lines, expected at least ${min}`);
    assert.ok(f < 1, `${key} is identical now: take it off NOT_IDENTICAL`);
    // every program is verified along the kernel's paths: the instruction lines are the same
    assert.deepEqual(insnLines(ours), insnLines(kernel), 'instruction lines');
    if (rejected.has(`${c.obj}.${c.prog}`)) assert.equal(finalLines(ours)[0], finalLines(kernel)[0], 'error line');
  });
}

test('identical logs: the count holds', () => {
  // every case outside NOT_IDENTICAL passed deepEqual above
  assert.equal(identical, cases.length - Object.keys(NOT_IDENTICAL).length);
  assert.ok(identical >= 70, `${identical} identical logs`);
});

test('level 1 of an accepted program is the stats line alone; level 2 lists subprograms and live registers', () => {
  const l1 = normalize(ourLog('simple', 'one_branch', 1));
  assert.deepEqual(l1, ['processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0']);
  const l2 = normalize(ourLog('simple', 'one_branch', 2));
  assert.equal(l2[0], 'func#0 @0');
  assert.equal(l2[1], 'Live regs before insn:');
  assert.equal(l2[2], '      0: .1........ (61) r1 = *(u32 *)(r1 +16)');
});

test('loadObject throws a VerifierError carrying the kernel-identical level-1 log with C source lines', async () => {
  const rt = new Runtime();
  const err = await rt.loadObject(join(LOGS_DIR, 'simple.bpf.o')).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof VerifierError, `expected a VerifierError, got ${String(err)}`);
  assert.equal(err.message, 'R2 offset is outside of the packet');
  const kernel = readFileSync(join(LOGS_DIR, 'simple.pkt_oob.level1.log'), 'utf8');
  assert.deepEqual(normalize(err.log), normalize(kernel));
  assert.ok(err.log.includes('; return ((volatile unsigned char *)p)[4]; @ simple.bpf.c:65\n5: (71) r0 = *(u8 *)(r2 +0)\n'));
});

// The kernel's timer selftests (prog_tests/timer.c, timer_mim.c) as tsbpf
// tests: every assertion of the originals, against our rewrites of their BPF
// programs (see README.md), on both clocks. The virtual clock advances
// exactly; the real clock waits on the event loop for the outcome, bounded
// (REAL_BOUND_MS) so a slow machine does not hang the suite — the assertions
// are about what happened, never about how long it took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/runtime/runtime.js';
import type { BpfObject } from '../../src/runtime/loader.js';
import { readGolden, repoRoot } from '../kernel/kernel.js';

const DIR = join(repoRoot, 'test/timers-selftest');
const CLOCKS = ['virtual', 'real'] as const;
type ClockKind = (typeof CLOCKS)[number];
/** how long the real clock may take to reach an outcome the kernel reaches in ~1-10 ms */
const REAL_BOUND_MS = 3000;

const num = (obj: BpfObject, name: string): number => Number(obj.global(name) as number | bigint);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lets `ms` of time pass: exactly (virtual), or at least that long (real). */
async function pass(rt: Runtime, ms: number): Promise<void> {
  if (rt.clock.kind === 'virtual') rt.virtualClock.advance(BigInt(ms) * 1_000_000n);
  else await sleep(ms);
}

/**
 * Virtual: advance `ms`, then `done` must hold. Real: poll until `done`
 * holds, at most REAL_BOUND_MS (then the caller's assertions report what
 * was reached).
 */
async function settle(rt: Runtime, ms: number, done: () => boolean): Promise<void> {
  if (rt.clock.kind === 'virtual') {
    await pass(rt, ms);
    return;
  }
  const end = Date.now() + REAL_BOUND_MS;
  while (!done() && Date.now() < end) await sleep(5);
}

async function load(clock: ClockKind, file: string): Promise<{ rt: Runtime; obj: BpfObject }> {
  const rt = new Runtime({ clock });
  const obj = await rt.loadObject(join(DIR, file));
  return { rt, obj };
}

/** Drops the object's references (the uref drop cancels every timer) and lets the process exit. */
function finish(rt: Runtime, obj: BpfObject): void {
  obj.close();
  rt.unref();
  assert.equal(rt.stats().armedTimers, 0, 'closing the object cancelled every timer');
}

for (const clock of CLOCKS) {
  test(`prog_tests/timer.c on the ${clock} clock: test1..test5 and their callbacks`, async () => {
    const { rt, obj } = await load(clock, 'timer.bpf.o');
    try {
      // before any run (the original's callback_check1 / callback2_check1)
      assert.equal(num(obj, 'callback_check'), 52);
      assert.equal(num(obj, 'callback2_check'), 52);
      for (const p of ['test1', 'test2', 'test3', 'test4', 'test5']) {
        assert.equal(obj.program(p).run().retval, 0, `${p} retval`);
      }
      const final = (): Record<string, number> => ({
        callback_check: num(obj, 'callback_check'),
        callback2_check: num(obj, 'callback2_check'),
        bss_data: num(obj, 'bss_data'),
        abs_data: num(obj, 'abs_data'),
        pinned_callback_check: num(obj, 'pinned_callback_check'),
        err: num(obj, 'err'),
        ok: num(obj, 'ok'),
      });
      const want = { callback_check: 42, callback2_check: 42, bss_data: 10, abs_data: 12, pinned_callback_check: 2, err: 0, ok: 7 };
      await settle(rt, 50, () => JSON.stringify(final()) === JSON.stringify(want));
      // callback_check 52 -> 42: the hash timer ran 10 times; callback2_check
      // likewise for the no-prealloc hash; bss_data: array + LRU callbacks;
      // abs_data: the absolute timer twice; both CPU-pinned timers ran on
      // their CPU; err 0; ok = 1 | 2 | 4
      assert.deepEqual(final(), want);
      assert.deepEqual(rt.asyncErrors, []);
    } finally {
      finish(rt, obj);
    }
  });

  test(`prog_tests/timer.c on the ${clock} clock: the race program`, async () => {
    const { rt, obj } = await load(clock, 'timer.bpf.o');
    try {
      const race = obj.program('race');
      for (let i = 0; i < 3; i++) assert.equal(race.run().retval, 0);
      await pass(rt, 20);
      assert.equal(race.run().retval, 0);
      // it only starts and cancels: no other timer moved, nothing failed
      assert.equal(num(obj, 'err'), 0);
      assert.equal(num(obj, 'callback_check'), 52);
      assert.deepEqual(rt.asyncErrors, []);
    } finally {
      finish(rt, obj);
    }
  });

  test(`prog_tests/timer_mim.c on the ${clock} clock: a timer in an inner map runs until the inner map's uref goes`, async () => {
    const { rt, obj } = await load(clock, 'timer_mim.bpf.o');
    try {
      const snap = obj.program('snap');
      assert.equal(obj.program('test1').run().retval, 0);
      // the two callbacks keep handing the timer to each other: the counter moves
      await settle(rt, 20, () => num(obj, 'ok') === 3);
      assert.equal(snap.run().retval, 0);
      await settle(rt, 20, () => {
        snap.run();
        return num(obj, 'moved') === 1;
      });
      assert.equal(num(obj, 'moved'), 1, 'cnt grows while the inner map is held');
      assert.equal(num(obj, 'err'), 0);
      assert.equal(num(obj, 'ok'), 3, 'ok = 1 | 2: both callbacks ran');
      // the original closes the inner map's fd: its last uref goes, which
      // cancels its timers although the outer map still references it
      obj.map('inner_htab').close();
      assert.equal(rt.stats().armedTimers, 0);
      assert.equal(snap.run().retval, 0);
      await pass(rt, 20);
      assert.equal(snap.run().retval, 0);
      assert.equal(num(obj, 'moved'), 0, 'cnt stopped');
      assert.equal(num(obj, 'err'), 0);
      assert.equal(num(obj, 'ok'), 3);
      assert.deepEqual(rt.asyncErrors, []);
    } finally {
      finish(rt, obj);
    }
  });

  test(`prog_tests/timer_mim.c on the ${clock} clock: timer_mim_reject does not load`, async () => {
    const g = readGolden(join(DIR, 'timer_mim_reject.load.kernel.out'));
    const want = /^verifier_error=(.*)$/m.exec(g.stdout)![1]!;
    const rt = new Runtime({ clock });
    await assert.rejects(rt.loadObject(join(DIR, 'timer_mim_reject.bpf.o')), (e: Error & { errno?: number }) => {
      assert.equal(e.message, want);
      assert.equal(e.errno, -22);
      return true;
    });
    assert.equal(rt.stats().maps, 0, 'a rejected load leaves no map behind');
    rt.unref();
  });
}

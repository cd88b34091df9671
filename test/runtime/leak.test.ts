// Quick variant of bench/leak.ts (a correctness check, not timed): 20 000
// bpf_timer init/start/cancel/delete cycles with object reloads and closes
// while timers are armed leave no maps, programs, timers or arena bytes.
// The million-cycle version with memory sampling: node --expose-gc dist/bench/leak.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLeak } from '../../bench/leak.js';

const ZERO = { maps: 0, programs: 0, timers: 0, armedTimers: 0, timerProgRefs: 0, arenaBytes: 0, arenaBlocks: 0 };

test('20 000 timer life cycles on the virtual clock: stats and arena back to zero after every close', async () => {
  const rep = await runLeak({ cycles: 20_000, reload: 5_000, checkpoints: [5_000, 10_000, 15_000, 20_000] });
  assert.equal(rep.samples.length, 4);
  for (const s of rep.samples) assert.deepEqual(s.stats, ZERO, `after the close at cycle ${s.cycle}`);
  assert.deepEqual(rep.final, ZERO);
  assert.equal(rep.reloads, 4);
  assert.equal(rep.asyncErrors, 0);
  // every kind of cycle happened: callbacks fired, armed timers were cancelled, user space deleted and overwrote
  assert.ok(rep.fired > 5_000, `fired ${rep.fired}`);
  assert.equal(rep.cancelled, 5_000); // kinds 0 and 1 cancel an armed timer: 2 of every 8 cycles
  assert.equal(rep.userDeletes, 2_500);
  assert.equal(rep.userUpdates, 2_500);
});

test('2 000 timer life cycles on the real clock: nothing left after close with armed timers', async () => {
  const rep = await runLeak({ cycles: 2_000, reload: 1_000, checkpoints: [1_000, 2_000], clock: 'real' });
  for (const s of rep.samples) assert.deepEqual(s.stats, ZERO, `after the close at cycle ${s.cycle}`);
  assert.deepEqual(rep.final, ZERO);
  assert.equal(rep.asyncErrors, 0);
});

// The instruction trace: rt.on('insn') reports every executed instruction,
// after it ran, with the registers it changed; off, the run is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime, formatInsnEvent, VmError, type InsnEvent } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';

const TIMER = join(repoRoot, 'test/kernel/scenarios/timer.bpf.o');
const MISC = join(repoRoot, 'test/kernel/scenarios/helpers_misc.bpf.o');

test('every executed instruction is reported once, in order, with the registers it changed', async () => {
  const rt = new Runtime({ engine: 'interp' });
  const clock = rt.virtualClock;
  const obj = await rt.loadObject(TIMER);
  const events: InsnEvent[] = [];
  const off = rt.on('insn', (e) => events.push(e));
  const r = obj.program('arm').run({ data: new Uint8Array(64) });
  assert.equal(r.retval, 2);
  assert.equal(events.length, r.insns, 'one event per executed instruction');
  assert.ok(events.every((e) => e.prog === 'arm' && e.level === 0));
  // straight-line code: each event's pc follows the previous one (ld_imm64 takes two slots)
  const insns = obj.program('arm').insns;
  for (let i = 1; i < events.length; i++) {
    const prev = events[i - 1]!;
    const step = insns[prev.pc]!.code === 0x18 ? 2 : 1;
    if (insns[prev.pc]!.code === 0x15) continue; // the NULL check jumps when the lookup fails
    assert.equal(events[i]!.pc, prev.pc + step, `after ${prev.pc}`);
  }
  // `r2 = 1000000` (the 1 ms expiry) changes r2 to that value and nothing else
  const set = events.find((e) => e.text === '(b7) r2 = 1000000')!;
  assert.deepEqual(set.changed, [{ reg: 2, value: 1_000_000n }]);
  assert.equal(formatInsnEvent(set), `${set.pc}: (b7) r2 = 1000000                  ; R2=0xf4240`);
  // the last instruction is the exit, after r0 = 2 was set
  assert.equal(events.at(-1)!.text, '(95) exit');
  assert.deepEqual(events.at(-2)!.changed, [{ reg: 0, value: 2n }]);

  // the timer callback the run armed is traced when it fires, as its own run
  events.length = 0;
  clock.advance('1ms');
  assert.ok(events.length > 0, 'the callback ran traced');
  assert.equal(events.at(-1)!.text, '(95) exit');
  // fired++: the counter is loaded as 0 and incremented to 1 (r0 starts at 0, so `r0 = 0` changes nothing)
  const inc = events.find((e) => /^\(07\) r\d \+= 1$/.test(e.text))!;
  assert.equal(inc.changed.length, 1);
  assert.equal(inc.changed[0]!.value, 1n);
  assert.deepEqual(events.at(-2)!.changed, []);

  // unsubscribed: nothing more, and the same run gives the same answer
  off();
  const again = obj.program('arm').run({ data: new Uint8Array(64) });
  const before = events.length;
  clock.advance('1ms');
  assert.equal(events.length, before);
  assert.equal(again.retval, 2);
  assert.equal(again.insns, r.insns);
  obj.close();
});

test('bpf_loop callbacks are reported one level deeper; tracing does not change results', async () => {
  const plain = new Runtime({ engine: 'interp' });
  const o1 = await plain.loadObject(MISC);
  const r1 = o1.program('loop').run();
  const rloop1 = o1.global('rloop');

  const rt = new Runtime({ engine: 'interp' });
  const o2 = await rt.loadObject(MISC);
  const events: InsnEvent[] = [];
  rt.on('insn', (e) => events.push(e));
  const r2 = o2.program('loop').run();
  assert.equal(r2.retval, r1.retval);
  assert.deepEqual(o2.global('rloop'), rloop1, 'the same results traced and untraced');
  assert.equal(events.length, r2.insns);
  const cb = events.filter((e) => e.level === 1);
  // count_cb runs 5 + 1024 times, stop_cb 3 times (and the inlined calls run inline, at level 0)
  const exits = cb.filter((e) => e.text === '(95) exit').length;
  assert.ok(exits >= 5 + 3 + 1024, `callback exits: ${exits}`);
  assert.ok(events.some((e) => e.level === 0 && e.text.includes('call bpf_loop#181')));
  o1.close();
  o2.close();
});

test('a run that fails reports its last instruction as faulted', async () => {
  const rt = new Runtime({ engine: 'interp', maxInsns: 50 });
  const obj = await rt.loadObject(MISC);
  const events: InsnEvent[] = [];
  rt.on('insn', (e) => events.push(e));
  assert.throws(() => obj.program('loop').run(), (e: unknown) => e instanceof VmError && e.kind === 'budget');
  const last = events.at(-1)!;
  assert.equal(last.faulted, true);
  assert.match(formatInsnEvent(last), /\(faulted\)$/);
  assert.equal(events.filter((e) => e.faulted).length >= 1, true);
  obj.close();
});

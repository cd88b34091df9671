import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { BpfTimerTable, type BpfTimer } from '../../src/timers/bpf_timer.js';
import { VirtualClock } from '../../src/timers/virtual.js';
import {
  BPF_F_TIMER_ABS, BPF_F_TIMER_CPU_PIN, CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_TAI,
} from '../../src/timers/ktime.js';
import { EBUSY, EDEADLK, EINVAL, ENOMEM, EPERM } from '../../src/uapi/errno.js';

class FakeMap {
  urefs = 1;
  /** value -> key pointer, as an array map would compute it */
  constructor(readonly name: string, readonly values: number[], readonly keys: number[]) {}
  hasUserRefs(): boolean {
    return this.urefs > 0;
  }
  keyOf(value: number): number {
    return this.keys[this.values.indexOf(value)]!;
  }
}

class FakeProg {
  refs = 1; // the loader's reference
  constructor(readonly name: string) {}
  ref(): void {
    this.refs++;
  }
  unref(): void {
    assert.ok(this.refs > 0, `${this.name}: unref below zero`);
    this.refs--;
  }
}

interface Fired {
  map: string;
  key: number;
  value: number;
  prog: string;
  pc: number;
  cpu: number;
  at: bigint;
}

/** a map of `n` 32-byte values with the bpf_timer field at offset 16 */
function setup(n = 4, maxTimers?: number) {
  const arena = new Arena();
  const clock = new VirtualClock();
  const values = Array.from({ length: n }, () => arena.alloc(32));
  const keys = Array.from({ length: n }, () => arena.alloc(8));
  const map = new FakeMap('m', values, keys);
  const fields = values.map((v) => v + 16);
  const fired: Fired[] = [];
  const handlers = new Map<number, (t: BpfTimer<FakeMap, FakeProg>) => void>();
  const table: BpfTimerTable<FakeMap, FakeProg> = new BpfTimerTable<FakeMap, FakeProg>({
    clock,
    memory: arena,
    maxTimers,
    fire: (m, key, value, prog, pc, cpu, t) => {
      fired.push({ map: m.name, key, value, prog: prog.name, pc, cpu, at: clock.ktime_get_ns() });
      handlers.get(pc)?.(t);
    },
  });
  return { arena, clock, map, values, keys, fields, fired, handlers, table };
}

test('init: checks come in the kernel order EINVAL, EBUSY, ENOMEM, EPERM', () => {
  const { map, values, fields, table, arena } = setup(3, 1);
  const [v0, v1, v2] = values as [number, number, number];
  const [f0, f1, f2] = fields as [number, number, number];
  for (const bad of [2, 3, 4, CLOCK_TAI, 15, 16, 17, 1n << 32n, -1n]) {
    assert.equal(table.init(map, v0, f0, bad), -EINVAL, `flags ${bad}`);
  }
  assert.equal(table.init(map, v0, f0, CLOCK_MONOTONIC), 0);
  assert.notEqual(arena.dv.getUint32(f0, true), 0, 'the field holds the timer id');
  assert.equal(table.init(map, v0, f0, 99), -EINVAL, 'bad flags before EBUSY');
  assert.equal(table.init(map, v0, f0, CLOCK_BOOTTIME), -EBUSY);
  map.urefs = 0;
  assert.equal(table.init(map, v0, f0, CLOCK_MONOTONIC), -EBUSY, 'EBUSY before EPERM');
  assert.equal(table.init(map, v1, f1, CLOCK_MONOTONIC), -ENOMEM, 'ENOMEM (limit 1) before EPERM');
  table.cancelAndFree(f0);
  assert.equal(arena.dv.getUint32(f0, true), 0, 'freed field is zeroed');
  assert.equal(table.init(map, v2, f2, CLOCK_MONOTONIC), -EPERM);
  assert.equal(arena.dv.getUint32(f2, true), 0, 'EPERM leaves the field uninitialized');
  assert.equal(table.stats().live, 0);
  map.urefs = 1;
  for (const ok of [CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME]) {
    assert.equal(table.init(map, v1, f1, ok), 0);
    assert.equal(table.lookup(f1)!.flags, ok);
    table.cancelAndFree(f1);
  }
});

test('set_callback: EINVAL before init, EPERM without urefs, one program reference', () => {
  const { map, values, fields, table } = setup();
  const p = new FakeProg('p');
  const q = new FakeProg('q');
  const f = fields[0]!;
  assert.equal(table.setCallback(f, p, 10), -EINVAL);
  assert.equal(table.init(map, values[0]!, f, CLOCK_MONOTONIC), 0);
  map.urefs = 0;
  assert.equal(table.setCallback(f, p, 10), -EPERM);
  assert.equal(p.refs, 1);
  map.urefs = 2;
  assert.equal(table.setCallback(f, p, 10), 0);
  assert.equal(table.setCallback(f, p, 20), 0, 'another callback in the same program');
  assert.equal(p.refs, 2, 'the program is referenced once');
  assert.equal(table.stats().progRefs, 1);
  assert.equal(table.setCallback(f, q, 30), 0);
  assert.equal(p.refs, 1, 'swapping programs drops the old reference');
  assert.equal(q.refs, 2);
  assert.equal(table.stats().progRefs, 1);
  table.cancelAndFree(f);
  assert.equal(q.refs, 1);
  assert.equal(table.stats().progRefs, 0);
});

test('start: flags first, then init and callback; relative and absolute expiry', () => {
  const { map, values, fields, keys, table, fired, clock } = setup();
  const p = new FakeProg('p');
  const f = fields[1]!;
  assert.equal(table.start(f, 100n, 4), -EINVAL);
  assert.equal(table.start(f, 100n, 1n << 33n), -EINVAL);
  assert.equal(table.start(f, 100n, 0), -EINVAL, 'not initialized');
  table.init(map, values[1]!, f, CLOCK_MONOTONIC);
  assert.equal(table.start(f, 100n, 0), -EINVAL, 'no callback yet');
  table.setCallback(f, p, 7);
  map.urefs = 0; // start does not look at urefs
  assert.equal(table.start(f, 100n, BPF_F_TIMER_CPU_PIN, 3), 0);
  assert.equal(table.stats().armed, 1);
  assert.equal(table.start(f, 250n, BPF_F_TIMER_ABS, 2), 0, 're-start moves it');
  assert.equal(table.stats().armed, 1);
  clock.advance('1us');
  assert.deepEqual(fired, [{ map: 'm', key: keys[1]!, value: values[1]!, prog: 'p', pc: 7, cpu: 2, at: 250n }]);
  assert.equal(table.stats().armed, 0);
  assert.equal(p.refs, 2, 'firing keeps the program reference (only cancel/free drop it)');
  assert.equal(table.start(f, 5n, BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), 0, 'absolute in the past');
  assert.equal(clock.advance(0n), 1);
  assert.equal(fired[1]!.at, 1000n);
});

test('cancel: EINVAL, 0 when idle, 1 when armed; it drops the callback and program reference', () => {
  const { map, values, fields, table, clock, fired } = setup();
  const p = new FakeProg('p');
  const f = fields[0]!;
  assert.equal(table.cancel(f), -EINVAL);
  table.init(map, values[0]!, f, CLOCK_MONOTONIC);
  assert.equal(table.cancel(f), 0);
  table.setCallback(f, p, 1);
  assert.equal(table.start(f, 1000n, 0), 0);
  assert.equal(table.cancel(f), 1);
  assert.equal(table.cancel(f), 0);
  assert.equal(p.refs, 1, 'program reference dropped by cancel');
  assert.equal(table.stats().progRefs, 0);
  assert.equal(table.start(f, 1000n, 0), -EINVAL, 'no callback after cancel');
  clock.advance('1ms');
  assert.equal(fired.length, 0);
  assert.equal(table.setCallback(f, p, 1), 0);
  assert.equal(table.start(f, 1000n, 0), 0);
  assert.equal(clock.advance('1ms'), 1);
  assert.equal(table.stats().live, 1, 'cancel does not free the timer');
});

test('cancel from its own callback is -EDEADLK and changes nothing; other timers can be cancelled', () => {
  const { map, values, fields, table, clock, handlers, fired } = setup();
  const p = new FakeProg('p');
  const [fa, fb] = fields as [number, number];
  table.init(map, values[0]!, fa, CLOCK_MONOTONIC);
  table.init(map, values[1]!, fb, CLOCK_MONOTONIC);
  table.setCallback(fa, p, 1);
  table.setCallback(fb, p, 2);
  const results: number[] = [];
  handlers.set(1, () => {
    assert.equal(table.running?.field, fa);
    results.push(table.start(fa, 100n, 0)); // re-arm itself
    results.push(table.cancel(fa));
    results.push(table.cancel(fb));
  });
  table.start(fa, 10n, 0);
  table.start(fb, 50n, 0);
  assert.equal(clock.advance(60n), 1, 'b was cancelled by a');
  assert.deepEqual(results, [0, -EDEADLK, 1]);
  assert.equal(table.lookup(fa)!.queued, true, 'the re-arm survived the failed cancel');
  assert.equal(table.lookup(fa)!.prog, p);
  assert.equal(table.lookup(fb)!.prog, null);
  assert.equal(p.refs, 2, 'a still holds its reference');
  assert.equal(table.running, null);
  handlers.delete(1);
  assert.equal(clock.advance(100n), 1);
  assert.equal(fired.length, 2);
});

test('a timer that re-arms itself keeps firing', () => {
  const { map, values, fields, table, clock, handlers, fired } = setup();
  const p = new FakeProg('p');
  const f = fields[0]!;
  table.init(map, values[0]!, f, CLOCK_MONOTONIC);
  table.setCallback(f, p, 5);
  handlers.set(5, () => assert.equal(table.start(f, 1_000_000n, 0), 0));
  table.start(f, 1_000_000n, 0);
  assert.equal(clock.advance('10ms'), 10);
  assert.deepEqual(fired.map((x) => x.at), Array.from({ length: 10 }, (_, i) => BigInt(i + 1) * 1_000_000n));
});

test('cancel_and_free from its own callback: the callback finishes, the timer is gone', () => {
  const { map, values, fields, table, clock, handlers, fired, arena } = setup();
  const p = new FakeProg('p');
  const f = fields[2]!;
  table.init(map, values[2]!, f, CLOCK_MONOTONIC);
  table.setCallback(f, p, 9);
  const after: number[] = [];
  handlers.set(9, (t) => {
    table.start(f, 10n, 0); // re-armed before the element is deleted
    table.cancelAndFree(f); // bpf_map_delete_elem on its own element
    after.push(arena.dv.getUint32(f, true), table.start(f, 10n, 0), table.cancel(f));
    assert.equal(t.freed, true);
    assert.equal(p.refs, 2, 'the running program stays referenced until its callback returns');
  });
  table.start(f, 10n, 0);
  assert.equal(clock.advance('1ms'), 1, 'the re-arm made before the delete was cancelled');
  assert.deepEqual(after, [0, -EINVAL, -EINVAL]);
  assert.equal(fired.length, 1);
  assert.equal(p.refs, 1);
  assert.deepEqual(table.stats(), { live: 0, armed: 0, progRefs: 0 });
  // the element can get a fresh timer
  assert.equal(table.init(map, values[2]!, f, CLOCK_MONOTONIC), 0);
});

test('a callback may free another element\'s timer and init new ones', () => {
  const { map, values, fields, table, clock, handlers, fired } = setup();
  const p = new FakeProg('p');
  const [f0, f1, f2] = fields as [number, number, number];
  for (const i of [0, 1]) {
    table.init(map, values[i]!, fields[i]!, CLOCK_MONOTONIC);
    table.setCallback(fields[i]!, p, i);
    table.start(fields[i]!, 100n, 0);
  }
  handlers.set(0, () => {
    table.cancelAndFree(f1);
    assert.equal(table.init(map, values[2]!, f2, CLOCK_MONOTONIC), 0);
    assert.equal(table.setCallback(f2, p, 2), 0);
    assert.equal(table.start(f2, 0n, 0), 0);
  });
  assert.equal(clock.advance(100n), 2);
  assert.deepEqual(fired.map((x) => x.pc), [0, 2]);
  assert.equal(table.lookup(f0)!.freed, false);
  assert.equal(p.refs, 3, 'timers 0 and 2 hold references');
  assert.equal(table.stats().progRefs, 2);
});

test('set_callback on an armed timer: the new callback and program run', () => {
  const { map, values, fields, table, clock, fired } = setup();
  const p = new FakeProg('p');
  const q = new FakeProg('q');
  const f = fields[0]!;
  table.init(map, values[0]!, f, CLOCK_MONOTONIC);
  table.setCallback(f, p, 1);
  table.start(f, 10n, 0);
  table.setCallback(f, q, 2);
  clock.advance(10n);
  assert.deepEqual(fired.map((x) => [x.prog, x.pc]), [['q', 2]]);
});

test('clocks: CLOCK_REALTIME timers run on the monotonic base (hrtimer REL init), BOOTTIME counts suspend', () => {
  const { map, values, fields, table, clock, fired } = setup();
  const p = new FakeProg('p');
  const [fr, fb, fm] = fields as [number, number, number];
  table.init(map, values[0]!, fr, CLOCK_REALTIME);
  table.init(map, values[1]!, fb, CLOCK_BOOTTIME);
  table.init(map, values[2]!, fm, CLOCK_MONOTONIC);
  for (const [i, f] of [fr, fb, fm].entries()) table.setCallback(f, p, i);
  // ABS on a realtime timer is a monotonic instant, as on Linux 6.18
  assert.equal(table.start(fr, 5000n, BPF_F_TIMER_ABS), 0);
  assert.equal(table.start(fb, 5000n, 0), 0);
  assert.equal(table.start(fm, 5000n, 0), 0);
  clock.setRealtime(clock.now(CLOCK_REALTIME) + 1_000_000_000n);
  assert.equal(clock.suspend('5us'), 1, 'only the boottime timer noticed the suspend');
  assert.equal(fired[0]!.pc, 1);
  assert.equal(clock.advance(5000n), 2);
  assert.deepEqual(fired.map((x) => [x.pc, x.at]), [[1, 0n], [0, 5000n], [2, 5000n]]);
});

test('cancelAndFreeMap frees every timer of a map (uref release)', () => {
  const { map, values, fields, table, clock, fired } = setup(4);
  const other = new FakeMap('other', [], []);
  const arena2Field = fields[3]!;
  const p = new FakeProg('p');
  for (let i = 0; i < 3; i++) {
    table.init(map, values[i]!, fields[i]!, CLOCK_MONOTONIC);
    table.setCallback(fields[i]!, p, i);
    table.start(fields[i]!, 100n, 0);
  }
  table.init(other as unknown as FakeMap, values[3]!, arena2Field, CLOCK_MONOTONIC);
  assert.equal(p.refs, 4);
  assert.equal(table.cancelAndFreeMap(map), 3);
  assert.equal(p.refs, 1);
  assert.deepEqual(table.stats(), { live: 1, armed: 0, progRefs: 0 });
  assert.equal(clock.advance('1ms'), 0);
  assert.equal(fired.length, 0);
});

test('a stale id in a field is not a timer; cancel_and_free of an empty field is a no-op', () => {
  const { map, values, fields, table, arena } = setup();
  table.cancelAndFree(fields[0]!);
  table.init(map, values[0]!, fields[0]!, CLOCK_MONOTONIC);
  const id = arena.dv.getUint32(fields[0]!, true);
  arena.dv.setUint32(fields[1]!, id, true); // as if copied without the table knowing
  assert.equal(table.lookup(fields[1]!), undefined);
  assert.equal(table.cancel(fields[1]!), -EINVAL);
  assert.equal(table.init(map, values[1]!, fields[1]!, CLOCK_MONOTONIC), 0);
  assert.equal(table.stats().live, 2);
});

test('1e6 init/set_callback/start/cancel/free cycles leave nothing behind', () => {
  const { map, values, fields, table, clock } = setup(2);
  const p = new FakeProg('p');
  const f = fields[0]!;
  const v = values[0]!;
  let bad = 0;
  for (let i = 0; i < 1_000_000; i++) {
    bad |= table.init(map, v, f, CLOCK_MONOTONIC);
    bad |= table.setCallback(f, p, 0);
    bad |= table.start(f, BigInt(1000 + (i & 1023)), 0);
    if ((i & 1) === 0) bad |= table.cancel(f) - 1; // 1 = was armed
    table.cancelAndFree(f);
  }
  assert.equal(bad, 0, 'every call succeeded');
  assert.deepEqual(table.stats(), { live: 0, armed: 0, progRefs: 0 });
  assert.equal(p.refs, 1);
  assert.equal(clock.pending, 0);
  assert.equal(clock.advance('1s'), 0);
  // ids are recycled, so the table did not grow with the loop
  assert.equal(table.init(map, v, f, CLOCK_MONOTONIC), 0);
  assert.equal(table.lookup(f)!.id, 1);
});

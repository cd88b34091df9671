// The helpers' return codes for bad arguments, as Linux 6.18 gave them when
// the goldens of test/kernel/scenarios/helpers_*.bpf.c were recorded (see
// scenarios.ts). The differential test replays the same goldens through
// `tsbpf run`; this file pins what they must show, so a re-recording on a
// kernel that behaves otherwise is noticed, and runs tsbpf in-process on the
// same objects to check the values one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenPath, readGolden, repoRoot } from '../kernel/kernel.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { LoadError } from '../../src/runtime/loader.js';
import { VerifierError } from '../../src/verifier/env.js';

const S = 'test/kernel/scenarios/';
const EINVAL = -22, ENOENT = -2, EEXIST = -17, E2BIG = -7, EFAULT = -14;

/** NAME[i] -> value of the last dump of a golden */
function dump(obj: string, name: string): Map<string, number> {
  const g = readGolden(goldenPath(`${S}${obj}`, name));
  const lines = g.stdout.split('\n');
  const at = lines.lastIndexOf('dump');
  assert.ok(at >= 0, 'no dump');
  const out = new Map<string, number>();
  for (const l of lines.slice(at + 1)) {
    const m = /^([\w[\]]+)=(-?\d+)$/.exec(l);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const arr = (d: Map<string, number>, name: string, n: number): number[] =>
  Array.from({ length: n }, (_, i) => d.get(`${name}[${i}]`)!);

test('kernel: hash/array update, delete and lookup errnos', () => {
  const d = dump('helpers_map.bpf.o', 'basic');
  assert.deepEqual(arr(d, 'rh', 16), [0, EEXIST, ENOENT, EINVAL, EINVAL, EINVAL, 0, E2BIG, ENOENT, 0, 22, ENOENT, 0, ENOENT, 0, E2BIG]);
  assert.deepEqual(arr(d, 'rhn', 6), [0, 0, E2BIG, 0, EINVAL, ENOENT]);
  // array: flags are checked first, then the index, then NOEXIST, then F_LOCK
  assert.deepEqual(arr(d, 'ra', 12), [E2BIG, E2BIG, EEXIST, 0, EINVAL, E2BIG, EINVAL, E2BIG, EINVAL, EINVAL, 0, 7]);
  assert.deepEqual(arr(d, 'rp', 8), [1, 1, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(arr(d, 'rl', 4), [0, 0, 0, 0]);
});

test('kernel: queue/stack push/pop/peek errnos; an empty pop zeroes its output', () => {
  const d = dump('helpers_queue.bpf.o', 'basic');
  // pop/peek empty -ENOENT (out 77 -> 0), push, push, full -E2BIG, NOEXIST/F_LOCK/3 -EINVAL, EXIST 0
  const common = [ENOENT, ENOENT, 0, 0, 0, E2BIG, EINVAL, EINVAL, EINVAL, 0];
  assert.deepEqual(arr(d, 'rq', 20), [...common, 0, 2, 0, 2, 0, 3, ENOENT, 0, 0, 4]);
  assert.deepEqual(arr(d, 'rs', 20), [...common, 0, 3, 0, 3, 0, 2, ENOENT, 0, 0, 4]);
});

test('kernel: bpf_loop, trace_printk and clock relations', () => {
  const d = dump('helpers_misc.bpf.o', 'basic');
  assert.deepEqual(arr(d, 'rloop', 12), [EINVAL, 0, E2BIG, E2BIG, EINVAL, 0, 0, 5, 5, 3, 8, 1024]);
  assert.deepEqual(arr(d, 'rpr', 10), [9, 9, EINVAL, EINVAL, EINVAL, 5, EINVAL, 16, EINVAL, 11]);
  assert.deepEqual(arr(d, 'rclk', 8), [1, 1, 1, 1, 1, 1, 1, 1]);
  const inl = dump('helpers_misc.bpf.o', 'inline');
  assert.deepEqual(arr(inl, 'rinl', 2), [2 ** 32 + E2BIG, 5], 'inlined bpf_loop: -E2BIG as a u32');
});

test('kernel: XDP buffer helpers at their limits; failed tail calls fall through', () => {
  const d = dump('helpers_xdp.bpf.o', 'basic');
  assert.equal(d.get('head_max'), 216);
  assert.equal(d.get('tail_max'), 3456);
  assert.deepEqual(arr(d, 'rhead', 10), [64, EINVAL, 0, 280, EINVAL, EINVAL, 0, 14, EINVAL, 0]);
  assert.deepEqual(arr(d, 'rtail', 10), [EINVAL, 0, 3520, EINVAL, EINVAL, 0, 14, EINVAL, 0, 64]);
  assert.deepEqual(arr(d, 'rbytes', 16), [0, 0, 801, EINVAL, EINVAL, EINVAL, EFAULT, EFAULT, EFAULT, EINVAL, 0, 0, 0, 0, 0, 72]);
  assert.deepEqual(arr(d, 'rtc', 4), [1, 2, 3, -1000]);
});

test('kernel: ktime_get_coarse_ns is refused in a syscall program; tsbpf refuses it too', () => {
  const g = readGolden(goldenPath(`${S}helpers_coarse.bpf.o`, 'load'));
  assert.equal(g.status, 3);
  assert.match(g.stdout, /verifier_error=program of this type cannot use helper bpf_ktime_get_coarse_ns#160/);
  const rt = new Runtime();
  const bytes = new Uint8Array(readFileSync(join(repoRoot, S, 'helpers_coarse.bpf.o')));
  assert.throws(() => rt.loadObjectBytes(bytes), (e: unknown) =>
    (e instanceof VerifierError || e instanceof LoadError) && /cannot use helper bpf_ktime_get_coarse_ns#160/.test((e as Error).message));
  assert.equal(rt.stats().maps, 0, 'a failed load leaves no map behind');
  assert.equal(rt.stats().programs, 0);
  assert.equal(rt.stats().arenaBytes, 0);
});

// Load-time rules for the timer helpers: GPL-only, and CAP_BPF only
// (bpf_base_func_proto returns them only when bpf_capable()). A non-GPL
// program is checked against the kernel's recorded verifier log; the CAP_BPF
// model (RuntimeOptions.capBpf) against the kernel's rules as read from
// kernel/bpf/syscall.c (bpf_prog_load, bpf_btf_load), helpers.c
// (bpf_base_func_proto) and libbpf (BTF is optional): the runner cannot drop
// CAP_BPF here (kernel.unprivileged_bpf_disabled), so the privileged half is
// the recorded golden caps.priv.kernel.out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/runtime/runtime.js';
import { kernelGolden, repoRoot } from '../kernel/kernel.js';

const CAPS = 'test/timers/caps.bpf.o';
const abs = (p: string): string => join(repoRoot, p);

interface LoadErr extends Error {
  errno?: number;
}

test('non-GPL program calling bpf_timer_init: the kernel\'s load-time error', async () => {
  // the kernel's answer for this very object, recorded by test/verifier/record.sh
  const recs = JSON.parse(readFileSync(abs('test/verifier/corpus/timers_nongpl.kernel.json'), 'utf8')) as
    { name: string; errno: number; log: string }[];
  const k = recs.find((r) => r.name === 'timer_nongpl')!;
  const kLast = k.log.trimEnd().split('\n').filter((l) => !l.startsWith('processed ')).pop();
  assert.equal(kLast, 'cannot call GPL-restricted function from non-GPL compatible program');
  const rt = new Runtime();
  await assert.rejects(rt.loadObject(abs('test/verifier/corpus/timers_nongpl.bpf.o')), (e: LoadErr) => {
    assert.equal(e.message, kLast);
    assert.equal(e.errno, -k.errno);
    return true;
  });
  assert.equal(rt.stats().maps, 0, 'the rejected load released its maps');
});

test('with CAP_BPF (the default) a socket filter arms a timer, as in the kernel', async () => {
  const g = await kernelGolden(CAPS, 'priv', ['run:lookup_only', 'run:arm', 'dump']);
  assert.equal(g.status, 0);
  const rt = new Runtime();
  const obj = await rt.loadObject(abs(CAPS));
  assert.equal(obj.program('lookup_only').run({ data: new Uint8Array(64) }).retval, 1);
  assert.equal(obj.program('arm').run({ data: new Uint8Array(64) }).retval, 1);
  // the 0 ns timer fired when the run returned (local_bh_enable), as the kernel shows
  const got = ['r_init', 'r_start', 'fired'].map((n) => `${n}=${obj.global(n)}`);
  assert.deepEqual(got, g.stdout.trimEnd().split('\n').slice(-3));
  obj.close();
});

test('without CAP_BPF: timer helpers are withheld, only socket filters load', async () => {
  const rt = new Runtime({ capBpf: false });
  assert.equal(rt.capBpf, false);
  // the object's `arm` calls bpf_timer_init: no prototype without CAP_BPF
  await assert.rejects(rt.loadObject(abs(CAPS)), (e: LoadErr) => {
    assert.equal(e.message, 'program of this type cannot use helper bpf_timer_init#169');
    assert.equal(e.errno, -22);
    return true;
  });
  assert.equal(rt.stats().maps, 0);

  // a program type other than socket filter / cgroup skb: -EPERM before the verifier
  await assert.rejects(rt.loadObject(abs('test/timers-diff/zero_delay.bpf.o')), (e: LoadErr) => {
    assert.equal(e.errno, -1);
    assert.match(e.message, /CAP_BPF/);
    return true;
  });
  assert.equal(rt.stats().maps, 0);
});

test('without CAP_BPF a map with a bpf_timer is created without BTF (BPF_BTF_LOAD needs CAP_BPF)', async () => {
  const LOOKUP = abs('test/timers/caps_lookup.bpf.o');
  const priv = new Runtime();
  const p = await priv.loadObject(LOOKUP);
  assert.deepEqual(p.map('tmap').object.map.special.timers, [0], 'with CAP_BPF the map has its timer field');
  p.close();

  const rt = new Runtime({ capBpf: false });
  const obj = await rt.loadObject(LOOKUP);
  const m = obj.map('tmap');
  assert.deepEqual(m.object.map.special.timers, [], 'no timer field without BTF');
  assert.equal(m.object.btf, undefined, 'created without BTF');
  // the 16 bytes are plain data now: user space may write them
  m.update(0, new Uint8Array(16).fill(7));
  assert.deepEqual(m.lookup(0), new Uint8Array(16).fill(7));
  assert.equal(obj.program('lookup_only').run({ data: new Uint8Array(64) }).retval, 1);
  obj.close();
  assert.equal(rt.stats().maps, 0);
});

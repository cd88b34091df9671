// Prog arrays from user space (issue 12.4): libbpf's `.values` initialisers,
// MapHandle.update(key, program), `tsbpf map update ... value name|id`, and
// the kernel's bpf_prog_array_compatible. The same scenarios replayed through
// `tsbpf run` against Linux 6.18's answers: test/tailcall/*.kernel.out
// (test/runtime/differential.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime, MapError, LoadError } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';
import { tsbpf } from '../cli/cli.js';

const OBJ = join(repoRoot, 'test/tailcall/dispatch.bpf.o');
const XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3;
const pkt = (sel: number) => { const p = new Uint8Array(64); p[0] = sel; return p; };

test('a dispatcher tail-calls the stages libbpf put in its prog array; user space adds one; incompatible programs get -EINVAL', async () => {
  const rt = new Runtime();
  const base = rt.stats();
  const obj = await rt.loadObject(OBJ);
  const dispatch = obj.program('dispatch');
  const jmp = obj.map('jmp_table');
  assert.equal(dispatch.run({ data: pkt(0) }).retval, XDP_TX, '.values [0] = stage_parse');
  assert.equal(dispatch.run({ data: pkt(2) }).retval, XDP_DROP, '.values [2] = stage_drop');
  assert.equal(dispatch.run({ data: pkt(1) }).retval, XDP_PASS, 'empty slot: falls through');
  jmp.update(1, obj.program('stage_late'));
  assert.equal(dispatch.run({ data: pkt(1) }).retval, XDP_PASS);
  assert.equal(obj.global('late'), 1n);
  assert.deepEqual([...jmp.lookup(1)!], [obj.program('stage_late').object.id, 0, 0, 0], 'user space reads the program id');
  for (const name of ['frags', 'devmap_prog', 'sock', 'cls']) {
    assert.throws(() => jmp.update(3, obj.program(name)), (e: unknown) => e instanceof MapError && e.errno === -22, name);
  }
  assert.throws(() => jmp.update(4, obj.program('stage_late')), (e: unknown) => e instanceof MapError && e.errno === -7);
  // a program of another object, same type and attach type: accepted
  const other = await rt.loadObject(OBJ);
  jmp.update(3, other.program('stage_drop'));
  assert.equal(dispatch.run({ data: pkt(3) }).retval, XDP_DROP);
  const closed = other.program('stage_parse');
  other.close();
  assert.throws(() => jmp.update(3, closed), (e: unknown) => e instanceof MapError && e.errno === -9);
  assert.equal(dispatch.run({ data: pkt(3) }).retval, XDP_DROP, 'the slot keeps its program alive');
  jmp.delete(3);
  obj.close();
  assert.deepEqual(rt.stats(), base, 'prog array cleared when its handles went: nothing left');
});

test('a program of another type that tail-calls through the same prog array fails to load (-EINVAL)', async () => {
  const rt = new Runtime();
  const base = rt.stats();
  await assert.rejects(rt.loadObject(join(repoRoot, 'test/tailcall/mixed.bpf.o')),
    (e: unknown) => e instanceof LoadError && e.errno === -22 && /sock_entry.*prog array 'jmp'/.test(e.message));
  assert.deepEqual(rt.stats(), base);
});

test('tsbpf map update fills a prog array by program name or id; an incompatible one fails like bpftool', () => {
  const rel = 'test/tailcall/dispatch.bpf.o';
  let r = tsbpf('map', 'update', rel, 'jmp_table', 'key', '1', '0', '0', '0', 'value', 'name', 'stage_late');
  assert.equal(r.status, 0, r.stderr);
  r = tsbpf('map', 'update', rel, 'jmp_table', 'key', '1', '0', '0', '0', 'value', 'id', '3');
  assert.equal(r.status, 0, r.stderr);
  r = tsbpf('map', 'update', rel, 'jmp_table', 'key', '1', '0', '0', '0', 'value', 'name', 'sock');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /update failed: Invalid argument/);
  r = tsbpf('run', rel, 'slot:jmp_table:1:stage_late', 'pkt:01000000000000000000000000000000', 'run:dispatch', 'dump');
  assert.match(r.stdout, /slot:jmp_table:1:stage_late ok\n/);
  assert.match(r.stdout, /\nlate=1\n/);
});

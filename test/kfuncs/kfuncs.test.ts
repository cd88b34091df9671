// kfuncs end to end: objects with .ksyms extern functions load (libbpf's
// resolution by name, its error for an unknown kfunc, a poisoned __weak
// one), and the conntrack kfuncs run against a table filled from TypeScript.
// The same object's kernel run is the golden test/kernel/scenarios/kfuncs.ct
// (compared by test/runtime/differential.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { VerifierError } from '../../src/verifier/index.js';
import { repoRoot } from '../kernel/kernel.js';

const S = join(repoRoot, 'test/kernel/scenarios');
const OBJ = join(S, 'kfuncs.bpf.o');
const PKT = new Uint8Array(64);

test('a connection added from TypeScript is found from both directions; the kfuncs take and drop references', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  // the ct_hit program looks up the tuple stored in the `tuples` array
  const t = new Uint8Array(36);
  t.set([10, 0, 99, 1], 0);
  t.set([10, 0, 99, 2], 4);
  new DataView(t.buffer).setUint16(8, 4242, false);
  new DataView(t.buffer).setUint16(10, 80, false);
  obj.map('tuples').update(0, t);
  assert.equal(obj.program('ct_hit').run({ data: PKT }).retval, 2, 'empty table: no entry');
  rt.conntrack.add({ proto: 'tcp', saddr: '10.0.99.1', daddr: '10.0.99.2', sport: 4242, dport: 80, timeoutMs: 5000 });
  assert.equal(obj.program('ct_hit').run({ data: PKT }).retval, 0);
  assert.equal(obj.global('hit_ok'), 1);
  assert.equal(obj.global('hit_dir'), 1, 'the reversed tuple matched the reply direction');
  assert.equal(obj.global('change_ret'), 0);
  // bpf_ct_change_timeout(ct, 500): the entry now expires 500 ms from the run
  rt.virtualClock.advance(499_000_000n);
  assert.equal(rt.conntrack.entries().length, 1);
  rt.virtualClock.advance(2_000_000n);
  assert.equal(rt.conntrack.entries().length, 0, 'expired on the runtime clock');
  obj.close();
});

test('bpf_ct_insert_entry puts the allocated entry in the table; a second insert of the tuple fails', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  assert.equal(obj.program('ct_insert').run({ data: PKT }).retval, 0);
  assert.equal(obj.global('insert_ok'), 1);
  const [e] = rt.conntrack.entries();
  assert.ok(e);
  assert.equal(e.orig.dport, 1);
  assert.ok(e.orig.sport >= 10000 && e.orig.sport < 60000);
  assert.equal(e.status & 0x2, 0x2, 'IPS_SEEN_REPLY set by bpf_ct_set_status');
  assert.equal(obj.program('ct_hit').run({ data: PKT }).retval, 0);
  // the reply direction of an existing entry is taken too: the insert fails (-EEXIST) and returns NULL
  rt.conntrack.clear();
  const t = new Uint8Array(12);
  t.set([10, 0, 99, 2], 0);
  t.set([10, 0, 99, 1], 4);
  new DataView(t.buffer).setUint16(8, 1, false);
  new DataView(t.buffer).setUint16(10, e.orig.sport, false);
  assert.equal(rt.conntrack.entries().length, 0);
  rt.conntrack.add({ proto: 'tcp', saddr: '10.0.99.2', daddr: '10.0.99.1', sport: 1, dport: 9 });
  assert.throws(() => rt.conntrack.add({ proto: 'tcp', saddr: '10.0.99.1', daddr: '10.0.99.2', sport: 9, dport: 1 }), /exists/);
  obj.close();
});

test('an unknown kfunc fails the load with libbpf\'s message and errno; an unknown __weak one only where its call is reachable', async () => {
  const rt = new Runtime();
  // libbpf's bpf_object__resolve_externs answers -EINVAL for any ksym BTF failure (the kernel golden unknown_kfunc.load says the same)
  await assert.rejects(rt.loadObject(join(S, 'unknown_kfunc.bpf.o')), (e: Error & { errno?: number }) =>
    e.message.includes("extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs") && e.errno === -22);
  const weak = await rt.loadObject(join(S, 'weak_kfunc.bpf.o')).catch((e: unknown) => e);
  assert.ok(weak instanceof VerifierError, String(weak));
  assert.equal(weak.message, 'invalid kernel function call not eliminated in verifier pass');
  assert.equal(weak.errno, -22);
});

test('.ksyms variables: typeless ones resolve in rt.ksyms, __weak unknown ones are 0, strong unknown ones fail the load', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(join(S, 'ksyms.bpf.o'));
  assert.equal(obj.program('ksyms').run({}).retval, 0);
  assert.equal(obj.global('have_active'), 1);
  assert.equal(obj.global('have_missing'), 0);
  assert.equal(obj.global('have_missing_typed'), 0);
  obj.close();
  await assert.rejects(rt.loadObject(join(S, 'ksym_strong.bpf.o')), (e: Error & { errno?: number }) =>
    e.message.includes("extern 'tsbpf_no_such_symbol' (strong): not resolved") && e.errno === -3);
  await assert.rejects(rt.loadObject(join(S, 'ksym_typed_strong.bpf.o')), (e: Error & { errno?: number }) =>
    e.message.includes("extern (var ksym) 'tsbpf_no_such_var': not found in kernel BTF") && e.errno === -22);
  // a symbol a test adds resolves too
  rt.ksyms.set('tsbpf_no_such_symbol', 0x1234n);
  const obj2 = await rt.loadObject(join(S, 'ksym_strong.bpf.o'));
  assert.equal(obj2.program('ksym_strong').run({}).retval, 0, '0x1234 >> 63');
  obj2.close();
});

test('struct nf_conn fields: laid out at the target BTF\'s offsets (a vmlinux BTF too), ct->mark written back to the entry', async () => {
  const { gunzipSync } = await import('node:zlib');
  const { readFileSync } = await import('node:fs');
  const vmlinux = new Uint8Array(gunzipSync(readFileSync(join(repoRoot, 'test', 'btf', 'core', 'vmlinux.btf.gz'))));
  for (const rt of [new Runtime(), new Runtime({ btf: vmlinux })]) {
    const obj = await rt.loadObject(OBJ);
    for (const p of ['ct_insert', 'ct_hit', 'ct_fields']) assert.equal(obj.program(p).run({ data: PKT }).retval, 0, p);
    // the same values the kernel gave (test/kernel/scenarios/kfuncs.ct.kernel.out)
    const g = (n: string) => obj.global(n);
    assert.deepEqual([g('init_timeout'), g('f_status'), g('f_mark'), g('f_l3num'), g('f_proto'), g('f_saddr'), g('f_daddr')],
      [250, 10n, 77, 2, 6, 0x0163000a, 0x0263000a]);
    assert.deepEqual([g('f_sport'), g('f_dport'), g('f_rsport'), g('f_rdaddr'), g('f_dir0'), g('f_dir1'), g('f_timeout_ok'), g('f_mark_after')],
      [1, 256, 256, 0x0163000a, 0, 1, 1, 78]);
    // the program's write reached the table entry
    assert.deepEqual(rt.conntrack.entries().map((e) => e.mark), [78]);
  }
});

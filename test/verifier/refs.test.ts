// Reference tracking beyond the corpus verdicts: the verifier's view of
// references (ids, leak report lines), and the loader refusing a verified
// program whose helpers the runtime does not implement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { verify, VerifierError } from '../../src/verifier/index.js';
import { loadRecords, toInput } from './corpus.js';
import { repoRoot } from '../kernel/kernel.js';

const refs = loadRecords().filter((r) => r.file === 'refs.kernel.json');

test('refs corpus is recorded', () => {
  assert.ok(refs.length >= 30, `${refs.length} programs`);
});

test('a leak reports every unreleased reference as the kernel does (id and alloc_insn)', () => {
  for (const r of refs.filter((x) => /would lead to reference leak/.test(x.log))) {
    const want = r.log.split('\n').filter((l) => l.startsWith('Unreleased reference'));
    let err: unknown;
    try { verify(toInput(r)); } catch (e) { err = e; }
    assert.ok(err instanceof VerifierError, r.name);
    const got = err.log.split('\n').filter((l) => l.startsWith('Unreleased reference'));
    assert.deepEqual(got, want, r.name);
  }
});

test('state lines print refs= and ref_obj_id= as the kernel log does', () => {
  const r = refs.find((x) => x.name === 'ref_tcp_sock_release_via_cast')!;
  let err: unknown;
  try { verify(toInput(r)); } catch (e) { err = e; }
  assert.ok(err instanceof VerifierError);
  for (const frag of ['R0=sock_or_null(id=2,ref_obj_id=2) refs=2', 'R0=tcp_sock_or_null(id=3,ref_obj_id=2) refs=2']) {
    assert.ok(r.log.includes(frag), `kernel: ${frag}`);
    assert.ok(err.log.includes(frag), `tsbpf: ${frag}\n${err.log}`);
  }
});

test('the loader refuses a verified program calling a helper the runtime does not implement, naming it', async () => {
  const rt = new Runtime();
  await assert.rejects(
    rt.loadObject(join(repoRoot, 'test/verifier/unimpl_helper.bpf.o'), {}),
    (e: Error & { errno?: number }) => /passed verification, but tsbpf does not implement helper bpf_skb_get_xfrm_state#66/.test(e.message) && e.errno === -95,
  );
});

test('a verified lookup-and-release program runs: no matching socket, NULL', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(join(repoRoot, 'test/verifier/sk_lookup_prog.bpf.o'), {});
  assert.equal(obj.program('lookup_and_release').run({ data: new Uint8Array(64) }).retval, 0);
  rt.host.addSocket({ proto: 'tcp', local: '0.0.0.0:0' });
  assert.equal(obj.program('lookup_and_release').run({ data: new Uint8Array(64) }).retval, 2);
  obj.close();
});

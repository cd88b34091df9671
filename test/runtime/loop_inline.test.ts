// optimize_bpf_loop: which bpf_loop call sites the verifier reports as
// inlined, and that the loader runs them with the inlined semantics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import type { VerifierResult, VerifierError } from '../../src/verifier/env.js';
import { BPF_FUNC_loop } from '../../src/uapi/bpf_func.js';
import { BPF_FUNC_loop_inlined } from '../../src/helpers/loop.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = join(repoRoot, 'test/kernel/scenarios/helpers_misc.bpf.o');

test('bpf_loop calls with flags the constant 0 are inlined; the others are not', async () => {
  const rt = new Runtime();
  const verdicts = new Map<string, VerifierResult | VerifierError>();
  const obj = await rt.loadObject(OBJ, { onVerified: (p, v) => verdicts.set(p, v) });
  for (const name of ['loop', 'loop_inline']) {
    const v = verdicts.get(name) as VerifierResult;
    const insns = obj.program(name).insns;
    const calls = insns.flatMap((x, i) => (x.code === 0x85 && x.src === 0 && (x.imm === BPF_FUNC_loop || x.imm === BPF_FUNC_loop_inlined) ? [i] : []));
    const inlined = calls.filter((i) => insns[i]!.imm === BPF_FUNC_loop_inlined);
    assert.deepEqual(inlined, v.inlinedLoops, `${name}: the loader patches exactly the reported sites`);
    // loop: 8 calls, 4 with flags the literal 0; loop_inline: both calls
    assert.equal(inlined.length, name === 'loop' ? 4 : 2, name);
    assert.equal(calls.length, name === 'loop' ? 8 : 2, name);
  }
  obj.close();
});

// Every corpus program gets the kernel's verdict; timer/callback classes
// also get the kernel's final error line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify, VerifierError } from '../../src/verifier/index.js';
import { ENOSPC } from '../../src/uapi/errno.js';
import { kernelErrorLine, loadRecords, toInput } from './corpus.js';

const records = loadRecords();

test('corpus has recorded kernel verdicts', () => {
  assert.ok(records.length >= 10, `only ${records.length} recorded programs`);
});

/** Classes whose exact error line must match the kernel's. */
const EXACT = /timer|async|stack|spin|lock|gpl|callback|cfg|loop/;
/** Corpus files of the timer/async-callback classes: every error line must match. */
const EXACT_FILES = /^(timer_|async_)/;
/** Corpus files of the general classes (issue #5): every error line must match. */
const GENERAL_FILES = new Set([
  'alu_bounds', 'stack', 'ctx_access', 'packet', 'loops', 'calls', 'spin_lock', 'helpers_args', 'raw_asm', 'realistic', 'refs', 'kfunc_rcu', 'kfunc_ct', 'kfunc_dynptr',
  'soundness', 'too_many_subprogs', 'skc_to', 'skc_to_nongpl', 'task_btf', 'btf_ctx', 'map_ptr', 'iter_ctx',
].map((f) => `${f}.kernel.json`));

for (const r of records) {
  test(`${r.file}: ${r.name} -> ${r.errno === 0 ? 'accept' : 'reject -' + r.errno}`, () => {
    let err: unknown;
    try {
      verify(toInput(r));
    } catch (e) {
      err = e;
    }
    if (r.errno === 0) {
      assert.equal(err, undefined, `kernel accepts, tsbpf rejects: ${(err as Error)?.message}`);
      return;
    }
    assert.ok(err instanceof VerifierError, `kernel rejects (${kernelErrorLine(r.log)}), tsbpf accepts`);
    // ENOSPC: the kernel's log buffer filled up (a 1M-insn path at log level 1); the
    // verdict stands but the errno is the log's, not the verifier's
    if (r.errno !== ENOSPC) assert.equal(err.errno, -r.errno, `errno for: ${err.message}`);
    if (EXACT.test(r.name) || EXACT_FILES.test(r.file) || GENERAL_FILES.has(r.file)) assert.equal(err.message, kernelErrorLine(r.log));
  });
}

// verifyOrReject (the loader's level-0 load) gives what verify() gives: the
// same result for an accepted program, and for a refused one the fields of the
// VerifierError verify() throws, returned instead of thrown (building an Error
// costs its stack trace, more than checking a small program). Checked on every
// corpus program under 100k processed insns, at log levels 0 and 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError, verify, verifyOrReject } from '../../src/verifier/index.js';
import { loadRecords, toInput } from './corpus.js';

const small = loadRecords().filter((r) => Number(/processed (\d+) insns/.exec(r.log)?.[1] ?? 0) < 100_000);

for (const level of [0, 1] as const) {
  test(`verifyOrReject agrees with verify on every small corpus program (log level ${level})`, () => {
    let refused = 0, accepted = 0;
    for (const r of small) {
      const got = verifyOrReject(toInput(r, level));
      let thrown: unknown;
      let res;
      try { res = verify(toInput(r, level)); } catch (e) { thrown = e; }
      if ('rejected' in got) {
        assert.ok(thrown instanceof VerifierError, `${r.name}: verify() accepted what verifyOrReject refused`);
        assert.deepEqual(
          { message: got.message, errno: got.errno, log: got.log, insnIndex: got.insnIndex },
          { message: thrown.message, errno: thrown.errno, log: thrown.log, insnIndex: thrown.insnIndex }, r.name);
        assert.equal(got.errno, -r.errno, `${r.name}: errno as the kernel's`);
        refused++;
      } else {
        assert.equal(thrown, undefined, `${r.name}: verify() threw where verifyOrReject accepted`);
        assert.equal(got.log, res!.log, r.name);
        assert.deepEqual(got.stats, res!.stats, r.name);
        accepted++;
      }
    }
    assert.ok(refused > 100 && accepted > 100, `refused ${refused}, accepted ${accepted}`);
  });
}

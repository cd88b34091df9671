// What the differential campaign against the live kernel found (issue #11.4),
// each with the kernel's recorded verdict (errno and error line): tsbpf must
// give the same. Where the kernel can be asked, it is asked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify, VerifierError, type MapMeta } from '../../src/verifier/index.js';
import type { Insn } from '../../src/isa/insn.js';
import { repoRoot } from '../kernel/kernel.js';
import { kernelBatch, kfuzzUnavailable } from './fuzz/kdiff.js';

interface Regression {
  name: string;
  /** what the campaign saw */
  found: string;
  progType: number;
  maps: MapMeta[];
  funcInfo?: { insnOff: number; name: string; linkage: 'static' | 'global' }[];
  insns: [number, number, number, number, number][];
  /** the kernel's verdict: 0 accepted, else errno, with its error line */
  errno: number;
  message: string;
  /** a run's result depends on addresses (kernel vs arena): the verifier must say so, so no run is compared */
  leaksPointers?: boolean;
  /** the result may depend on stack bytes the program never wrote: likewise not compared */
  readsUninitStack?: boolean;
}

const FILE = join(repoRoot, 'test', 'verifier', 'fuzz_kernel_regressions.json');
const regs = JSON.parse(readFileSync(FILE, 'utf8')) as Regression[];
const why = kfuzzUnavailable();
if (why) console.log(`fuzz_kernel_regressions: recorded kernel verdicts only (${why})`);

for (const r of regs) {
  const insns: Insn[] = r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm }));
  test(`kernel fuzz regression: ${r.name}`, () => {
    let err: unknown;
    try {
      const v = verify({ insns, progType: r.progType, gpl: true, maps: r.maps, funcInfo: r.funcInfo, logLevel: 0 });
      if (r.leaksPointers !== undefined) assert.equal(v.leaksPointers, r.leaksPointers, 'leaksPointers');
      if (r.readsUninitStack !== undefined) assert.equal(v.readsUninitStack, r.readsUninitStack, 'readsUninitStack');
    } catch (e) {
      err = e;
    }
    if (r.errno === 0) {
      assert.equal(err, undefined, `kernel accepts; tsbpf: ${(err as Error)?.message}`);
    } else {
      assert.ok(err instanceof VerifierError, `kernel rejects (${r.message}), tsbpf accepts`);
      assert.equal(-err.errno, r.errno);
      assert.equal(err.message, r.message);
    }
    // raw programs carry no BTF, so only those without func_info can be replayed on the kernel
    if (!why && !r.funcInfo) {
      const [k] = kernelBatch([{ p: { insns, progType: r.progType, maps: r.maps, origin: r.name } }])!;
      assert.equal(k!.errno, r.errno, k!.message);
      if (r.errno) assert.equal(k!.message, r.message);
    }
  });
}

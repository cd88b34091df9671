// Context access per program type, swept over every offset, size and access
// kind (ldx, st, stx), against the kernel's recorded verdicts
// (ctx_sweep.kernel.json, from `node dist/bench/ctx-sweep.js --record`).
// No access the kernel refuses may be accepted; the accesses the kernel allows
// and tsbpf refuses are listed below with the reason (a register type tsbpf
// does not model yet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '../../src/verifier/index.js';
import { repoRoot } from '../kernel/kernel.js';
import {
  SWEEP_MODES, SWEEP_SIZES, SWEEP_TYPES, type SweepRecord, sweepIndex, sweepKey, sweepOffsets, sweepProgram,
} from './ctx_sweep.js';

const rec = JSON.parse(readFileSync(join(repoRoot, 'test', 'verifier', 'ctx_sweep.kernel.json'), 'utf8')) as SweepRecord;

/** kernel accepts, tsbpf refuses (none left: __sk_buff->sk loads a PTR_TO_SOCK_COMMON_OR_NULL now) */
const KNOWN_GAPS = new Set<string>();

for (const t of Object.keys(SWEEP_TYPES).map(Number)) {
  for (const mode of SWEEP_MODES) {
    test(`ctx sweep: ${SWEEP_TYPES[t]!.name} ${mode}: every offset and size as the kernel`, () => {
      const want = rec[sweepKey(t, mode)]!;
      const bad: string[] = [];
      for (let off = 0; off < sweepOffsets(t); off++) {
        SWEEP_SIZES.forEach((size, si) => {
          let ours = true;
          try { verify({ insns: sweepProgram(mode, off, size), progType: t, gpl: true, maps: [], logLevel: 0 }); } catch { ours = false; }
          const k = want[sweepIndex(off, si)] === '1';
          if (ours === k) return;
          if (k && KNOWN_GAPS.has(`${t} ${mode} ${off} ${size}`)) return;
          bad.push(`off=${off} size=${size}: kernel ${k ? 'accepts' : 'rejects'}, tsbpf ${ours ? 'accepts' : 'rejects'}`);
        });
      }
      assert.deepEqual(bad, []);
    });
  }
}

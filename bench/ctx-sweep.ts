// Context access of every program type tsbpf types, swept over every offset,
// size and access kind, against the live kernel (issue #11.3):
//   node dist/bench/ctx-sweep.js            compare tsbpf with the live kernel
//   node dist/bench/ctx-sweep.js --record   write test/verifier/ctx_sweep.kernel.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '../src/verifier/index.js';
import { repoRoot } from '../test/kernel/kernel.js';
import { kernelBatch, kfuzzUnavailable } from '../test/verifier/fuzz/kdiff.js';
import {
  SWEEP_MODES, SWEEP_SIZES, SWEEP_TYPES, type SweepRecord, sweepKey, sweepOffsets, sweepProgram,
} from '../test/verifier/ctx_sweep.js';

const why = kfuzzUnavailable();
if (why) { console.error(`ctx-sweep: cannot ask the kernel: ${why}`); process.exit(2); }
const rec: SweepRecord = {};
let diffs = 0;
for (const t of Object.keys(SWEEP_TYPES).map(Number)) {
  for (const mode of SWEEP_MODES) {
    const items = [];
    for (let off = 0; off < sweepOffsets(t); off++) {
      for (const size of SWEEP_SIZES) items.push({ p: { insns: sweepProgram(mode, off, size), progType: t, maps: [], origin: '' } });
    }
    const ans = kernelBatch(items)!;
    rec[sweepKey(t, mode)] = ans.map((a) => (a.kind === 'ok' ? '1' : '0')).join('');
    items.forEach((it, i) => {
      let ours = true;
      try { verify({ insns: it.p.insns, progType: t, gpl: true, maps: [], logLevel: 0 }); } catch { ours = false; }
      if (ours !== (ans[i]!.kind === 'ok')) {
        diffs++;
        const off = Math.floor(i / SWEEP_SIZES.length), size = SWEEP_SIZES[i % SWEEP_SIZES.length];
        console.log(`${SWEEP_TYPES[t]!.name} ${mode} off=${off} size=${size}: kernel ${ans[i]!.kind === 'ok' ? 'accepts' : 'rejects'}, tsbpf ${ours ? 'accepts' : 'rejects'}`);
      }
    });
  }
}
console.log(`ctx-sweep: ${diffs} verdict differences`);
if (process.argv.includes('--record')) {
  const file = join(repoRoot, 'test', 'verifier', 'ctx_sweep.kernel.json');
  writeFileSync(file, JSON.stringify(rec, null, 1) + '\n');
  console.log(`ctx-sweep: recorded ${file}`);
}

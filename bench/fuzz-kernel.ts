// The differential fuzz campaign against the live kernel (issue #11.4):
//   node dist/bench/fuzz-kernel.js [--seed N] [--count 100000] [--start 0] [--batch 200] [--max-findings 50]
// Needs root, gcc and libbpf-dev (kfuzz.c is built on the fly). Prints progress
// to stderr, then one JSON line of counts and every finding's reproducer; exit 1
// on a finding (kernel rejects/tsbpf accepts, a hang, a crash, a run difference).
import { diffCampaign, describeFinding, kfuzzUnavailable } from '../test/verifier/fuzz/kdiff.js';
import { corpusPrograms } from '../test/verifier/fuzz/harness.js';
import { loadRecords } from '../test/verifier/corpus.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const why = kfuzzUnavailable();
if (why) {
  console.error(`fuzz-kernel: cannot ask the kernel: ${why}`);
  process.exit(2);
}
const seed = arg('--seed', 1);
const count = arg('--count', 100_000);
const t0 = Date.now();
const s = diffCampaign({
  seed, count, start: arg('--start', 0), batch: arg('--batch', 200), maxFindings: arg('--max-findings', 50),
  corpus: corpusPrograms(loadRecords()),
  progress: (st) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${st.programs} programs: ${st.bothAccept} both accept, ${st.bothReject} both reject, ${st.kernelOnly} kernel-only, ${st.unsound} unsound, ${st.runsCompared} runs compared, ${st.runDiffs} run diffs, ${st.hangs} hangs`),
})!;
const { findings, ...counts } = s;
console.log(JSON.stringify({ seed, count, ms: Date.now() - t0, ...counts }));
for (const f of findings) console.log(`\n${describeFinding(f)}\n`);
process.exit(findings.length > 0 ? 1 : 0);

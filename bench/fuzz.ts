// Long fuzz runs outside the test suite:
//   node dist/bench/fuzz.js [seed] [random] [mutated]
// Prints progress and every finding's reproducer; exits 1 on a finding.
import { fuzz, corpusPrograms } from '../test/verifier/fuzz/harness.js';
import { loadRecords } from '../test/verifier/corpus.js';

const seed = Number(process.argv[2] ?? 1);
const random = Number(process.argv[3] ?? 10000);
const mutated = Number(process.argv[4] ?? random);
const t0 = Date.now();
const s = fuzz({
  seed, random, mutated, corpus: corpusPrograms(loadRecords()), maxFindings: Number(process.env['TSBPF_FUZZ_MAX_FINDINGS'] ?? 3),
  progress: (st) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${st.generated} generated, ${st.accepted} accepted, ${st.findings.length} findings`),
});
const { findings, ...counts } = s;
console.log(JSON.stringify({ seed, ms: Date.now() - t0, ...counts }));
for (const f of findings) console.log(`\n${f}\n`);
process.exit(findings.length > 0 ? 1 : 0);

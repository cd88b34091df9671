// Re-records test/btf/check.kernel.json: the kernel's BPF_BTF_LOAD verdict on
// mutations of the BTF libbpf would load for a few committed objects.
//   gcc -O1 -o /tmp/btf_load test/btf/btf_load.c -lbpf
//   node dist/bench/btf-check-record.js /tmp/btf_load [count] [seed]   (root)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/kernel/kernel.js';
import { Rng } from '../test/verifier/fuzz/gen.js';
import { mutateBtf, type BtfCase } from '../test/btf/mutate.js';

const OBJS = ['test/timers-diff/percpu_reject.bpf.o', 'test/verifier/corpus/ordering.bpf.o', 'test/loader/kconfig.bpf.o', 'examples/flowtable/flowtable.bpf.o', 'test/kernel/scenarios/ksyms.bpf.o'];
const [tool, countArg, seedArg] = process.argv.slice(2);
if (!tool) throw new Error('usage: btf-check-record.js BTF_LOAD_TOOL [count] [seed]');
const dump = spawnSync(tool, ['--dump', ...OBJS.map((o) => join(repoRoot, o))], { encoding: 'utf8', maxBuffer: 1 << 26 });
const blobs = dump.stdout.split('\n').slice(0, OBJS.length);
const count = Number(countArg ?? 600);
const rng = Rng.forIndex(Number(seedArg ?? 7), 0, 0);
const cases: BtfCase[] = [];
for (let i = 0; i < count; i++) {
  const b = rng.u32() % blobs.length;
  cases.push({ blob: b, edits: mutateBtf(Buffer.from(blobs[b]!, 'hex'), rng), kernel: '' });
}
const input = [...blobs.map((h) => h), ...cases.map((c) => {
  const buf = Buffer.from(blobs[c.blob]!, 'hex');
  for (const [off, v] of c.edits) buf.writeUInt32LE(v, off);
  return buf.toString('hex');
})].join('\n') + '\n';
const r = spawnSync(tool, [], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
const answers = r.stdout.split('\n');
blobs.forEach((_, i) => { if (answers[i] !== 'ok') throw new Error(`${OBJS[i]}: the kernel refuses the unmutated BTF: ${answers[i]}`); });
cases.forEach((c, i) => { c.kernel = answers[blobs.length + i]!; });
writeFileSync(join(repoRoot, 'test', 'btf', 'check.kernel.json'), JSON.stringify({ objects: OBJS, blobs, cases }) + '\n');
console.log(`recorded ${cases.length} cases`);

// Live comparison: re-asks the running kernel for every corpus object and
// checks the committed recordings are still what it says. Skips (loudly)
// without root, gcc/libbpf or a bpf() syscall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from './corpus.js';

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/sys/fs/bpf')) return 'no bpffs';
  try {
    execFileSync('gcc', ['-O1', '-o', '/tmp/tsbpf-record', join(CORPUS_DIR, '../tools/record.c'), '-lbpf', '-ldl'], { stdio: 'pipe' });
  } catch { return 'cannot build the recorder (gcc + libbpf-dev)'; }
  return undefined;
}

const skip = why();
if (skip) console.warn(`# SKIP live kernel comparison: ${skip}`);

for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.bpf.o')).sort()) {
  test(`live kernel verdicts still match ${f}`, { skip }, () => {
    const live = JSON.parse(execFileSync('/tmp/tsbpf-record', [join(CORPUS_DIR, f)], { maxBuffer: 1 << 28 }).toString()) as { name: string; errno: number }[];
    const rec = JSON.parse(readFileSync(join(CORPUS_DIR, f.replace(/\.bpf\.o$/, '.kernel.json')), 'utf8')) as { name: string; errno: number }[];
    assert.deepEqual(live.map((p) => [p.name, p.errno]), rec.map((p) => [p.name, p.errno]));
  });
}

// tsbpf conformance DIR: runs every bpf_conformance `.data` file in DIR on the
// interpreter; prints one line per failing test and `N passed, M failed`.
import { existsSync, statSync } from 'node:fs';
import { runConformanceDir } from '../vm/conformance.js';
import { resolveEngine } from '../jit/index.js';
import { cliEngine } from './runtime_opts.js';

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const dirs = argv.filter((a) => !a.startsWith('-'));
  if (dirs.length !== 1) {
    process.stderr.write('usage: tsbpf conformance [-v] DIR\n');
    return 2;
  }
  const dir = dirs[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`tsbpf conformance: ${dir} is not a directory\n`);
    return 2;
  }
  const outcomes = runConformanceDir(dir, { engine: resolveEngine(cliEngine()) });
  if (outcomes.length === 0) {
    process.stderr.write(`tsbpf conformance: no .data test files in ${dir}\n`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  for (const o of outcomes) {
    if (o.passed) {
      passed++;
      if (verbose) process.stdout.write(`PASS ${o.name}${o.reason ? ` (${o.reason})` : ''}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${o.name}: ${o.reason ?? 'failed'}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

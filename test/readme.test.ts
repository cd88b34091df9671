// The README's `tsbpf run` examples are run as written and must print what the
// README shows (after each command block comes its output block; `# ...`
// comments after two spaces are annotations, not output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './kernel/kernel.js';

interface Example { args: string[]; expected: string }

function readmeExamples(): Example[] {
  const md = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...md.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const out: Example[] = [];
  for (let i = 0; i + 1 < blocks.length; i++) {
    const cmd = blocks[i]!.replace(/\\\n\s*/g, ' ').trim();
    if (!cmd.startsWith('./bin/tsbpf run ')) continue;
    const expected = blocks[i + 1]!.split('\n').map((l) => l.replace(/\s{2,}#.*$/, '')).join('\n');
    out.push({ args: cmd.split(/\s+/).slice(1), expected });
  }
  return out;
}

const examples = readmeExamples();

test('the README has tsbpf run examples', () => {
  assert.ok(examples.length >= 2, `found ${examples.length}`);
});

for (const ex of examples) {
  test(`README example: tsbpf ${ex.args.slice(0, 2).join(' ')} ...`, () => {
    const stdout = execFileSync(process.execPath, [join(repoRoot, 'bin', 'tsbpf'), ...ex.args], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(stdout, ex.expected);
  });
}

// docs/features.md lists every helper id and map type with its state, as
// generated from the code (test/docs/features_tables.ts). TSBPF_UPDATE_DOCS=1
// rewrites the generated sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../kernel/kernel.js';
import { helperTable, mapTable } from './features_tables.js';

const DOC = join(repoRoot, 'docs', 'features.md');

function section(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const block = `${begin}\n${body}\n${end}`;
  if (i < 0 || j < i) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, i) + block + text.slice(j + end.length);
}

test('docs/features.md: the helper-id and map-type tables match the code', () => {
  const text = readFileSync(DOC, 'utf8');
  let want = section(text, 'helper-ids', helperTable());
  want = section(want, 'map-types', mapTable());
  if (process.env.TSBPF_UPDATE_DOCS === '1') writeFileSync(DOC, want);
  assert.equal(text, want, 'docs/features.md is stale: run TSBPF_UPDATE_DOCS=1 node --test dist/test/docs/features.test.js');
});

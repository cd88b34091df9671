// The kernel's BTF checker (src/btf/check.ts) against Linux 6.18's
// BPF_BTF_LOAD on mutations of the BTF libbpf loads for committed objects
// (recorded by bench/btf-check-record.ts): the same verdict and, where both
// refuse, the kernel's log line ends with tsbpf's message. The kernel's
// resolve pass is modelled only in part; the cases it alone refuses are
// counted and must stay rare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf, BtfError } from '../../src/btf/btf.js';
import { btfCheckMeta } from '../../src/btf/check.js';
import { repoRoot } from '../kernel/kernel.js';
import type { BtfCase } from './mutate.js';

const rec = JSON.parse(readFileSync(join(repoRoot, 'test', 'btf', 'check.kernel.json'), 'utf8')) as { objects: string[]; blobs: string[]; cases: BtfCase[] };

test('the unmutated BTF of every recorded object passes (the kernel loaded each)', () => {
  for (const [i, h] of rec.blobs.entries()) assert.equal(btfCheckMeta(new Btf(new Uint8Array(Buffer.from(h, 'hex'))), false), undefined, rec.objects[i]);
});

test('mutated BTF: tsbpf refuses what the kernel refuses, with its message', () => {
  let compared = 0, kernelOnly = 0, parseRefused = 0;
  const kernelOnlyLines: string[] = [];
  const otherReason: string[] = [];
  for (const c of rec.cases) {
    const buf = Buffer.from(rec.blobs[c.blob]!, 'hex');
    for (const [off, v] of c.edits) buf.writeUInt32LE(v, off);
    let btf: Btf;
    try {
      btf = new Btf(new Uint8Array(buf));
    } catch (e) {
      // tsbpf's parser refuses it outright (the object does not load at all)
      assert.ok(e instanceof BtfError);
      parseRefused++;
      continue;
    }
    const ours = btfCheckMeta(btf, false);
    const where = `${rec.objects[c.blob]} edits ${JSON.stringify(c.edits)}: kernel "${c.kernel}", tsbpf ${ours ? `"${ours.message}"` : 'accepts'}`;
    if (c.kernel === 'ok') {
      assert.equal(ours, undefined, where);
    } else if (!ours) {
      kernelOnly++;
      kernelOnlyLines.push(c.kernel);
    } else if (!c.kernel.endsWith(ours.message)) {
      // both refuse, for different first reasons (the kernel resolves types in its own order)
      otherReason.push(where);
    }
    compared++;
  }
  assert.ok(compared > 300, `${compared} cases compared`);
  // the resolve pass's type-graph rules (loops, typedefs of bad ids, ...) are not all modelled
  assert.ok(kernelOnly <= compared * 0.01, `kernel-only refusals: ${kernelOnly} of ${compared}:\n${kernelOnlyLines.join('\n')}`);
  assert.ok(otherReason.length <= compared * 0.01, `different reasons: ${otherReason.length}:\n${otherReason.join('\n')}`);
  console.log(`btf check: ${otherReason.length} refused by both for different reasons, ${compared} compared, ${kernelOnly} refused by the kernel only, ${parseRefused} refused by tsbpf's parser`);
});

// The full 6.18 helper prototype table against the kernel: for every program
// type that loads here and every id of enum bpf_func_id, the verdict and
// first error line of a tiny program calling that helper, recorded from
// Linux 6.18 by tools/helper_sweep.c (helpers/sweep.kernel.json):
//   v0: call N with no argument set (availability, GPL, the first argument read)
//   v1: r1 = ctx, r2..r5 = 0 (argument types after a ctx first argument)
//   v2: r1..r5 = 0 (what the first argument expects)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '../../src/verifier/verifier.js';
import { VerifierError } from '../../src/verifier/env.js';
import type { Insn } from '../../src/isa/insn.js';
import { HELPER_AVAILABILITY } from '../../src/helpers/availability.js';
import { HELPER_PROTOS, PROTO_ROWS } from '../../src/helpers/protos.js';
import { FUNC_ID_NAMES } from '../../src/isa/funcids.js';
import { CORPUS_DIR } from './corpus.js';

interface SweepType { type: number; attach: number; v0: [number, string][]; v1: [number, string][]; v2: [number, string][] }
const SWEEP = JSON.parse(readFileSync(join(CORPUS_DIR, '../helpers/sweep.kernel.json'), 'utf8')) as SweepType[];
/** types whose every load failed without a log: not built into the recording kernel (lirc_mode2) */
const loaded = SWEEP.filter((t) => !t.v0.every(([e, l]) => e === 22 && l === ''));

const NOT_MODELLED = /is not modelled by tsbpf's verifier yet|which tsbpf's verifier does not model yet/;

function prog(variant: 0 | 1 | 2, id: number): Insn[] {
  const out: Insn[] = [];
  if (variant > 0) for (let r = variant === 1 ? 2 : 1; r <= 5; r++) out.push({ code: 0xb7, dst: r, src: 0, off: 0, imm: 0 });
  out.push({ code: 0x85, dst: 0, src: 0, off: 0, imm: id }, { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return out;
}

function tsbpfVerdict(progType: number, variant: 0 | 1 | 2, id: number): [number, string] {
  try {
    verify({ insns: prog(variant, id), progType, gpl: true, maps: [], logLevel: 0 });
    return [0, ''];
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    return [-e.errno, e.message];
  }
}

test('the table has one prototype for every id of 6.18 enum bpf_func_id', () => {
  for (let id = 1; id < FUNC_ID_NAMES.length; id++) {
    const p = HELPER_PROTOS.get(id);
    assert.ok(p, `no prototype for ${FUNC_ID_NAMES[id]}#${id}`);
    assert.equal(`bpf_${p!.name}`, FUNC_ID_NAMES[id]);
  }
  assert.equal(HELPER_PROTOS.size, FUNC_ID_NAMES.length - 1);
  for (const r of PROTO_ROWS) assert.ok(r.args.length <= 5, r.kernel);
});

test('program-type availability is the kernel recording (get_func_proto of each type)', () => {
  assert.ok(loaded.length >= 27, `${loaded.length} program types recorded`);
  for (const t of loaded) {
    const want = t.v0.map(([, l], id) => (id > 0 && id < FUNC_ID_NAMES.length && !/cannot use helper|^invalid func/.test(l) ? id : -1)).filter((id) => id > 0);
    const ranges = HELPER_AVAILABILITY[t.type];
    assert.ok(ranges !== undefined, `type ${t.type} missing`);
    const got: number[] = [];
    for (const part of ranges!.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let i = a!; i <= (b ?? a!); i++) got.push(i);
    }
    assert.deepEqual(got, want, `program type ${t.type}`);
  }
});

test('every helper id x program type x argument shape: verdict and first error line as Linux 6.18', () => {
  let same = 0;
  let notModelled = 0;
  const diffs: string[] = [];
  for (const t of loaded) {
    for (const variant of [0, 1, 2] as const) {
      const rec = t[`v${variant}`];
      rec.forEach(([errno, line], id) => {
        const [e, msg] = tsbpfVerdict(t.type, variant, id);
        if (e === errno && msg === line) { same++; return; }
        if (NOT_MODELLED.test(msg)) { notModelled++; return; }
        diffs.push(`type ${t.type} v${variant} ${FUNC_ID_NAMES[id] ?? id}#${id}: kernel ${errno} '${line}', tsbpf ${e} '${msg}'`);
      });
    }
  }
  if (diffs.length) console.log(diffs.slice(0, 60).join('\n'), `\n... ${diffs.length} differences`);
  console.log(`helper sweep: ${same} identical, ${notModelled} refused as not modelled, ${diffs.length} different`);
  assert.equal(diffs.length, 0);
});

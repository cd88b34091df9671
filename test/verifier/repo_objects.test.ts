// Every BPF object committed in the repository (tests, examples, and the
// shared benchmarks when ../shared/bench is present) loads through the
// verifier with Runtime.loadObject — unless the kernel's own recording says
// the kernel rejects it, and then the load fails with a VerifierError whose
// message is the kernel's final error line:
//   - kernel goldens (*.kernel.out) with load=failed and verifier_error=...;
//   - verifier corpus records (corpus/X.kernel.json): the first program, in
//     libbpf's order, with errno != 0;
//   - the log fixtures (logs/X.bpf.o): the first program whose recorded
//     level-1 log ends in an error;
//   - logs/plain/X.P.level1.log: the kernel's log of program P of corpus
//     object X loaded as it is (record.c patches some corpus programs first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { LoadError, Runtime, type RuntimeOptions } from '../../src/index.js';
import { errnoName } from '../../src/uapi/errno.js';
import { VerifierError } from '../../src/verifier/index.js';
import { parseObject } from '../../src/object/index.js';
import { kernelErrorLine } from './corpus.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BENCH = join(ROOT, '../shared/bench');

function find(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) find(p, out);
    else if (n.endsWith('.bpf.o')) out.push(p);
  }
  return out;
}

const objects = [...find(join(ROOT, 'test')), ...find(join(ROOT, 'examples')), ...find(BENCH)].sort();

/** Object path (relative to the repository) -> the kernel's verifier error, for objects the kernel rejects. */
function kernelRejections(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of walk(join(ROOT, 'test'))) {
    if (!f.endsWith('.kernel.out')) continue;
    const text = readFileSync(f, 'utf8');
    const obj = /^# obj: (.+)$/m.exec(text)?.[1];
    const err = /^verifier_error=(.*)$/m.exec(text)?.[1];
    // a scenario with load options (--set, --type, ...) is not the object loaded as it is
    const args = /^# args: (.*)$/m.exec(text)?.[1] ?? '[]';
    if ((JSON.parse(args) as string[]).some((a) => a.startsWith('--') && a !== '--no-hold' && a !== '--host')) continue;
    const errno = /^errno=(-E[A-Z0-9]+)$/m.exec(text)?.[1];
    if (obj && /^load=failed$/m.test(text) && err) out.set(obj, err);
    // refused by libbpf before the kernel's verifier saw it (an unresolved extern)
    else if (obj && /^load=failed$/m.test(text) && errno) out.set(obj, `load ${errno}`);
  }
  const corpus = join(ROOT, 'test/verifier/corpus');
  for (const f of readdirSync(corpus).filter((n) => n.endsWith('.kernel.json'))) {
    const recs = JSON.parse(readFileSync(join(corpus, f), 'utf8')) as { name: string; errno: number; log: string }[];
    const obj = `test/verifier/corpus/${f.replace(/\.kernel\.json$/, '.bpf.o')}`;
    const first = recs.find((r) => r.errno !== 0);
    if (first) out.set(obj, kernelErrorLine(first.log) ?? '');
  }
  // corpus objects whose records are of patched programs: the plain load's verdict
  const plain = join(ROOT, 'test/verifier/logs/plain');
  for (const f of existsSync(plain) ? readdirSync(plain).filter((n) => n.endsWith('.level1.log')) : []) {
    const line = kernelErrorLine(readFileSync(join(plain, f), 'utf8'));
    if (line !== undefined) out.set(`test/verifier/corpus/${f.split('.')[0]}.bpf.o`, line);
  }
  const logs = join(ROOT, 'test/verifier/logs');
  for (const o of readdirSync(logs).filter((n) => n.endsWith('.bpf.o'))) {
    const base = o.replace(/\.bpf\.o$/, '');
    const spec = parseObject(new Uint8Array(readFileSync(join(logs, o))));
    for (const ps of spec.programs) {
      const f = join(logs, `${base}.${ps.name}.level1.log`);
      if (!existsSync(f)) continue;
      const line = kernelErrorLine(readFileSync(f, 'utf8'));
      if (line !== undefined) { out.set(`test/verifier/logs/${o}`, line); break; }
    }
  }
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const rejections = kernelRejections();

/** Objects the kernel refuses after verification (no verifier error line, e.g. bpf_check_tail_call): path -> errno. */
function kernelLoadFailures(): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of walk(join(ROOT, 'test'))) {
    if (!f.endsWith('.kernel.out')) continue;
    const text = readFileSync(f, 'utf8');
    const obj = /^# obj: (.+)$/m.exec(text)?.[1];
    const errno = /^errno=-(\w+)$/m.exec(text)?.[1];
    if (obj && /^load=failed$/m.test(text) && /^verifier_error=$/m.test(text) && errno === 'EINVAL') out.set(obj, -22);
  }
  return out;
}
const loadFailures = kernelLoadFailures();

/** Objects the kernel accepts that tsbpf does not load yet, with the reason. */
const KNOWN_GAPS: Record<string, string> = {
  // its point: a helper the verifier checks but the runtime lacks (refs.test.ts asserts the refusal)
  'test/verifier/unimpl_helper.bpf.o': 'bpf_skb_get_xfrm_state is not implemented (no IPsec state)',
};

/**
 * Objects that, loaded as they are, fail before any verification as libbpf
 * fails them (their goldens: test/loader/*.kernel.out); they load with options.
 */
const NOT_LOADABLE_AS_IS: Record<string, RegExp> = {
  'test/loader/kconfig_strong.bpf.o': /^extern 'CONFIG_TSBPF_ABSENT' \(strong\): not resolved$/,
  'test/loader/settype.bpf.o': /^prog 'balancer': missing BPF prog type, check ELF section name 'l4lb-demo'$/,
  'test/loader/sections.bpf.o': /missing BPF prog type|not supported by tsbpf|no BTF-based attach target|failed to find kernel BTF type ID/,
  // a tp_btf program of a tracepoint no kernel has: libbpf fails at its target lookup (-ESRCH, attach_btf.missing-tp)
  'test/loader/attach_btf.bpf.o': /^prog 'missing_tp': failed to find kernel BTF type ID of 'tsbpf_no_such_tp': -3$/,
  // fentry/bpf_fentry_test1: the built-in BTF has no such target (the recording kernel has it, and refuses fentry with -EPERM)
  'test/loader/autoload.bpf.o': /^prog 'trace_entry': failed to find kernel BTF type ID of 'bpf_fentry_test1': -3$/,
};

/**
 * Objects whose kernel answer comes from the recording kernel's configuration,
 * loaded with the runtime options that model it: that kernel has no
 * CONFIG_KALLSYMS_ALL, so no typed .ksyms variable has an address there
 * (tsbpf provides them by default: test/kfuncs/ksym_vars.test.ts).
 */
const KERNEL_CONFIG: Record<string, RuntimeOptions> = {
  'test/kfuncs/ksym_percpu.bpf.o': { ksymVars: [] },
  // raw offsets of the recording kernel's task_struct: its BTF as the target
  'test/verifier/corpus/task_btf.bpf.o': { btf: new Uint8Array(gunzipSync(readFileSync(join(ROOT, 'test/btf/core/vmlinux.btf.gz')))) },
};

test('the repository has BPF objects to load', () => {
  assert.ok(objects.length >= 40, `found ${objects.length}`);
});

for (const path of objects) {
  const rel = relative(ROOT, path);
  const expected = rejections.get(rel);
  const todo = KNOWN_GAPS[rel];
  test(`${rel} ${expected === undefined ? (loadFailures.has(rel) ? 'fails to load as in the kernel' : 'loads') : `is rejected: ${expected}`}`, todo ? { todo } : {}, async () => {
    const rt = new Runtime(KERNEL_CONFIG[rel]);
    let err: unknown;
    try {
      await rt.loadObject(path);
    } catch (e) {
      err = e;
    }
    const early = NOT_LOADABLE_AS_IS[rel];
    if (early) {
      assert.ok(err instanceof Error && !(err instanceof VerifierError), `expected a load error before verification, got ${String(err)}`);
      assert.match(err.message, early);
      return;
    }
    const failure = loadFailures.get(rel);
    if (expected === undefined && failure !== undefined) {
      assert.equal((err as { errno?: number } | undefined)?.errno, failure, `the kernel refuses the load (${failure}); tsbpf: ${String(err)}`);
      return;
    }
    if (expected === undefined) {
      assert.equal(err, undefined, `tsbpf rejects: ${(err as Error)?.message}`);
      return;
    }
    if (expected.startsWith('load -E')) {
      assert.ok(err instanceof LoadError, `libbpf refuses the object (${expected}); tsbpf: ${err === undefined ? 'loads' : String(err)}`);
      assert.equal(`-${errnoName(err.errno)}`, expected.slice(5));
      return;
    }
    assert.ok(err instanceof VerifierError, `the kernel rejects (${expected}); tsbpf: ${err === undefined ? 'loads' : String(err)}`);
    assert.equal(err.message, expected);
    assert.ok(err.log.includes(`\n${expected}\n`) || err.log.startsWith(`${expected}\n`), 'the log carries the error line');
    assert.match(err.log, /processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+\n$/);
  });
}

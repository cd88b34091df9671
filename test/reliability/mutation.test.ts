// Reliability suite (issue 12.8), part 1: seeded mutation of every committed
// BPF object. Each mutant is parsed; some are loaded (maps created, programs
// verified) and every program of a mutant that loads is run once. Every
// outcome must be a result or a typed error (never TypeError/RangeError),
// Runtime.stats() must be back to the baseline after close, and nothing may
// hang (runs have an instruction cap; the suite checks its own time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Runtime, ElfError, BtfError, ObjectError, LoadError, MapError, ArenaError, VmError, TestRunError, InputError, RefError,
  parseObject,
} from '../../src/index.js';
import { VerifierError } from '../../src/verifier/env.js';
import { ClockError } from '../../src/timers/ktime.js';
import { InsnError } from '../../src/isa/insn.js';
import { repoRoot } from '../kernel/kernel.js';

const TYPED = [ElfError, BtfError, ObjectError, LoadError, VerifierError, MapError, ArenaError, VmError, TestRunError,
  InputError, RefError, ClockError, InsnError];
const isTyped = (e: unknown): boolean => TYPED.some((c) => e instanceof c);

/** every committed ELF object */
function committedObjects(): string[] {
  const out = execFileSync('git', ['ls-files', '*.o'], { cwd: repoRoot, encoding: 'utf8' });
  return out.split('\n').filter((l) => l.endsWith('.o'));
}

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
}

/** one of: bit flips, a byte set to an edge value, a range overwritten, a truncation, a range duplicated */
function mutate(src: Uint8Array, r: (n: number) => number): Uint8Array {
  const mode = r(10);
  if (mode === 0) return src.slice(0, r(src.length));
  const b = src.slice();
  if (mode === 1) {
    const at = r(b.length);
    const len = Math.min(b.length - at, 1 + r(64));
    for (let i = 0; i < len; i++) b[at + i] = r(256);
    return b;
  }
  if (mode === 2) {
    const from = r(b.length);
    const to = r(b.length);
    b.copyWithin(to, from, from + 1 + r(32));
    return b;
  }
  const n = 1 + r(6);
  for (let i = 0; i < n; i++) {
    const at = r(b.length);
    b[at] = r(3) === 0 ? [0, 0xff, 0x7f, 0x80, 0x01][r(5)]! : b[at]! ^ (1 << r(8));
  }
  return b;
}

export const MUTANTS_PER_OBJECT = 10;
export const LOADS_PER_OBJECT = 3;

test(`seeded mutation of every committed object (${MUTANTS_PER_OBJECT} mutants each): typed errors, stats back to zero, no hang`, () => {
  const objs = committedObjects();
  assert.ok(objs.length >= 50, `found ${objs.length} committed objects`);
  const r = rng(0x12_08);
  const rt = new Runtime({ maxInsns: 2_000_000, maxRepeat: 1 });
  const base = rt.stats();
  const t0 = performance.now();
  const tally = { mutants: 0, parsed: 0, loaded: 0, runs: 0, typed: 0 };
  for (const rel of objs) {
    const src = new Uint8Array(readFileSync(join(repoRoot, rel)));
    for (let i = 0; i < MUTANTS_PER_OBJECT; i++) {
      const b = mutate(src, r);
      tally.mutants++;
      const what = `${rel} mutant ${i}`;
      try {
        parseObject(b);
        tally.parsed++;
        if (i >= LOADS_PER_OBJECT) continue;
        const obj = rt.loadObjectBytes(b);
        tally.loaded++;
        try {
          for (const name of obj.programNames()) {
            const p = obj.program(name);
            try {
              p.run(p.hasPacket ? { data: new Uint8Array(64) } : {});
              tally.runs++;
            } catch (e) {
              if (!isTyped(e)) assert.fail(`${what}: run ${name}: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
              tally.typed++;
            }
          }
        } finally {
          obj.close();
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        if (!isTyped(e)) assert.fail(`${what}: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
        tally.typed++;
      }
      const s = rt.stats();
      // the runtime keeps its stack frames and scratch between runs: compare the objects, not the bytes
      assert.equal(s.maps, base.maps, `${what}: maps left behind`);
      assert.equal(s.programs, base.programs, `${what}: programs left behind`);
      assert.equal(s.timers, base.timers, `${what}: timers left behind`);
      assert.equal(s.timerProgRefs, base.timerProgRefs, `${what}: timer program references left behind`);
    }
  }
  const ms = performance.now() - t0;
  console.log(`mutation: ${objs.length} objects, ${JSON.stringify(tally)}, ${(ms / 1000).toFixed(1)} s`);
  assert.ok(tally.loaded > 0 && tally.runs > 0, 'some mutants must load and run');
  assert.ok(ms < 600_000, 'no hang');
});

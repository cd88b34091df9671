// may_goto and load-acquire/store-release at run time (the verifier side is
// in test/verifier/corpus/ordering.*, kernel-recorded). Each run below was
// recorded from BPF_PROG_TEST_RUN of an XDP program on Linux 6.18 (kfuzz.c);
// where the kernel can be asked, it is asked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Insn } from '../../src/isa/insn.js';
import { runConformanceTest } from '../../src/vm/conformance.js';
import { ENGINE_KINDS } from '../../src/jit/index.js';
import { BPF_MAX_LOOPS } from '../../src/vm/interpreter.js';
import { verify } from '../../src/verifier/index.js';
import { kernelBatch, kfuzzUnavailable, runOurs } from './fuzz/kdiff.js';

const insns = (a: number[][]): Insn[] => a.map(([code, dst, src, off, imm]) => ({ code: code!, dst: dst!, src: src!, off: off!, imm: imm! }));
const maps = [{ type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, timerOff: -1, spinLockOff: -1, name: 'a' }];
const packet = Uint8Array.from({ length: 64 }, (_, i) => i);

const RUNS: { name: string; prog: number[][]; retval: number }[] = [
  // r0 = 0; loop: may_goto +3; if r0 >= 1000 goto +2; r0 += 1; goto loop; exit
  { name: 'a loop bounded by its own check, may_goto as the guard', retval: 1000,
    prog: [[183, 0, 0, 0, 0], [229, 0, 0, 3, 0], [53, 0, 0, 2, 1000], [7, 0, 0, 0, 1], [5, 0, 0, -4, 0], [149, 0, 0, 0, 0]] },
  // store_release((u64 *)(r10 - 8), r1 = 5); r0 = load_acquire((u64 *)(r10 - 8))
  { name: 'store-release then load-acquire of a stack slot', retval: 5,
    prog: [[183, 1, 0, 0, 5], [219, 10, 1, -8, 272], [219, 0, 10, -8, 256], [149, 0, 0, 0, 0]] },
  // byte and half-word sizes: 0x1234 stored as u16, read back as u8 (little-endian 0x34) plus u16
  { name: 'load-acquire of a byte and a half-word zero-extends', retval: 0x34 + 0x1234,
    prog: [[183, 1, 0, 0, 0x1234], [203, 10, 1, -2, 272], [211, 0, 10, -2, 256], [203, 2, 10, -2, 256], [15, 0, 2, 0, 0], [149, 0, 0, 0, 0]] },
  // a map value written with store-release (u32) and read with load-acquire (u64)
  { name: 'store-release into a map value, load-acquire back', retval: 0x2a,
    prog: [[98, 10, 0, -4, 0], [191, 2, 10, 0, 0], [7, 2, 0, 0, -4], [24, 1, 1, 0, 0], [0, 0, 0, 0, 0], [133, 0, 0, 0, 1],
      [85, 0, 0, 2, 0], [183, 0, 0, 0, 0], [149, 0, 0, 0, 0], [183, 1, 0, 0, 0x2a], [195, 0, 1, 0, 272], [219, 0, 0, 0, 256], [149, 0, 0, 0, 0]] },
];

const why = kfuzzUnavailable();
if (why) console.log(`may_goto_run: recorded kernel results only (${why})`);

for (const r of RUNS) {
  test(`runs as the kernel: ${r.name}`, () => {
    const p = { insns: insns(r.prog), progType: 6, maps, origin: r.name };
    verify({ insns: p.insns, progType: 6, gpl: true, maps, logLevel: 0 });
    const mine = runOurs(p, packet);
    assert.ok(!('runErr' in mine), JSON.stringify(mine));
    assert.equal(mine.retval, r.retval);
    if (!why) {
      const [k] = kernelBatch([{ p, packet }])!;
      assert.equal(k!.kind, 'ok', k!.message);
      assert.equal((k!.run as { retval: number }).retval, r.retval);
    }
  });
}

// may_goto's budget: BPF_MAX_LOOPS fall-throughs per call frame, then the
// jump. This is the semantics of the kernel's interpreter (do_misc_fixups'
// counter in a hidden stack slot); x86-64's JIT instead bounds the loop by
// time (250 ms: the same loop returned 250 867 980 on the recording host),
// which no deterministic runtime can follow.
test('may_goto falls through BPF_MAX_LOOPS times, then jumps', () => {
  // r0 = 0; loop: may_goto +2; r0 += 1; goto loop; exit
  const raw = insns([[183, 0, 0, 0, 0], [229, 0, 0, 2, 0], [7, 0, 0, 0, 1], [5, 0, 0, -3, 0], [149, 0, 0, 0, 0]]);
  for (const engine of ENGINE_KINDS) {
    const out = runConformanceTest({ name: 'may_goto budget', raw, mem: new Uint8Array(), result: BigInt(BPF_MAX_LOOPS) }, { maxInsns: 40_000_000, engine });
    assert.ok(out.passed, `${engine}: ${out.reason}`);
  }
});

test('may_goto with an exhausted budget jumps every time (no second chance in the same frame)', () => {
  // loop 1 drains the budget; loop 2 then adds nothing: r0 = BPF_MAX_LOOPS
  const raw = insns([[183, 0, 0, 0, 0], [229, 0, 0, 2, 0], [7, 0, 0, 0, 1], [5, 0, 0, -3, 0],
    [229, 0, 0, 2, 0], [7, 0, 0, 0, 1], [5, 0, 0, -3, 0], [149, 0, 0, 0, 0]]);
  for (const engine of ENGINE_KINDS) {
    const out = runConformanceTest({ name: 'may_goto drained', raw, mem: new Uint8Array(), result: BigInt(BPF_MAX_LOOPS) }, { maxInsns: 40_000_000, engine });
    assert.ok(out.passed, `${engine}: ${out.reason}`);
  }
});

test('may_goto: every call frame starts with its own budget (a bpf-to-bpf callee after the caller drained its own)', () => {
  // main: r6 counts its may_goto loop, then calls sub; sub counts its own; r0 = both counts
  const raw = insns([[183, 6, 0, 0, 0], [229, 0, 0, 2, 0], [7, 6, 0, 0, 1], [5, 0, 0, -3, 0], [133, 0, 1, 0, 2],
    [15, 0, 6, 0, 0], [149, 0, 0, 0, 0],
    [183, 0, 0, 0, 0], [229, 0, 0, 2, 0], [7, 0, 0, 0, 1], [5, 0, 0, -3, 0], [149, 0, 0, 0, 0]]);
  for (const engine of ENGINE_KINDS) {
    const out = runConformanceTest({ name: 'may_goto frames', raw, mem: new Uint8Array(), result: 2n * BigInt(BPF_MAX_LOOPS) }, { maxInsns: 80_000_000, engine });
    assert.ok(out.passed, `${engine}: ${out.reason}`);
  }
});

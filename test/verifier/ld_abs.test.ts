// BPF_LD_ABS / BPF_LD_IND (legacy packet loads) of socket filters and tc
// programs: the verifier's check_ld_abs rules (their verdicts are kernel-recorded
// in fuzz_kernel_regressions.json) and execution in the interpreter: R0 the
// big-endian bytes at skb->data + offset, or an implicit `return 0` when the
// offset is outside the packet. The return values below are the live kernel's
// BPF_PROG_TEST_RUN results for the same packet (bytes i*37+11), re-asked
// where root + bpf() are available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from '../../src/verifier/index.js';
import type { Insn } from '../../src/isa/insn.js';
import { kernelBatch, kfuzzUnavailable, runOurs } from './fuzz/kdiff.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const E = I(0x95), S6 = I(0xbf, 6, 1);
const SOCKET_FILTER = 1, SCHED_CLS = 3;
const PACKET = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);

const CASES: { name: string; type: number; insns: Insn[]; retval: number }[] = [
  { name: 'ldabsb 0 (socket filter: skb->data is the network header)', type: SOCKET_FILTER, insns: [S6, I(0x30, 0, 0, 0, 0), E], retval: 17 },
  { name: 'ldabsh 12', type: SOCKET_FILTER, insns: [S6, I(0x28, 0, 0, 0, 12), E], retval: 52722 },
  { name: 'ldabsw 14 (tc: from the mac header)', type: SCHED_CLS, insns: [S6, I(0x20, 0, 0, 0, 14), E], retval: 288775040 },
  { name: 'ldabsw past the end returns 0 at once', type: SOCKET_FILTER, insns: [S6, I(0x20, 0, 0, 0, 62), I(0x07, 0, 0, 0, 5), E], retval: 0 },
  { name: 'ldabsb 1000 returns 0 at once', type: SOCKET_FILTER, insns: [S6, I(0x30, 0, 0, 0, 1000), I(0x07, 0, 0, 0, 5), E], retval: 0 },
  { name: 'ldindb r7 + 4', type: SOCKET_FILTER, insns: [S6, I(0xb7, 7, 0, 0, 3), I(0x50, 0, 7, 0, 4), E], retval: 20 },
  { name: 'ldindh r7 - 2', type: SCHED_CLS, insns: [S6, I(0xb7, 7, 0, 0, 10), I(0x48, 0, 7, 0, -2), E], retval: 13144 },
  { name: 'callee-saved registers survive', type: SOCKET_FILTER, insns: [S6, I(0xb7, 7, 0, 0, 9), I(0x30, 0, 0, 0, 0), I(0xbf, 0, 7), E], retval: 9 },
];

const why = kfuzzUnavailable();
if (why) console.log(`ld_abs: recorded kernel results only (${why})`);
const live = why ? undefined : kernelBatch(CASES.map((c) => ({ p: { insns: c.insns, progType: c.type, maps: [], origin: c.name }, packet: PACKET })));

CASES.forEach((c, i) => {
  test(`LD_ABS/LD_IND: ${c.name}`, () => {
    verify({ insns: c.insns, progType: c.type, gpl: true, maps: [], logLevel: 0 });
    const r = runOurs({ insns: c.insns, progType: c.type, maps: [], origin: c.name }, PACKET);
    assert.ok(!('runErr' in r));
    assert.equal(r.retval, c.retval);
    const k = live?.[i]?.run;
    if (k && !('runErr' in k)) assert.equal(k.retval, c.retval, 'the live kernel disagrees with the recorded value');
  });
});

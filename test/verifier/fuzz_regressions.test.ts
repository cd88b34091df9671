// Minimized reproducers of what the verifier fuzz test (fuzz.test.ts) found.
// Each one the verifier used to accept and the interpreter then faulted on;
// each is now rejected, and (where the live kernel is available) the kernel
// rejects it too, with the same errno.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify, VerifierError } from '../../src/verifier/index.js';
import { encode, type Insn } from '../../src/isa/insn.js';
import { Interpreter } from '../../src/vm/interpreter.js';
import { VmError } from '../../src/vm/errors.js';
import { Arena } from '../../src/memory/arena.js';
import { kernelAvailable, repoRoot } from '../kernel/kernel.js';

const XDP = 6;
const kernel = kernelAvailable();
if (!kernel.ok) console.log(`fuzz regressions: the live kernel's verdicts are SKIPPED (${kernel.why})`);
const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const EXIT = I(0x95);
const R0_0 = I(0xb7, 0, 0, 0, 0);

interface Repro {
  name: string;
  /** what the fuzzer saw, in one line */
  found: string;
  insns: Insn[];
  /** the verifier's message now: the kernel's, word for word */
  message: string;
  /**
   * the interpreter faults on it (invalid-insn); the others it runs, ignoring
   * the reserved field, so accepting them was a fidelity bug, not a fault
   */
  traps: boolean;
}

// Finding 1 (seed 1, random index 33, and many more): the verifier checked no
// reserved instruction fields at all, so encodings the kernel refuses were
// accepted and then trapped in the interpreter's decoder ("unknown opcode
// 0xdf", "unknown atomic operation 0x10"). Fix: src/verifier/insn_fields.ts
// (the kernel's check_alu_op / do_check_insn / check_atomic field rules),
// called first in Verifier.step(); the opcode-table cases are now caught even
// earlier by the verifier's unknown-opcode pre-pass. The siblings of the
// trapping cases below are encodings the interpreter happens to run (it
// ignores the field) but that the kernel refuses: rejected now as well.
const REPROS: Repro[] = [
  {
    name: 'ALU64 bswap with BPF_X (0xdf)',
    found: 'invalid-insn: unknown opcode 0xdf (r8 = bswap16 r8 with the BPF_X bit)',
    insns: [R0_0, I(0xdf, 0, 0, 0, 16), EXIT],
    message: 'unknown opcode df',
    traps: true,
  },
  {
    name: 'neg with a source register (0x8f)',
    found: 'invalid-insn: decoder trap on BPF_NEG | BPF_X',
    insns: [R0_0, I(0x8f, 0, 1), EXIT],
    message: 'unknown opcode 8f',
    traps: true,
  },
  {
    name: 'add with off=1 (only div/mod take the signed flag)',
    found: 'invalid-insn: decoder trap on off 1 for add',
    insns: [R0_0, I(0x07, 0, 0, 1, 1), EXIT],
    message: 'BPF_ALU uses reserved fields',
    traps: false,
  },
  {
    name: 'mov imm with a source register',
    found: 'invalid-insn: decoder trap on src 1 for mov',
    insns: [I(0xb7, 0, 1, 0, 0), EXIT],
    message: 'BPF_MOV uses reserved fields',
    traps: false,
  },
  {
    name: 'ldx with a non-zero imm',
    found: 'invalid-insn: decoder trap on imm of ldxdw',
    insns: [I(0x7a, 10, 0, -8, 0), I(0x79, 0, 10, -8, 7), EXIT],
    message: 'BPF_LDX uses reserved fields',
    traps: false,
  },
  {
    name: 'stx with a non-zero imm',
    found: 'invalid-insn: decoder trap on imm of stxdw',
    insns: [R0_0, I(0x7b, 10, 0, -8, 1), EXIT],
    message: 'BPF_STX uses reserved fields',
    traps: false,
  },
  {
    name: 'atomic with an unknown operation (0x10, "sub")',
    found: 'invalid-insn: decoder trap on the atomic imm',
    insns: [R0_0, I(0x7a, 10, 0, -8, 0), I(0xdb, 10, 0, -8, 0x10), EXIT],
    message: 'BPF_ATOMIC uses invalid atomic opcode 10',
    traps: true,
  },
  {
    name: 'conditional jump on an immediate with a source register',
    found: 'invalid-insn: decoder trap on src of jeq imm',
    insns: [R0_0, I(0x15, 0, 1, 0, 0), EXIT],
    message: 'BPF_JMP/JMP32 uses reserved fields',
    traps: false,
  },
  {
    name: 'exit with a non-zero imm',
    found: 'invalid-insn: decoder trap on exit imm',
    insns: [R0_0, I(0x95, 0, 0, 0, 1)],
    message: 'BPF_EXIT uses reserved fields',
    traps: false,
  },
  {
    name: 'ld_imm64 with a non-zero off',
    found: 'invalid-insn: decoder trap on lddw off',
    insns: [I(0x18, 0, 0, 3, 1), I(0, 0, 0, 0, 0), EXIT],
    message: 'BPF_LD_IMM64 uses reserved fields',
    traps: false,
  },
];

// Finding 2 (seed 404, mutated index 3115): an ld_imm64 naming a map that does
// not exist (imm 128 with two maps), in code a constant branch skips. Our
// verifier only looked at map references on paths it walked and accepted it;
// no loader can relocate it. The kernel resolves every ld_imm64 up front
// (resolve_pseudo_ldimm64): EBADF. Fix: src/verifier/map_compat.ts
// checkUsedMaps now fails on a missing map, and applies the direct-value rules
// (array maps with max_entries 1, offset inside the value) there too.
const DEAD_BAD_MAP: Insn[] = [
  I(0xb7, 7, 0, 0, 559), I(0x45, 7, 0, 2, 0x3fffffff), // if r7 & 0x3fffffff goto +2: always taken
  I(0x18, 1, 1, 0, 1000), I(0, 0, 0, 0, 0), // r1 = map[1000] (dead)
  I(0xb7, 0, 0, 0, 2), EXIT,
];
const HASH = { type: 1, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, timerOff: -1, spinLockOff: -1, name: 'h' };
const ARRAY4 = { ...HASH, type: 2, name: 'a' };

test('fuzz regression: a bad map reference in dead code is rejected (EBADF)', () => {
  assert.throws(
    () => verify({ insns: DEAD_BAD_MAP, progType: XDP, gpl: true, maps: [HASH] }),
    (e: unknown) => e instanceof VerifierError && e.errno === -9 && e.message === 'fd 1000 is not pointing to valid bpf_map',
  );
});

test('fuzz regression: direct map value pointers only into single-element arrays', () => {
  const prog = (off: number): Insn[] => [I(0x18, 1, 2, 0, 0), I(0, 0, 0, 0, off), I(0xb7, 0, 0, 0, 2), EXIT];
  const reject = (maps: typeof HASH[], off: number, errno: number, msg: string) => assert.throws(
    () => verify({ insns: prog(off), progType: XDP, gpl: true, maps }),
    (e: unknown) => e instanceof VerifierError && e.errno === errno && e.message === msg,
  );
  reject([HASH], 0, -22, 'no direct value access support for this map type');
  reject([ARRAY4], 0, -524, 'invalid access to map value pointer, value_size=8 off=0');
  reject([{ ...ARRAY4, maxEntries: 1 }], 8, -22, 'invalid access to map value pointer, value_size=8 off=8');
  verify({ insns: prog(4), progType: XDP, gpl: true, maps: [{ ...ARRAY4, maxEntries: 1 }] });
});

test('fuzz regression: a bad map reference in dead code: the live kernel rejects it too', { skip: kernel.ok ? false : `no live kernel: ${kernel.why}` }, () => {
  const k = kernelVerdict(DEAD_BAD_MAP);
  if (!k) {
    console.log('fuzz regressions: kload could not be built or run; kernel verdict skipped');
    return;
  }
  // imm 1000 is an fd to the kernel: not open in kload, so not a map either
  assert.equal(k.errno, 9, k.log);
  assert.match(k.log, /fd 1000 is not pointing to valid bpf_map/);
});

/** The live kernel's answer: errno 0 for accepted; undefined when it cannot be asked. */
let kload: string | null | undefined;
function kernelVerdict(insns: Insn[]): { errno: number; log: string } | undefined {
  if (kload === undefined) {
    kload = null;
    if (kernelAvailable().ok) {
      const out = join(mkdtempSync(join(tmpdir(), 'tsbpf-kload-')), 'kload');
      const src = join(repoRoot, 'test', 'verifier', 'fuzz', 'kload.c');
      const r = spawnSync('gcc', ['-O1', '-o', out, src, '-lbpf'], { encoding: 'utf8' });
      if (r.status === 0 && existsSync(out)) kload = out;
      else console.log(`kload: cannot build (${r.error?.message ?? r.stderr.trim()})`);
    }
  }
  if (!kload) return undefined;
  const r = spawnSync(kload, [String(XDP), Buffer.from(encode(insns)).toString('hex')], { encoding: 'utf8' });
  const [first, ...rest] = r.stdout.split('\n');
  if (!first) return undefined;
  return { errno: first === 'ok' ? 0 : Number(first.split(' ')[1]), log: rest.join('\n') };
}


for (const r of REPROS) {
  test(`fuzz regression: ${r.name} is rejected`, () => {
    const vm = new Interpreter(r.insns, { arena: new Arena(), helper: () => undefined });
    if (r.traps) {
      // the interpreter cannot run it: this is what the fuzzer caught
      assert.throws(() => vm.run(0, []), (e: unknown) => e instanceof VmError && e.kind === 'invalid-insn', r.found);
    } else {
      assert.equal(typeof vm.run(0, []), 'bigint');
    }
    // our verifier refuses it, with the kernel's errno and message
    assert.throws(
      () => verify({ insns: r.insns, progType: XDP, gpl: true, maps: [] }),
      (e: unknown) => e instanceof VerifierError && e.errno === -22 && e.message === r.message,
    );
  });

  test(`fuzz regression: ${r.name}: the live kernel rejects it too`, { skip: kernel.ok ? false : `no live kernel: ${kernel.why}` }, () => {
    const k = kernelVerdict(r.insns);
    if (!k) {
      console.log('fuzz regressions: kload could not be built or run; kernel verdict skipped');
      return;
    }
    assert.equal(k.errno, 22, `kernel said errno ${k.errno}:\n${k.log}`);
    const lines = k.log.split('\n').filter((l) => l.length > 0);
    const i = lines.findIndex((l) => l.startsWith('processed '));
    assert.equal(lines[i - 1], r.message, `kernel log:\n${k.log}`);
  });
}

// bpf_conformance `.data` files: parse, then run on the interpreter the way
// the suite's runner and uBPF's plugin do: r1 = pointer to a copy of the
// `-- mem` bytes (0 when there are none), r2 = their length, and the plugin's
// test helpers 0..5 registered. A test passes when r0 equals `-- result`
// (we compare all 64 bits; the suite's runner only compares the low 32) or,
// for an `-- error` test, when loading or running fails.
//
// Sections (as bpf_test_parser.cc): `-- asm`, `-- raw` (one little-endian
// 64-bit slot per hex word; wins over asm), `-- mem` (hex bytes), `-- result`,
// `-- error`; `-- c` and `-- no register offset` are ignored with what follows
// them (the latter only annotates tests that uBPF's JIT cannot offset).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../isa/asm.js';
import type { Insn } from '../isa/insn.js';
import { InsnError } from '../isa/insn.js';
import { validateProgram } from '../isa/validate.js';
import { ARENA_ACCESS_READ, ARENA_ACCESS_RW, Arena } from '../memory/arena.js';
import type { HelperFn, VmEnv } from './env.js';
import { VmError } from './errors.js';
import { createEngine, type EngineKind } from '../jit/index.js';

export class ConformanceParseError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'ConformanceParseError';
  }
}

export interface ConformanceTest {
  name: string;
  /** program source: `-- raw` when present, else the assembled `-- asm` */
  asm?: string;
  raw?: Insn[];
  mem: Uint8Array;
  /** expected r0 (unsigned 64-bit), absent for error tests */
  result?: bigint;
  /** expected error text, when the run must fail */
  error?: string;
}

export interface ConformanceOutcome {
  name: string;
  passed: boolean;
  /** why it failed (or, for a passing error test, the error seen) */
  reason?: string;
  /** r0 when the program ran to completion */
  r0?: bigint;
}

type Section = 'ignore' | 'asm' | 'raw' | 'mem' | 'result' | 'error';

function parseNumber(text: string, what: string, file?: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|-?[0-9]+)$/i.test(t)) throw new ConformanceParseError(`bad ${what} '${t}'`, file);
  return BigInt.asUintN(64, BigInt(t));
}

/** Parses one `.data` file. */
export function parseConformance(text: string, name = '<input>'): ConformanceTest {
  const asm: string[] = [];
  const raw: string[] = [];
  const mem: string[] = [];
  let result: string | undefined;
  let error: string | undefined;
  let section: Section = 'ignore';
  let sawAsm = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('--')) {
      const h = line.slice(2).trim();
      section = h === 'asm' ? 'asm' : h === 'raw' ? 'raw' : h === 'mem' ? 'mem' : h === 'result' ? 'result'
        : h === 'error' ? 'error' : h === 'c' || h === 'no register offset' ? 'ignore' : (() => {
          throw new ConformanceParseError(`unknown section '${line.trim()}'`, name);
        })();
      if (section === 'asm') sawAsm = true;
      continue;
    }
    const body = section === 'asm' ? line : line.replace(/#.*/, '').trim();
    if (section !== 'asm' && body === '') continue;
    switch (section) {
      case 'asm': asm.push(line); break;
      case 'raw': raw.push(...body.split(/\s+/)); break;
      case 'mem': mem.push(...body.split(/\s+/)); break;
      case 'result': result = body; break;
      case 'error': error = body; break;
      default: break;
    }
  }
  if (result === undefined && error === undefined) throw new ConformanceParseError('no -- result or -- error section', name);
  const bytes = new Uint8Array(mem.length);
  mem.forEach((b, i) => {
    if (!/^[0-9a-f]{1,2}$/i.test(b)) throw new ConformanceParseError(`bad memory byte '${b}'`, name);
    bytes[i] = parseInt(b, 16);
  });
  const test: ConformanceTest = { name, mem: bytes };
  if (result !== undefined) test.result = parseNumber(result, 'result', name);
  if (error !== undefined) test.error = error;
  if (raw.length > 0) {
    test.raw = raw.map((word) => {
      const v = parseNumber(word, 'raw instruction', name);
      return {
        code: Number(v & 0xffn),
        dst: Number((v >> 8n) & 0xfn),
        src: Number((v >> 12n) & 0xfn),
        off: Number(BigInt.asIntN(16, v >> 16n)),
        imm: Number(BigInt.asIntN(32, v >> 32n)),
      };
    });
  } else if (sawAsm) {
    test.asm = asm.join('\n');
  } else {
    throw new ConformanceParseError('no -- asm or -- raw section', name);
  }
  return test;
}

/** The test helpers of uBPF's bpf_conformance plugin (ubpf_plugin/test_helpers.h). */
export function conformanceHelpers(): Map<number, HelperFn> {
  const m = new Map<number, HelperFn>();
  // gather_bytes: the low bytes of r1..r5 packed big-endian
  m.set(0, (_vm, a, b, c, d, e) =>
    ((a & 0xffn) << 32n) | ((b & 0xffn) << 24n) | ((c & 0xffn) << 16n) | ((d & 0xffn) << 8n) | (e & 0xffn));
  // memfrob: xor r2 bytes at r1 with 42
  m.set(1, (vm, p, n) => {
    const addr = Number(p);
    const len = Number(n);
    if (p > 0xffffffffn || n > 0xffffffffn || !vm.arena.canAccess(addr, len, ARENA_ACCESS_RW)) {
      throw new Error(`memfrob: bad buffer 0x${p.toString(16)} length ${n}`);
    }
    const u8 = vm.arena.u8;
    for (let i = 0; i < len; i++) u8[addr + i]! ^= 42;
    return 0n;
  });
  m.set(2, () => 0n); // no_op
  m.set(3, (_vm, a) => BigInt(Math.floor(Math.sqrt(Number(a))))); // sqrti
  // strcmp_ext: strcmp of two NUL-terminated strings in the arena
  m.set(4, (vm, a, b) => {
    const cstr = (p: bigint): Uint8Array => {
      const start = Number(p);
      let end = start;
      while (p <= 0xffffffffn && vm.arena.canAccess(end, 1, ARENA_ACCESS_READ)) {
        if (vm.arena.u8[end] === 0) return vm.arena.u8.subarray(start, end + 1);
        end++;
      }
      throw new Error(`strcmp_ext: unterminated or invalid string at 0x${p.toString(16)}`);
    };
    const x = cstr(a);
    const y = cstr(b);
    for (let i = 0; ; i++) {
      const d = x[i]! - y[i]!;
      if (d !== 0 || x[i] === 0) return BigInt.asUintN(64, BigInt(d));
    }
  });
  // unwind: returns r1 (uBPF stops the program when it returns 0; no suite test relies on that)
  m.set(5, (_vm, a) => a);
  return m;
}

export interface RunOptions {
  /** instruction budget per test (default 1M) */
  maxInsns?: number;
  /** the engine that runs it (default: the interpreter) */
  engine?: EngineKind;
}

/** Assembles (or takes the raw slots), validates and runs one test. */
export function runConformanceTest(test: ConformanceTest, opts: RunOptions = {}): ConformanceOutcome {
  const { name } = test;
  let r0: bigint;
  try {
    const insns = test.raw ?? assemble(test.asm ?? '');
    validateProgram(insns);
    const arena = new Arena({ initialBytes: 65536, maxBytes: 16 << 20 });
    const helpers = conformanceHelpers();
    const env: VmEnv = { arena, helper: (id) => helpers.get(id) };
    let ptr = 0;
    if (test.mem.length > 0) {
      ptr = arena.alloc(test.mem.length);
      arena.u8.set(test.mem, ptr);
    }
    const vm = createEngine(opts.engine ?? 'interp', insns, env, { maxInsns: opts.maxInsns ?? 1_000_000 });
    r0 = vm.run(0, [BigInt(ptr), BigInt(test.mem.length)]);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const reason = `${e.name}: ${e.message}`;
    if (test.error !== undefined) return { name, passed: true, reason };
    return { name, passed: false, reason };
  }
  if (test.error !== undefined) {
    return { name, passed: false, r0, reason: `expected an error ('${test.error}') but r0 = 0x${r0.toString(16)}` };
  }
  if (r0 !== test.result) {
    return { name, passed: false, r0, reason: `r0 = 0x${r0.toString(16)}, expected 0x${test.result!.toString(16)}` };
  }
  return { name, passed: true, r0 };
}

/** Parses and runs every `.data` file in dir (sorted by name). */
export function runConformanceDir(dir: string, opts: RunOptions = {}): ConformanceOutcome[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
  return files.map((f) => {
    let test: ConformanceTest;
    try {
      test = parseConformance(readFileSync(join(dir, f), 'utf8'), f);
    } catch (e) {
      if (e instanceof ConformanceParseError) return { name: f, passed: false, reason: e.message };
      throw e;
    }
    return runConformanceTest(test, opts);
  });
}

// re-exported for callers that classify failures
export { InsnError, VmError };

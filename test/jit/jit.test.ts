// The JIT's own parts: the wasm encoder, load-time errors, the arena block
// cache, entry points, engine selection. Its semantics are proven by running
// the interpreter's tests under it (engines.test.ts) and by the fuzz
// differential (fuzz_diff.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/asm.js';
import { Arena } from '../../src/memory/arena.js';
import type { HelperFn, VmEnv } from '../../src/vm/env.js';
import { VmError } from '../../src/vm/errors.js';
import { decodeProgram } from '../../src/vm/decode.js';
import { Bytes, encodeModule, I64, OP } from '../../src/jit/wasm.js';
import { compileProgram, JitError } from '../../src/jit/compile.js';
import { createEngine, ENGINE_KINDS, JitEngine, resolveEngine, setDirectAccess } from '../../src/jit/index.js';
import { verify } from '../../src/verifier/index.js';
import { AUX_CHECKED, AUX_DIRECT } from '../../src/verifier/insn_aux.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { validateProgram } from '../../src/isa/validate.js';
import { loadRecords } from '../verifier/corpus.js';

function vmError(fn: () => unknown): VmError {
  try { fn(); } catch (e) { if (e instanceof VmError) return e; throw e; }
  assert.fail('expected a VmError');
}

function env(helpers: Map<number, HelperFn> = new Map()): VmEnv {
  return { arena: new Arena(), helper: (id) => helpers.get(id) };
}

test('encoder: LEB128 at the edges', () => {
  const hex = (b: Bytes): string => Buffer.from(b.toUint8Array()).toString('hex');
  assert.equal(hex(new Bytes().u32(0)), '00');
  assert.equal(hex(new Bytes().u32(127)), '7f');
  assert.equal(hex(new Bytes().u32(128)), '8001');
  assert.equal(hex(new Bytes().u32(0xffffffff)), 'ffffffff0f');
  assert.equal(hex(new Bytes().s32(-1)), '7f');
  assert.equal(hex(new Bytes().s32(63)), '3f');
  assert.equal(hex(new Bytes().s32(64)), 'c000');
  assert.equal(hex(new Bytes().s32(-64)), '40');
  assert.equal(hex(new Bytes().s32(-65)), 'bf7f');
  assert.equal(hex(new Bytes().s32(-0x80000000)), '8080808078');
  assert.equal(hex(new Bytes().s64(-0x8000000000000000n)), '808080808080808080' + '7f');
  assert.equal(hex(new Bytes().s64(0x7fffffffffffffffn)), 'ffffffffffffffffff' + '00');
});

test('encoder: a module it writes is valid WebAssembly and runs', () => {
  // (func (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
  const body = new Bytes().byte(OP.local_get).u32(0).byte(OP.local_get).u32(1).byte(OP.i64_mul).byte(OP.end);
  const bytes = encodeModule([], [{ type: { params: [I64, I64], results: [I64] }, locals: [], body, export: 'mul' }]);
  assert.ok(WebAssembly.validate(bytes));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  assert.equal((inst.exports['mul'] as (a: bigint, b: bigint) => bigint)(-3n, 1n << 40n), -3n << 40n);
});

test('an instruction the JIT does not know is a load-time JitError, not a fallback', () => {
  const prog = decodeProgram(assemble('mov %r0, 0\nexit'));
  // slot 0 carries an opcode no engine defines (as a decoder that knew more would hand over)
  const words = Int32Array.from(prog.words);
  words[0] = 0xf5;
  assert.throws(() => compileProgram({ ...prog, words }), (e: unknown) => e instanceof JitError && /insn 0: opcode 0xf5 is not supported by the JIT/.test(e.message));
});

test('block cache: a block freed by a helper faults at the next access, as in the interpreter', () => {
  const src = 'ldxdw %r0, [%r1+0]\nmov %r6, %r1\ncall 7\nldxdw %r0, [%r6+0]\nexit';
  for (const kind of ENGINE_KINDS) {
    const helpers = new Map<number, HelperFn>();
    const e = env(helpers);
    const p = e.arena.alloc(8);
    helpers.set(7, (vm) => { vm.arena.free(p); return 0n; });
    const vm = createEngine(kind, assemble(src), e);
    const err = vmError(() => vm.run(0, [BigInt(p)]));
    assert.equal(err.kind, 'memory', kind);
    assert.equal(err.pc, 3, kind);
    assert.equal(err.addr, BigInt(p), kind);
    assert.match(err.message, /insn 3: invalid read of 8 bytes at 0x/);
  }
});

test('block cache across entries: kept while the arena\'s blocks are unchanged, dropped when one is freed, reallocated or changes access (run, run1 and callback entries)', () => {
  // r1: a block to read; r2: a block to write (checked accesses: no verifier, no directAccess)
  const src = 'ldxdw %r0, [%r1+0]\nstxdw [%r2+0], %r0\nexit';
  for (const kind of ENGINE_KINDS) {
    const e = env();
    let misses = 0;
    const blockOf = e.arena.blockOf.bind(e.arena);
    e.arena.blockOf = (addr: number) => { misses++; return blockOf(addr); };
    const x = e.arena.alloc(8), out = e.arena.alloc(8);
    e.arena.dv.setBigUint64(x, 7n, true);
    const vm = createEngine(kind, assemble(src), e);
    const entries: [string, (a: number, b: number) => void][] = [
      ['run', (a, b) => { vm.run(0, [BigInt(a), BigInt(b)]); }],
      ['runCallback', (a, b) => vm.runCallback(0, a, b, 0)],
    ];
    for (const [how, enter] of entries) {
      const what = `${kind} ${how}`;
      enter(x, out);
      assert.equal(e.arena.dv.getBigUint64(out, true), 7n, what);
      misses = 0;
      enter(x, out);
      // the JIT's caches still hold both blocks: no miss into JS (the interpreter asks the arena itself)
      if (kind === 'jit') assert.equal(misses, 0, `${what}: a second entry on unchanged blocks misses`);
      // an allocation elsewhere cannot make a cached block wrong: the caches stay
      const other = e.arena.alloc(64);
      misses = 0;
      enter(x, out);
      if (kind === 'jit') assert.equal(misses, 0, `${what}: an allocation dropped the caches`);
      // freed: the next entry faults at the read, as the interpreter does
      e.arena.free(x);
      let err = vmError(() => enter(x, out));
      assert.equal(err.kind, 'memory', what);
      assert.match(err.message, /insn 0: invalid read of 8 bytes/, what);
      // reallocated at the same address as runtime-internal memory (ARENA_ACCESS_NONE): still a fault
      const y = e.arena.alloc(8, 0);
      assert.equal(y, x, 'first fit hands the same address out again');
      err = vmError(() => enter(x, out));
      assert.match(err.message, /insn 0: invalid read of 8 bytes/, what);
      // made readable again, then the written block made read-only: the write faults
      e.arena.setAccess(y, 1);
      enter(y, out);
      e.arena.setAccess(out, 1);
      err = vmError(() => enter(y, out));
      assert.match(err.message, /insn 1: invalid write of 8 bytes/, what);
      e.arena.setAccess(out, 3);
      e.arena.free(other);
      // the same address as a fresh program block again: it runs
      e.arena.free(y);
      assert.equal(e.arena.alloc(8), x);
      e.arena.dv.setBigUint64(x, 7n, true);
    }
  }
});

test('block cache: read-only blocks refuse writes and atomics; alternating blocks stay correct', () => {
  for (const kind of ENGINE_KINDS) {
    const e = env();
    const ro = e.arena.alloc(16, 1); // ARENA_ACCESS_READ
    e.arena.dv.setUint32(ro, 41, true);
    const rw = e.arena.alloc(16);
    // read ro, write rw, read ro, read stack, write rw...: every entry of the cache is used
    const vm = createEngine(kind, assemble(`
      ldxw %r3, [%r1+0]
      stxw [%r2+0], %r3
      stdw [%r10-8], 1
      ldxw %r4, [%r1+0]
      ldxdw %r5, [%r10-8]
      add %r4, %r5
      stxw [%r2+4], %r4
      ldxw %r0, [%r2+4]
      exit`), e);
    assert.equal(vm.run(0, [BigInt(ro), BigInt(rw)]), 42n, kind);
    const w = createEngine(kind, assemble('ldxw %r0, [%r1+0]\nstxw [%r1+0], %r0\nexit'), e);
    const err = vmError(() => w.run(0, [BigInt(ro)]));
    assert.equal(err.kind, 'memory');
    assert.match(err.message, /insn 1: invalid write of 4 bytes/, kind);
    const a = createEngine(kind, assemble('mov %r2, 1\nlock add32 [%r1+0], %r2\nexit'), e);
    assert.match(vmError(() => a.run(0, [BigInt(ro)])).message, /insn 1: invalid atomic access of 4 bytes/, kind);
    // the last bytes of a block are fine, one past is not
    const edge = createEngine(kind, assemble('ldxw %r0, [%r1+12]\nldxw %r0, [%r1+13]\nexit'), e);
    assert.match(vmError(() => edge.run(0, [BigInt(rw)])).message, /insn 1: invalid read of 4 bytes/, kind);
  }
});

test('entry points: a callback at any instruction runs (the JIT recompiles with it as a block start)', () => {
  const insns = assemble('mov %r0, 1\nadd %r0, 2\nadd %r0, %r1\nexit');
  const vm = new JitEngine(insns, env());
  assert.equal(vm.run(1, [10n]), 12n);
  assert.equal(vm.run(2, [10n]), 10n);
  assert.equal(vm.run(0, [10n]), 13n);
  assert.equal(vmError(() => vm.run(4)).kind, 'entry');
  assert.equal(vmError(() => vm.run(0, [1n, 2n, 3n, 4n, 5n, 6n])).kind, 'entry');
});

test('insnCount is exact per run (the budget is charged per basic block)', () => {
  const insns = assemble('mov %r0, 0\nmov %r2, 100\nloop:\nadd %r0, 1\njlt %r0, %r2, loop\nlddw %r3, 0x100000000\nexit');
  const interp = createEngine('interp', insns, env());
  const jit = createEngine('jit', insns, env());
  assert.equal(jit.run(0), interp.run(0));
  assert.equal(interp.insnCount, 2 + 200 + 2);
  assert.equal(jit.insnCount, interp.insnCount);
  // a cap stops both at the same instruction
  for (const cap of [1, 2, 3, 150, 203]) {
    const a = vmError(() => createEngine('interp', insns, env(), { maxInsns: cap }).run(0));
    const b = vmError(() => createEngine('jit', insns, env(), { maxInsns: cap }).run(0));
    assert.equal(b.kind, 'budget');
    assert.equal(b.pc, a.pc, `cap ${cap}`);
    assert.equal(b.message, a.message);
  }
});

test('Runtime({ engine }) and TSBPF_ENGINE choose the engine; a bad name is an error', () => {
  assert.ok(new Runtime({ engine: 'jit' }).engine === 'jit');
  assert.ok(new Runtime({ engine: 'interp' }).engine === 'interp');
  assert.throws(() => new Runtime({ engine: 'fast' as 'jit' }), /unknown engine 'fast'/);
  const saved = process.env['TSBPF_ENGINE'];
  try {
    process.env['TSBPF_ENGINE'] = 'jit';
    assert.equal(resolveEngine(undefined), 'jit');
    assert.equal(resolveEngine('interp'), 'interp');
    process.env['TSBPF_ENGINE'] = 'nope';
    assert.throws(() => resolveEngine(undefined), /unknown engine 'nope' in TSBPF_ENGINE/);
  } finally {
    if (saved === undefined) delete process.env['TSBPF_ENGINE'];
    else process.env['TSBPF_ENGINE'] = saved;
  }
});

test("instruction tracing needs the interpreter: rt.on('insn') on a JIT runtime is a clear error", () => {
  const rt = new Runtime({ engine: 'jit' });
  // refused when subscribing, before any program is loaded
  assert.throws(() => rt.on('insn', () => {}), /instruction tracing .* needs the interpreter: use engine 'interp'/);
  // and the engine's own guard stays for anyone setting its tracer directly
  const p = rt.createProg('p', 6, assemble('mov %r0, 0\nexit'), []);
  assert.throws(() => { p.vm.tracer = () => {}; }, /needs the interpreter/);
});

test('loops: nested, multi-exit and irreducible loops give the interpreter\'s r0 and insnCount, as wasm loops and through the dispatch loop', () => {
  const progs = [
    // nested counted loops: sum of i*j for i < 7, j < 5
    `mov %r0, 0
     mov %r1, 0
   outer:
     mov %r2, 0
   inner:
     mov %r3, %r1
     mul %r3, %r2
     add %r0, %r3
     add %r2, 1
     jlt %r2, 5, inner
     add %r1, 1
     jlt %r1, 7, outer
     exit`,
    // a loop with two exits and a continue
    `mov %r0, 0
     mov %r1, 0
   top:
     add %r1, 1
     jeq %r1, 50, out
     mov %r2, %r1
     and %r2, 1
     jne %r2, 0, top
     add %r0, %r1
     jgt %r0, 300, out2
     ja top
   out:
     add %r0, 1000
   out2:
     exit`,
    // irreducible: the loop is entered at two places (r1 picks which)
    `mov %r0, 0
     mov %r2, 0
     jeq %r1, 0, b
   a:
     add %r0, 3
     add %r2, 1
   b:
     add %r0, 5
     jlt %r2, 9, a
     exit`,
  ];
  for (const src of progs) {
    const insns = assemble(src);
    for (const r1 of [0n, 1n]) {
      const ref = createEngine('interp', insns, env());
      const want = ref.run(0, [r1]);
      for (const loops of [true, false]) {
        const jit = new JitEngine(insns, env(), { loops });
        assert.equal(jit.run(0, [r1]), want, `loops=${loops} r1=${r1}\n${src}`);
        assert.equal(jit.insnCount, ref.insnCount, `loops=${loops}`);
      }
    }
  }
  // the nested loops became wasm loops: their heads are not dispatch entries; without loops they are
  const nested = decodeProgram(assemble(progs[0]!));
  assert.deepEqual([...compileProgram(nested).entries].sort((a, b) => a - b), [0, nested.length]);
  assert.deepEqual([...compileProgram(nested, [], { loops: false }).entries].sort((a, b) => a - b), [0, 2, 3, nested.length]);
  // the irreducible one goes round the dispatch loop
  const irr = decodeProgram(assemble(progs[2]!));
  assert.ok(compileProgram(irr).entries.size > 2);
  // a self-loop that never ends stops at the same instruction under a cap
  const spin = assemble('mov %r0, 0\nloop:\nadd %r0, 1\nja loop');
  for (const loops of [true, false]) {
    const e = vmError(() => new JitEngine(spin, env(), { loops, maxInsns: 1001 }).run(0));
    const ref = vmError(() => createEngine('interp', spin, env(), { maxInsns: 1001 }).run(0));
    assert.equal(e.kind, 'budget');
    assert.equal(e.pc, ref.pc);
  }
});

test('every verifier-corpus program the interpreter can run compiles under the JIT (may_goto, load-acquire/store-release, LD_ABS/LD_IND included)', () => {
  let n = 0;
  let proven = 0;
  const seen = new Set<number>();
  for (const r of loadRecords()) {
    const prog = r.insns.map(([code, dst, src, off, imm]) => ({ code, dst, src, off, imm }));
    try { validateProgram(prog); } catch { continue; }
    const d = decodeProgram(prog);
    for (let i = 0; i < d.length; i++) seen.add(d.words[i * 4]! & 0xff);
    // load-acquire / store-release: an atomic (class STX, mode ATOMIC) with imm 0x100 / 0x110
    for (const x of prog) if ((x.code & 0xe7) === 0xc3 && (x.imm === 0x100 || x.imm === 0x110)) seen.add(0x1000 + x.imm);
    assert.doesNotThrow(() => compileProgram(d), `${r.name}`);
    // without a cap (the default): back-edge compares, charges ahead, proven loops
    assert.doesNotThrow(() => { proven += compileProgram(d, [], { exactBudget: false }).provenLoops.length; }, `${r.name}`);
    n++;
  }
  assert.ok(n > 500, `only ${n} corpus programs`);
  assert.ok(proven > 0, 'some corpus loops are proven finite');
  // the instructions issue 13 names are in the corpus, so the loop above compiled them
  for (const op of [0xe5, 0x1100, 0x1110]) assert.ok(seen.has(op), `no corpus program has 0x${op.toString(16)} (0x1100/0x1110: load-acquire/store-release)`);
});

test('directAccess: the verifier marks stack, packet and array-value accesses direct; ctx and hash-map values stay checked', () => {
  const maps = [
    { type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, timerOff: -1, spinLockOff: -1, name: 'arr' },
    { type: 1, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, timerOff: -1, spinLockOff: -1, name: 'hash' },
  ];
  const insns = assemble(`
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, +10
    ldxw %r6, [%r2+0]
    stxdw [%r10-8], %r6
    stw [%r10-12], 0
    mov %r2, %r10
    add %r2, -12
    lddw %r1, 0
    call 1
    jeq %r0, 0, +1
    stxdw [%r0+0], %r6
    mov %r0, 2
    exit`);
  // the map of the lddw at 10: arr (checked as an array value), then the same program on hash
  const at = (fd: number): typeof insns => insns.map((x, i) => (i === 10 ? { ...x, src: 1, imm: fd } : x)) as typeof insns;
  const a = verify({ insns: at(0), progType: 6, gpl: true, maps, logLevel: 0 }).directAccess;
  assert.deepEqual([a[0], a[1]], [AUX_CHECKED, AUX_CHECKED], 'ctx loads');
  assert.equal(a[5], AUX_DIRECT, 'packet load');
  assert.deepEqual([a[6], a[7]], [AUX_DIRECT, AUX_DIRECT], 'stack stores');
  assert.equal(a[14], AUX_DIRECT, 'array map value store');
  assert.equal(a[2], 0, 'not a memory access');
  const h = verify({ insns: at(1), progType: 6, gpl: true, maps, logLevel: 0 }).directAccess;
  assert.equal(h[14], AUX_CHECKED, 'hash map value store (a helper may free the element)');
});

test('directAccess: a wrongly accepted direct access still cannot leave the arena (a VmError, not a crash)', () => {
  const insns = assemble('lddw %r1, 0xfffffff0\nldxdw %r0, [%r1+8]\nexit');
  // as if the verifier had (wrongly) proven the load
  setDirectAccess(insns, Uint8Array.from([0, 0, AUX_DIRECT, 0]));
  const vm = createEngine('jit', insns, env());
  const err = vmError(() => vm.run(0));
  assert.equal(err.kind, 'memory');
  assert.match(err.message, /access outside the arena .*verifier bug/);
  // the interpreter checks the same access against the arena's blocks
  const ie = vmError(() => createEngine('interp', insns, env()).run(0));
  assert.equal(ie.kind, 'memory');
  assert.throws(() => setDirectAccess(insns, new Uint8Array(2)), RangeError);
});

test('budget checks: with an explicit cap in every block, without one at loop heads only; insnCount is exact either way', () => {
  // 5 M iterations cross watchdog slices (4 M instructions) several times; a call and a forward branch inside
  const src = `mov %r6, 0
    mov %r7, 0
    loop:
    mov %r1, %r6
    call local sub
    add %r7, %r0
    jset %r6, 1, odd
    add %r7, 1
    odd:
    add %r6, 1
    jlt %r6, 5000000, loop
    mov %r0, %r7
    exit
    sub:
    mov %r0, %r1
    and %r0, 3
    exit`;
  const counts = new Set<string>();
  for (const [kind, opts] of [['interp', {}], ['jit', {}], ['jit', { maxInsns: 1e9 }]] as const) {
    const vm = createEngine(kind, assemble(src), env(), opts);
    counts.add(`${vm.run(0)} ${vm.insnCount}`);
  }
  assert.equal(counts.size, 1, [...counts].join(' / '));
  // a cap still stops at the interpreter's instruction
  const stops = ENGINE_KINDS.map((k) => { const e = vmError(() => createEngine(k, assemble(src), env(), { maxInsns: 1_000_003 }).run(0)); return `${e.kind} ${e.pc}`; });
  assert.equal(stops[0], stops[1]);
});

test('budget checks on the back edges of wasm loops: loops without calls leave the loop to refill (exact insnCount over slices) and never-ending ones meet the watchdog', () => {
  // nested call-free loops, 4.5 M instructions: the inner loop's back edge runs out of a 4 M slice
  const nested = `mov %r0, 0
    mov %r1, 0
    outer:
    mov %r2, 0
    inner:
    add %r0, %r2
    add %r2, 1
    jlt %r2, 1500, inner
    add %r1, 1
    jne %r1, 1000, outer
    exit`;
  const counts = new Set<string>();
  for (const [kind, opts] of [['interp', {}], ['jit', {}], ['jit', { loops: false }], ['jit', { maxInsns: 1e9 }]] as const) {
    const vm = kind === 'jit' ? new JitEngine(assemble(nested), env(), opts) : createEngine(kind, assemble(nested), env());
    counts.add(`${vm.run(0)} ${vm.insnCount}`);
  }
  assert.equal(counts.size, 1, [...counts].join(' / '));
  assert.ok(compileProgram(decodeProgram(assemble(nested))).entries.size === 2, 'both loops are wasm loops');
  // never-ending: a self-loop, an inner loop of an outer one, a loop left only by a taken branch
  for (const spin of [
    'mov %r0, 0\nloop:\nadd %r0, 1\nja loop',
    'mov %r0, 0\nouter:\nmov %r1, 0\ninner:\nadd %r1, 1\njne %r1, 0, inner\nja outer',
    'mov %r0, 0\ntop:\nadd %r0, 1\njeq %r0, 0, out\njne %r0, 0, top\nout:\nexit',
  ]) {
    for (const loops of [true, false]) {
      const e = vmError(() => new JitEngine(assemble(spin), env(), { loops, timeoutMs: 50 }).run(0));
      assert.equal(e.kind, 'timeout', `loops=${loops}\n${spin}`);
    }
  }
});

test('charges ahead: a block charging the blocks it falls into gives them back on every taken edge (insnCount exact on every path)', () => {
  // chains of conditional jumps whose taken edges leave at each point (forward, back, may_goto),
  // a helper call and an exit inside a chain; r1 picks the path
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const helpers = new Map<number, HelperFn>([[7, (_vm, a) => a + 1n]]);
  for (let p = 0; p < 60; p++) {
    const lines = ['mov %r0, 0', 'mov %r6, 0', 'top:'];
    const n = 4 + rnd(8);
    for (let i = 0; i < n; i++) {
      for (let k = rnd(3); k >= 0; k--) lines.push(`add %r0, ${1 + rnd(9)}`);
      const c = rnd(6);
      if (c === 0) lines.push(`jset %r1, ${1 << rnd(6)}, l${1 + i + rnd(n - i)}`);
      else if (c === 1) lines.push(`jgt %r0, ${rnd(40)}, l${1 + i + rnd(n - i)}`);
      else if (c === 2) lines.push('add %r6, 1', 'jlt %r6, 3, top');
      else if (c === 3) lines.push('mov %r1, %r0', 'call 7', 'mov %r1, %r0');
      else if (c === 4) lines.push(`jeq %r0, ${rnd(30)}, l${n}`, 'exit');
      else lines.push(`jne %r1, ${rnd(4)}, l${i + 1}`);
      lines.push(`l${i + 1}:`);
    }
    lines.push('exit');
    const insns = assemble(lines.join('\n'));
    for (const r1 of [0n, 1n, 5n, 42n]) {
      const ref = createEngine('interp', insns, env(helpers));
      const want = `${ref.run(0, [r1])} ${ref.insnCount}`;
      for (const opts of [{}, { loops: false }, { maxInsns: 1e6 }]) {
        const jit = new JitEngine(insns, env(helpers), opts);
        assert.equal(`${jit.run(0, [r1])} ${jit.insnCount}`, want, `${JSON.stringify(opts)} r1=${r1}\n${lines.join('\n')}`);
      }
    }
  }
});

test('proven loops: counted loops skip the back-edge compare (exact insnCount); every near miss keeps it and meets the watchdog', () => {
  const counted = (init: string, inc: string, test: string, extra = ''): string => `mov %r0, 0
    ${init}
    loop:
    add %r0, %r3
    ${extra}
    ${inc}
    ${test}
    exit`;
  const proven = [
    counted('mov %r3, 0', 'add %r3, 4', 'jne %r3, 1500, loop'), // memory.bpf.o's shape
    counted('mov %r3, 7', 'add %r3, 3', 'jlt %r3, 1000, loop'),
    counted('mov %r3, 0', 'add %r3, 1', 'jle %r3, 99, loop', 'jgt %r0, 1000, out\nadd %r0, 1\nout:'),
    counted('mov %r3, 5', 'add %r3, 1', 'jslt %r3, 2, loop'), // tested false at once: one iteration
  ];
  for (const src of proven) {
    const insns = assemble(src);
    assert.equal(compileProgram(decodeProgram(insns), [], { exactBudget: false }).provenLoops.length, 1, src);
    assert.equal(compileProgram(decodeProgram(insns)).provenLoops.length, 0, 'a cap compares everywhere');
    const ref = createEngine('interp', insns, env());
    const want = `${ref.run(0)} ${ref.insnCount}`;
    const jit = createEngine('jit', insns, env());
    assert.equal(`${jit.run(0)} ${jit.insnCount}`, want, src);
  }
  // near misses: each would run (practically) forever; none is proven, all meet the watchdog
  const endless = [
    counted('mov %r3, 1', 'add %r3, 4', 'jne %r3, 1500, loop'), // 1 + 4n never equals 1500
    counted('mov %r3, %r1', 'add %r3, 4', 'jne %r3, 1500, loop'), // the start is not a constant
    counted('mov %r3, 0', 'add %r3, 4', 'jne %r3, 1500, loop', 'jeq %r0, 0, skip\nmov %r3, 2\nskip:'), // a second write
    counted('mov %r3, 0', 'jeq %r0, 0, skip\nadd %r3, 1\nskip:', 'jlt %r3, 9, loop'), // an increment some iterations skip
    counted('mov %r3, 0', 'add %r3, 4', 'jne %r3, 1501, loop', 'mov %r1, 1\ncall 7'), // a call inside (and never equal)
    counted('mov %r3, 0', 'add %r3, 1', 'jlt %r3, 0x7fffffff, loop'), // finite, but past MAX_DEFICIT
    `mov %r0, 0
    mov %r3, 0
    ja loop
    back:
    mov %r3, 0
    loop:
    add %r3, 1
    jlt %r3, 10, loop
    ja back`, // the loop itself is proven; the one around it (through a reset) is not
  ];
  // a call inside an otherwise counted loop: not proven (a callee could change anything)
  const call = assemble(counted('mov %r3, 0', 'add %r3, 4', 'jne %r3, 1500, loop', 'mov %r1, 1\ncall 7'));
  assert.equal(compileProgram(decodeProgram(call), [], { exactBudget: false }).provenLoops.length, 0);
  const helpers = new Map<number, HelperFn>([[7, () => 0n]]);
  for (const src of endless) {
    const insns = assemble(src);
    const c = compileProgram(decodeProgram(insns), [], { exactBudget: false });
    assert.equal(c.provenLoops.length, src.includes('back:') ? 1 : 0, src);
    const e = vmError(() => createEngine('jit', insns, env(helpers), { timeoutMs: 50 }).run(0, [1n]));
    assert.equal(e.kind, 'timeout', src);
  }
});

test('budget checks at loop heads only: a loop-free callback a helper calls millions of times still meets the watchdog', () => {
  // as bpf_loop with a callback without loops: only the frame entry of each call looks at the budget
  const src = 'mov %r1, 0\ncall 7\nexit\nmov %r0, 0\nexit';
  for (const kind of ENGINE_KINDS) {
    const helpers = new Map<number, HelperFn>();
    helpers.set(7, (vm) => { for (let i = 0; i < 1e9; i++) vm.callFunction(3, [BigInt(i)]); return 0n; });
    const vm = createEngine(kind, assemble(src), env(helpers), { timeoutMs: 50 });
    const e = vmError(() => vm.run(0));
    assert.equal(e.kind, 'timeout', kind);
  }
});

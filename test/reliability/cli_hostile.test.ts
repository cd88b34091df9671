// Reliability suite (issue 12.8), part 2: hostile command lines. Each one must
// end (bounded time) with a usage/load/run status and a message, never a
// JavaScript stack trace or an uncaught TypeError/RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { repoRoot } from '../kernel/kernel.js';
import { scratch } from '../cli/cli.js';

const BIN = join(repoRoot, 'bin', 'tsbpf');
const OBJ = 'test/kernel/scenarios/counter.bpf.o';
const TAIL = 'test/tailcall/dispatch.bpf.o';
const garbage = join(scratch, 'garbage.o');
writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)));
const elfHeaderOnly = join(scratch, 'header.o');
writeFileSync(elfHeaderOnly, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0)]));
const long = 'A'.repeat(100_000); // MAX_ARG_STRLEN is 128 KiB

export const HOSTILE: string[][] = [
  [], ['bogus'], ['--version-of-nothing'], ['help', 'me'],
  ['prog'], ['prog', 'load'], ['prog', 'load', '/dev/zero'], ['prog', 'load', '/dev/null'], ['prog', 'load', '/'],
  ['prog', 'load', '/nonexistent/x.o'], ['prog', 'load', garbage], ['prog', 'load', elfHeaderOnly], ['prog', 'load', long],
  ['prog', 'run', OBJ], ['prog', 'run', OBJ, 'nosuchprog'], ['prog', 'run', OBJ, 'count', 'repeat', '99999999999999999999'],
  ['prog', 'run', OBJ, 'count', 'repeat', '-1'], ['prog', 'run', OBJ, 'count', 'data_in'], ['prog', 'run', OBJ, 'count', 'data_in', '/dev/zero'],
  ['prog', 'run', OBJ, 'count', 'data_in', '/'], ['prog', 'run', OBJ, 'count', 'ctx_in', '/dev/urandom'], ['prog', 'dump', 'xlated'],
  ['map'], ['map', 'dump', OBJ], ['map', 'dump', OBJ, 'nosuchmap'], ['map', 'lookup', OBJ, 'counter.bss', 'key'],
  ['map', 'lookup', OBJ, 'counter.bss', 'key', '0x1ff', '0', '0', '0'], ['map', 'update', OBJ, 'counter.bss', 'key', '0', '0', '0', '0', 'value'],
  ['map', 'update', TAIL, 'jmp_table', 'key', '0', '0', '0', '0', 'value', 'name', 'nosuch'],
  ['map', 'update', TAIL, 'jmp_table', 'key', '0', '0', '0', '0', 'value', 'id', '99999999999'],
  ['map', 'update', TAIL, 'jmp_table', 'key', '9', '0', '0', '0', 'value', 'name', 'sock'],
  ['run'], ['run', OBJ, 'run:'], ['run', OBJ, 'run:nosuch'], ['run', OBJ, 'pkt:zz'], ['run', OBJ, `pkt:${'00'.repeat(5000)}`],
  ['run', OBJ, 'sleep:-1'], ['run', OBJ, 'sleep:999999999999999999999'], ['run', OBJ, 'advance:1e9'], ['run', OBJ, 'advance:99999999999999999999s'],
  ['run', OBJ, '--clock', 'bogus'], ['run', OBJ, '--clock'], ['run', OBJ, '--run-timeout', '0'], ['run', OBJ, '--run-timeout', 'NaN'],
  ['run', OBJ, 'close-map:nosuch'], ['run', OBJ, 'close-maps', 'close-maps', 'run:count'], ['run', OBJ, 'dump:x'], ['run', OBJ, long],
  ['run', TAIL, 'slot:jmp_table:99999999999:stage_late'], ['run', TAIL, 'slot:jmp_table:1:nosuch'], ['run', TAIL, 'slot:nosuch:1:stage_late'],
  ['run', TAIL, 'slot:jmp_table:1:-'], ['run', '/dev/zero', 'dump'], ['run', garbage, 'dump'],
  ['disasm'], ['disasm', '/dev/zero'], ['disasm', garbage], ['disasm', OBJ], ['asm'], ['asm', '/dev/zero'], ['asm', garbage],
  ['conformance'], ['conformance', '/nonexistent'],
];

function runCli(args: string[]): Promise<{ status: number | null; signal: string | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { if (stderr.length < 100_000) stderr += d.toString(); });
    p.on('close', (status, signal) => resolve({ status, signal, stderr, ms: performance.now() - t0 }));
  });
}

test(`${HOSTILE.length} hostile command lines end with a status and a message, never a crash`, { timeout: 600_000 }, async () => {
  const bad: string[] = [];
  // four at a time: each is a fresh node process
  for (let i = 0; i < HOSTILE.length; i += 4) {
    const batch = HOSTILE.slice(i, i + 4);
    const results = await Promise.all(batch.map((a) => runCli(a)));
    results.forEach((r, j) => {
      const args = batch[j]!.map((a) => (a.length > 60 ? `${a.slice(0, 20)}...(${a.length})` : a)).join(' ');
      if (r.signal) bad.push(`tsbpf ${args}: killed by ${r.signal} after ${r.ms.toFixed(0)} ms`);
      else if (r.status === null || r.status > 3) bad.push(`tsbpf ${args}: status ${r.status}`);
      if (/\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|\n\s+at .*\.js:\d+/.test(r.stderr)) bad.push(`tsbpf ${args}: crash:\n${r.stderr.slice(0, 800)}`);
    });
  }
  assert.deepEqual(bad, []);
});

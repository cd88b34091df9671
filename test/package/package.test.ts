// The package as a user gets it: `npm pack`, unpacked into a fresh project's
// node_modules, then imported from an ESM project and required from a
// CommonJS one. Both run the rate-limiter example's scenario on the virtual
// clock and must see the refill timer fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installInto, pack, root } from './pack.js';

const scenario = (load: string) => `
${load}
const rt = new Runtime({ clock: 'virtual' });
const run = async () => {
  const obj = await rt.loadObject('./ratelimit.bpf.o');
  const pkt = { data: new Uint8Array(64) };
  obj.program('setup').run({});
  const rets = [];
  for (let i = 0; i < 4; i++) rets.push(obj.program('limit').run(pkt).retval);
  rt.virtualClock.advance('70ms');
  for (let i = 0; i < 3; i++) rets.push(obj.program('limit').run(pkt).retval);
  const out = { rets, refills: Number(obj.global('refills')), dropped: Number(obj.global('dropped')),
    errors: [typeof VerifierError, typeof ClockError, typeof TimerLimitError] };
  obj.close();
  out.stats = rt.stats().maps + rt.stats().programs + rt.stats().timers;
  console.log(JSON.stringify(out));
};
run().catch((e) => { console.error(e); process.exit(1); });
`;

test('npm pack: the tarball holds built code, bin, README and LICENSE, and no tests or fixtures', () => {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
  const files = (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
  assert.ok(files.includes('LICENSE') && files.includes('README.md') && files.includes('bin/tsbpf'));
  assert.ok(files.includes('dist/src/index.js') && files.includes('dist/cjs/index.js') && files.includes('dist/cjs/package.json'));
  assert.deepEqual(files.filter((f) => /^(test|dist\/test|examples|bench|dist\/bench|scripts|\.ci)\//.test(f) || f.endsWith('.tgz') || f.endsWith('.o')), []);
});

test('the packed package works from an ESM project and from a CommonJS project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-pack-'));
  try {
    const tgz = pack(dir);
    const results: Record<string, unknown> = {};
    for (const kind of ['esm', 'cjs'] as const) {
      const proj = join(dir, kind);
      installInto(tgz, proj);
      copyFileSync(join(root, 'examples/ratelimit/ratelimit.bpf.o'), join(proj, 'ratelimit.bpf.o'));
      writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: `consumer-${kind}`, private: true, type: kind === 'esm' ? 'module' : 'commonjs' }));
      const src = kind === 'esm'
        ? scenario("import { Runtime, VerifierError, ClockError, TimerLimitError } from 'tsbpf';")
        : scenario("const { Runtime, VerifierError, ClockError, TimerLimitError } = require('tsbpf');");
      writeFileSync(join(proj, kind === 'esm' ? 'main.mjs' : 'main.cjs'), src);
      results[kind] = JSON.parse(execFileSync(process.execPath, [kind === 'esm' ? 'main.mjs' : 'main.cjs'], { cwd: proj, encoding: 'utf8' }));
    }
    // XDP_PASS = 2, XDP_DROP = 1: burst of 3, then the 50 ms refill adds 2 tokens
    const expected = { rets: [2, 2, 2, 1, 2, 2, 1], refills: 1, dropped: 2, errors: ['function', 'function', 'function'], stats: 0 };
    assert.deepEqual(results.esm, expected);
    assert.deepEqual(results.cjs, expected);
    // the test kit entry point, both ways
    const esmKit = execFileSync(process.execPath, ['--input-type=module', '-e', "import { packet } from 'tsbpf/testing'; console.log(packet().eth().ipv4().udp().build().length)"], { cwd: join(dir, 'esm'), encoding: 'utf8' });
    const cjsKit = execFileSync(process.execPath, ['-e', "console.log(require('tsbpf/testing').packet().eth().ipv4().udp().build().length)"], { cwd: join(dir, 'cjs'), encoding: 'utf8' });
    assert.equal(esmKit, '42\n');
    assert.equal(cjsKit, '42\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

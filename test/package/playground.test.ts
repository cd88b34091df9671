// The playground in headless Chromium: pick the rate limiter example, run its
// scenario, check the output is what `tsbpf run` prints and that the timeline
// shows the refill timer firing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './pack.js';
import { tsbpf } from '../cli/cli.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('playground: the rate limiter example runs its scenario in Chromium, output as tsbpf run, timeline with refills', async (t) => {
  let pw: typeof import('playwright-core') | undefined;
  try { pw = await import('playwright-core'); } catch { pw = undefined; }
  if (!CHROMIUM || !pw) {
    const why = !CHROMIUM ? 'no Chromium (apt-get install chromium)' : 'playwright-core is not installed';
    console.log(`# SKIP playground test: ${why}`);
    t.skip(why);
    return;
  }
  const server = spawn(process.execPath, [join(root, 'scripts/playground.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      server.stdout.on('data', (d: Buffer) => { const m = /http:\/\/\S+/.exec(String(d)); if (m) ok(m[0]); });
      server.on('exit', (c) => fail(new Error(`server exited ${c}`)));
    });
    const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction('window.playgroundReady === true');
      await page.selectOption('#example', 'ratelimit');
      await page.waitForFunction("document.getElementById('status').textContent.includes('loaded')");
      assert.match(await page.locator('#progs').innerText(), /setup\s+syscall/);
      assert.match(await page.locator('#progs').innerText(), /limit\s+xdp/);
      assert.match(await page.locator('#maps').innerText(), /bucket/);
      const steps = readFileSync(join(root, 'examples/ratelimit/ratelimit.burst.steps'), 'utf8').trim();
      assert.equal(await page.locator('#steps').inputValue(), steps);
      await page.click('#run');
      await page.waitForFunction('window.playgroundResult !== undefined');
      const out = await page.locator('#out').innerText();
      // exactly what the CLI prints for the same scenario
      const cli = tsbpf('run', 'examples/ratelimit/ratelimit.bpf.o', ...steps.split(/\s+/));
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(out.trim(), cli.stdout.trim());
      assert.match(out, /refills=3$/);
      // the timeline: the bucket's refill timer fired (one dot per callback)
      assert.equal(await page.locator('#timeline text.lane-name', { hasText: 'bucket[00000000]' }).count(), 1);
      assert.ok(await page.locator('#timeline circle.fire').count() >= 2);
      assert.match(await page.locator('#dumps').innerText(), /"bpf_timer": "armed"|"bpf_timer": "uninit"/);
      assert.deepEqual(errors, []);
      if (process.env['TSBPF_SCREENSHOTS']) await page.screenshot({ path: join(process.env['TSBPF_SCREENSHOTS'], 'playground.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
});

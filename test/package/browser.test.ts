// The package in a real browser: headless Chromium (Debian's `chromium`,
// driven by playwright-core with the system binary; nothing downloads a
// browser). The packed package is served over 127.0.0.1 and imported as
// native ES modules: that proves the core loads with no Node built-ins
// (no process, Buffer, node:fs). Then the timelines `tsbpf run --timeline`
// writes for the three examples are opened and checked as rendered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { installInto, pack, root } from './pack.js';
import { tsbpf } from '../cli/cli.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

type Pw = typeof import('playwright-core');
async function playwright(): Promise<Pw | undefined> {
  try {
    return await import('playwright-core');
  } catch {
    return undefined;
  }
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.svg': 'image/svg+xml', '.o': 'application/octet-stream' };

/** A static server for `dir` on 127.0.0.1 (an ephemeral port). */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${addr.port}`, server };
}

const PAGE = `<!doctype html><html><body><div id="tl"></div><script type="module">
import { Runtime, renderTimelineSvg } from './node_modules/tsbpf/dist/src/index.js';
try {
  const bytes = new Uint8Array(await (await fetch('./ratelimit.bpf.o')).arrayBuffer());
  const rt = new Runtime();
  const rec = rt.recordTimers();
  const obj = rt.loadObjectBytes(bytes, { name: 'ratelimit' });
  const pkt = { data: new Uint8Array(64) };
  obj.program('setup').run({});
  const rets = [];
  for (let i = 0; i < 4; i++) rets.push(obj.program('limit').run(pkt).retval);
  rt.virtualClock.advance('70ms');
  for (let i = 0; i < 3; i++) rets.push(obj.program('limit').run(pkt).retval);
  document.getElementById('tl').innerHTML = renderTimelineSvg(rec.events);
  window.result = { rets, refills: Number(obj.global('refills')), node: typeof process + '/' + typeof Buffer };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script></body></html>`;

async function withBrowser(t: { skip(m: string): void }, fn: (page: import('playwright-core').Page) => Promise<void>): Promise<void> {
  const pw = await playwright();
  if (!CHROMIUM || !pw) {
    const why = !CHROMIUM ? 'no Chromium (apt-get install chromium)' : 'playwright-core is not installed';
    console.log(`# SKIP browser test: ${why}`);
    t.skip(why);
    return;
  }
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  try {
    const page = await browser.newPage();
    await fn(page);
  } finally {
    await browser.close();
  }
}

test('browser: the packed package runs the rate limiter in Chromium as native ES modules, with no Node built-ins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-browser-'));
  const { url, server } = await serve(dir);
  try {
    installInto(pack(dir), dir);
    copyFileSync(join(root, 'examples/ratelimit/ratelimit.bpf.o'), join(dir, 'ratelimit.bpf.o'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    await withBrowser(t, async (page) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}/index.html`);
      await page.waitForFunction('window.result !== undefined', undefined, { timeout: 20_000 });
      const result = await page.evaluate('window.result');
      assert.deepEqual(result, { rets: [2, 2, 2, 1, 2, 2, 1], refills: 1, node: 'undefined/undefined' }, JSON.stringify(errors));
      assert.equal(await page.locator('svg.tsbpf-timeline circle.fire').count(), 1);
    });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('browser: the --timeline pages of the three examples render lanes, spans and fires, and zoom', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-timeline-'));
  try {
    const cases: { name: string; lanes: number; fires: number }[] = [];
    for (const ex of ['ratelimit/ratelimit.burst', 'flowtable/flowtable.expire', 'healthcheck/healthcheck.timeout']) {
      const name = ex.split('/')[1]!;
      const steps = readFileSync(join(root, `examples/${ex}.steps`), 'utf8').trim().split(/\s+/);
      const out = join(dir, `${name}.html`);
      const r = tsbpf('run', `examples/${ex.split('.')[0]}.bpf.o`, '--trace', '--timeline', out, ...steps);
      assert.equal(r.status, 0, r.stderr);
      const fires = (r.stdout.match(/^timer: \S+ fire /gm) ?? []).length;
      const lanes = new Set([...r.stdout.matchAll(/^timer: \S+ \S+ timer=\d+ map=(\S+) key=(\S+)/gm)].map((m) => `${m[1]}[${m[2]}]`)).size;
      assert.ok(fires > 0 && lanes > 0, `${name}: the scenario fires timers (${fires} fires, ${lanes} lanes)`);
      cases.push({ name, lanes, fires });
    }
    await withBrowser(t, async (page) => {
      for (const c of cases) {
        await page.goto(`file://${join(dir, `${c.name}.html`)}`);
        const svg = page.locator('svg.tsbpf-timeline');
        assert.equal(await svg.count(), 1, c.name);
        // one lane label per timer plus the runs lane; every span is drawn with a width
        assert.equal(await page.locator('text.lane-name').count(), c.lanes + 1, c.name);
        assert.equal(await page.locator('circle.fire').count(), c.fires, c.name);
        const widths = (await page.evaluate("[...document.querySelectorAll('rect.span')].map((e) => e.getBBox().width)")) as number[];
        assert.ok(widths.length > 0 && widths.every((w) => w >= 2), `${c.name}: span widths ${widths.join(',')}`);
        // zoom into the first half: the last fire moves right (or out of view)
        const before = await page.locator('circle.fire').last().getAttribute('cx');
        await page.evaluate("tsbpfTimeline.zoom(0, Number(document.querySelector('svg.tsbpf-timeline').dataset.span) / 2)");
        const after = await page.locator('circle.fire').last().getAttribute('cx');
        assert.notEqual(after, before, `${c.name}: zoom moves the marks`);
        if (process.env['TSBPF_SCREENSHOTS']) {
          await page.evaluate("tsbpfTimeline.zoom(0, Number(document.querySelector('svg.tsbpf-timeline').dataset.span))");
          await page.screenshot({ path: join(process.env['TSBPF_SCREENSHOTS'], `${c.name}.png`) });
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

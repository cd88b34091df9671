#!/usr/bin/env node
// Serves the playground (playground/ with the built package in dist/ and the
// examples) on 127.0.0.1. `npm run playground`, then open the printed URL.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MIME = { '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.svg': 'image/svg+xml', '.o': 'application/octet-stream', '.steps': 'text/plain' };
const port = Number(process.argv[2] ?? 8080);
if (!existsSync(join(root, 'dist/src/index.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
  const file = join(root, path === '/' ? 'playground/index.html' : path);
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end('not found'); return; }
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`tsbpf playground: http://127.0.0.1:${addr.port}/playground/index.html`);
});

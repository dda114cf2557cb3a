#!/usr/bin/env node
// `npm start`: builds the web app when its bundle is missing or older than its sources, then starts
// the server (127.0.0.1:8080 unless HOST/PORT say otherwise) on the bundled demo collection and
// prints the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const dist = 'apps/web/dist/index.html';
const stale = !existsSync(dist) || newest('apps/web/src') > statSync(dist).mtimeMs || newest('packages') > statSync(dist).mtimeMs;
if (stale) {
  console.log('svcpath: building the web app (once; about 10 s)…');
  const r = spawnSync('npx', ['vite', 'build', 'apps/web', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const server = spawn('node', ['--import', 'tsx', 'apps/server/src/main.ts'], { stdio: 'inherit' });
server.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));

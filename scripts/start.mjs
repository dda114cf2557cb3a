#!/usr/bin/env node
// `npm start`: builds the web app and the server (apps/server/dist, see scripts/build.mjs) when
// missing or older than their sources, then starts the built server (127.0.0.1:8080 unless HOST/PORT
// say otherwise) on the bundled demo collection and prints the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const olderThan = (file, dirs) => !existsSync(file) || dirs.some((d) => newest(d) > statSync(file).mtimeMs);

const dist = 'apps/web/dist/index.html';
const stale = !existsSync(dist) || newest('apps/web/src') > statSync(dist).mtimeMs || newest('packages') > statSync(dist).mtimeMs;
if (stale) {
  console.log('svcpath: building the web app (once; about 10 s)…');
  const r = spawnSync('npx', ['vite', 'build', 'apps/web', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (olderThan('apps/server/dist/main.mjs', ['apps/server/src', 'apps/collector/src', 'packages'])) await build();
const server = spawn(process.execPath, ['apps/server/dist/main.mjs'], { stdio: 'inherit' });
server.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));

// `npm run gallery`: refreshes docs/screenshot.png and docs/gallery/*.png from the bundled demo in
// Debian's Chromium (playwright-core), the pictures a reader of the README sees. Builds the web app
// and the server first; starts the built server on a free loopback port and stops it after.
// Look at every picture it writes before committing it.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = (name: string) => join(ROOT, 'docs', name);

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['apps/server/dist/main.mjs'], { cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SVCPATH_STORE: await mkdtemp(join(tmpdir(), 'svcpath-gallery-')) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  for await (const chunk of child.stdout!) {
    seen += String(chunk);
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(seen);
    if (m) return { url: m[0], stop: async () => void (child.kill(), await once(child, 'exit')) };
  }
  throw new Error(`the server did not print its address:\n${seen}`);
}

/** Waits until the graph is drawn and the viewport has stopped moving. */
async function settled(page: Page): Promise<void> {
  await page.locator('.svc-node').first().waitFor({ timeout: 60_000 });
  let last = '';
  for (let i = 0; i < 100; i++) {
    await page.waitForTimeout(150);
    const now = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
    if (now === last) return;
    last = now;
  }
}

run('npx', ['vite', 'build', 'apps/web', '--logLevel', 'warn']);
run(process.execPath, ['scripts/build.mjs']);
const server = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  const light = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await light.goto(`${server.url}/?snapshot=demo~worker-2&service=shop/frontend&src=10.180.0.9&dst=172.30.0.44&dport=80&proto=tcp`);
  await settled(light);
  await light.locator('.outcome-head').first().waitFor();
  await light.screenshot({ path: out('gallery/trace-stale-node.png') });
  await light.screenshot({ path: out('screenshot.png') });

  await light.goto(`${server.url}/?snapshot=demo~worker-1&service=shop/cart`);
  await settled(light);
  await light.locator('.svc-node', { hasText: 'KUBE-SVC-' }).first().click();
  await light.locator('.inspector-head').first().waitFor();
  await light.screenshot({ path: out('gallery/inspector.png') });

  const dark = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark', acceptDownloads: true });
  await dark.goto(`${server.url}/?snapshot=demo~worker-1&service=shop/cart&src=203.0.113.2&dst=192.168.0.2&dport=30446&proto=tcp`);
  await settled(dark);
  if ((await dark.locator('html').getAttribute('data-theme')) !== 'dark') await dark.locator('.theme-toggle').click();
  await dark.getByRole('button', { name: /^Export/ }).click();
  await dark.locator('.export-redact input[type="checkbox"]').check();
  const [file] = await Promise.all([dark.waitForEvent('download'), dark.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'PNG' }).click()]);
  const tmp = join(tmpdir(), `svcpath-gallery-${process.pid}.png`);
  await file.saveAs(tmp);
  await writeFile(out('gallery/export-redacted-dark.png'), await readFile(tmp));
  await rm(tmp, { force: true });
  console.log('gallery: docs/screenshot.png and docs/gallery/*.png refreshed; look at each before committing');
} finally {
  await browser.close();
  await server.stop();
}

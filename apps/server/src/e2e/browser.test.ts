import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

/**
 * End to end in a real browser: builds the web app, starts the server on a free port with the demo
 * collection, and drives Debian's headless Chromium through playwright-core: open the demo, find a
 * Service, trace a packet, read the outcomes, export a PNG. Saves docs/screenshot.png.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
let server: RunningServer;
let context: BrowserContext;
let profile: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], webDist: join(ROOT, 'apps/web/dist') });
  profile = mkdtempSync(join(tmpdir(), 'svcpath-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    colorScheme: 'light',
  });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return page;
}

async function downloadOf(page: Page, button: string): Promise<Buffer> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: 'Export' }).getByRole('button', { name: button }).click()]);
  return readFileSync((await dl.path())!);
}

describe('svcpath in a browser', () => {
  it('finds a Service, traces a packet to it, shows the outcomes and exports the view', async () => {
    const page = await open('/');
    await expect.poll(() => page.url()).toContain('snapshot=demo~worker-1');
    await page.locator('.react-flow__node').first().waitFor();
    expect(await page.locator('.svc-node.kind-service').count()).toBe(9);

    const search = page.getByRole('combobox', { name: 'Find a Service' });
    await search.fill('172.30.0.44');
    await search.press('Enter');
    await expect.poll(() => page.url()).toContain('service=shop/frontend');
    await page.locator('.svc-node', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).waitFor();

    await page.locator('input[name="src"]').fill('10.180.1.10');
    expect(await page.locator('input[name="dst"]').inputValue()).toBe('172.30.0.44');
    expect(await page.locator('input[name="dport"]').inputValue()).toBe('80');
    await page.getByRole('button', { name: 'Trace', exact: true }).click();
    const outcomes = page.locator('.outcome-text');
    await expect.poll(() => outcomes.count()).toBe(2);
    expect((await outcomes.allTextContents()).sort()).toEqual(['50% to 10.180.0.4:80', '50% to 10.180.0.5:80']);
    expect(await page.locator('.outcome-share').allTextContents()).toEqual(['50%', '50%']);
    await expect.poll(() => page.locator('.svc-node.lit').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.svc-node.lit', { hasText: '10.180.0.4:80' }).locator('.svc-node-share').textContent()).toBe('50%');
    expect(page.url()).toContain('src=10.180.1.10&dst=172.30.0.44&dport=80&proto=tcp');

    await page.locator('.svc-node', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).click();
    const details = page.getByRole('region', { name: 'Selected node' });
    await details.getByText('L151').waitFor();
    expect(await details.locator('.explanation').textContent()).toMatch(/load-balances/);

    const png = await downloadOf(page, 'PNG');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    // IHDR: width and height, at twice the graph pane's CSS size.
    expect(png.readUInt32BE(16)).toBeGreaterThan(1600);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1200);
    expect(png.length).toBeGreaterThan(20_000);
    const svg = (await downloadOf(page, 'SVG')).toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('KUBE-SEP-AMC6G7RNVSZGUJDI');
    const md = (await downloadOf(page, 'Markdown')).toString('utf8');
    expect(md).toContain('| 1 | 50% to 10.180.0.4:80 | DNAT | shop/frontend:http |');
    expect(md).toContain('iptables-save.txt:151');

    await page.screenshot({ path: join(ROOT, 'docs/screenshot.png') });
    await page.close();
  });

  it('a link reproduces the view, and a returning client follows affinity', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=shop/cart&src=203.0.113.2&dst=192.168.0.2&dport=30446&proto=tcp');
    const outcomes = page.locator('.outcome-text');
    await expect.poll(async () => (await outcomes.allTextContents()).sort()).toEqual(['50% to 10.180.0.8:8080, masqueraded', '50% to 10.180.1.8:8080, masqueraded']);
    await page.getByRole('button', { name: '10.180.0.8:8080', exact: true }).click();
    await expect.poll(() => page.url()).toContain('ret=10.180.0.8:8080');
    await page.getByText('Session affinity: this client reached').waitFor();
    await expect.poll(() => page.locator('.svc-node.lit', { hasText: 'KUBE-SVC-I5LIAMPLWKMBJ54B' }).count()).toBe(1);
    await page.close();
  });

  it('loaded with no CSP violations or script errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

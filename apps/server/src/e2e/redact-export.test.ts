import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Snapshot } from '@svcpath/api-contract';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 20_000, interval: 100 } } });

/**
 * The postmortem export in a real browser (Debian's headless Chromium through playwright-core):
 * with "Redact names and IPs" ticked, the Markdown, SVG and snapshot downloads of a Service view
 * name no original Service, Namespace or Node, and no cluster address. The web app is built into a
 * temporary folder so this file never races browser.test.ts over apps/web/dist.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let server: RunningServer;
let context: BrowserContext;
let profile: string;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'svcpath-e2e-web-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], webDist: dist });
  profile = mkdtempSync(join(tmpdir(), 'svcpath-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  // A loaded CI machine can take a while to lay out the first graph.
  context.setDefaultTimeout(90_000);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  for (const dir of [profile, dist]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the header's Export menu unless it is open already. */
async function openExport(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Export ▾' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

async function downloadOf(page: Page, button: string): Promise<{ name: string; text: string }> {
  await openExport(page);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: 'Export' }).getByRole('button', { name: button }).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync((await dl.path())!).toString('utf8') };
}

const ORIGINAL = /frontend|checkout|\bshop\b|payments|worker-[12]|kind-demo|172\.30\.0\.44|10\.180\.0\.4\b|192\.168\.0\.2\b/;

describe('redacted exports in a browser', () => {
  it('Markdown, SVG and snapshot name no original Service, Node or address when "Redact names and IPs" is ticked', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/?snapshot=demo~worker-1&service=shop%2Ffrontend&src=10.180.1.10&dst=172.30.0.44&dport=80&proto=tcp`);
    await page.locator('.react-flow__node').first().waitFor();
    const plain = await downloadOf(page, 'Markdown');
    expect(plain.text).toContain('shop/frontend');

    await openExport(page);
    await page.getByRole('checkbox', { name: 'Redact names and IPs' }).check();
    const md = await downloadOf(page, 'Markdown');
    expect(md.text).not.toMatch(ORIGINAL);
    expect(md.text).toMatch(/ns-\d+\/svc-\d+:http/);
    expect(md.name).not.toMatch(ORIGINAL);
    const svg = await downloadOf(page, 'SVG');
    expect(svg.text).toMatch(/^<svg/);
    expect(svg.text).not.toMatch(ORIGINAL);
    const snap = await downloadOf(page, 'Snapshot');
    const doc = Snapshot.parse(JSON.parse(snap.text));
    expect(snap.text).not.toMatch(ORIGINAL);
    // The same mapping everywhere: the Service the Markdown names is the one the snapshot's rules name.
    const service = /(ns-\d+\/svc-\d+):http/.exec(md.text)![1]!;
    expect(doc.files[0]!.text).toContain(`${service}:http`);
    // The picture carries its header and trace, redacted too.
    expect(svg.text).toContain(`>${/(ns-\d+\/svc-\d+)/.exec(md.text)![1]}</text>`);
    expect(svg.text).toContain('Traced: tcp ');
    await page.close();

    // Deterministic for the snapshot: a reload exports the same pseudonyms.
    const again = await context.newPage();
    await again.goto(`${server.url}/?snapshot=demo~worker-1&service=shop%2Ffrontend&src=10.180.1.10&dst=172.30.0.44&dport=80&proto=tcp`);
    await again.locator('.react-flow__node').first().waitFor();
    await openExport(again);
    await again.getByRole('checkbox', { name: 'Redact names and IPs' }).check();
    expect((await downloadOf(again, 'Markdown')).text.replace(/\(link[^)]*\)/g, '')).toBe(md.text.replace(/\(link[^)]*\)/g, ''));
    await again.close();
  }, 240_000);
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countersDump } from '../routes/counters-fixture';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 20_000, interval: 100 } } });

/**
 * The counter heat in a real browser: two `iptables-save -c` saves of one node a minute apart are
 * imported through the API, then "Compare counters with…" colours the graph by the counters that
 * moved and marks the REJECT that counted packets. Builds the web app, drives headless Chromium.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let server: RunningServer;
let context: BrowserContext;
let profile: string;
const consoleErrors: string[] = [];

async function importDump(takenAt: string, text: string): Promise<string> {
  const res = await fetch(`${server.url}/api/snapshots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ collection: 'lab', node: 'worker-1', takenAt, files: [{ name: 'iptables-save.txt', text }] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { snapshot: { id: string } }).snapshot.id;
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  server = await startServer({ port: 0, webDist: join(ROOT, 'apps/web/dist') });
  profile = mkdtempSync(join(tmpdir(), 'svcpath-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  // A loaded CI machine can take a while to lay out the first graph.
  context.setDefaultTimeout(90_000);
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

describe('counter heat in a browser', () => {
  it('colours the graph by the counters that moved and marks where packets died', async () => {
    const before = await importDump('2026-01-01T00:00:00.000Z', countersDump({ svc: 100, sep1: 40, sep2: 60, reject: 3 }));
    const after = await importDump('2026-01-01T00:01:00.000Z', countersDump({ svc: 130, sep1: 52, sep2: 78, reject: 8 }));
    const page = await open(`/?snapshot=${after}`);
    await page.locator('.react-flow__node').first().waitFor();
    expect(await page.locator('.svc-node.heat').count()).toBe(0);

    await page.getByRole('tab', { name: 'Counters' }).click();
    await page.getByRole('combobox', { name: 'Compare counters with' }).selectOption(before);
    await expect.poll(() => page.url()).toContain(`since=${before}`);
    await expect.poll(() => page.locator('.svc-node.heat').count()).toBeGreaterThan(0);
    // The REJECT for ns3/svc3 counted 5 packets: its verdict is marked as where they died.
    await expect.poll(() => page.locator('.svc-node.died').count()).toBeGreaterThan(0);
    expect(await page.locator('.svc-node.died .svc-node-packets').first().textContent()).toBe('✕ 5 pkts');
    const panel = page.getByRole('region', { name: 'Rule counters' });
    await panel.getByText('5 × REJECT').waitFor();

    // The Service's graph, opened from a link: the URL holds the comparison.
    const svc = await open(`/?snapshot=${after}&service=ns1/svc1&since=${before}`);
    await svc.locator('.svc-node', { hasText: 'KUBE-SVC-AAAAAAAAAAAAAAAA' }).waitFor();
    await expect.poll(() => svc.locator('.svc-node.heat', { hasText: 'KUBE-SVC-AAAAAAAAAAAAAAAA' }).locator('.svc-node-packets').textContent()).toBe('30 pkts');
    expect(await svc.locator('.svc-node.heat', { hasText: 'KUBE-SEP-CCCCCCCCCCCCCCCC' }).locator('.svc-node-packets').textContent()).toBe('18 pkts');
    expect(await svc.locator('.react-flow__edge.heat').count()).toBeGreaterThan(0);
    expect(consoleErrors).toEqual([]);
  });
});

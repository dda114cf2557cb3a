import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { buildSnapshot, type CollectSnapshotOptions, type CollectSnapshotResult } from '@svcpath/collector';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 20_000, interval: 100 } } });

/**
 * End to end in a real browser: builds the web app, starts the server on a free port with the demo
 * collection, and drives Debian's headless Chromium through playwright-core: open the demo, find a
 * Service, trace a packet, read the outcomes, export a PNG, read the doctor's findings and light
 * their evidence, follow a collection job. With SVCPATH_UPDATE_SCREENSHOT=1 it refreshes docs/screenshot.png.
 *
 * One double: collection jobs run a FAKE `collect` (no cluster or SSH-reachable node here); it
 * returns the demo's worker-1 dumps as collected from "worker-5". The store is a temp directory.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
let server: RunningServer;
let context: BrowserContext;
let profile: string;
let store: string;
const consoleErrors: string[] = [];

async function fakeCollect(o: CollectSnapshotOptions): Promise<CollectSnapshotResult> {
  const demo = JSON.parse(readFileSync(join(ROOT, 'apps/server/demo/demo.svcpath.json'), 'utf8')) as { snapshots: SnapshotDocument[] };
  const from = demo.snapshots[0]!;
  o.onProgress?.({ kind: 'command-started', commandId: 'iptables-save', index: 0, total: 1 });
  await new Promise((r) => setTimeout(r, 1500));
  o.onProgress?.({ kind: 'command-finished', commandId: 'iptables-save', exitCode: 0, durationMs: 1500, bytes: 9000 });
  const snapshot = buildSnapshot({ collection: 'lab', node: o.node, takenAt: '2025-03-01T00:00:00.000Z', cluster: null, context: o.context ?? null, files: from.files, clusterState: from.clusterState, problems: [], extraNodeIPs: from.nodeIPs });
  return { snapshot, problems: [] };
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  store = mkdtempSync(join(tmpdir(), 'svcpath-e2e-store-'));
  server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], webDist: join(ROOT, 'apps/web/dist'), store, collect: fakeCollect });
  profile = mkdtempSync(join(tmpdir(), 'svcpath-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    colorScheme: 'light',
  });
  // A loaded CI machine can take a while to lay out the first graph.
  context.setDefaultTimeout(90_000);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (store) rmSync(store, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return page;
}

/** Opens the header's Export menu unless it is open already. */
async function openExport(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Export ▾' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

async function downloadOf(page: Page, button: string): Promise<Buffer> {
  await openExport(page);
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
    expect((await outcomes.allTextContents()).sort()).toEqual(['to 10.180.0.4:80', 'to 10.180.0.5:80']);
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
    // IHDR: width and height.
    expect(png.readUInt32BE(16)).toBeGreaterThan(1600);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1200);
    expect(png.length).toBeGreaterThan(20_000);
    const svg = (await downloadOf(page, 'SVG')).toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('KUBE-SEP-AMC6G7RNVSZGUJDI');
    // Cropped to the drawn content (not the pane), at 2x, with its header, trace and version.
    const [, w, h] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect(png.readUInt32BE(16)).toBe(2 * Number(w));
    expect(png.readUInt32BE(20)).toBe(2 * Number(h));
    expect(svg).toContain('>shop/frontend</text>');
    expect(svg).toContain('snapshot taken 2025-01-01');
    expect(svg).toContain('Traced: tcp 10.180.1.10 → 172.30.0.44:80');
    expect(svg).toMatch(/Drawn by svcpath \d+\.\d+\.\d+/);
    const md = (await downloadOf(page, 'Markdown')).toString('utf8');
    expect(md).toContain('| 1 | 50% to 10.180.0.4:80 | DNAT | shop/frontend:http |');
    expect(md).toContain('iptables-save.txt:151');

    // The README's picture: refreshed on demand (SVCPATH_UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
    const shot = await page.screenshot(process.env.SVCPATH_UPDATE_SCREENSHOT ? { path: join(ROOT, 'docs/screenshot.png') } : {});
    expect(shot.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it('a link reproduces the view, and a returning client follows affinity', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=shop/cart&src=203.0.113.2&dst=192.168.0.2&dport=30446&proto=tcp');
    const outcomes = page.locator('.outcome-text');
    await expect.poll(async () => (await outcomes.allTextContents()).sort()).toEqual(['to 10.180.0.8:8080, masqueraded', 'to 10.180.1.8:8080, masqueraded']);
    await page.getByRole('button', { name: '10.180.0.8:8080', exact: true }).click();
    await expect.poll(() => page.url()).toContain('ret=10.180.0.8:8080');
    await page.getByText('Session affinity: this client reached').waitFor();
    await expect.poll(() => page.locator('.svc-node.lit', { hasText: 'KUBE-SVC-I5LIAMPLWKMBJ54B' }).count()).toBe(1);
    await page.close();
  });

  it('lists the doctor\'s findings beside the graph; choosing one lights its evidence', async () => {
    const page = await open('/?snapshot=demo~worker-2&service=shop/frontend');
    await page.getByRole('tab', { name: /^Findings/ }).click();
    const panel = page.getByRole('region', { name: 'Findings' });
    const stale = panel.locator('.finding', { hasText: 'DRIFT_ENDPOINT_STALE' });
    await stale.waitFor();
    await page.locator('.svc-node', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).waitFor();
    expect(await panel.locator('.finding-group h3').allTextContents()).toEqual(['critical (3)', 'warning (1)', 'info (1)']);
    expect(await stale.locator('.finding-next').textContent()).toMatch(/^Next: /);
    expect(await stale.locator('a.finding-help').getAttribute('href')).toBe('/docs/doctor.md#drift_endpoint_stale');
    expect(await page.locator('.svc-node.evidence').count()).toBe(0);

    await stale.locator('.finding-head').click();
    await expect.poll(() => page.url()).toMatch(/finding=\d/);
    // The cited rule (KUBE-SVC → the stale KUBE-SEP) and the path of the trace that confirmed it.
    await expect.poll(() => page.locator('.svc-node.evidence', { hasText: 'KUBE-SEP-G6QSOTUB4WYI2ZK4' }).count()).toBe(1);
    expect(await page.locator('.svc-node.evidence', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).count()).toBe(1);
    expect(await page.locator('.react-flow__edge.evidence').count()).toBeGreaterThanOrEqual(1);
    expect(await stale.getByRole('list', { name: 'Evidence' }).textContent()).toContain('iptables-save.txt:145');

    // The traced flow's finding lights its whole path.
    await panel.locator('.finding', { hasText: 'FLOW_BLOCKED' }).locator('.finding-head').click();
    await expect.poll(() => page.locator('.react-flow__edge.evidence').count()).toBeGreaterThan(1);

    const doc = await page.request.get(`${server.url}/docs/doctor.md`);
    expect(await doc.text()).toContain('### DRIFT_ENDPOINT_STALE');
    await page.close();
  });

  it('collects from a node as a background job and opens the snapshot', async () => {
    const page = await open('/?snapshot=demo~worker-1');
    await page.getByRole('button', { name: 'Collect…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Collect from a node' });
    await dialog.locator('input[name="collect-node"]').fill('worker-5');
    await dialog.locator('input[name="collect-host"]').fill('10.0.0.5');
    await dialog.getByRole('button', { name: 'Collect', exact: true }).click();
    const status = dialog.getByRole('status', { name: 'Collection progress' });
    await status.getByText('running iptables-save (1 of 1)').waitFor();
    await dialog.getByRole('button', { name: 'Open lab~worker-5' }).click();
    await expect.poll(() => page.url()).toContain('snapshot=lab~worker-5');
    await expect.poll(() => page.locator('.svc-node.kind-service').count()).toBe(9);
    expect(await page.getByRole('combobox', { name: 'Snapshot (node)' }).inputValue()).toBe('lab~worker-5');
    await page.close();
  });

  it('loaded with no CSP violations or script errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

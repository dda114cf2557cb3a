import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIptablesSave, generateScaleCluster, renderIptablesRules } from '@svcpath/kube-proxy-sim';
import { startServer, type RunningServer } from '../start-server';

/**
 * A big node in a real browser (Debian's headless Chromium via playwright-core): a file streamed
 * through Import… with its progress, an import cancelled half-way, the aggregated overview
 * (namespaces, then one namespace's Services as a list), drilling into one Service, and findings
 * grouped by code. The dump is kube-proxy's rules for a generated 600-Service cluster
 * (@svcpath/kube-proxy-sim); uploads are slowed with Chromium's own network throttling so the
 * progress and the cancel can be seen. The store is a temp directory.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SERVICES = 600;
let server: RunningServer;
let context: BrowserContext;
let tmp: string;
let dumpFile: string;
let namespaces: number;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  tmp = mkdtempSync(join(tmpdir(), 'svcpath-e2e-scale-'));
  const cluster = generateScaleCluster({ services: SERVICES, endpointsPerService: 3, seed: 5 });
  namespaces = new Set(cluster.services.map((s) => s.metadata.namespace)).size;
  dumpFile = join(tmp, 'iptables-save.txt');
  writeFileSync(dumpFile, formatIptablesSave(renderIptablesRules(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR }).tables));
  server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], webDist: join(ROOT, 'apps/web/dist'), store: join(tmp, 'store') });
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  return page;
}

/** Chromium's own upload throttling, as a slow link would be. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

async function startImport(page: Page, node: string): Promise<void> {
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a dump' });
  await dialog.getByLabel('Node name').fill(node);
  await dialog.getByLabel('Dump file').setInputFiles(dumpFile);
  await dialog.getByText('iptables-save.txt ·').waitFor();
  // A chosen file is never read into the page: no text box holds it.
  expect(await dialog.locator('textarea').count()).toBe(0);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
}

const snapshotNodes = async () => ((await (await fetch(`${server.url}/api/snapshots`)).json()) as { snapshots: { node: string }[] }).snapshots.map((s) => s.node);

describe('a big node in a browser', () => {
  it('cancels an import half-way: the dialog says so and nothing is stored', async () => {
    const page = await open('/');
    await throttleUploads(page, 256 * 1024);
    await startImport(page, 'cancelled-node');
    const dialog = page.getByRole('dialog', { name: 'Import a dump' });
    const phase = dialog.locator('.import-phase');
    await expect.poll(() => phase.textContent(), { timeout: 30_000 }).toMatch(/^Uploading [1-9]\d?% \(/);
    await dialog.getByRole('button', { name: 'Cancel import' }).click();
    await dialog.getByText('Import cancelled; nothing was stored.').waitFor();
    expect(await snapshotNodes()).not.toContain('cancelled-node');
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isEnabled()).toBe(true);
    await page.close();
  }, 120_000);

  it('streams a file with progress, then opens its aggregated overview', async () => {
    const page = await open('/');
    await throttleUploads(page, 1024 * 1024);
    await startImport(page, 'scale-node');
    const phase = page.getByRole('dialog', { name: 'Import a dump' }).locator('.import-phase');
    const seen = new Set<string>();
    while (!page.url().includes('snapshot=imported~scale-node')) {
      const p = await phase.getAttribute('data-phase', { timeout: 200 }).catch(() => null);
      if (p) seen.add(p);
      await page.waitForTimeout(50);
    }
    expect(seen.has('receiving')).toBe(true);
    expect([...seen].some((p) => p === 'parsing' || p === 'storing')).toBe(true);

    const grid = page.getByRole('region', { name: 'Namespaces' });
    await grid.getByRole('heading', { name: `${SERVICES} Services in ${namespaces} namespaces` }).waitFor({ timeout: 60_000 });
    expect(await grid.locator('.ns-card').count()).toBe(namespaces);
    // Aggregated, not drawn: no graph of hundreds of nodes.
    expect(await page.locator('.react-flow__node').count()).toBe(0);
    await grid.getByLabel('Filter namespaces').fill('ns-1');
    await expect.poll(() => grid.locator('.ns-card').count()).toBeLessThan(namespaces);
    // Findings arrive from the doctor and are counted per namespace.
    await expect.poll(() => grid.locator('.overview-totals').textContent(), { timeout: 60_000 }).toMatch(/\d+ findings/);
    await page.close();
  }, 180_000);

  it('drills into a namespace, filters its Services and opens one', async () => {
    const page = await open('/?snapshot=imported~scale-node');
    const grid = page.getByRole('region', { name: 'Namespaces' });
    await grid.getByRole('button', { name: /^Namespace ns-3:/ }).click();
    await expect.poll(() => page.url()).toContain('ns=ns-3');
    const list = page.getByRole('region', { name: 'Services of namespace ns-3' });
    const rows = list.locator('button.svc-row');
    await rows.first().waitFor();
    const total = Number((await list.getByRole('heading').textContent())?.match(/(\d+) Service/)?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(await rows.count()).toBeLessThanOrEqual(total);
    const name = (await rows.first().locator('.svc-row-name').textContent())!;
    await list.getByLabel('Filter Services').fill(name);
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);
    expect((await rows.locator('.svc-row-name').allTextContents()).every((n) => n.includes(name))).toBe(true);
    await rows.filter({ has: page.locator('.svc-row-name', { hasText: new RegExp(`^${name}$`) }) }).click();
    await expect.poll(() => decodeURIComponent(page.url())).toContain(`service=ns-3/${name}`);
    await page.locator('.react-flow__node').first().waitFor({ timeout: 60_000 });
    const drawn = await page.locator('.react-flow__node, .react-flow__edge').count();
    expect(drawn).toBeGreaterThan(3);
    expect(drawn).toBeLessThanOrEqual(1000);
    // Back to the namespace through the crumbs.
    await page.getByRole('navigation', { name: 'View' }).getByRole('button', { name: 'ns-3' }).click();
    await list.locator('button.svc-row').first().waitFor();
    await page.close();
  }, 180_000);

  it('groups hundreds of findings by code and by namespace, with counts', async () => {
    const page = await open('/?snapshot=imported~scale-node');
    const tab = page.getByRole('tab', { name: /Findings/ });
    if (await tab.count()) await tab.click();
    const panel = page.getByRole('region', { name: 'Findings' });
    const byCode = panel.getByRole('list', { name: 'Findings by code' });
    await byCode.waitFor({ timeout: 60_000 });
    const groups = byCode.locator('.finding-group');
    expect(await groups.count()).toBeGreaterThanOrEqual(1);
    const counts = (await byCode.locator('.finding-group-count').allTextContents()).map(Number);
    const total = Number(await panel.locator('.findings-count').textContent());
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    // The tab says how many, exactly to a screen reader, and every side tab still fits the column at 1280 px.
    await expect.poll(() => tab.getAttribute('aria-label')).toBe(`Findings, ${total.toLocaleString('en')}`);
    expect(await page.locator('.tab-list').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    expect(await panel.locator('.finding').count()).toBe(0);
    await groups.first().locator('summary').click();
    await expect.poll(() => panel.locator('.finding').count()).toBeGreaterThan(0);
    expect(await panel.locator('.finding').count()).toBeLessThanOrEqual(25);
    await panel.getByRole('radio', { name: 'namespace' }).click();
    await panel.getByRole('list', { name: 'Findings by namespace' }).waitFor();
    expect(await panel.locator('.finding-group-count').count()).toBeGreaterThan(1);
    await page.close();
  }, 120_000);

  it('a Service with hundreds of endpoints: its graph draws 20 a port and says so; its trace draws 50 outcomes and sums up the rest', async () => {
    // One Service with 300 endpoints: a DaemonSet's Service on a big cluster has thousands.
    const wide = generateScaleCluster({ services: 1, endpointsPerService: 300, seed: 11 });
    const svc = wide.services[0]!;
    const id = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const text = formatIptablesSave(renderIptablesRules(wide, { nodeName: wide.nodeName, clusterCIDR: wide.clusterCIDR }).tables);
    const created = (await (await fetch(`${server.url}/api/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'wide-node', bytes: Buffer.byteLength(text) }) })).json()) as { import: { id: string } };
    const put = (await (await fetch(`${server.url}/api/imports/${created.import.id}/body`, { method: 'PUT', body: text })).json()) as { snapshot: { id: string } };
    const port = svc.spec!.ports![0]!;
    const page = await open(`/?snapshot=${encodeURIComponent(put.snapshot.id)}&service=${encodeURIComponent(id)}&src=10.200.0.7&dst=${svc.spec!.clusterIP}&dport=${port.port}&proto=${(port.protocol ?? 'TCP').toLowerCase()}`);
    await page.locator('.react-flow__node').first().waitFor({ timeout: 60_000 });
    const sepNodes = await page.locator('.react-flow__node').filter({ hasText: /^KUBE-SEP-/ }).count();
    expect(sepNodes).toBeGreaterThan(0);
    expect(sepNodes).toBeLessThanOrEqual(20 * svc.spec!.ports!.length);
    expect(await page.locator('.react-flow__node, .react-flow__edge').count()).toBeLessThan(1000);
    await expect.poll(() => page.locator('.crumb-note').textContent(), { timeout: 30_000 }).toMatch(/^showing \d+ of \d+ endpoint chains, each port's first 20$/);
    // Its minimap is there to ask for, not on top of the graph's corner at first.
    const map = page.getByRole('button', { name: 'Map' });
    expect(await map.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await map.click();
    await page.locator('.react-flow__minimap').waitFor({ timeout: 10_000 });
    expect(await map.getAttribute('aria-pressed')).toBe('true');
    const more = page.locator('.outcomes-more');
    await more.waitFor({ timeout: 60_000 });
    expect(await page.locator('.outcomes > li').count()).toBe(50);
    expect(await more.textContent()).toMatch(/^… and \d+ more outcomes, [\d.]+% of the traffic together, not drawn here/);
    await page.close();
  });

  it('a dump with no Services says so where the graph would be', async () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:CHAIN-A - [0:0]\n-A INPUT -j CHAIN-A\n-A CHAIN-A -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
    const created = (await (await fetch(`${server.url}/api/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'plain-node', bytes: Buffer.byteLength(text) }) })).json()) as { import: { id: string } };
    const put = (await (await fetch(`${server.url}/api/imports/${created.import.id}/body`, { method: 'PUT', body: text })).json()) as { snapshot: { id: string } };
    const page = await open(`/?snapshot=${encodeURIComponent(put.snapshot.id)}`);
    const note = page.locator('.graph-pane .graph-message[role="status"]');
    await note.waitFor({ timeout: 60_000 });
    expect(await note.textContent()).toMatch(/^No Kubernetes Services in this snapshot's rules/);
    expect(await page.locator('.react-flow__node').count()).toBe(0);
    await page.close();
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectLiveFleet } from '@svcpath/collector';
import { startFleetStandIn, type FleetStandIn } from '../../../collector/src/fleet/testing/fleet-stand-in';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 30_000, interval: 100 } } });

/**
 * The fleet view in a real browser, against a server whose fleet runs are the real
 * collectLiveFleet on 52 nodes behind the fake API server (the only stand-in; its kubelet double
 * prints each simulated node's digest, see apps/collector/src/fleet/testing/fleet-stand-in.ts).
 * One drifting node also has a snapshot (the kube-proxy conformance dump imported under its name),
 * so its chip opens its trace. Builds the web app, drives headless Chromium; screenshots go to
 * $SVCPATH_SHOTS when set.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DUMP = join(ROOT, 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
let sim: FleetStandIn;
let server: RunningServer;
let context: BrowserContext;
let profile: string;
let snapshotId: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  sim = await startFleetStandIn({ size: 52, neverRun: ['node-50'] });
  const kubeconfigPath = sim.kubeconfigPath;
  server = await startServer({ port: 0, webDist: join(ROOT, 'apps/web/dist'), fleet: (o) => collectLiveFleet({ ...o, kubeconfigPath, env: {}, pollIntervalMs: 20, startTimeoutMs: 1_500 }) });
  const res = await fetch(`${server.url}/api/snapshots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ collection: 'incident', node: sim.drifting[0], files: [{ name: 'iptables-save.txt', text: readFileSync(DUMP, 'utf8') }] }),
  });
  expect(res.status).toBe(201);
  snapshotId = ((await res.json()) as { snapshot: { id: string } }).snapshot.id;
  profile = mkdtempSync(join(tmpdir(), 'svcpath-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(60_000);
}, 300_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  await sim?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return page;
}

type Box = { x: number; y: number; w: number; h: number };
const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SVCPATH_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

describe('the fleet view in a browser', () => {
  it('starts a run, shows progress, then per Service port how many nodes agree and how the others differ', async () => {
    const page = await open('/fleet');
    await page.getByText('No fleet run yet.').waitFor();
    await page.getByRole('button', { name: 'Check every node' }).click();
    await page.getByRole('status').waitFor();
    await page.locator('.fleet-headline').waitFor();
    expect(await page.locator('.fleet-big > span').allTextContents()).toEqual(['46 agree', '5 disagree', '1 not compared']);
    expect(await page.getByRole('note').textContent()).toMatch(/^Partial: 1 node gave no digest/);
    const ports = [...new Set(sim.fleet.planted.map((p) => p.portName))];
    await expect.poll(() => page.locator('.fleet-port').count()).toBe(ports.length);
    const problems = page.getByRole('complementary', { name: 'Nodes' });
    expect(await problems.textContent()).toMatch(/1 node not compared1 × the digest Pod svcpath-nodes\/svcpath-digest-… did not start within 1500 ms.*node-50/);

    // Row texts never overlap: name, bar and counts side by side.
    for (const row of await page.locator('.fleet-port-head').all()) {
      const boxes = await Promise.all(['.fleet-port-name', '.fleet-bar', '.fleet-counts'].map(async (s) => (await row.locator(s).boundingBox())!));
      const [a, b, c] = boxes.map((x) => ({ x: x.x, y: x.y, w: x.width, h: x.height }));
      expect(overlap(a!, b!) + overlap(b!, c!) + overlap(a!, c!)).toBe(0);
    }
    await shot(page, 'fleet-1280-light');

    // The drifting node's port opens in place: its groups, and a chip that opens the node's trace.
    const node = sim.drifting[0]!;
    const port = sim.fleet.planted.find((p) => p.node === node)!.portName;
    const row = page.locator('.fleet-port', { hasText: port });
    await row.getByRole('button').click();
    expect(await row.getByRole('button').getAttribute('aria-expanded')).toBe('true');
    const groups = page.getByRole('list', { name: `How nodes disagree on ${port}` });
    await groups.waitFor();
    expect(await groups.textContent()).toContain(sim.fleet.planted.find((p) => p.node === node)!.lines[0]);
    const link = groups.getByRole('link', { name: node });
    expect(await link.getAttribute('href')).toBe(`/?snapshot=${encodeURIComponent(snapshotId)}&service=${port.slice(0, port.lastIndexOf(':'))}`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, 'fleet-1440-light-open');
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    await shot(page, 'fleet-1440-dark-open');

    // The search scopes the list.
    await page.getByRole('searchbox', { name: 'Find a Service port' }).fill(port.split(':')[0]!);
    await expect.poll(() => page.locator('.fleet-port').count()).toBe(1);

    await link.click();
    await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('snapshot') === snapshotId);
    expect(consoleErrors).toEqual([]);
  });
});

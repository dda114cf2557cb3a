import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectLiveFleet, type LiveFleetResult } from '@svcpath/collector';
import { fleetAggregator, fleetExpectation } from '@svcpath/fleet';
import { simulateFleet, variantDigest } from '@svcpath/fleet/simulate';
import { generateScaleCluster } from '@svcpath/kube-proxy-sim';
import { startFleetStandIn, type FleetStandIn } from '../../../collector/src/fleet/testing/fleet-stand-in';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 30_000, interval: 100 } } });

/**
 * The fleet view in a real browser, against a server whose fleet runs are the real
 * collectLiveFleet on 52 nodes behind the fake API server (the only stand-in; its kubelet double
 * prints each simulated node's digest, see apps/collector/src/fleet/testing/fleet-stand-in.ts).
 * The run also fetches the disagreeing nodes' full dumps (round 3, dump Pods whose iptables-save
 * prints the node's rules as kube-proxy-sim renders them), so their chips open their traces. Builds the web app, drives headless Chromium; screenshots go to
 * $SVCPATH_SHOTS when set.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let sim: FleetStandIn;
let server: RunningServer;
let context: BrowserContext;
let profile: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  sim = await startFleetStandIn({ size: 52, neverRun: ['node-50'] });
  const kubeconfigPath = sim.kubeconfigPath;
  server = await startServer({ port: 0, webDist: join(ROOT, 'apps/web/dist'), fleet: (o) => collectLiveFleet({ ...o, kubeconfigPath, env: {}, pollIntervalMs: 20, startTimeoutMs: 1_500 }) });
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
    await page.getByRole('checkbox', { name: /Then fetch full dumps of the nodes that disagree/ }).check();
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
    const latest = (await (await fetch(`${server.url}/api/fleet/runs/latest`)).json()) as { run: { result: { dumps: { node: string; snapshotId: string }[] } } };
    const snapshotId = latest.run.result.dumps.find((d) => d.node === node)!.snapshotId;
    const link = groups.getByRole('link', { name: node });
    expect(await page.locator('.fleet-cost').textContent()).toContain(`Full dumps: ${sim.drifting.length} of ${sim.drifting.length} nodes stored as snapshots.`);
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
    // The node's snapshot opens on the Service's graph, with the trace form beside it.
    await page.locator('.react-flow__node').first().waitFor();
    expect(page.url()).toContain(`service=${port.slice(0, port.lastIndexOf(':'))}`);
    expect(consoleErrors).toEqual([]);
  });
});

describe('a fleet run that cannot start', () => {
  it('reads as a failure with the reason, not as an empty report', async () => {
    const page = await open('/fleet');
    await page.locator('.fleet-headline').waitFor();
    await page.getByRole('textbox', { name: 'Nodes (label selector)' }).fill('pool=none');
    await page.getByRole('button', { name: 'Check every node' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The fleet run failed: no node matches --selector pool=none (of 52)');
    expect(await page.locator('.fleet-headline').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * 5,000 nodes (kube-proxy-sim, 300 Services, 20 nodes per drift kind, 40 in nftables mode, 30 never
 * answering) aggregated by @svcpath/fleet exactly as a live run would, served by a second server
 * whose fleet run returns that result: the answer fits one 1280×800 screen.
 */
describe('the fleet view of 5,000 nodes', () => {
  it('fits one screen: one row per drifting Service port, a dozen node names per group, failures as one line', async () => {
    const cluster = generateScaleCluster({ services: 300, endpointsPerService: 3, seed: 9, nodes: 3 });
    const fleet = simulateFleet({ cluster, size: 5_000, drift: { 'stale-endpoint': 20, 'missing-endpoint': 20, 'missing-service': 20, 'stale-service': 20, 'node-port': 20, 'wrong-shares': 20 }, nftables: 40 });
    const expectation = fleetExpectation(fleet.truth);
    const first = fleetAggregator(expectation);
    const all = fleet.variants.flatMap((v) => v.nodes.map((n) => ({ v, n })));
    const silent = new Set(all.slice(-30).map((x) => x.n));
    for (const { v, n } of all) if (!silent.has(n)) first.add(variantDigest(v, n));
    const buckets = new Map(first.report().undetailed.map((u) => [u.node, u.buckets]));
    const agg = fleetAggregator(expectation);
    for (const { v, n } of all) if (!silent.has(n)) agg.add(variantDigest(v, n, buckets.get(n)));
    for (const n of silent) agg.problem({ kind: 'no-digest', node: n, reason: 'cannot read the log of the digest Pod svcpath-nodes/svcpath-digest-x-0a0b0c0d: the account needs RBAC permission "get" on "pods/log"' });
    const result: LiveFleetResult = { report: agg.report(), context: 'big', server: 'https://big', nodes: all.map((x) => x.n), clusterProblems: [], pods: { created: 5_120, deleted: 5_120, notDeleted: [] }, digestBytes: [25_000_000, 1_000_000], cancelled: false, dumps: [] };
    const big = await startServer({ port: 0, webDist: join(ROOT, 'apps/web/dist'), fleet: async () => result });
    try {
      await fetch(`${big.url}/api/fleet/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const page = await context.newPage();
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${big.url}/fleet`);
      await page.locator('.fleet-headline').waitFor();
      expect(await page.locator('.fleet-big > span').allTextContents()).toEqual([`${result.report.agreeing} agree`, `${result.report.compared - result.report.agreeing} disagree`, '30 not compared']);
      expect(await page.locator('.fleet-port').count()).toBe(result.report.drift.length);
      expect(result.report.drift.length).toBeLessThanOrEqual(8);
      // Every port row and the grouped failure are on the first screen, nothing scrolled.
      const last = (await page.locator('.fleet-port').last().boundingBox())!;
      expect(last.y + last.height).toBeLessThan(800);
      expect(await page.locator('.fleet-problems > li').count()).toBe(1);
      const biggest = page.locator('.fleet-port').first();
      await biggest.getByRole('button').click();
      const chips = biggest.locator('.fleet-node');
      expect(await chips.count()).toBe(12);
      expect(await biggest.getByRole('button', { name: /^and \d+ more$/ }).count()).toBeGreaterThan(0);
      await shot(page, 'fleet-5000-1280-light');
      expect(consoleErrors).toEqual([]);
    } finally {
      await big.close();
    }
  });
});

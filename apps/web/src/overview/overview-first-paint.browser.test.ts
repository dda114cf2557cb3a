import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { startServer, type RunningServer } from '../../../server/src/start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 30_000, interval: 100 } } });

/**
 * A big snapshot's first paint in a real browser (Debian chromium, headless): the namespace cards
 * come first, and the doctor's findings are asked only after the frame that showed them (starting
 * that request shared the paint's task before). The dump is kube-proxy's rules for a generated
 * 700-Service cluster (@svcpath/kube-proxy-sim, over 1 MB, so it opens on the overview), imported over
 * HTTP into a temporary store; the app is built into a scratch folder.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let server: RunningServer;
let browser: Browser;
let scratch: string;
let snapshot: string;
let namespaces: number;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'svcpath-first-paint-'));
  const dist = join(scratch, 'dist');
  await build({ configFile: join(ROOT, 'apps/web/vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  server = await startServer({ port: 0, webDist: dist, store: join(scratch, 'store') });
  const cluster = generateScaleCluster({ services: 700, endpointsPerService: 3, seed: 7 });
  namespaces = new Set(cluster.services.map((s) => s.metadata.namespace)).size;
  const text = renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR });
  expect(text.length).toBeGreaterThan(1_000_000);
  const created = (await (await fetch(`${server.url}/api/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'paint-node', bytes: text.length }) })).json()) as { import: { id: string } };
  const put = (await (await fetch(`${server.url}/api/imports/${created.import.id}/body`, { method: 'PUT', body: text })).json()) as { snapshot: { id: string } };
  snapshot = put.snapshot.id;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// In-page code as text: tsx would wrap named functions in a helper the page lacks.
/** Records the animation frame in which three namespace cards were first in the page. */
const WATCH_CARDS = `(() => {
  window.__cardsFrame = null;
  new MutationObserver((_, o) => {
    if (document.querySelectorAll('.ns-card').length < 3) return;
    o.disconnect();
    requestAnimationFrame(() => (window.__cardsFrame = performance.now()));
  }).observe(document, { childList: true, subtree: true });
})()`;

describe("a big snapshot's first paint", () => {
  it('draws the namespace cards before asking the doctor, then counts its findings on them', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(WATCH_CARDS);
    await page.goto(`${server.url}/?snapshot=${encodeURIComponent(snapshot)}`);
    const grid = page.getByRole('region', { name: 'Namespaces' });
    await grid.getByRole('heading', { name: `700 Services in ${namespaces} namespaces` }).waitFor();
    expect(await grid.locator('.ns-card').count()).toBe(namespaces);
    await expect.poll(() => grid.locator('.overview-totals').textContent()).toMatch(/\d+ findings/);
    const times = (await page.evaluate(`({
      cards: window.__cardsFrame,
      findings: performance.getEntriesByType('resource').filter((e) => e.name.includes('/findings')).map((e) => e.startTime),
    })`)) as { cards: number | null; findings: number[] };
    expect(times.cards).not.toBeNull();
    expect(times.findings).toHaveLength(1);
    // Asked after the frame that showed the cards, not in the task that rendered them.
    expect(times.findings[0]!).toBeGreaterThan(times.cards!);
    await page.close();
  });
});
